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
from refnn.layers.gated import GRU, LSTM, TimeBiLSTM, TimeGRU, TimeLSTM  # noqa: F401 - joins __all__ once registered
from refnn.layers.recurrent import RNN, TimeRNN  # noqa: F401
from refnn.layers.time_layers import (  # noqa: F401
    TimeAffine,
    TimeDropout,
    TimeEmbedding,
    TimeSigmoidWithLoss,
    TimeSoftmaxWithLoss,
)

__all__ = ["Layer", "MatMul", "Affine", "Sigmoid", "ReLU", "Softmax", "SoftmaxWithLoss"]
