r"""5–6장의 Time 계층 중 순환이 없는 것: TimeEmbedding, TimeAffine, TimeSoftmaxWithLoss, TimeSigmoidWithLoss,
TimeDropout.

시계열 `(N, T, ...)`을 한 번에 받는 계층들입니다. 시각 사이에 연결이 없으므로 $T$개의 시각을
$N \cdot T$개의 행으로 펼쳐 한 번의 계산으로 처리합니다(시각마다 계층을 만들지 않습니다).
1장의 계층과 같은 프로토콜을 따르며 입력·`dout`·매개변수를 바꾸지 않습니다.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from refnn._validation import as_float_array, check_dout, check_scalar_dout
from refnn.layers.base import Layer, as_param
from refnn.layers.embedding import SigmoidWithLoss, _weights, _word_ids
from refnn.sampling import as_generator

__all__ = ["TimeEmbedding", "TimeAffine", "TimeSoftmaxWithLoss", "TimeSigmoidWithLoss", "TimeDropout"]


def _sequence(name: str, xs: Any, width: int) -> np.ndarray:
    """A float (N, T, width) sequence."""
    xs = as_float_array(xs, name)
    if xs.ndim != 3 or xs.shape[2] != width:
        raise ValueError(f"{name}.forward: xs must have shape (N, T, {width}), got {xs.shape}")
    return xs


class TimeEmbedding(Layer):
    r"""단어 ID의 시계열 `(N, T)`를 단어 벡터의 시계열 `(N, T, D)`로 바꾸는 계층 (5.4.2절).

    $T$개의 시각 모두에 같은 가중치 `W`의 Embedding을 적용한 것과 같습니다.

    Parameters
    ----------
    W : numpy.ndarray
        형상 `(V, D)`의 가중치. 복사하지 않고 `params[0]`이 됩니다.

    Attributes
    ----------
    params, grads : list of numpy.ndarray
        `[W]`, `[dW]`.
    idx : numpy.ndarray or None
        마지막 순전파의 단어 ID `(N, T)`.

    Raises
    ------
    ValueError
        `xs`가 2차원 정수 배열이 아니거나 ID가 $[0, V)$ 밖일 때, `dout`의 형상이 출력과 다를 때.

    Notes
    -----
    형상: `xs: (N, T)` 정수 → `out: (N, T, D)`, `dout: (N, T, D)`, `dW: (V, D)`.

    $$\text{out}_{n,t} = W_{x_{n,t}}, \qquad
    \frac{\partial L}{\partial W_v} = \sum_{(n,t):\,x_{n,t} = v} \frac{\partial L}{\partial \text{out}_{n,t}}$$

    책은 시각마다 Embedding 객체를 만들고 `dW`를 시각별로 더합니다. refnn은 `np.add.at` 한 번으로
    모든 시각의 기울기를 모읍니다(값은 같습니다). 역전파는 `None`을 돌려줍니다(ID는 미분 대상이 아님).

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 5.4.2절 (Time 계층 구현).

    Examples
    --------
    >>> layer = TimeEmbedding(np.arange(6.0).reshape(3, 2))
    >>> layer.forward(np.array([[2, 0]])).tolist()
    [[[4.0, 5.0], [0.0, 1.0]]]
    """

    def __init__(self, W: np.ndarray) -> None:
        super().__init__(_weights("TimeEmbedding", W))
        self.idx: np.ndarray | None = None

    def forward(self, xs: Any) -> np.ndarray:
        (W,) = self.params
        idx = _word_ids("TimeEmbedding", xs, W.shape[0])
        if idx.ndim != 2:
            raise ValueError(f"TimeEmbedding.forward: xs must be word ids of shape (N, T), got {idx.shape}")
        self.idx = idx
        return W[idx]

    def backward(self, dout: Any) -> None:
        idx = self._cached(self.idx)
        (W,) = self.params
        dout = check_dout("TimeEmbedding", dout, idx.shape + W.shape[1:])
        dW = self.grads[0]
        dW[...] = 0
        np.add.at(dW, idx, dout)
        return None


class TimeAffine(Layer):
    r"""모든 시각에 같은 Affine $y_t = x_t W + b$ 를 적용하는 계층 (5.4.2절).

    `(N, T, D)`를 `(N·T, D)`로 펼쳐 행렬 곱 **한 번**으로 계산합니다.

    Parameters
    ----------
    W : numpy.ndarray
        형상 `(D, H)`의 가중치.
    b : numpy.ndarray
        형상 `(H,)`의 편향.

    Attributes
    ----------
    params, grads : list of numpy.ndarray
        `[W, b]`, `[dW, db]`.
    x : numpy.ndarray or None
        마지막 입력 `(N, T, D)`.

    Raises
    ------
    ValueError
        `b`의 형상이 `W`와 맞지 않을 때, `xs`가 `(N, T, D)`가 아닐 때, `dout`의 형상이 출력과 다를 때.

    Notes
    -----
    형상: `xs: (N, T, D)` → `out: (N, T, H)`, `dout: (N, T, H)`, `dx: (N, T, D)`, `dW: (D, H)`, `db: (H,)`.

    $X$를 `(N·T, D)`로 펼친 입력, $G$를 `(N·T, H)`로 펼친 `dout`이라 하면

    $$Y = XW + b, \qquad \frac{\partial L}{\partial X} = G W^\top, \qquad
    \frac{\partial L}{\partial W} = X^\top G, \qquad \frac{\partial L}{\partial b} = \sum_{n,t} G_{n,t}$$

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 5.4.2절 (Time Affine 계층).

    Examples
    --------
    >>> layer = TimeAffine(np.ones((2, 3)), np.zeros(3))
    >>> layer.forward(np.ones((1, 2, 2))).shape
    (1, 2, 3)
    """

    def __init__(self, W: np.ndarray, b: np.ndarray) -> None:
        W = as_param(W, "TimeAffine", "W")
        b = as_param(b, "TimeAffine", "b")
        if W.ndim != 2 or b.shape != (W.shape[1],):
            raise ValueError(f"TimeAffine: W shape {W.shape} and b shape {b.shape} do not match "
                             f"(expected (D, H) and (H,))")
        super().__init__(W, b)
        self.x: np.ndarray | None = None

    def forward(self, xs: Any) -> np.ndarray:
        W, b = self.params
        xs = _sequence("TimeAffine", xs, W.shape[0])
        N, T, D = xs.shape
        out = np.dot(xs.reshape(N * T, D), W)
        out += b
        self.x = xs
        return out.reshape(N, T, -1)

    def backward(self, dout: Any) -> np.ndarray:
        xs = self._cached(self.x)
        W, _ = self.params
        N, T, D = xs.shape
        dout = check_dout("TimeAffine", dout, (N, T, W.shape[1])).reshape(N * T, -1)
        self.grads[0][...] = np.dot(xs.reshape(N * T, D).T, dout)
        self.grads[1][...] = dout.sum(axis=0)
        dx = np.dot(dout, W.T)
        return dx.reshape(N, T, D).astype(xs.dtype, copy=False)


class TimeSoftmaxWithLoss(Layer):
    r"""모든 시각의 Softmax와 교차 엔트로피 오차의 평균 (5.4.2절).

    점수 `xs: (N, T, V)`와 정답 `ts: (N, T)`를 받아, 정답이 `ignore_label`이 아닌 칸들의 평균 손실을
    돌려줍니다.

    Parameters
    ----------
    ignore_label : int, default -1
        이 값의 정답은 손실에도 기울기에도 들어가지 않습니다.

    Attributes
    ----------
    params, grads : list
        빈 리스트.
    y : numpy.ndarray or None
        소프트맥스 확률 `(N, T, V)` (읽을 때마다 캐시에서 새로 만듭니다). 역전파는 캐시를 바꾸지 않습니다.
    mask : numpy.ndarray or None
        셈에 넣은 칸 `(N, T)` (bool).
    count : int
        셈에 넣은 칸의 수 $M$.

    Raises
    ------
    ValueError
        `xs`가 3차원이 아니거나, 정답의 형상·값이 맞지 않을 때(`ignore_label` 말고 $[0, V)$ 밖),
        **모든 칸이 `ignore_label`일 때**(평균을 낼 칸이 없음), `dout`이 스칼라가 아닐 때.

    Notes
    -----
    형상: `xs: (N, T, V)`, `ts: (N, T)` 정수(또는 원-핫 `(N, T, V)`) → 손실 `float`,
    `dx: (N, T, V)`.

    셈에 넣는 칸의 집합을 $\mathcal{M} = \{(n,t) : t_{n,t} \ne \text{ignore}\}$, $M = |\mathcal{M}|$,
    $z = x - c$ ($c$는 행마다의 상수) 라 하면(log-softmax로 정확히 계산)

    $$L = -\frac{1}{M}\sum_{(n,t)\in\mathcal{M}} \Big(z_{n,t,t_{n,t}} - \log\sum_v e^{z_{n,t,v}}\Big), \qquad
    \frac{\partial L}{\partial x_{n,t}} = \frac{\text{dout}}{M}\,[(n,t)\in\mathcal{M}]\,
    \big(y_{n,t} - \text{onehot}(t_{n,t})\big)$$

    **책과 다른 점**: 책은 `log(y + 1e-7)`이 아니라 확률의 로그를 그대로 써서 확률이 0으로
    언더플로하면 손실이 inf가 되고, 모든 칸이 무시되면 0/0으로 NaN을 돌려주며, 역전파가
    저장해 둔 소프트맥스를 제자리에서 바꾸므로 두 번째 `backward`가 틀립니다. refnn은 log-softmax로
    유한하게 계산하고, 모두 무시되면 `ValueError`를 내며, 캐시를 바꾸지 않습니다.

    $L$은 $c$에 관계없으므로 보통은 $c = 0$으로 계산하고, $e^x$가 넘치거나 행의 합이 너무 작을 때에만
    $c = \max_v x$ 를 씁니다(`_exp_and_sum`). 소프트맥스 $y = e / s$ 는 나누지 않은 채 $e$와 $s$로
    저장하고, 역전파에서 $\text{dout}/M \cdot e / s$ 를 한 번에 곱합니다. $V$가 큰 언어 모델에서는 점수
    배열을 읽고 쓰는 횟수가 곧 시간이기 때문입니다.

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 5.4.2절 (Time Softmax with Loss 계층).

    Examples
    --------
    >>> layer = TimeSoftmaxWithLoss()
    >>> round(layer.forward(np.zeros((1, 2, 4)), np.array([[3, -1]])), 6)  # ln 4, 둘째 칸은 무시
    1.386294
    >>> bool(np.all(layer.backward()[0, 1] == 0))  # 무시한 칸의 기울기는 0
    True
    """

    def __init__(self, ignore_label: int = -1) -> None:
        super().__init__()
        self.ignore_label = ignore_label
        self._e: np.ndarray | None = None
        self._s: np.ndarray | None = None
        self.t: np.ndarray | None = None
        self.mask: np.ndarray | None = None
        self.count = 0

    def _labels(self, ts: Any, shape: tuple[int, ...]) -> np.ndarray:
        N, T, V = shape
        t = np.asarray(ts)
        if t.dtype.kind not in "iu":
            raise ValueError(f"TimeSoftmaxWithLoss.forward: labels ts must be integers, got dtype {t.dtype}")
        if t.shape == shape:  # one-hot
            if not (np.all((t == 0) | (t == 1)) and np.all(t.sum(axis=2) == 1)):
                raise ValueError("TimeSoftmaxWithLoss.forward: one-hot ts must have exactly one 1 per (n, t)")
            return t.argmax(axis=2)
        if t.shape != (N, T):
            raise ValueError(f"TimeSoftmaxWithLoss.forward: labels ts shape {t.shape} does not match "
                             f"scores shape {shape} (expected ({N}, {T}) or {shape})")
        counted = t[t != self.ignore_label]
        if counted.size and (counted.min() < 0 or counted.max() >= V):
            raise ValueError(f"TimeSoftmaxWithLoss.forward: labels must lie in [0, {V}) or equal "
                             f"ignore_label {self.ignore_label}, got values in [{counted.min()}, {counted.max()}]")
        return t

    def forward(self, xs: Any, ts: Any) -> float:
        xs = as_float_array(xs, "TimeSoftmaxWithLoss")
        if xs.ndim != 3 or xs.shape[2] == 0:
            raise ValueError(f"TimeSoftmaxWithLoss.forward: xs must have shape (N, T, V), got {xs.shape}")
        t = self._labels(ts, xs.shape)
        mask = t != self.ignore_label
        count = int(mask.sum())
        if count == 0:
            raise ValueError(f"TimeSoftmaxWithLoss.forward: every label equals ignore_label "
                             f"{self.ignore_label}: no entry to average over (the book returns NaN)")
        e, s, shift = self._exp_and_sum(xs)  # y = e / s
        t_safe = np.where(mask, t, 0)
        x_t = np.take_along_axis(xs, t_safe[..., None], axis=2)[..., 0]
        log_sum = np.log(s) + shift  # log sum_v e^{x_v}
        loss = -np.sum((x_t - log_sum)[mask], dtype=np.float64) / count  # log y_t = x_t - log sum_v e^{x_v}
        self._e, self._s, self.t, self.mask, self.count = e, s, t_safe, mask, count
        return float(loss)

    @property
    def y(self) -> np.ndarray | None:
        """소프트맥스 확률 `(N, T, V)` (읽을 때마다 새 배열; 마지막 순전파 전에는 `None`)."""
        if self._e is None or self._s is None:
            return None
        return self._e / self._s[..., None]

    @staticmethod
    def _exp_and_sum(xs: np.ndarray) -> tuple[np.ndarray, np.ndarray, Any]:
        r"""마지막 축에 대해 $e = e^{x - c}$, $s = \sum_v e_v$ 와 쓴 이동량 $c$를 돌려줍니다.

        소프트맥스는 한 행에서 같은 상수를 빼도 바뀌지 않으므로 어떤 $c$로도 $y = e / s$,
        $\log \sum_v e^{x_v} = \log s + c$ 입니다. 흔히 쓰는 $c = \max_v x_v$ 는 점수 전체를 두 번 더
        읽고 써야 하는데, 실제로 필요한 것은 $e^x$가 넘치거나(overflow) 행의 합이 너무 작아 0으로 사라진
        항이 의미를 가질 때뿐입니다. 그래서 먼저 $c = 0$으로 계산하고, 어떤 행의 합이
        $[V \cdot \text{tiny} / \varepsilon,\ 1 / \varepsilon]$ 밖일 때에만 최댓값을 빼서 다시 계산합니다
        (위쪽 경계는 $\log s$를 작게 지켜 $x_t - \log s$에서 자릿수를 잃지 않게 합니다).
        """
        info = np.finfo(xs.dtype)
        with np.errstate(over="ignore", under="ignore"):
            e = np.exp(xs)
            s = e.sum(axis=-1)
        if np.all((s >= xs.shape[-1] * info.tiny / info.eps) & (s <= 1 / info.eps)):
            return e, s, 0
        shift = xs.max(axis=-1, keepdims=True)
        np.subtract(xs, shift, out=e)
        np.exp(e, out=e)
        return e, e.sum(axis=-1), shift[..., 0]

    def backward(self, dout: Any = 1.0) -> np.ndarray:
        e = self._cached(self._e)
        dout = check_scalar_dout("TimeSoftmaxWithLoss", dout)
        t = self._cached(self.t)
        N, T, V = e.shape
        weight = (self.mask * (dout / self.count)).astype(e.dtype)  # dout / M where counted, 0 where ignored
        s = self._cached(self._s)
        dx = e * (weight / s)[..., None]  # weight * y, a new array: the cache stays as it is
        dx.reshape(N * T, V)[np.arange(N * T), t.reshape(-1)] -= weight.reshape(-1)  # - weight * onehot(t)
        return dx


class TimeSigmoidWithLoss(SigmoidWithLoss):
    r"""모든 시각의 시그모이드와 이진 교차 엔트로피 오차의 평균 (책의 `common/time_layers.py`에 있는 계층).

    점수 `xs: (N, T)`와 정답 `ts: (N, T)`(0 또는 1)를 받아 $N \cdot T$개 칸의 평균 손실을 돌려줍니다.
    계산은 `SigmoidWithLoss`와 같고(softplus로 정확히), 입력이 2차원 `(N, T)`인지만 더 확인합니다.

    Raises
    ------
    ValueError
        `xs`가 2차원이 아닐 때, 그 밖에는 `SigmoidWithLoss`와 같습니다.

    Notes
    -----
    형상: `xs, ts: (N, T)` → 손실 `float`, `dx: (N, T)`.

    $$L = \frac{1}{NT}\sum_{n,t}\Big(\max(x_{n,t}, 0) + \log\big(1 + e^{-|x_{n,t}|}\big) - t_{n,t}\, x_{n,t}\Big),
    \qquad \frac{\partial L}{\partial x} = \frac{\text{dout}}{NT}\big(\sigma(x) - t\big)$$

    Examples
    --------
    >>> round(TimeSigmoidWithLoss().forward(np.zeros((2, 3)), np.ones((2, 3), dtype=int)), 6)  # ln 2
    0.693147
    """

    def forward(self, xs: Any, ts: Any) -> float:
        if np.ndim(xs) != 2:
            raise ValueError(f"TimeSigmoidWithLoss.forward: xs must have shape (N, T), got {np.shape(xs)}")
        return super().forward(xs, ts)


class TimeDropout(Layer):
    r"""역 드롭아웃(inverted dropout): 학습 때 원소를 확률 $p$로 0으로 만들고 나머지를 $1/(1-p)$배 합니다 (6.5.2절).

    Parameters
    ----------
    dropout_ratio : float, default 0.5
        지울 확률 $p$, $0 \le p < 1$.
    rng : numpy.random.Generator or int or None
        마스크를 뽑는 난수 생성기(또는 시드). NumPy의 전역 난수 상태는 쓰지 않습니다.

    Attributes
    ----------
    params, grads : list
        빈 리스트.
    train_flg : bool
        `True`(기본)이면 학습 모드(마스크를 적용), `False`이면 평가 모드(항등 함수).
    mask : numpy.ndarray or None
        마지막 학습 모드 순전파의 $m / (1 - p)$ (입력과 같은 형상·dtype).

    Raises
    ------
    ValueError
        `dropout_ratio`가 $[0, 1)$ 밖일 때, `dout`의 형상이 출력과 다를 때.

    Notes
    -----
    형상: `xs`, `out`, `dout`, `dx` 모두 같은 형상(보통 `(N, T, D)`).

    학습 모드에서 $m_{k} \sim \text{Bernoulli}(1 - p)$ 을 원소마다 독립으로 뽑아

    $$\text{out} = x \odot \frac{m}{1 - p}, \qquad \frac{\partial L}{\partial x} = \text{dout} \odot \frac{m}{1 - p}$$

    이므로 $\mathbb{E}[\text{out}] = x$ 이고, 평가 모드에서는 $\text{out} = x$ 입니다(나누어 주었으므로
    평가 때 다시 곱할 것이 없습니다).

    **책과 다른 점**: 책은 `np.random.rand`(전역 난수 상태)로 마스크를 뽑습니다. refnn은 건네받은
    `rng`만 쓰므로 같은 시드면 같은 마스크가 나옵니다.

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 6.5.2절 (드롭아웃에 의한 과적합 억제).

    Examples
    --------
    >>> layer = TimeDropout(0.5, rng=0)
    >>> sorted(set(layer.forward(np.ones((2, 3, 4))).ravel().tolist()))  # 0 또는 1 / (1 - 0.5)
    [0.0, 2.0]
    >>> layer.train_flg = False
    >>> layer.forward(np.ones((1, 1, 2)))
    array([[[1., 1.]]])
    """

    def __init__(self, dropout_ratio: float = 0.5, rng: Any = None) -> None:
        super().__init__()
        if not (isinstance(dropout_ratio, (int, float, np.floating)) and 0 <= dropout_ratio < 1):
            raise ValueError(f"TimeDropout: dropout_ratio must lie in [0, 1), got {dropout_ratio!r}")
        self.dropout_ratio = float(dropout_ratio)
        self.rng = as_generator(rng, "TimeDropout")
        self.train_flg = True
        self.mask: np.ndarray | None = None
        self.shape: tuple[int, ...] | None = None
        self.dtype: np.dtype | None = None

    def forward(self, xs: Any) -> np.ndarray:
        xs = as_float_array(xs, "TimeDropout")
        self.shape, self.dtype = xs.shape, xs.dtype
        if not self.train_flg:
            self.mask = None
            return xs.copy()
        keep = self.rng.random(xs.shape) >= self.dropout_ratio  # m ~ Bernoulli(1 - p)
        self.mask = keep.astype(xs.dtype) * xs.dtype.type(1 / (1 - self.dropout_ratio))
        return xs * self.mask

    def backward(self, dout: Any) -> np.ndarray:
        shape = self._cached(self.shape)
        dout = check_dout("TimeDropout", dout, shape)
        if self.mask is None:  # evaluation mode: the identity
            return np.array(dout, dtype=self.dtype, copy=True)
        return (dout * self.mask).astype(self.mask.dtype, copy=False)
