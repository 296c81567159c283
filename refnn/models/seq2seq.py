r"""7장의 seq2seq 모델: Encoder, Decoder, Seq2seq, PeekyDecoder, PeekySeq2seq (8장의 어텐션 모델은
`refnn.models.attention_seq2seq`).

Encoder는 입력 시계열 `xs: (N, T_enc)`를 LSTM으로 읽어 마지막 은닉 상태 `h: (N, H)`로 요약하고,
Decoder는 그 `h`를 초기 상태로 받아 출력 시계열을 만듭니다. 학습 때에는 정답 `ts: (N, T)`의 앞부분
`ts[:, :-1]`(시작 기호 `_`부터)을 Decoder에 넣고 한 칸 뒤의 `ts[:, 1:]`을 맞히게 합니다(교사 강요).
생성(`generate`)은 시작 ID에서 출발해 매 시각 점수가 가장 큰 ID를 골라 다음 입력으로 넣습니다.

초기화의 난수는 건네받은 `rng` 하나에서만 나오고(Encoder, Decoder의 순서로), `dtype`의 기본값은
책처럼 float32입니다.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from refnn._validation import FORWARD_FIRST
from refnn.io import load_params as _load_params
from refnn.io import save_params as _save_params
from refnn.layers.gated import TimeLSTM
from refnn.layers.time_layers import TimeAffine, TimeEmbedding, TimeSoftmaxWithLoss
from refnn.models.rnnlm import _init, _sizes
from refnn.sampling import as_generator

__all__ = ["Encoder", "Decoder", "Seq2seq", "PeekyDecoder", "PeekySeq2seq"]


class _Parts:
    """A stack of layers whose params/grads are the layers' own arrays."""

    layers: list[Any]

    def _collect(self) -> None:
        self.params = [p for layer in self.layers for p in layer.params]
        self.grads = [g for layer in self.layers for g in layer.grads]


def _lstm(gen: np.random.Generator, D: int, H: int, dtype: Any, stateful: bool) -> TimeLSTM:
    """Wx (D, 4H) ~ N(0, 1/D), Wh (H, 4H) ~ N(0, 1/H), b = 0, drawn in that order."""
    Wx = _init(gen, (D, 4 * H), 1 / np.sqrt(D), dtype)
    Wh = _init(gen, (H, 4 * H), 1 / np.sqrt(H), dtype)
    return TimeLSTM(Wx, Wh, np.zeros(4 * H, dtype=dtype), stateful=stateful)


def _start(name: str, h: Any, start_id: int, sample_size: int) -> np.ndarray:
    h = np.asarray(h)
    if h.ndim < 2 or h.shape[0] != 1:
        raise ValueError(f"{name}.generate: generates one sequence at a time (batch of 1), got state shape {h.shape}")
    if isinstance(sample_size, bool) or not isinstance(sample_size, (int, np.integer)) or sample_size < 0:
        raise ValueError(f"{name}.generate: sample_size must be a non-negative integer, got {sample_size!r}")
    return np.array([[start_id]], dtype=np.int64)


class Encoder(_Parts):
    r"""TimeEmbedding → TimeLSTM: 입력 시계열을 마지막 은닉 상태 `h`로 요약합니다 (7.3.2절).

    Parameters
    ----------
    vocab_size, wordvec_size, hidden_size : int
        어휘 수 $V$, 문자 벡터 크기 $D$, 은닉 상태 크기 $H$.
    rng : numpy.random.Generator or int or None
        초기화의 난수(또는 시드).
    dtype : numpy dtype, default float32
        가중치와 계산의 dtype.

    Attributes
    ----------
    params, grads : list of numpy.ndarray
        `[W_embed, Wx, Wh, b]`와 그 기울기.
    embed, lstm : TimeEmbedding, TimeLSTM
        `lstm`은 `stateful=False`: 매 `forward`가 영벡터에서 시작합니다.

    Notes
    -----
    형상: `xs: (N, T)` 정수 → `h: (N, H)`; 역전파 `dh: (N, H)` → `None`.

    `h`는 마지막 시각의 은닉 상태 $h_T$ 뿐이므로 역전파는 마지막 시각에만 `dh`를 넣고 나머지 시각은
    0인 `dhs`로 LSTM을 거꾸로 돕니다:

    $$\frac{\partial L}{\partial h_t}\Big|_{\text{위}} = [t = T]\, dh$$

    초기값: $W_{\text{embed}} \sim \mathcal{N}(0, 0.01^2)$, $W_x \sim \mathcal{N}(0, 1/D)$,
    $W_h \sim \mathcal{N}(0, 1/H)$, $b = 0$ (책과 같은 규칙).

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 7.3.2절 (Encoder 클래스).

    Examples
    --------
    >>> Encoder(13, 4, 6, rng=0).forward(np.array([[1, 2, 3]])).shape
    (1, 6)
    """

    def __init__(self, vocab_size: int, wordvec_size: int, hidden_size: int, rng: Any = None,
                 dtype: Any = np.float32) -> None:
        _sizes(type(self).__name__, vocab_size=vocab_size, wordvec_size=wordvec_size, hidden_size=hidden_size)
        gen = as_generator(rng, type(self).__name__)
        self.dtype = np.dtype(dtype)
        self.embed = TimeEmbedding(_init(gen, (vocab_size, wordvec_size), 0.01, dtype))
        self.lstm = _lstm(gen, wordvec_size, hidden_size, dtype, stateful=False)
        self.layers = [self.embed, self.lstm]
        self._collect()
        self.hs: np.ndarray | None = None

    def forward(self, xs: Any) -> np.ndarray:
        hs = self.lstm.forward(self.embed.forward(xs))
        self.hs = hs
        return hs[:, -1]

    def backward(self, dh: Any) -> None:
        if self.hs is None:
            raise RuntimeError(FORWARD_FIRST.format(name=type(self).__name__))
        dhs = np.zeros_like(self.hs)
        dhs[:, -1] = dh
        self.embed.backward(self.lstm.backward(dhs))


