"""Layers with the ``params``/``grads`` protocol."""

from refnn.layers.attention import Attention, AttentionWeight, TimeAttention, WeightSum
from refnn.layers.base import Layer
from refnn.layers.core import Affine, MatMul, ReLU, Sigmoid, Softmax, SoftmaxWithLoss
from refnn.layers.embedding import (
    Embedding,
    EmbeddingDot,
    NegativeSamplingLoss,
    SigmoidWithLoss,
)
from refnn.layers.gated import GRU, LSTM, TimeBiLSTM, TimeGRU, TimeLSTM
from refnn.layers.recurrent import RNN, TimeRNN
from refnn.layers.time_layers import (
    TimeAffine,
    TimeDropout,
    TimeEmbedding,
    TimeSigmoidWithLoss,
    TimeSoftmaxWithLoss,
)

__all__ = [
    "Layer",
    # chapter 1
    "MatMul", "Affine", "Sigmoid", "ReLU", "Softmax", "SoftmaxWithLoss",
    # chapters 3-4
    "Embedding", "EmbeddingDot", "SigmoidWithLoss", "NegativeSamplingLoss",
    # chapters 5-6
    "RNN", "TimeRNN", "LSTM", "TimeLSTM", "GRU", "TimeGRU", "TimeBiLSTM",
    "TimeEmbedding", "TimeAffine", "TimeSoftmaxWithLoss", "TimeSigmoidWithLoss", "TimeDropout",
    # chapter 8
    "WeightSum", "AttentionWeight", "Attention", "TimeAttention",
]
