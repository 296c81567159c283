r"""3–4장의 word2vec 모델: SimpleCBOW, SimpleSkipGram, CBOW, SkipGram.

`SimpleCBOW`와 `SimpleSkipGram`(3장)은 원-핫 입력과 MatMul·Softmax로, `CBOW`와 `SkipGram`(4장)은
Embedding과 네거티브 샘플링으로 만듭니다. 모두 `params`, `grads`, `forward(contexts, target)`,
`backward(dout=1)`, `word_vecs`를 가지며, 초기화와 표본 추출의 난수는 건네받은 `rng` 하나에서만
나옵니다. `dtype`의 기본값은 책처럼 float32이고, 기울기 검사에는 float64를 씁니다.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from refnn.layers.core import MatMul, SoftmaxWithLoss
from refnn.layers.embedding import Embedding, NegativeSamplingLoss
from refnn.sampling import as_generator

__all__ = ["SimpleCBOW", "SimpleSkipGram", "CBOW", "SkipGram"]

#: 가중치 초기값의 표준편차(책과 같음).
INIT_STD = 0.01


def _init(rng: np.random.Generator, shape: tuple[int, int], dtype: Any) -> np.ndarray:
    return (INIT_STD * rng.standard_normal(shape)).astype(dtype)


def _sizes(name: str, vocab_size: int, hidden_size: int) -> None:
    for what, n in (("vocab_size", vocab_size), ("hidden_size", hidden_size)):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"{name}: {what} must be a positive integer, got {n!r}")


def _simple_weights(model: Any, vocab_size: int, hidden_size: int, rng: Any,
                    dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    """W_in (V, H) and W_out (H, V) of the chapter-3 models, drawn in that order from the rng."""
    name = type(model).__name__
    _sizes(name, vocab_size, hidden_size)
    gen = as_generator(rng, name)
    return _init(gen, (vocab_size, hidden_size), dtype), _init(gen, (hidden_size, vocab_size), dtype)


def _one_hot_input(name: str, x: Any, ndim: int, vocab_size: int, dtype: Any) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim != ndim or x.shape[-1] != vocab_size:
        raise ValueError(f"{name}.forward: expected one-hot input of {ndim} axes ending in {vocab_size}, "
                         f"got shape {x.shape}")
    return x.astype(dtype, copy=False)


class SimpleCBOW:
    r"""원-핫 맥락 두 개로 가운데 단어를 맞히는 CBOW (3.4절).

    Parameters
    ----------
    vocab_size, hidden_size : int
        어휘 수 $V$와 은닉층 크기 $H$.
    rng : numpy.random.Generator or int or None
        가중치 초기화의 난수(또는 시드).
    dtype : numpy dtype, default float32
        가중치와 계산의 dtype.

    Attributes
    ----------
    params, grads : list of numpy.ndarray
        `[W_in, W_in, W_out]`와 그 기울기(입력 측 가중치는 두 MatMul이 함께 쓰므로 두 번
        들어갑니다; `Trainer`가 배열의 **동일성**으로 합칩니다).
    word_vecs : numpy.ndarray
        단어의 분산 표현 `W_in` `(V, H)`.

    Notes
    -----
    형상: 맥락 `contexts`는 원-핫 `(N, 2, V)`, 타깃 `target`은 원-핫 `(N, V)` 또는 레이블 `(N,)`이고
    손실은 `float` 하나입니다.

    $$h = \tfrac12 (c_0 W_{in} + c_1 W_{in}), \qquad s = h W_{out}, \qquad
    L = \text{SoftmaxWithLoss}(s, t)$$

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 3.4절 (CBOW 모델 구현).

    Examples
    --------
    >>> from refnn.text import convert_one_hot, create_contexts_target, preprocess
    >>> corpus, w2i, _ = preprocess("You say goodbye and I say hello.")
    >>> contexts, target = create_contexts_target(corpus)
    >>> model = SimpleCBOW(len(w2i), 5, rng=0)
    >>> round(model.forward(convert_one_hot(contexts, 7), convert_one_hot(target, 7)), 2)  # 약 ln 7
    1.95
    """

    def __init__(self, vocab_size: int, hidden_size: int, rng: Any = None, dtype: Any = np.float32) -> None:
        W_in, W_out = _simple_weights(self, vocab_size, hidden_size, rng, dtype)
        self.vocab_size, self.dtype = vocab_size, np.dtype(dtype)
        self.in_layer0, self.in_layer1 = MatMul(W_in), MatMul(W_in)
        self.out_layer = MatMul(W_out)
        self.loss_layer = SoftmaxWithLoss()
        self.layers = [self.in_layer0, self.in_layer1, self.out_layer]
        self.params = [p for layer in self.layers for p in layer.params]
        self.grads = [g for layer in self.layers for g in layer.grads]
        self.word_vecs = W_in

    def forward(self, contexts: Any, target: Any) -> float:
        c = _one_hot_input("SimpleCBOW", contexts, 3, self.vocab_size, self.dtype)
        h0 = self.in_layer0.forward(c[:, 0])
        h1 = self.in_layer1.forward(c[:, 1])
        h = 0.5 * (h0 + h1)
        score = self.out_layer.forward(h)
        return self.loss_layer.forward(score, target)

    def backward(self, dout: float = 1.0) -> None:
        ds = self.loss_layer.backward(dout)
        da = 0.5 * self.out_layer.backward(ds)
        self.in_layer1.backward(da)
        self.in_layer0.backward(da)


class SimpleSkipGram:
    r"""원-핫 가운데 단어 하나로 양옆의 맥락 두 개를 맞히는 skip-gram (3.5.2절).

    Parameters
    ----------
    vocab_size, hidden_size : int
        $V$, $H$.
    rng : numpy.random.Generator or int or None
        초기화의 난수(또는 시드).
    dtype : numpy dtype, default float32
        가중치와 계산의 dtype.

    Attributes
    ----------
    params, grads : list of numpy.ndarray
        `[W_in, W_out]`와 그 기울기.
    word_vecs : numpy.ndarray
        `W_in`.

    Notes
    -----
    형상: 맥락 `contexts`는 레이블 `(N, 2)` 또는 원-핫 `(N, 2, V)`, 타깃 `target`은 원-핫 `(N, V)`이고
    손실은 `float` 하나입니다.

    $$h = t W_{in}, \quad s = h W_{out}, \quad L = \text{SoftmaxWithLoss}(s, c_0) + \text{SoftmaxWithLoss}(s, c_1)$$

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 3.5.2절 (skip-gram 모델).

    Examples
    --------
    >>> from refnn.text import convert_one_hot, create_contexts_target, preprocess
    >>> corpus, w2i, _ = preprocess("You say goodbye and I say hello.")
    >>> contexts, target = create_contexts_target(corpus)
    >>> model = SimpleSkipGram(len(w2i), 5, rng=0)
    >>> round(model.forward(contexts, convert_one_hot(target, 7)), 2)  # 맥락 두 개: 약 2 ln 7
    3.89
    """

    def __init__(self, vocab_size: int, hidden_size: int, rng: Any = None, dtype: Any = np.float32) -> None:
        W_in, W_out = _simple_weights(self, vocab_size, hidden_size, rng, dtype)
        self.vocab_size, self.dtype = vocab_size, np.dtype(dtype)
        self.in_layer, self.out_layer = MatMul(W_in), MatMul(W_out)
        self.loss_layer1, self.loss_layer2 = SoftmaxWithLoss(), SoftmaxWithLoss()
        self.layers = [self.in_layer, self.out_layer]
        self.params = [p for layer in self.layers for p in layer.params]
        self.grads = [g for layer in self.layers for g in layer.grads]
        self.word_vecs = W_in

    def forward(self, contexts: Any, target: Any) -> float:
        t = _one_hot_input("SimpleSkipGram", target, 2, self.vocab_size, self.dtype)
        c = np.asarray(contexts)
        h = self.in_layer.forward(t)
        score = self.out_layer.forward(h)
        l1 = self.loss_layer1.forward(score, c[:, 0])
        l2 = self.loss_layer2.forward(score, c[:, 1])
        return l1 + l2

    def backward(self, dout: float = 1.0) -> None:
        ds = self.loss_layer1.backward(dout) + self.loss_layer2.backward(dout)
        dh = self.out_layer.backward(ds)
        self.in_layer.backward(dh)


class _NegativeSamplingModel:
    """What CBOW and SkipGram share: W_in (V, H) and W_out (V, H) from the rng, one Embedding for the input
    side, one NegativeSamplingLoss (drawing from the same rng) for the output side."""

    def __init__(self, vocab_size: int, hidden_size: int, window_size: int, corpus: Any, rng: Any = None,
                 dtype: Any = np.float32, power: float = 0.75, sample_size: int = 5) -> None:
        name = type(self).__name__
        _sizes(name, vocab_size, hidden_size)
        if isinstance(window_size, bool) or not isinstance(window_size, (int, np.integer)) or window_size < 1:
            raise ValueError(f"{name}: window_size must be a positive integer, got {window_size!r}")
        gen = as_generator(rng, name)
        W_in = _init(gen, (vocab_size, hidden_size), dtype)
        W_out = _init(gen, (vocab_size, hidden_size), dtype)
        self.window_size = int(window_size)
        self.in_layer = Embedding(W_in)
        self.ns_loss = NegativeSamplingLoss(W_out, corpus, power, sample_size, rng=gen)
        self.layers = [self.in_layer, self.ns_loss]
        self.params = [W_in, W_out]
        self.grads = [self.in_layer.grads[0], self.ns_loss.grads[0]]
        self.word_vecs = W_in

    def _contexts(self, contexts: Any) -> np.ndarray:
        contexts = np.asarray(contexts)
        if contexts.ndim != 2 or contexts.shape[1] != 2 * self.window_size:
            raise ValueError(f"{type(self).__name__}.forward: contexts must have shape (N, {2 * self.window_size}), "
                             f"got {contexts.shape}")
        return contexts


class CBOW(_NegativeSamplingModel):
    r"""Embedding과 네거티브 샘플링으로 빠르게 만든 CBOW (4.3.1절).

    Parameters
    ----------
    vocab_size, hidden_size : int
        $V$, $H$.
    window_size : int
        한쪽 맥락의 크기 $w$ (맥락은 $2w$개).
    corpus : array_like of int
        부정적 예의 분포를 만들 말뭉치.
    rng : numpy.random.Generator or int or None
        초기화와 표본 추출에 함께 쓰는 난수 생성기(또는 시드).
    dtype : numpy dtype, default float32
        가중치와 계산의 dtype.
    power, sample_size : float, int
        `NegativeSamplingLoss`의 지수(0.75)와 부정적 예의 수(5).

    Attributes
    ----------
    params, grads : list of numpy.ndarray
        `[W_in, W_out]`와 그 기울기 두 개.
    in_layer : Embedding
        맥락 $2w$개의 행을 한 번에 뽑는 계층.
    ns_loss : NegativeSamplingLoss
        출력 측 손실.
    word_vecs : numpy.ndarray
        `W_in`.

    Notes
    -----
    형상: 맥락 `contexts`는 단어 ID `(N, 2w)`, 타깃 `target`은 `(N,)`이고 손실은 `float` 하나입니다.

    $$h_n = \frac{1}{2w}\sum_{j} W_{in}[c_{nj}], \qquad L = \text{NegativeSamplingLoss}(h, t)$$

    역전파에서 $\partial L/\partial h$를 $2w$로 나눠 맥락마다 같은 값을 `Embedding`에 넘깁니다.

    **책과 다른 점**: 책은 맥락 위치마다 Embedding 계층을 하나씩 두어 `params`에 `W_in`이
    $2w$번, `W_out`이 $k + 1$번 들어가고, 기울기도 그만큼의 조밀한 `(V, H)` 배열입니다. refnn은
    Embedding 하나가 `(N, 2w)` 맥락을 한 번에 처리하고 `W_out`의 기울기도 하나로 모읍니다(값은 같음).

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 4.3.1절 (CBOW 모델 구현).

    Examples
    --------
    >>> from refnn.text import create_contexts_target, preprocess
    >>> corpus, w2i, _ = preprocess("You say goodbye and I say hello.")
    >>> contexts, target = create_contexts_target(corpus, window_size=1)
    >>> model = CBOW(len(w2i), 4, 1, corpus, rng=0, sample_size=2)
    >>> round(model.forward(contexts, target), 2)  # 점수가 거의 0: 약 3 ln 2
    2.08
    """

    def forward(self, contexts: Any, target: Any) -> float:
        h = self.in_layer.forward(self._contexts(contexts)).mean(axis=1)
        return self.ns_loss.forward(h, target)

    def backward(self, dout: float = 1.0) -> None:
        dh = self.ns_loss.backward(dout)
        C = 2 * self.window_size
        self.in_layer.backward(np.broadcast_to((dh / C)[:, None, :], dh.shape[:1] + (C,) + dh.shape[1:]))


class SkipGram(_NegativeSamplingModel):
    r"""Embedding과 네거티브 샘플링으로 만든 skip-gram (4.3.1절의 skip-gram 판).

    Parameters
    ----------
    vocab_size, hidden_size, window_size, corpus, rng, dtype, power, sample_size
        `CBOW`와 같습니다.

    Attributes
    ----------
    params, grads : list of numpy.ndarray
        `[W_in, W_out]`와 그 기울기.
    word_vecs : numpy.ndarray
        `W_in`.

    Notes
    -----
    형상: 맥락 `contexts`는 단어 ID `(N, 2w)`, 타깃 `target`은 `(N,)`이고 손실은 `float` 하나입니다.

    $$h = W_{in}[t], \qquad L = \sum_{j=1}^{2w} \text{NegativeSamplingLoss}(h, c_{\cdot j})$$

    맥락 $2w$개의 손실을 `(N·2w, H)`로 펼친 하나의 `NegativeSamplingLoss`로 계산하고
    ($2w$를 곱하면 배치 평균의 합과 같음), `dh`는 맥락 축으로 더합니다. 책은 맥락마다 손실
    계층을 하나씩 둡니다(값과 분포는 같음).

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 4.3절 (skip-gram).

    Examples
    --------
    >>> from refnn.text import create_contexts_target, preprocess
    >>> corpus, w2i, _ = preprocess("You say goodbye and I say hello.")
    >>> contexts, target = create_contexts_target(corpus, window_size=1)
    >>> model = SkipGram(len(w2i), 4, 1, corpus, rng=0, sample_size=2)
    >>> round(model.forward(contexts, target), 2)  # 맥락 두 개, 점수가 거의 0: 약 6 ln 2
    4.16
    """

    def forward(self, contexts: Any, target: Any) -> float:
        contexts = self._contexts(contexts)
        C = contexts.shape[1]
        h = self.in_layer.forward(target)
        return C * self.ns_loss.forward(np.repeat(h, C, axis=0), contexts.reshape(-1))

    def backward(self, dout: float = 1.0) -> None:
        C = 2 * self.window_size
        dh = self.ns_loss.backward(C * dout)
        self.in_layer.backward(dh.reshape(-1, C, dh.shape[1]).sum(axis=1))