class Decoder(_Parts):
    r"""TimeEmbedding → TimeLSTM → TimeAffine: Encoder의 `h`에서 출발해 다음 문자의 점수를 냅니다 (7.3.3절).

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
        `[W_embed, Wx, Wh, b, W_affine, b_affine]`와 그 기울기.
    embed, lstm, affine : TimeEmbedding, TimeLSTM, TimeAffine
        `lstm`은 `stateful=True`이고 `forward`마다 `set_state(h)`로 `h`에서 시작합니다.

    Notes
    -----
    형상: `xs: (N, T)` 정수, `h: (N, H)` → 점수 `(N, T, V)`; 역전파 `dscore: (N, T, V)` → `dh: (N, H)`.

    $h_0 = h$ (기억 셀은 0)에서 $h_t = \text{LSTM}(W_{\text{embed}}[x_t], h_{t-1})$,
    $s_t = h_t W_{\text{affine}} + b_{\text{affine}}$. 역전파가 돌려주는 `dh`는 LSTM의 초기 상태에 대한
    기울기($\partial L / \partial h_0$, `lstm.dh`)이고, 이것이 Encoder로 흘러 들어갑니다.

    `generate(h, start_id, sample_size)`는 배치 1개에서 `start_id`를 넣고, 매 시각 점수의 argmax를 다음
    입력으로 넣어 `sample_size`개의 ID를 돌려줍니다(시작 ID는 넣지 않습니다).

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 7.3.3절 (Decoder 클래스).

    Examples
    --------
    >>> decoder = Decoder(13, 4, 6, rng=0)
    >>> decoder.forward(np.array([[6, 0]]), np.zeros((1, 6))).shape
    (1, 2, 13)
    >>> len(decoder.generate(np.zeros((1, 6)), start_id=6, sample_size=4))
    4
    """

    #: Extra H-wide inputs of the LSTM and of the Affine (the peeky decoder's h, the attention's context).
    _widened = (0, 0)

    def __init__(self, vocab_size: int, wordvec_size: int, hidden_size: int, rng: Any = None,
                 dtype: Any = np.float32) -> None:
        V, D, H = vocab_size, wordvec_size, hidden_size
        _sizes(type(self).__name__, vocab_size=V, wordvec_size=D, hidden_size=H)
        gen = as_generator(rng, type(self).__name__)
        lstm_in, affine_in = D + self._widened[0] * H, H + self._widened[1] * H
        self.dtype = np.dtype(dtype)
        self.embed = TimeEmbedding(_init(gen, (V, D), 0.01, dtype))
        self.lstm = _lstm(gen, lstm_in, H, dtype, stateful=True)
        W = _init(gen, (affine_in, V), 1 / np.sqrt(affine_in), dtype)
        self.affine = TimeAffine(W, np.zeros(V, dtype=dtype))
        self.layers = [self.embed, self.lstm, self.affine]
        self._collect()

    def forward(self, xs: Any, h: Any) -> np.ndarray:
        self.lstm.set_state(h)
        return self.affine.forward(self.lstm.forward(self.embed.forward(xs)))  # type: ignore[no-any-return]

    def backward(self, dscore: Any) -> np.ndarray:
        self.embed.backward(self.lstm.backward(self.affine.backward(dscore)))
        return self.lstm.dh  # type: ignore[return-value]

    def generate(self, h: Any, start_id: int, sample_size: int) -> list[int]:
        """`h: (1, H)`에서 `start_id`로 시작해 argmax로 고른 ID `sample_size`개."""
        x = _start(type(self).__name__, h, start_id, sample_size)
        self.lstm.set_state(self._start_state(h))
        sampled = []
        for _ in range(sample_size):
            score = self._step(x, h)
            sampled.append(int(np.argmax(score[0, -1])))  # an int from the argmax, not int() of an array
            x = np.array([[sampled[-1]]], dtype=np.int64)
        return sampled

    def _start_state(self, h: Any) -> Any:
        """The LSTM's initial state for what the encoder handed over."""
        return h

    def _step(self, x: np.ndarray, h: Any) -> np.ndarray:
        """One step of generation from the LSTM's kept state (stateful)."""
        return self.affine.forward(self.lstm.forward(self.embed.forward(x)))  # type: ignore[no-any-return]


