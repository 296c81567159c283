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
)
from refnn.functions import relu, sigmoid, softmax
from refnn.layers.base import Layer, as_param

__all__ = ["MatMul", "Affine", "Sigmoid", "ReLU", "Softmax", "SoftmaxWithLoss"]


def _input_2d(name: str, x: Any, w_shape: tuple[int, ...]) -> np.ndarray:
    x = as_float_array(x, name)
    check_ndim(name, x, 2)
    if x.shape[1] != w_shape[0]:
        raise ValueError(
            f"{name}.forward: x shape {x.shape} does not match W shape {w_shape}: "
            f"x has {x.shape[1]} columns, W has {w_shape[0]} rows"
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
    형상: 입력 `x`는 `(N, D)`, 출력 `out`은 `(N, H)`입니다. 역전파에서 `dout`은 출력과 같은
    `(N, H)`, `dx`는 입력과 같은 `(N, D)`, `dW`는 `W`와 같은 `(D, H)`입니다.

    순전파 $y = xW$, 역전파(코드의 `dout`이 $\partial L/\partial y$)

    $$\frac{\partial L}{\partial x} = \frac{\partial L}{\partial y} W^\top, \qquad
    \frac{\partial L}{\partial W} = x^\top \frac{\partial L}{\partial y}$$

    두 식은 형상만으로도 정해집니다: `(N, H)`와 `(D, H)`에서 `(N, D)`를 만드는 곱은
    `dout @ W.T`뿐이고, `(N, D)`와 `(N, H)`에서 `(D, H)`를 만드는 곱은 `x.T @ dout`뿐입니다.

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 1.3.4절 (MatMul 노드).

    Examples
    --------
    >>> layer = MatMul(np.eye(2))
    >>> layer.forward(np.array([[1.0, 2.0]]))
    array([[1., 2.]])
    >>> layer.backward(np.array([[1.0, 0.0]]))  # dx = dout W^T
    array([[1., 0.]])
    >>> layer.grads[0]  # dW = x^T dout
    array([[1., 0.],
           [2., 0.]])
    """

    def __init__(self, W: np.ndarray) -> None:
        W = as_param(W, "MatMul", "W")
        check_ndim("MatMul", W, 2, "W")
        super().__init__(W)
        self.x: np.ndarray | None = None
        self.out_shape: tuple[int, ...] = ()

    def forward(self, x: Any) -> np.ndarray:
        (W,) = self.params
        x = _input_2d("MatMul", x, W.shape)
        out = np.dot(x, W)
        self.x, self.out_shape = x, out.shape
        return out

    def backward(self, dout: Any) -> np.ndarray:
        x = self._cached(self.x)
        dout = check_dout("MatMul", dout, self.out_shape)
        (W,) = self.params
        dx = np.dot(dout, W.T)
        dW = np.dot(x.T, dout)
        self.grads[0][...] = dW
        return dx.astype(x.dtype, copy=False)


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
    형상: 입력 `x`는 `(N, D)`, 출력 `out`은 `(N, H)`입니다. 역전파에서 `dout`은 `(N, H)`,
    `dx`는 `(N, D)`, `dW`는 `(D, H)`, `db`는 `b`와 같은 `(H,)`입니다.

    순전파 $y = xW + b$, 역전파(코드의 `dout`이 $\partial L/\partial y$)

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
    >>> layer.backward(np.array([[1.0, 0.0, 2.0]]))  # dx = dout W^T
    array([[3., 3.]])
    >>> layer.grads[1]  # db = dout.sum(axis=0)
    array([1., 0., 2.])
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
        x = _input_2d("Affine", x, W.shape)
        out = np.dot(x, W)
        out += b  # y = xW + b, without a second (N, H) array
        self.x, self.out_shape = x, out.shape
        return out

    def backward(self, dout: Any) -> np.ndarray:
        x = self._cached(self.x)
        dout = check_dout("Affine", dout, self.out_shape)
        W, _ = self.params
        dx = np.dot(dout, W.T)
        dW = np.dot(x.T, dout)
        db = dout.sum(axis=0)
        self.grads[0][...] = dW
        self.grads[1][...] = db
        return dx.astype(x.dtype, copy=False)


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
    형상: 출력 `out`, `dout`, `dx`는 모두 입력 `x`와 같은 형상입니다(임의의 차원).

    순전파 $y = \sigma(x)$, 역전파(코드의 `dout`이 $\partial L/\partial y$)

    $$\frac{\partial L}{\partial x} = \frac{\partial L}{\partial y}\, (1 - y)\, y$$

    $\sigma'(x) = \sigma(x)(1 - \sigma(x))$이므로 순전파 출력 $y$만 저장하면 됩니다.

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
        dx = dout * (1.0 - out) * out
        return dx.astype(out.dtype, copy=False)


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
    형상: 출력 `out`, `dout`, `dx`는 모두 입력 `x`와 같은 형상입니다(임의의 차원).

    순전파 $y = \max(0, x)$, 역전파(코드의 `dout`이 $\partial L/\partial y$)

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
    형상: 입력 `x`와 출력 `out`은 `(..., C)`이고(앞쪽 축은 몇 개든 됩니다), `dout`과 `dx`도
    같은 형상입니다. 정규화는 마지막 축 `C`를 따라 합니다.

    순전파 $y_k = e^{x_k} / \sum_j e^{x_j}$, 역전파(야코비안
    $\partial y_k/\partial x_j = y_k(\delta_{kj} - y_j)$를 곱한 결과)

    $$\frac{\partial L}{\partial x_k} = y_k\Big(g_k - \sum_j g_j y_j\Big), \quad
    g = \frac{\partial L}{\partial y}$$

    코드에서는 $g$가 `dout`이고, $\sum_j g_j y_j$가 `(dout * out).sum(axis=-1, keepdims=True)`입니다.

    `dout`이 모두 1이면 이 기울기는 0이 됩니다(출력의 합이 항상 1이므로).

    Examples
    --------
    >>> layer = Softmax()
    >>> layer.forward(np.array([[0.0, 0.0]]))
    array([[0.5, 0.5]])
    >>> layer.backward(np.array([[1.0, 0.0]]))  # y * (g - sum(g * y))
    array([[ 0.25, -0.25]])
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
        dx = out * (dout - (dout * out).sum(axis=-1, keepdims=True))
        return dx.astype(out.dtype, copy=False)


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
    onehot : numpy.ndarray or None
        원-핫으로 바꾼 정답 `(N, C)` (`y`와 같은 dtype). 역전파의 $\text{onehot}(t)$입니다.

    Raises
    ------
    ValueError
        레이블이 음수·`C` 이상·실수형이거나, 원-핫의 형상이 `x`와 다를 때,
        빈 미니배치일 때, `dout`이 스칼라가 아닐 때.

    Notes
    -----
    형상: 점수 `x`는 `(N, C)`, 정답 `t`는 정수 레이블 `(N,)` 또는 원-핫 `(N, C)`이고, 손실은
    파이썬 `float` 하나입니다. 역전파의 `dout`은 스칼라(기본값 1), `dx`는 `x`와 같은 `(N, C)`입니다.

    순전파는 log-softmax를 거쳐 정확히 계산합니다. 행마다 최댓값 $m_n = \max_j x_{n,j}$를
    빼서 $z_{n,j} = x_{n,j} - m_n$, $s_n = \sum_j e^{z_{n,j}}$로 두면
    $\log y_{n,j} = z_{n,j} - \log s_n$이므로

    $$L = -\frac{1}{N}\sum_n \log y_{n,t_n} = -\frac{1}{N}\sum_n \big(z_{n,t_n} - \log s_n\big)$$

    역전파(소프트맥스 확률 $y_{n,j} = e^{z_{n,j}} / s_n$)

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
        self.onehot: np.ndarray | None = None

    def forward(self, x: Any, t: Any) -> float:
        x = as_float_array(x, "SoftmaxWithLoss")
        check_ndim("SoftmaxWithLoss", x, 2)
        N, C = x.shape
        if N == 0:
            raise ValueError("SoftmaxWithLoss.forward: empty mini-batch (N = 0)")
        labels = labels_from("SoftmaxWithLoss", t, x.shape)
        z = x - x.max(axis=1, keepdims=True)  # z = x - m
        e = np.exp(z)
        s = e.sum(axis=1)
        loss = -(z[np.arange(N), labels] - np.log(s)).sum() / N  # log y_{n,t_n} = z_{n,t_n} - log s_n
        self.y, self.t = e / s[:, None], labels
        t = np.asarray(t)
        self.onehot = t.astype(x.dtype) if t.ndim == 2 else np.eye(C, dtype=x.dtype)[labels]
        return float(loss)

    def backward(self, dout: Any = 1.0) -> np.ndarray:
        y = self._cached(self.y)
        dout = check_scalar_dout("SoftmaxWithLoss", dout)
        N = y.shape[0]
        return (y - self.onehot) * (dout / N)
