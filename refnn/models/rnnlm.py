r"""5–6장의 RNN 언어 모델: SimpleRnnlm, Rnnlm.

단어 ID의 시계열 `xs: (N, T)`를 받아 시각마다 다음 단어의 점수 `(N, T, V)`를 내고, 정답 `ts: (N, T)`와의
평균 교차 엔트로피를 손실로 돌려줍니다. 순환 계층은 `stateful=True`이므로 `forward`를 부를 때마다
앞 호출의 마지막 은닉 상태를 이어 받습니다(절단된 BPTT). 새 문장에서 시작하려면 `reset_state()`를
부릅니다. 초기화의 난수는 건네받은 `rng` 하나에서만 나오고, `dtype`의 기본값은 책처럼 float32입니다.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from refnn.io import load_params as _load_params
from refnn.io import save_params as _save_params
from refnn.layers.recurrent import TimeLSTM, TimeRNN
from refnn.layers.time_layers import TimeAffine, TimeEmbedding, TimeSoftmaxWithLoss
from refnn.sampling import as_generator

__all__ = ["SimpleRnnlm", "Rnnlm"]


def _sizes(name: str, **sizes: int) -> None:
    for what, n in sizes.items():
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"{name}: {what} must be a positive integer, got {n!r}")


class _LanguageModel:
    """What the RNN language models share: the layer stack, predict/forward/backward, state and files."""

    layers: list[Any]
    loss_layer: TimeSoftmaxWithLoss
    recurrent: Any

    def _build(self, recurrent: Any, gates: int, V: int, D: int, H: int, rng: Any, dtype: Any) -> None:
        """Embedding (V, D) ~ N(0, 0.01²), then Wx (D, gH), Wh (H, gH), Affine W (H, V) ~ N(0, 1/fan-in),
        drawn in that order from the rng; biases 0."""
        name = type(self).__name__
        _sizes(name, vocab_size=V, wordvec_size=D, hidden_size=H)
        gen = as_generator(rng, name)
        self.dtype = np.dtype(dtype)
        embed_W = _init(gen, (V, D), 0.01, dtype)
        Wx = _init(gen, (D, gates * H), 1 / np.sqrt(D), dtype)
        Wh = _init(gen, (H, gates * H), 1 / np.sqrt(H), dtype)
        affine_W = _init(gen, (H, V), 1 / np.sqrt(H), dtype)
        self.recurrent = recurrent(Wx, Wh, np.zeros(gates * H, dtype=dtype), stateful=True)
        self.layers = [TimeEmbedding(embed_W), self.recurrent, TimeAffine(affine_W, np.zeros(V, dtype=dtype))]
        self.loss_layer = TimeSoftmaxWithLoss()
        self._collect()

    def _collect(self) -> None:
        self.params = [p for layer in self.layers for p in layer.params]
        self.grads = [g for layer in self.layers for g in layer.grads]

    def predict(self, xs: Any) -> np.ndarray:
        """단어 ID `(N, T)` → 다음 단어의 점수 `(N, T, V)` (소프트맥스 이전)."""
        for layer in self.layers:
            xs = layer.forward(xs)
        return xs  # type: ignore[no-any-return]

    def forward(self, xs: Any, ts: Any) -> float:
        """손실 $L$ (정답이 `ignore_label`(-1)이 아닌 칸들의 평균 교차 엔트로피)."""
        return self.loss_layer.forward(self.predict(xs), ts)

    def backward(self, dout: float = 1.0) -> None:
        """모든 계층의 `grads`를 제자리에 씁니다. 단어 ID는 미분 대상이 아니므로 `None`을 돌려줍니다."""
        d = self.loss_layer.backward(dout)
        for layer in reversed(self.layers):
            d = layer.backward(d)

    def reset_state(self) -> None:
        """순환 계층의 은닉 상태(와 기억 셀)를 지웁니다."""
        self.recurrent.reset_state()

    def save_params(self, path: str | os.PathLike[str]) -> None:
        """매개변수를 `.npz`로 저장합니다(`refnn.io.save_params`, pickle 없음)."""
        _save_params(path, self.params)

    def load_params(self, path: str | os.PathLike[str]) -> None:
        """`save_params`의 파일을 기존 배열에 제자리로 읽어 들입니다(`refnn.io.load_params`)."""
        _load_params(self, path)


def _init(gen: np.random.Generator, shape: tuple[int, int], scale: float, dtype: Any) -> np.ndarray:
    return (scale * gen.standard_normal(shape)).astype(dtype)


class SimpleRnnlm(_LanguageModel):
    r"""TimeEmbedding → TimeRNN → TimeAffine → TimeSoftmaxWithLoss 의 언어 모델 (5.5.1절).

    Parameters
    ----------
    vocab_size, wordvec_size, hidden_size : int
        어휘 수 $V$, 단어 벡터 크기 $D$, 은닉 상태 크기 $H$.
    rng : numpy.random.Generator or int or None
        초기화의 난수(또는 시드).
    dtype : numpy dtype, default float32
        가중치와 계산의 dtype (기울기 검사에는 float64).

    Attributes
    ----------
    params, grads : list of numpy.ndarray
        `[W_embed, Wx, Wh, b, W_affine, b_affine]`와 그 기울기(계층의 배열 그대로).
    layers : list
        `[TimeEmbedding, TimeRNN, TimeAffine]`.
    loss_layer : TimeSoftmaxWithLoss
        손실 계층.

    Notes
    -----
    형상: `xs, ts: (N, T)` 정수 → 손실 `float`; `predict(xs)`는 `(N, T, V)`.

    $$e_t = W_{\text{embed}}[x_t], \quad h_t = \tanh(h_{t-1} W_h + e_t W_x + b), \quad
    s_t = h_t W_{\text{affine}} + b_{\text{affine}}, \quad
    L = -\frac{1}{NT}\sum_{n,t} \log \operatorname{softmax}(s_{n,t})_{t_{n,t}}$$

    초기값은 책과 같습니다: $W_{\text{embed}} \sim \mathcal{N}(0, 0.01^2)$, 나머지 가중치는 Xavier
    ($\mathcal{N}(0, 1/\text{입력 크기})$), 편향은 0.

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 5.5.1절 (RNNLM 구현).

    Examples
    --------
    >>> model = SimpleRnnlm(5, 3, 4, rng=0)
    >>> round(model.forward(np.array([[0, 1, 2]]), np.array([[1, 2, 3]])), 2)  # 약 ln 5
    1.61
    """

    def __init__(self, vocab_size: int, wordvec_size: int, hidden_size: int, rng: Any = None,
                 dtype: Any = np.float32) -> None:
        self._build(TimeRNN, 1, vocab_size, wordvec_size, hidden_size, rng, dtype)


class Rnnlm(_LanguageModel):
    r"""TimeEmbedding → TimeLSTM → TimeAffine → TimeSoftmaxWithLoss 의 언어 모델 (6.4절).

    Parameters
    ----------
    vocab_size, wordvec_size, hidden_size : int, default 10000, 100, 100
        $V$, $D$, $H$.
    rng : numpy.random.Generator or int or None
        초기화의 난수(또는 시드).
    dtype : numpy dtype, default float32
        가중치와 계산의 dtype (기울기 검사에는 float64).

    Attributes
    ----------
    params, grads : list of numpy.ndarray
        `[W_embed, Wx, Wh, b, W_affine, b_affine]` (`Wx: (D, 4H)`, `Wh: (H, 4H)`, 게이트 순서 f, g, i, o)와
        그 기울기.
    layers : list
        `[TimeEmbedding, TimeLSTM, TimeAffine]`.
    loss_layer : TimeSoftmaxWithLoss
        손실 계층.

    Notes
    -----
    형상: `xs, ts: (N, T)` 정수 → 손실 `float`; `predict(xs)`는 `(N, T, V)`.
    `SimpleRnnlm`의 RNN을 LSTM으로 바꾼 것이며 초기값의 규칙도 같습니다. 퍼플렉서티는
    $\exp L$ 입니다(`refnn.trainer.eval_perplexity`).

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 6.4절 (LSTM을 사용한 언어 모델).

    Examples
    --------
    >>> model = Rnnlm(6, 3, 2, rng=0)
    >>> model.predict(np.array([[0, 1, 2, 3]])).shape
    (1, 4, 6)
    """

    def __init__(self, vocab_size: int = 10000, wordvec_size: int = 100, hidden_size: int = 100,
                 rng: Any = None, dtype: Any = np.float32) -> None:
        self._build(TimeLSTM, 4, vocab_size, wordvec_size, hidden_size, rng, dtype)