class Seq2seq(_Parts):
    r"""Encoder → Decoder → TimeSoftmaxWithLoss 의 seq2seq 모델 (7.3.4절).

    Parameters
    ----------
    vocab_size, wordvec_size, hidden_size : int
        $V$, $D$, $H$.
    rng : numpy.random.Generator or int or None
        초기화의 난수(또는 시드). Encoder, Decoder 순서로 같은 생성기에서 뽑습니다.
    dtype : numpy dtype, default float32
        가중치와 계산의 dtype (기울기 검사에는 float64).

    Attributes
    ----------
    params, grads : list of numpy.ndarray
        Encoder의 것 다음에 Decoder의 것.
    encoder, decoder : Encoder, Decoder
        두 부분.
    loss_layer : TimeSoftmaxWithLoss
        손실 계층.

    Notes
    -----
    형상: `xs: (N, T_enc)`, `ts: (N, T)` 정수 → 손실 `float`.

    교사 강요: Decoder의 입력은 `ts[:, :-1]`, 정답은 `ts[:, 1:]`

    $$h = \text{Encoder}(x), \quad s = \text{Decoder}(t_{0:T-1}, h), \quad
    L = \text{TimeSoftmaxWithLoss}(s, t_{1:T})$$

    역전파는 손실 → Decoder → (Decoder가 돌려준 $\partial L / \partial h$) → Encoder 순서입니다.
    `generate(xs, start_id, sample_size)`는 `xs: (1, T_enc)`를 Encoder에 넣은 뒤 `Decoder.generate`를
    부릅니다.

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 7.3.4절 (Seq2seq 클래스).

    Examples
    --------
    >>> model = Seq2seq(13, 4, 6, rng=0)
    >>> xs, ts = np.array([[1, 2, 3]]), np.array([[6, 4, 5]])
    >>> round(model.forward(xs, ts), 2)  # 약 ln 13
    2.57
    >>> model.backward()
    >>> len(model.generate(xs, start_id=6, sample_size=3))
    3
    """

    encoder_class: type = Encoder
    decoder_class: type = Decoder

    def __init__(self, vocab_size: int, wordvec_size: int, hidden_size: int, rng: Any = None,
                 dtype: Any = np.float32) -> None:
        gen = as_generator(rng, type(self).__name__)
        self.dtype = np.dtype(dtype)
        self.encoder = self.encoder_class(vocab_size, wordvec_size, hidden_size, rng=gen, dtype=dtype)
        self.decoder = self.decoder_class(vocab_size, wordvec_size, hidden_size, rng=gen, dtype=dtype)
        self.loss_layer = TimeSoftmaxWithLoss()
        self.layers = [self.encoder, self.decoder]
        self._collect()

    def forward(self, xs: Any, ts: Any) -> float:
        ts = np.asarray(ts)
        if ts.ndim != 2 or ts.shape[1] < 2:
            raise ValueError(f"{type(self).__name__}.forward: ts must have shape (N, T) with T >= 2 "
                             f"(the decoder reads ts[:, :-1] and predicts ts[:, 1:]), got {ts.shape}")
        decoder_xs, decoder_ts = ts[:, :-1], ts[:, 1:]
        h = self.encoder.forward(xs)
        score = self.decoder.forward(decoder_xs, h)
        return self.loss_layer.forward(score, decoder_ts)

    def backward(self, dout: float = 1.0) -> None:
        dh = self.decoder.backward(self.loss_layer.backward(dout))
        self.encoder.backward(dh)

    def generate(self, xs: Any, start_id: int, sample_size: int) -> list[int]:
        """`xs: (1, T_enc)`를 읽고 `start_id`에서 시작해 argmax로 고른 ID `sample_size`개."""
        return self.decoder.generate(self.encoder.forward(xs), start_id, sample_size)  # type: ignore[no-any-return]

    def save_params(self, path: str | os.PathLike[str]) -> None:
        """매개변수를 `.npz`로 저장합니다(`refnn.io.save_params`, pickle 없음)."""
        _save_params(path, self.params)

    def load_params(self, path: str | os.PathLike[str]) -> None:
        """`save_params`의 파일을 기존 배열에 제자리로 읽어 들입니다(`refnn.io.load_params`)."""
        _load_params(self, path)


