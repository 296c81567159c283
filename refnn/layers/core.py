r"""1장의 계층: MatMul, Affine, Sigmoid, ReLU, Softmax, SoftmaxWithLoss.

모든 계층은 책의 프로토콜을 따릅니다. `params`와 `grads`는 같은 길이의 리스트이고,
`forward`가 역전파에 필요한 값을 속성에 저장하며, `backward(dout)`가 `grads`를
제자리에 덮어쓰고 입력의 기울기 `dx`를 돌려줍니다.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from refnn._validation import (
    as_float_array,
    check_dout,
    check_ndim,
    check_scalar_dout,
    labels_from,
    ones,
    row_offsets,
)
from refnn.functions import relu, sigmoid, softmax
from refnn.layers.base import Layer, as_param

__all__ = ["MatMul", "Affine", "Sigmoid", "ReLU", "Softmax", "SoftmaxWithLoss"]


def _dot_into(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
    """Write the product ``a @ b`` into ``out`` in place, without a temporary.

    ``np.dot`` with ``out`` is the fastest route for 2-D BLAS products, but it
    only accepts a C-contiguous ``out`` of exactly the product's dtype;
    otherwise ``np.matmul`` casts into ``out``.
    """
    try:
        np.dot(a, b, out)
    except ValueError:
        np.matmul(a, b, out=out)


def _input_2d(name: str, x: Any, rows_w: int) -> np.ndarray:
    x = as_float_array(x, name)
    check_ndim(name, x, 2)
    if x.shape[1] != rows_w:
        raise ValueError(
            f"{name}.forward: x shape {x.shape} does not match W shape: "
            f"x has {x.shape[1]} columns, W has {rows_w} rows"
        )
    return x


class MatMul(Layer):
    r"""행렬 곱 노드 $y = xW$ (1.3.4절).

    계산 그래프에서 입력 `x`와 매개변수 `W`를 곱합니다. 편향이 없는 Affine입니다.

    Parameters
    ----------
    W : numpy.ndarray
        형상 `(D, H)`의 가중치. 복사하지 않고 그대로 `params[0]`이 됩니다.

    Attributes
    ----------
    params : list of numpy.ndarray
        `[W]`.
    grads : list of numpy.ndarray
        `[dW]`. `backward`가 제자리에 덮어씁니다.
    x : numpy.ndarray or None
        역전파를 위해 저장한 마지막 입력.

    Notes
    -----
    Shapes: `x: (N, D) → out: (N, H)`, `dout: (N, H) → dx: (N, D)`, `dW: (D, H)`.

    순전파 $y = xW$, 역전파

    $$\frac{\partial L}{\partial x} = \frac{\partial L}{\partial y} W^\top, \qquad
    \frac{\partial L}{\partial W} = x^\top \frac{\partial L}{\partial y}$$

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 1.3.4절 (MatMul 노드).

    Examples
    --------
    >>> layer = MatMul(np.eye(2))
    >>> layer.forward(np.array([[1.0, 2.0]]))
    array([[1., 2.]])
    """

    def __init__(self, W: np.ndarray) -> None:
        W = as_param(W, "MatMul", "W")
        check_ndim("MatMul", W, 2, "W")
        super().__init__(W)
        self.x: np.ndarray | None = None
        self.out_shape: tuple[int, ...] = ()

    def forward(self, x: Any) -> np.ndarray:
        (W,) = self.params
        x = _input_2d("MatMul", x, W.shape[0])
        out = np.dot(x, W)
        self.x, self.out_shape = x, out.shape
        return out

    def backward(self, dout: Any) -> np.ndarray:
        x = self._cached(self.x)
        dout = check_dout("MatMul", dout, self.out_shape)
        (W,) = self.params
        _dot_into(x.T, dout, self.grads[0])
        dx = np.dot(dout, W.T)
        return dx if dx.dtype == x.dtype else dx.astype(x.dtype)


class Affine(Layer):
    r"""완전연결 계층 $y = xW + b$ (1.2.1절, 1.3.5절).

    MatMul 노드와 Repeat 노드(편향을 배치만큼 복제) 뒤의 덧셈을 합친 계층입니다.

    Parameters
    ----------
    W : numpy.ndarray
        형상 `(D, H)`의 가중치.
    b : numpy.ndarray
        형상 `(H,)`의 편향.

    Attributes
    ----------
    params : list of numpy.ndarray
        `[W, b]`.
    grads : list of numpy.ndarray
        `[dW, db]`. `backward`가 제자리에 덮어씁니다.
    x : numpy.ndarray or None
        역전파를 위해 저장한 마지막 입력.

    Raises
    ------
    ValueError
        `b`의 길이가 `W`의 열 수와 다를 때(생성 시), `x`의 열 수가 `W`의 행 수와
        다를 때(순전파), `dout`의 형상이 출력과 다를 때(역전파).

    Notes
    -----
    Shapes: `x: (N, D) → out: (N, H)`, `dx: (N, D)`, `dW: (D, H)`, `db: (H,)`.

    순전파 $y = xW + b$, 역전파

    $$\frac{\partial L}{\partial x} = \frac{\partial L}{\partial y} W^\top, \quad
    \frac{\partial L}{\partial W} = x^\top \frac{\partial L}{\partial y}, \quad
    \frac{\partial L}{\partial b} = \sum_{n} \frac{\partial L}{\partial y_{n}}$$

    $b$는 Repeat 노드로 $N$번 복제되므로 그 역전파는 배치 축(axis 0)의 합입니다.
    시드 노트북의 `self.W.T`는 `AttributeError`를 내는 오타이며 올바른 것은 `W.T`입니다.

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 1.3.5절 (Affine 계층).

    Examples
    --------
    >>> layer = Affine(np.ones((2, 3)), np.zeros(3))
    >>> layer.forward(np.array([[1.0, 2.0]]))
    array([[3., 3., 3.]])
    """

    def __init__(self, W: np.ndarray, b: np.ndarray) -> None:
        W = as_param(W, "Affine", "W")
        b = as_param(b, "Affine", "b")
        check_ndim("Affine", W, 2, "W")
        if b.shape != (W.shape[1],):
            raise ValueError(
                f"Affine: bias b shape {b.shape} does not match W shape {W.shape} "
                f"(expected ({W.shape[1]},))"
            )
        super().__init__(W, b)
        self.x: np.ndarray | None = None
        self.out_shape: tuple[int, ...] = ()

    def forward(self, x: Any) -> np.ndarray:
        W, b = self.params
        x = _input_2d("Affine", x, W.shape[0])
        out = np.dot(x, W)
        out += b
        self.x, self.out_shape = x, out.shape
        return out

    def backward(self, dout: Any) -> np.ndarray:
        x = self._cached(self.x)
        dout = check_dout("Affine", dout, self.out_shape)
        W = self.params[0]
        dW, db = self.grads
        _dot_into(x.T, dout, dW)
        _dot_into(ones(dout.shape[0], dout.dtype), dout, db)  # db = 1ᵀ dout: the sum over the batch
        dx = np.dot(dout, W.T)
        return dx if dx.dtype == x.dtype else dx.astype(x.dtype)


class Sigmoid(Layer):
    r"""시그모이드 계층 $y = 1/(1 + e^{-x})$ (1.3.5절).

    매개변수가 없는 원소별 활성화 계층입니다.

    Attributes
    ----------
    params, grads : list
        빈 리스트.
    out : numpy.ndarray or None
        역전파에 쓰는 순전파 출력 $y$.

    Notes
    -----
    Shapes: `x: (...) → out: (...)` (같은 형상).

    순전파 $y = \sigma(x)$, 역전파

    $$\frac{\partial L}{\partial x} = \frac{\partial L}{\partial y}\, y (1 - y)$$

    `x`가 $\pm 1000$처럼 커도 경고 없이 유한합니다. NaN은 NaN으로 전파됩니다.

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 1.3.5절 (Sigmoid 계층).

    Examples
    --------
    >>> layer = Sigmoid()
    >>> layer.forward(np.zeros((1, 2)))
    array([[0.5, 0.5]])
    >>> layer.backward(np.ones((1, 2)))
    array([[0.25, 0.25]])
    """

    def __init__(self) -> None:
        super().__init__()
        self.out: np.ndarray | None = None

    def forward(self, x: Any) -> np.ndarray:
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout: Any) -> np.ndarray:
        out = self._cached(self.out)
        dout = check_dout("Sigmoid", dout, out.shape)
        dx = dout * (1.0 - out)
        dx *= out
        return dx if dx.dtype == out.dtype else dx.astype(out.dtype)


class ReLU(Layer):
    r"""ReLU 계층 $y = \max(0, x)$.

    매개변수가 없는 원소별 활성화 계층입니다.

    Attributes
    ----------
    params, grads : list
        빈 리스트.
    mask : numpy.ndarray or None
        순전파에서 $x > 0$이었던 위치(bool).

    Notes
    -----
    Shapes: `x: (...) → out: (...)`.

    $$\frac{\partial L}{\partial x} = \frac{\partial L}{\partial y}\,[x > 0]$$

    $x = 0$에서는 미분이 없으므로 관례대로 기울기 0을 씁니다(테스트는 이 꺾인 점을
    피해서 값을 뽑습니다).

    Examples
    --------
    >>> layer = ReLU()
    >>> layer.forward(np.array([[-1.0, 2.0]]))
    array([[0., 2.]])
    >>> layer.backward(np.array([[5.0, 5.0]]))
    array([[0., 5.]])
    """

    def __init__(self) -> None:
        super().__init__()
        self.mask: np.ndarray | None = None
        self.dtype: np.dtype | None = None

    def forward(self, x: Any) -> np.ndarray:
        out = relu(x)
        self.mask, self.dtype = out > 0, out.dtype
        return out

    def backward(self, dout: Any) -> np.ndarray:
        mask = self._cached(self.mask)
        dout = check_dout("ReLU", dout, mask.shape)
        return np.multiply(dout, mask, dtype=self.dtype)


class Softmax(Layer):
    r"""소프트맥스 계층: 마지막 축을 확률로 정규화합니다 (1.3.5절, 부록 A).

    Attributes
    ----------
    params, grads : list
        빈 리스트.
    out : numpy.ndarray or None
        순전파 출력 $y$.

    Notes
    -----
    Shapes: `x: (..., C) → out: (..., C)`.

    순전파 $y_k = e^{x_k} / \sum_j e^{x_j}$, 역전파(야코비안
    $\partial y_k/\partial x_j = y_k(\delta_{kj} - y_j)$를 곱한 결과)

    $$\frac{\partial L}{\partial x_k} = y_k\Big(g_k - \sum_j g_j y_j\Big), \quad
    g = \frac{\partial L}{\partial y}$$

    `dout`이 모두 1이면 이 기울기는 0이 됩니다(출력의 합이 항상 1이므로).

    Examples
    --------
    >>> Softmax().forward(np.array([[0.0, 0.0]]))
    array([[0.5, 0.5]])
    """

    def __init__(self) -> None:
        super().__init__()
        self.out: np.ndarray | None = None

    def forward(self, x: Any) -> np.ndarray:
        self.out = softmax(x)
        return self.out

    def backward(self, dout: Any) -> np.ndarray:
        out = self._cached(self.out)
        dout = check_dout("Softmax", dout, out.shape)
        dx = out * dout
        dx -= out * dx.sum(axis=-1, keepdims=True)
        return dx if dx.dtype == out.dtype else dx.astype(out.dtype)


class SoftmaxWithLoss(Layer):
    r"""Softmax와 교차 엔트로피 오차를 합친 손실 계층 (1.3.5절, 부록 A).

    점수 `x`와 정답 `t`를 받아 미니배치 평균 손실(스칼라)을 돌려줍니다.

    Attributes
    ----------
    params, grads : list
        빈 리스트.
    y : numpy.ndarray or None
        순전파에서 계산한 소프트맥스 확률 `(N, C)`.
    t : numpy.ndarray or None
        정수 레이블로 바꾼 정답 `(N,)`.
    picked : numpy.ndarray or None
        `y.ravel()`에서 정답 원소 $y_{n,t_n}$의 평탄(flat) 인덱스 `(N,)`
        (역전파가 `np.arange(N)` 없이 정답 칸에서 빼기 위해 저장합니다).

    Raises
    ------
    ValueError
        레이블이 음수·`C` 이상·실수형이거나, 원-핫의 형상이 `x`와 다를 때,
        빈 미니배치일 때, `dout`이 스칼라가 아닐 때.

    Notes
    -----
    Shapes: `x: (N, C)`, `t: (N,)` 정수 또는 `(N, C)` 원-핫 → 손실 `float`; `dx: (N, C)`.

    순전파는 log-softmax를 거쳐 정확히 계산합니다.

    $$L = -\frac{1}{N}\sum_n \Big(x_{n,t_n} - m_n - \log\sum_j e^{x_{n,j} - m_n}\Big)$$

    역전파

    $$\frac{\partial L}{\partial x} = \frac{\text{dout}}{N}\,\big(y - \text{onehot}(t)\big)$$

    책의 코드는 `log(y + 1e-7)`을 써서 정답 확률이 $10^{-7}$보다 작으면 손실이
    약 16.1에서 멈추고, 위 역전파가 순전파의 참 기울기가 아니게 됩니다. refnn은
    $\log 0$을 거치지 않으므로 그런 상한이 없고, 역전파가 순전파의 정확한 기울기입니다.

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 1.3.5절; 밑바닥부터 시작하는 딥러닝 1, 부록 A.

    Examples
    --------
    >>> layer = SoftmaxWithLoss()
    >>> round(layer.forward(np.zeros((2, 3)), np.array([0, 2])), 6)  # ln 3
    1.098612
    >>> layer.backward().round(3)
    array([[-0.333,  0.167,  0.167],
           [ 0.167,  0.167, -0.333]])
    """

    def __init__(self) -> None:
        super().__init__()
        self.y: np.ndarray | None = None
        self.t: np.ndarray | None = None
        self.picked: np.ndarray | None = None

    def forward(self, x: Any, t: Any) -> float:
        x = as_float_array(x, "SoftmaxWithLoss")
        check_ndim("SoftmaxWithLoss", x, 2)
        n = x.shape[0]
        if n == 0:
            raise ValueError("SoftmaxWithLoss.forward: empty mini-batch (N = 0)")
        labels = labels_from("SoftmaxWithLoss", t, x.shape)
        if not x.flags.c_contiguous:  # the flat indexing below assumes C order
            x = np.ascontiguousarray(x)
        # Fused softmax + cross-entropy: the shifted scores z give both the
        # probabilities (for backward) and the exact log-probabilities (for the
        # loss) -- no log(y + 1e-7), no second pass over x.
        # a.ravel()[offsets + j] is a[i, j[i]]: one flat index array is much
        # cheaper than a[np.arange(N), j].  The row maxima come through argmax:
        # the same values as x.max(axis=1) (NaN included: argmax finds the first
        # NaN), at a fraction of the cost of an axis reduction on short rows.
        offsets = row_offsets(n, x.shape[1])
        z = x - x.ravel()[offsets + x.argmax(axis=1)][:, None]
        e = np.exp(z)
        s = np.dot(e, ones(x.shape[1], e.dtype))  # row sums e · 1, shape (N,)
        # -log y[n, t_n] = log s_n - z[n, t_n]; the batch sum is a product with ones too.
        picked = offsets + labels
        loss = float(np.dot(np.log(s) - z.ravel()[picked], ones(n, s.dtype))) / n
        e /= s[:, None]
        self.y, self.t, self.picked = e, labels, picked
        return loss

    def backward(self, dout: Any = 1.0) -> np.ndarray:
        y = self._cached(self.y)
        scale = check_scalar_dout("SoftmaxWithLoss", dout) / y.shape[0]
        dx = y * scale  # C-contiguous like y, so ravel() below is a view
        dx.ravel()[self.picked] -= scale  # dx[n, t_n] -= scale
        return dx
