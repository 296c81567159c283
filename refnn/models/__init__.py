"""모델: 장마다 한 모듈 (`mlp`: 1장의 `TwoLayerNet`).

모델은 계층을 조립하고 초기화 정책(`rng`, `dtype`)을 가집니다. 공개 이름은 이 패키지에서
바로 가져올 수 있습니다: ``from refnn.models import TwoLayerNet``.
"""

from refnn.models.attention_seq2seq import AttentionDecoder, AttentionEncoder, AttentionSeq2seq  # noqa: F401
from refnn.models.generate import BetterRnnlmGen, RnnlmGen  # noqa: F401
from refnn.models.mlp import TwoLayerNet
from refnn.models.rnnlm import BetterRnnlm, Rnnlm, SimpleRnnlm  # noqa: F401 - joins __all__ once registered in refnn.testing.SPECS
from refnn.models.seq2seq import Decoder, Encoder, PeekyDecoder, PeekySeq2seq, Seq2seq  # noqa: F401
from refnn.models.word2vec import CBOW, SimpleCBOW, SimpleSkipGram, SkipGram  # noqa: F401

__all__ = ["TwoLayerNet"]
