"""Layers with the ``params``/``grads`` protocol."""

from refnn.layers.base import Layer
from refnn.layers.core import Affine, MatMul, ReLU, Sigmoid, Softmax, SoftmaxWithLoss

__all__ = ["Layer", "MatMul", "Affine", "Sigmoid", "ReLU", "Softmax", "SoftmaxWithLoss"]
