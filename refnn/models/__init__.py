"""모델: 장마다 한 모듈 (`mlp` 1장, `word2vec` 3–4장, `rnnlm` 5–6장, `generate`·`seq2seq` 7장,
`attention_seq2seq` 8장).

모델은 계층을 조립하고 초기화 정책(`rng`, `dtype`)을 가집니다. 공개 이름은 이 패키지에서
바로 가져올 수 있습니다: ``from refnn.models import TwoLayerNet``.
"""

from refnn.models.attention_seq2seq import AttentionDecoder, AttentionEncoder, AttentionSeq2seq
from refnn.models.generate import BetterRnnlmGen, RnnlmGen
from refnn.models.mlp import TwoLayerNet
from refnn.models.rnnlm import BetterRnnlm, Rnnlm, SimpleRnnlm
from refnn.models.seq2seq import Decoder, Encoder, PeekyDecoder, PeekySeq2seq, Seq2seq
from refnn.models.word2vec import CBOW, SimpleCBOW, SimpleSkipGram, SkipGram

__all__ = [
    "TwoLayerNet",  # chapter 1 (mlp)
    "SimpleCBOW", "SimpleSkipGram", "CBOW", "SkipGram",  # chapters 3-4 (word2vec)
    "SimpleRnnlm", "Rnnlm", "BetterRnnlm",  # chapters 5-6 (rnnlm)
    "RnnlmGen", "BetterRnnlmGen",  # chapter 7 (generate)
    "Encoder", "Decoder", "Seq2seq", "PeekyDecoder", "PeekySeq2seq",  # chapter 7 (seq2seq)
    "AttentionEncoder", "AttentionDecoder", "AttentionSeq2seq",  # chapter 8 (attention_seq2seq)
]
