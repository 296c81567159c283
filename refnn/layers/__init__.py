"""Layers with the ``params``/``grads`` protocol."""

from refnn.layers.attention import Attention, AttentionWeight, TimeAttention, WeightSum  # noqa: F401
from refnn.layers.base import Layer
from refnn.layers.core import Affine, MatMul, ReLU, Sigmoid, Softmax, SoftmaxWithLoss
from refnn.layers.embedding import (  # noqa: F401 - joins __all__ once registered in refnn.testing.SPECS
    Embedding,
    EmbeddingDot,
    NegativeSamplingLoss,
    SigmoidWithLoss,
)
from refnn.layers.recurrent import LSTM, RNN, TimeLSTM, TimeRNN  # noqa: F401 - joins __all__ once registered
from refnn.layers.time_layers import TimeAffine, TimeEmbedding, TimeSoftmaxWithLoss  # noqa: F401

__all__ = ["Layer", "MatMul", "Affine", "Sigmoid", "ReLU", "Softmax", "SoftmaxWithLoss"]
