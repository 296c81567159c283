r"""8장의 어텐션 seq2seq: AttentionEncoder, AttentionDecoder, AttentionSeq2seq.

7장의 `Seq2seq`는 Encoder의 마지막 은닉 상태 하나만 Decoder에 넘깁니다. 어텐션 모델은 Encoder의
**모든 시각의** 은닉 상태 `hs_enc: (N, T_enc, H)`를 넘기고, Decoder는 시각마다 `TimeAttention`으로
그중 어디에 주목할지(가중치)를 정해 맥락 벡터를 만들어 LSTM의 출력과 함께 Affine에 넣습니다.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from refnn._validation import FORWARD_FIRST
from refnn.layers.attention import TimeAttention
from refnn.models.seq2seq import Decoder, Encoder, Seq2seq

__all__ = ["AttentionEncoder", "AttentionDecoder", "AttentionSeq2seq"]


class AttentionEncoder(Encoder):
    r"""모든 시각의 은닉 상태 `hs: (N, T, H)`를 돌려주는 Encoder (8.2.1절).

    매개변수와 초기화는 `Encoder`와 같습니다.

    Notes
    -----
    형상: `xs: (N, T)` 정수 → `hs: (N, T, H)`; 역전파 `dhs: (N, T, H)` → `None`
    (모든 시각의 기울기를 그대로 LSTM에 넣습니다).

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 8.2.1절 (Encoder 구현).

    Examples
    --------
    >>> AttentionEncoder(13, 4, 6, rng=0).forward(np.array([[1, 2, 3]])).shape
    (1, 3, 6)
    """

    def forward(self, xs: Any) -> np.ndarray:  # type: ignore[override]
        hs = self.lstm.forward(self.embed.forward(xs))
        self.hs = hs
        return hs

    def backward(self, dhs: Any) -> None:
        if self.hs is None:
            raise RuntimeError(FORWARD_FIRST.format(name=type(self).__name__))
        self.embed.backward(self.lstm.backward(dhs))


class AttentionDecoder(Decoder):
    r"""TimeEmbedding → TimeLSTM → TimeAttention → TimeAffine 의 Decoder (8.2.2절).

    Parameters
    ----------
    vocab_size, wordvec_size, hidden_size : int
        $V$, $D$, $H$.
    rng : numpy.random.Generator or int or None
        초기화의 난수(또는 시드).
    dtype : numpy dtype, default float32
        가중치와 계산의 dtype.

    Attributes
    ----------
    params, grads : list of numpy.ndarray
        `[W_embed, Wx, Wh, b, W_affine, b_affine]`; `W_affine: (2H, V)` (맥락 벡터와 LSTM 출력).
    embed, lstm, attention, affine : TimeEmbedding, TimeLSTM, TimeAttention, TimeAffine
        `attention.attention_weights`에 마지막 순전파(또는 생성)의 가중치가 남습니다.

    Notes
    -----
    형상: `xs: (N, T)` 정수, `hs_enc: (N, T_enc, H)` → 점수 `(N, T, V)`; 역전파 → `dhs_enc: (N, T_enc, H)`.

    LSTM은 Encoder의 마지막 은닉 상태 $h = hs_{\text{enc}}[:, -1]$ 에서 시작합니다:

    $$hs_{\text{dec}} = \text{LSTM}(W_{\text{embed}}[x], h), \quad
    c = \text{TimeAttention}(hs_{\text{enc}}, hs_{\text{dec}}), \quad
    s = [c, hs_{\text{dec}}]\, W_{\text{affine}} + b_{\text{affine}}$$

    역전파에서 Affine의 입력 기울기 $G = \partial L / \partial [c, hs_{\text{dec}}]$ 를 앞쪽 $H$열
    $G_c$(맥락 $c$)와 뒤쪽 $H$열 $G_h$($hs_{\text{dec}}$)로 나눕니다. $hs_{\text{dec}}$는 어텐션과 Affine 두
    곳에 쓰이므로 두 기울기를 더하고, $hs_{\text{enc}}$의 기울기는 어텐션에서 온 것에 LSTM의 초기 상태
    기울기 $\partial L / \partial h_0$ 를 마지막 시각에 더한 것입니다:

    $$(d_X, d_Y) = \text{TimeAttention.backward}(G_c), \qquad
    \frac{\partial L}{\partial hs_{\text{dec}}} = G_h + d_Y, \qquad
    \frac{\partial L}{\partial hs_{\text{enc}, t}} = d_{X,t} + [t = T_{\text{enc}}]\,
    \frac{\partial L}{\partial h_0}$$

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 8.2.2절 (Decoder 구현).

    Examples
    --------
    >>> decoder = AttentionDecoder(13, 4, 6, rng=0)
    >>> decoder.forward(np.array([[6, 0]]), np.zeros((1, 3, 6))).shape
    (1, 2, 13)
    """

    _widened = (0, 1)

    def __init__(self, vocab_size: int, wordvec_size: int, hidden_size: int, rng: Any = None,
                 dtype: Any = np.float32) -> None:
        super().__init__(vocab_size, wordvec_size, hidden_size, rng=rng, dtype=dtype)
        self.attention = TimeAttention()
        self.layers = [self.embed, self.lstm, self.attention, self.affine]
        self._collect()

    def forward(self, xs: Any, hs_enc: Any) -> np.ndarray:
        hs_enc = np.asarray(hs_enc)
        self.lstm.set_state(self._start_state(hs_enc))
        hs_dec = self.lstm.forward(self.embed.forward(xs))
        c = self.attention.forward(hs_enc, hs_dec)
        return self.affine.forward(np.concatenate([c, hs_dec], axis=2))  # type: ignore[no-any-return]

    def backward(self, dscore: Any) -> np.ndarray:
        H = self.lstm.params[1].shape[0]
        dout = self.affine.backward(dscore)
        dc, dhs_dec = dout[:, :, :H], dout[:, :, H:]
        dhs_enc, dhs_dec_att = self.attention.backward(dc)
        self.embed.backward(self.lstm.backward(dhs_dec + dhs_dec_att))
        dhs_enc[:, -1] += self.lstm.dh
        return dhs_enc

    def _start_state(self, state: Any) -> np.ndarray:
        return np.asarray(state)[:, -1]

    def _step(self, x: np.ndarray, hs_enc: Any) -> np.ndarray:
        hs_dec = self.lstm.forward(self.embed.forward(x))
        c = self.attention.forward(hs_enc, hs_dec)
        return self.affine.forward(np.concatenate([c, hs_dec], axis=2))  # type: ignore[no-any-return]


class AttentionSeq2seq(Seq2seq):
    r"""AttentionEncoder → AttentionDecoder 의 seq2seq 모델 (8.2.3절).

    `Seq2seq`와 같은 인터페이스(`forward(xs, ts)`, `backward(dout=1)`, `generate(xs, start_id, sample_size)`)
    입니다. Encoder가 모든 시각의 은닉 상태를 넘기고, Decoder의 역전파가 그 모두에 대한 기울기를 돌려줍니다.
    생성 뒤 `decoder.attention.attention_weights`에는 생성한 시각마다의 가중치 `(1, T_enc)`가 남습니다
    (8.3절의 시각화).

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 8.2.3절 (seq2seq 구현).

    Examples
    --------
    >>> model = AttentionSeq2seq(13, 4, 6, rng=0)
    >>> round(model.forward(np.array([[1, 2, 3]]), np.array([[6, 4, 5]])), 2)
    2.57
    >>> model.backward()
    """

    encoder_class = AttentionEncoder
    decoder_class = AttentionDecoder