class PeekyDecoder(Decoder):
    r"""Encoder의 `h`를 모든 시각의 LSTM과 Affine 입력에 덧붙이는 Decoder (7.4.2절, 엿보기).

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
        `[W_embed, Wx, Wh, b, W_affine, b_affine]`; `Wx: (H + D, 4H)`, `W_affine: (H + H, V)`.
    embed, lstm, affine : TimeEmbedding, TimeLSTM, TimeAffine
        `Decoder`와 같습니다.

    Notes
    -----
    형상: `Decoder`와 같습니다.

    `h`를 $T$번 복제한 $\bar h_t = h$ 를 입력 앞에 이어 붙입니다:

    $$h_t = \text{LSTM}\big([\bar h_t, e_t], h_{t-1}\big), \quad h_0 = h, \qquad
    s_t = [\bar h_t, h_t]\, W_{\text{affine}} + b_{\text{affine}}$$

    `h`는 초기 상태와 $2T$개의 덧붙인 입력으로 갈라져 쓰이므로(분기·Repeat) 기울기는 모두의 합입니다:

    $$\frac{\partial L}{\partial h} = \frac{\partial L}{\partial h_0}
    + \sum_t \Big(\frac{\partial L}{\partial \bar h_t}\Big|_{\text{LSTM}}
    + \frac{\partial L}{\partial \bar h_t}\Big|_{\text{Affine}}\Big)$$

    Affine 몫은 Affine이 돌려준 입력 기울기의 앞쪽 $H$열입니다. LSTM 쪽은 $h$를 `TimeLSTM`의 엿보기 입력
    (`forward(e, peek=h)`)으로 넣으므로, $[\bar h_t, e_t] W_x = h W_x^{h} + e_t W_x^{e}$ 의 $h W_x^{h}$ 를
    한 번만 곱하고, LSTM 몫의 합 $\sum_t \partial L / \partial \bar h_t|_{\text{LSTM}}$ 도 `lstm.dpeek`로
    한 번에 받습니다($h$를 $T$번 복제해 이어 붙인 것과 같은 값).

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 7.4.2절 (엿보기, Peeky).

    Examples
    --------
    >>> decoder = PeekyDecoder(13, 4, 6, rng=0)
    >>> decoder.lstm.params[0].shape, decoder.affine.params[0].shape
    ((10, 24), (12, 13))
    """

    _widened = (1, 1)

    def forward(self, xs: Any, h: Any) -> np.ndarray:
        h = np.asarray(h)
        self.lstm.set_state(h)
        return self._step(xs, h)

    def backward(self, dscore: Any) -> np.ndarray:
        H = self.lstm.params[1].shape[0]
        dout = self.affine.backward(dscore)
        dhs_affine, dout = dout[:, :, :H], dout[:, :, H:]
        self.embed.backward(self.lstm.backward(dout))
        # the LSTM's peek gradient lstm.dpeek is already its Σ_t over the steps
        return self.lstm.dh + self.lstm.dpeek + dhs_affine.sum(axis=1)  # type: ignore[operator]

    def _step(self, xs: np.ndarray, h: Any) -> np.ndarray:
        """The LSTM reads [h, e_t] (h as its `peek` input), the Affine [h, h_t], at every step."""
        h = np.asarray(h)
        out = self.lstm.forward(self.embed.forward(xs), peek=h)
        hs = np.repeat(h[:, None, :], out.shape[1], axis=1)
        return self.affine.forward(np.concatenate([hs, out], axis=2))  # type: ignore[no-any-return]


class PeekySeq2seq(Seq2seq):
    r"""Encoder → PeekyDecoder 의 seq2seq 모델 (7.4.2절).

    `Seq2seq`와 같은 인터페이스이고 Decoder만 `PeekyDecoder`입니다. 입력 반전(`x_train[:, ::-1]`,
    7.4.1절)과 함께 쓰면 덧셈 문제의 정답률이 크게 오릅니다: 반전은 처음 출력할 글자와 관계가 깊은
    입력을 Decoder 가까이에 두어 기울기가 짧은 경로로 흐르게 하고, 엿보기는 Encoder의 요약 `h`를
    Decoder의 모든 시각에 직접 건네줍니다.

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 7.4.2절 (엿보기, Peeky).

    Examples
    --------
    >>> model = PeekySeq2seq(13, 4, 6, rng=0)
    >>> round(model.forward(np.array([[1, 2, 3]]), np.array([[6, 4, 5]])), 2)
    2.57
    """

    decoder_class = PeekyDecoder
