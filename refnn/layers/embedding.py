r"""3–4장의 계층: Embedding, EmbeddingDot, SigmoidWithLoss, NegativeSamplingLoss.

1장의 계층과 같은 프로토콜을 따릅니다. `params`와 `grads`는 같은 길이의 리스트이고,
`backward`는 `grads`를 제자리(`[...]`)에 덮어쓰며, 입력·`dout`·매개변수를 바꾸지 않습니다.
단어 ID(`idx`, `t`, `target`)는 정수 배열이며 미분 대상이 아닙니다.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from refnn._validation import as_float_array, check_dout, check_scalar_dout
from refnn.functions import sigmoid
from refnn.layers.base import Layer, as_param
from refnn.sampling import UnigramSampler

__all__ = ["Embedding", "EmbeddingDot", "SigmoidWithLoss", "NegativeSamplingLoss"]


def _word_ids(name: str, idx: Any, vocab_size: int) -> np.ndarray:
    """Integer word ids in [0, vocab_size): NumPy would wrap a negative id silently."""
    idx = np.asarray(idx)
    if idx.dtype.kind not in "iu":
        raise ValueError(f"{name}.forward: word ids must be integers, got dtype {idx.dtype} shape {idx.shape}")
    if idx.size and (idx.min() < 0 or idx.max() >= vocab_size):
        raise ValueError(
            f"{name}.forward: word ids must lie in [0, {vocab_size}) for W with {vocab_size} rows, "
            f"got values in [{idx.min()}, {idx.max()}]"
        )
    return idx


def _weights(name: str, W: Any) -> np.ndarray:
    W = as_param(W, name, "W")
    if W.ndim != 2:
        raise ValueError(f"{name}: W must be 2-D (V, H), got shape {W.shape}")
    return W


class Embedding(Layer):
    r"""단어 ID에 해당하는 가중치의 행을 뽑는 계층 (4.1.2절).

    원-핫 벡터와 `W`의 곱 $\text{onehot}(idx)\,W$를 곱셈 없이 행 선택으로 계산합니다.

    Parameters
    ----------
    W : numpy.ndarray
        형상 `(V, H)`의 가중치(단어 벡터). 복사하지 않고 `params[0]`이 됩니다.

    Attributes
    ----------
    params : list of numpy.ndarray
        `[W]`.
    grads : list of numpy.ndarray
        `[dW]`. `backward`가 제자리에 덮어씁니다.
    idx : numpy.ndarray or None
        마지막 순전파의 단어 ID.

    Raises
    ------
    ValueError
        ID가 정수가 아니거나 $[0, V)$ 밖일 때, `dout`의 형상이 출력과 다를 때.

    Notes
    -----
    형상: 단어 ID `idx`는 임의 형상 `(...)`(보통 `(N,)` 또는 맥락 `(N, C)`)이고, 출력 `out`은 그 뒤에
    축 `H`가 붙은 `(..., H)`, 역전파의 `dout`도 `(..., H)`, `dW`는 `W`와 같은 `(V, H)`입니다.

    순전파 $\text{out}_{n} = W_{\text{idx}_n}$, 역전파

    $$\frac{\partial L}{\partial W_v} = \sum_{n:\,\text{idx}_n = v} \frac{\partial L}{\partial \text{out}_n}$$

    같은 ID가 배치에 여러 번 나오면 그 기울기를 **더해야** 합니다. `dW[idx] = dout`처럼
    대입하면 마지막 것만 남으므로 `np.add.at`으로 누적합니다(조밀한 $\text{onehot}(idx)^\top
    \text{dout}$과 같음). `idx`는 미분 대상이 아니므로 `backward`는 `None`을 돌려줍니다(책과 같음).

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 4.1.2절 (Embedding 계층 구현).

    Examples
    --------
    >>> layer = Embedding(np.arange(6.0).reshape(3, 2))
    >>> layer.forward(np.array([2, 0, 2]))
    array([[4., 5.],
           [0., 1.],
           [4., 5.]])
    >>> layer.backward(np.ones((3, 2)))
    >>> layer.grads[0]  # ID 2는 두 번 나왔으므로 2
    array([[1., 1.],
           [0., 0.],
           [2., 2.]])
    """

    def __init__(self, W: np.ndarray) -> None:
        super().__init__(_weights("Embedding", W))
        self.idx: np.ndarray | None = None

    def forward(self, idx: Any) -> np.ndarray:
        (W,) = self.params
        idx = _word_ids("Embedding", idx, W.shape[0])
        self.idx = idx
        return W[idx]

    def backward(self, dout: Any) -> None:
        idx = self._cached(self.idx)
        (W,) = self.params
        dout = check_dout("Embedding", dout, idx.shape + W.shape[1:])
        dW = self.grads[0]
        dW[...] = 0
        np.add.at(dW, idx, dout)
        return None


class EmbeddingDot(Layer):
    r"""Embedding으로 뽑은 행과 은닉 벡터 `h`의 내적 (4.2.4절).

    네거티브 샘플링에서 단어의 점수 $s = h \cdot W_{\text{idx}}$ 를 계산하는 계층입니다.
    안에 `Embedding` 하나를 두며 그 `params`·`grads`를 그대로 씁니다.

    Parameters
    ----------
    W : numpy.ndarray
        형상 `(V, H)`의 출력 측 가중치.

    Attributes
    ----------
    params, grads : list of numpy.ndarray
        `[W]`, `[dW]` (안쪽 `embed`의 리스트와 같은 객체).
    embed : Embedding
        행을 뽑는 계층.
    cache : tuple or None
        역전파에 쓰는 `(h, target_W)`.

    Raises
    ------
    ValueError
        `h`가 `(N, H)`가 아니거나, `idx`의 첫 축이 `N`이 아니거나, ID가 범위를 벗어날 때.

    Notes
    -----
    형상: 은닉 `h`는 `(N, H)`, 단어 ID `idx`는 `(N,)`이고 출력 `out`은 `(N,)`입니다. 단어 여러 개를
    한 번에 보려면 `idx`를 `(N, K)`로 주고 출력도 `(N, K)`가 됩니다. 역전파의 `dh`는 `(N, H)`,
    `dW`는 `(V, H)`입니다.

    $$s_n = \sum_h h_{nh}\, W_{\text{idx}_n, h}, \qquad
    \frac{\partial L}{\partial h_n} = \frac{\partial L}{\partial s_n} W_{\text{idx}_n}, \qquad
    \frac{\partial L}{\partial W_{\text{idx}_n}} \mathrel{+}= \frac{\partial L}{\partial s_n} h_n$$

    (`idx`가 `(N, K)`이면 $s_{nk}$마다 같은 식이고, $\partial L/\partial h_n$은 $k$에 대한 합입니다.)

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 4.2.4절 (다중 분류에서 이진 분류로 — 구현).

    Examples
    --------
    >>> layer = EmbeddingDot(np.array([[1.0, 0.0], [0.0, 2.0]]))
    >>> layer.forward(np.array([[3.0, 4.0], [3.0, 4.0]]), np.array([0, 1]))
    array([3., 8.])
    >>> layer.backward(np.array([1.0, 0.5]))
    array([[1., 0.],
           [0., 1.]])
    """

    def __init__(self, W: np.ndarray) -> None:
        super().__init__()
        self.embed = Embedding(_weights("EmbeddingDot", W))
        self.params, self.grads = self.embed.params, self.embed.grads
        self.cache: tuple[np.ndarray, np.ndarray] | None = None

    def forward(self, h: Any, idx: Any) -> np.ndarray:
        (W,) = self.params
        h = as_float_array(h, "EmbeddingDot")
        if h.ndim != 2 or h.shape[1] != W.shape[1]:
            raise ValueError(f"EmbeddingDot.forward: h shape {h.shape} does not match W shape {W.shape} "
                             f"(expected (N, {W.shape[1]}))")
        idx = np.asarray(idx)
        if idx.ndim not in (1, 2) or idx.shape[0] != h.shape[0]:
            raise ValueError(f"EmbeddingDot.forward: idx shape {idx.shape} does not match h shape {h.shape} "
                             f"(expected ({h.shape[0]},) or ({h.shape[0]}, K))")
        target_W = self.embed.forward(idx)  # (N, H) or (N, K, H)
        h_rows = h if idx.ndim == 1 else h[:, None, :]
        out = np.sum(target_W * h_rows, axis=-1)
        self.cache = (h, target_W)
        return out

    def backward(self, dout: Any) -> np.ndarray:
        h, target_W = self._cached(self.cache)
        dout = check_dout("EmbeddingDot", dout, target_W.shape[:-1])
        d = dout[..., None]
        h_rows = h if dout.ndim == 1 else h[:, None, :]
        self.embed.backward(d * h_rows)
        dh = d * target_W if dout.ndim == 1 else np.sum(d * target_W, axis=1)
        return dh.astype(h.dtype, copy=False)


def _binary_labels(name: str, t: Any, shape: tuple[int, ...]) -> np.ndarray:
    t = np.asarray(t)
    if t.dtype.kind not in "iu":
        raise ValueError(f"{name}: labels t must be integers 0 or 1, got dtype {t.dtype}")
    if t.shape != shape:
        raise ValueError(f"{name}: labels t shape {t.shape} does not match scores shape {shape}")
    if t.size and not np.all((t == 0) | (t == 1)):
        raise ValueError(f"{name}: labels t must be 0 or 1, got values in [{t.min()}, {t.max()}]")
    return t


class SigmoidWithLoss(Layer):
    r"""시그모이드와 이진 교차 엔트로피 오차를 합친 손실 계층 (4.2.3절).

    점수 `x`와 정답 `t`(0 또는 1)를 받아 평균 손실(스칼라)을 돌려줍니다.

    Attributes
    ----------
    params, grads : list
        빈 리스트.
    y : numpy.ndarray or None
        순전파의 $\sigma(x)$.
    t : numpy.ndarray or None
        `y`와 같은 dtype으로 바꾼 정답.

    Raises
    ------
    ValueError
        레이블이 정수가 아니거나 0·1 이외의 값일 때, 형상이 점수와 다를 때, 빈 배치일 때,
        `dout`이 스칼라가 아닐 때.

    Notes
    -----
    형상: 점수 `x`와 정수 0/1 정답 `t`는 `(N,)`이고 손실은 `float` 하나, 역전파의 `dx`는 `x`와 같은
    `(N,)`입니다. (다차원이면 모든 원소의 평균입니다.)

    이진 교차 엔트로피의 정의
    $L = -\frac{1}{N}\sum_n \big(t_n \log \sigma(x_n) + (1 - t_n)\log(1 - \sigma(x_n))\big)$ 은
    $-\log\sigma(x) = \operatorname{softplus}(-x)$ 이므로 다음과 같으며, refnn은 이 꼴로 정확히 계산합니다.

    $$L = \frac{1}{N}\sum_n \Big(\max(x_n, 0) + \log\big(1 + e^{-|x_n|}\big) - t_n x_n\Big)$$

    역전파

    $$\frac{\partial L}{\partial x} = \frac{\text{dout}}{N}\,\big(\sigma(x) - t\big)$$

    **책과 다른 점**: 책은 $\log(\sigma(x) + 10^{-7})$ 을 거치므로 $|x|$가 크면 손실이
    약 16.1에서 멈추고 위 역전파가 순전파의 참 기울기가 아니게 됩니다. refnn은 $x = \pm 10^6$
    에서도 경고 없이 유한하고 정확합니다.

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 4.2.3절 (시그모이드 함수와 교차 엔트로피 오차).

    Examples
    --------
    >>> layer = SigmoidWithLoss()
    >>> round(layer.forward(np.array([0.0, 0.0]), np.array([1, 0])), 6)  # ln 2
    0.693147
    >>> layer.backward()  # (σ(x) - t) / N
    array([-0.25,  0.25])
    """

    def __init__(self) -> None:
        super().__init__()
        self.y: np.ndarray | None = None
        self.t: np.ndarray | None = None

    def forward(self, x: Any, t: Any) -> float:
        x = as_float_array(x, "SigmoidWithLoss")
        if x.ndim == 0 or x.size == 0:
            raise ValueError(f"SigmoidWithLoss.forward: empty or 0-D scores (shape {x.shape})")
        labels = _binary_labels("SigmoidWithLoss", t, x.shape)
        t_float = labels.astype(x.dtype)
        softplus = np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))  # -log(1 - sigmoid(x))
        loss = np.mean(softplus - t_float * x, dtype=np.float64)
        self.y, self.t = sigmoid(x), t_float
        return float(loss)

    def backward(self, dout: Any = 1.0) -> np.ndarray:
        y = self._cached(self.y)
        dout = check_scalar_dout("SigmoidWithLoss", dout)
        return (y - self.t) * (dout / y.size)


class NegativeSamplingLoss(Layer):
    r"""네거티브 샘플링 손실: 정답 단어 하나와 부정적 예 $k$개의 이진 분류 (4.2.7절).

    은닉 벡터 `h`와 타깃 ID를 받아, 정답 점수는 1로, `UnigramSampler`가 뽑은 $k$개의
    점수는 0으로 분류하는 시그모이드 손실의 합을 돌려줍니다.

    Parameters
    ----------
    W : numpy.ndarray
        형상 `(V, H)`의 출력 측 가중치. `params[0]`이 됩니다.
    corpus : array_like of int
        분포 $P(w) \propto c(w)^{\alpha}$ 를 만들 말뭉치. ID는 `V`보다 작아야 합니다.
    power : float, default 0.75
        지수 $\alpha$.
    sample_size : int, default 5
        부정적 예의 수 $k$.
    rng : numpy.random.Generator or int or None, default None
        표본 추출의 난수 생성기(또는 시드). 같은 시드면 같은 부정적 예가 나옵니다.

    Attributes
    ----------
    params, grads : list of numpy.ndarray
        `[W]`, `[dW]`. `W`의 기울기는 정답과 부정적 예 모두의 기여를 합한 하나의 배열입니다.
    sampler : UnigramSampler
        부정적 예를 뽑는 표본기.
    embed_dot : EmbeddingDot
        점수 계산 계층.
    loss_layer : SigmoidWithLoss
        이진 분류 손실.
    negative : numpy.ndarray or None
        마지막 순전파에서 뽑은 부정적 예 `(N, k)`.

    Raises
    ------
    ValueError
        말뭉치의 ID가 `V` 이상일 때, `target`이 `(N,)` 정수가 아닐 때, `h`의 형상이 맞지 않을 때.

    Notes
    -----
    형상: 은닉 `h`는 `(N, H)`, 정답 단어 `target`은 `(N,)`이고 손실은 `float` 하나입니다. 역전파의
    `dh`는 `(N, H)`, `dW`는 `(V, H)`입니다.

    정답 $t_n$과 부정적 예 $w_{n1}, \dots, w_{nk}$의 점수를 $s_{n0} = h_n\cdot W_{t_n}$,
    $s_{nj} = h_n \cdot W_{w_{nj}}$ 라 하면

    $$L = \frac{1}{N}\sum_n \Big(-\log\sigma(s_{n0}) - \sum_{j=1}^{k}\log\sigma(-s_{nj})\Big)$$

    (정답 항 하나와 부정적 예 $k$개 항의 배치 평균의 합, 책과 같은 값). 점수 $(N, k+1)$ 를
    `EmbeddingDot` 한 번으로 계산하고, `SigmoidWithLoss`가 $N(k+1)$개 원소의 평균을 내므로
    손실은 그 $(k+1)$배, 역전파는 `dout` $\times (k+1)$ 로 시작합니다.

    **책과 다른 점**: 책은 EmbeddingDot·SigmoidWithLoss를 $k+1$개 두어 `params`에 같은
    `W`가 $k+1$번 들어가고 기울기도 $k+1$개의 조밀한 `(V, H)` 배열이 됩니다(Trainer가 나중에
    합함). refnn은 하나의 `dW`에 `np.add.at`으로 모읍니다. 값은 같습니다.

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 4.2.7절 (네거티브 샘플링 구현).

    Examples
    --------
    >>> corpus = np.array([0, 1, 2, 3, 4, 1, 2, 3])
    >>> layer = NegativeSamplingLoss(np.zeros((5, 3)), corpus, sample_size=2, rng=0)
    >>> round(layer.forward(np.ones((2, 3)), np.array([1, 3])), 6)  # 점수가 모두 0: 3 ln 2
    2.079442
    >>> layer.backward().shape
    (2, 3)
    """

    def __init__(self, W: np.ndarray, corpus: Any, power: float = 0.75, sample_size: int = 5,
                 rng: Any = None) -> None:
        super().__init__()
        W = _weights("NegativeSamplingLoss", W)
        self.sampler = UnigramSampler(corpus, power, sample_size, rng)
        if self.sampler.word_ids[-1] >= W.shape[0]:
            raise ValueError(f"NegativeSamplingLoss: corpus holds word id {self.sampler.word_ids[-1]}, "
                             f"but W has only {W.shape[0]} rows")
        self.sample_size = self.sampler.sample_size
        self.embed_dot = EmbeddingDot(W)
        self.loss_layer = SigmoidWithLoss()
        self.params, self.grads = self.embed_dot.params, self.embed_dot.grads
        self.negative: np.ndarray | None = None

    def forward(self, h: Any, target: Any) -> float:
        target = np.asarray(target)
        if target.ndim != 1 or target.dtype.kind not in "iu" or target.shape[0] != np.shape(h)[0]:
            raise ValueError(f"NegativeSamplingLoss.forward: target must be integer ids of shape "
                             f"({np.shape(h)[0]},) for h shape {np.shape(h)}, got {target.shape} {target.dtype}")
        N, k = target.shape[0], self.sample_size
        self.negative = self.sampler.get_negative_sample(target)
        idx = np.concatenate([target[:, None], self.negative], axis=1)  # (N, k + 1): the answer first
        score = self.embed_dot.forward(h, idx)
        label = np.zeros((N, k + 1), dtype=np.int64)
        label[:, 0] = 1
        return (k + 1) * self.loss_layer.forward(score, label)

    def backward(self, dout: Any = 1.0) -> np.ndarray:
        dout = check_scalar_dout("NegativeSamplingLoss", dout)
        dscore = self.loss_layer.backward(dout * (self.sample_size + 1))
        return self.embed_dot.backward(dscore)
