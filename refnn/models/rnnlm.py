r"""5–6장의 RNN 언어 모델: SimpleRnnlm, Rnnlm, BetterRnnlm.

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
from refnn.layers.gated import TimeLSTM
from refnn.layers.recurrent import TimeRNN
from refnn.layers.time_layers import TimeAffine, TimeDropout, TimeEmbedding, TimeSoftmaxWithLoss
from refnn.sampling import as_generator

__all__ = ["SimpleRnnlm", "Rnnlm", "BetterRnnlm"]


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


class BetterRnnlm(_LanguageModel):
    r"""LSTM 두 층, 드롭아웃, 가중치 공유(weight tying)로 개선한 언어 모델 (6.5절).

    TimeEmbedding → TimeDropout → TimeLSTM → TimeDropout → TimeLSTM → TimeDropout → TimeAffine →
    TimeSoftmaxWithLoss. TimeAffine의 가중치는 임베딩 가중치의 전치 $W_{\text{embed}}^\top$ 입니다.

    Parameters
    ----------
    vocab_size, wordvec_size, hidden_size : int, default 10000, 650, 650
        $V$, $D$, $H$. 가중치를 공유하므로 $D = H$ 여야 합니다.
    dropout_ratio : float, default 0.5
        세 드롭아웃 계층의 $p$.
    rng : numpy.random.Generator or int or None
        초기화와 드롭아웃 마스크의 난수(또는 시드). 하나의 생성기에서 모두 나옵니다.
    dtype : numpy dtype, default float32
        가중치와 계산의 dtype.

    Attributes
    ----------
    params, grads : list of numpy.ndarray
        `[W_embed, Wx1, Wh1, b1, Wx2, Wh2, b2, b_affine]`와 그 기울기. 공유한 가중치는 **한 번만**
        들어 있으므로 옵티마이저가 두 번 갱신하지 않고, 중복을 합치는 단계도 필요 없습니다.
    layers : list
        위 순서의 계층(손실 계층 제외).

    Raises
    ------
    ValueError
        `wordvec_size != hidden_size`일 때(공유할 수 없음).

    Notes
    -----
    형상: `xs, ts: (N, T)` → 손실 `float`; `predict(xs)`는 `(N, T, V)`.

    가중치 공유: 점수는 $s_t = h_t W_{\text{embed}}^\top + b$ 이므로 $W_{\text{embed}}$는 두 곳에서
    쓰이고, 그 기울기는 두 쓰임의 **합**입니다:

    $$\frac{\partial L}{\partial W_{\text{embed}}} = \underbrace{\sum_{(n,t):\,x_{n,t}=v} de_{n,t}}_{\text{임베딩}}
    + \underbrace{\Big(\sum_{n,t} h_{n,t}^\top ds_{n,t}\Big)^\top}_{\text{Affine}}$$

    `backward`는 임베딩의 기울기 배열에 Affine 쪽 기울기의 전치를 더합니다. Affine의 `W`는
    `W_embed.T`라는 뷰(같은 메모리)이므로 옵티마이저가 `W_embed`를 갱신하면 함께 바뀝니다.

    **책과 다른 점**: 책은 `params`에 `W_embed`와 그 전치를 함께 넣고 Trainer의 `remove_duplicate`가
    값이 같은 전치 행렬을 찾아 합칩니다. refnn은 공유 배열을 처음부터 한 번만 넣습니다.

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 6.5절 (RNNLM 추가 개선).

    Examples
    --------
    >>> model = BetterRnnlm(7, 4, 4, rng=0)
    >>> model.layers[-1].params[0].base is model.params[0]  # Affine의 W는 W_embed의 전치 뷰
    True
    >>> model.predict(np.array([[1, 2, 3]])).shape
    (1, 3, 7)
    """

    def __init__(self, vocab_size: int = 10000, wordvec_size: int = 650, hidden_size: int = 650,
                 dropout_ratio: float = 0.5, rng: Any = None, dtype: Any = np.float32) -> None:
        V, D, H = vocab_size, wordvec_size, hidden_size
        _sizes("BetterRnnlm", vocab_size=V, wordvec_size=D, hidden_size=H)
        if D != H:
            raise ValueError(f"BetterRnnlm: weight tying needs wordvec_size == hidden_size, got {D} and {H}")
        gen = as_generator(rng, "BetterRnnlm")
        self.dtype = np.dtype(dtype)
        embed_W = _init(gen, (V, D), 0.01, dtype)
        lstms = [TimeLSTM(_init(gen, (n_in, 4 * H), 1 / np.sqrt(n_in), dtype),
                          _init(gen, (H, 4 * H), 1 / np.sqrt(H), dtype),
                          np.zeros(4 * H, dtype=dtype), stateful=True) for n_in in (D, H)]
        self.embed = TimeEmbedding(embed_W)
        self.affine = TimeAffine(embed_W.T, np.zeros(V, dtype=dtype))  # the same array, transposed
        self.dropouts = [TimeDropout(dropout_ratio, rng=gen) for _ in range(3)]
        self.lstms = lstms
        self.recurrent = lstms[0]
        self.layers = [self.embed, self.dropouts[0], lstms[0], self.dropouts[1], lstms[1], self.dropouts[2],
                       self.affine]
        self.loss_layer = TimeSoftmaxWithLoss()
        self.params = [embed_W] + lstms[0].params + lstms[1].params + [self.affine.params[1]]
        self.grads = [self.embed.grads[0]] + lstms[0].grads + lstms[1].grads + [self.affine.grads[1]]

    def predict(self, xs: Any, train_flg: bool = False) -> np.ndarray:
        """단어 ID `(N, T)` → 점수 `(N, T, V)`. `train_flg=False`(기본)이면 드롭아웃을 끕니다."""
        for layer in self.dropouts:
            layer.train_flg = train_flg
        return super().predict(xs)

    def forward(self, xs: Any, ts: Any, train_flg: bool = True) -> float:
        """손실 $L$. 학습 때(`train_flg=True`, 기본) 드롭아웃이 켜집니다."""
        return self.loss_layer.forward(self.predict(xs, train_flg), ts)

    def backward(self, dout: float = 1.0) -> None:
        """모든 `grads`를 제자리에 씁니다. 공유 가중치의 기울기는 임베딩과 Affine 두 쓰임의 합입니다."""
        super().backward(dout)
        self.embed.grads[0] += self.affine.grads[0].T

    def reset_state(self) -> None:
        """두 LSTM의 상태를 지웁니다."""
        for layer in self.lstms:
            layer.reset_state()
