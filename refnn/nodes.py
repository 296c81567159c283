r"""계산 그래프의 기본 노드 (1.3.4절): Add, Mul, Branch, Repeat, Sum.

매개변수가 없는 노드이지만 계층과 같은 프로토콜(`params`, `grads`는 빈 리스트,
`forward`/`backward`)을 따르므로 같은 검사기(`check_layer`)로 검증됩니다.
입력이 여러 개인 노드의 `backward`는 입력 순서대로 기울기의 튜플을 돌려줍니다.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from refnn._validation import as_float_array, check_dout
from refnn.layers.base import Layer

__all__ = ["Add", "Mul", "Branch", "Repeat", "Sum"]


def _same_shape(name: str, x: np.ndarray, y: np.ndarray) -> None:
    if x.shape != y.shape:
        raise ValueError(f"{name}.forward: x shape {x.shape} and y shape {y.shape} differ")


def _axis(name: str, axis: Any) -> int:
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{name}: axis must be an int, got {axis!r}")
    return int(axis)


def _normalised_axis(name: str, axis: int, ndim: int) -> int:
    if not -ndim <= axis < ndim:
        raise ValueError(f"{name}.forward: axis {axis} is out of range for a {ndim}-D input")
    return axis % ndim


class Add(Layer):
    r"""덧셈 노드 $z = x + y$ (1.3.4절).

    계산 그래프에서 두 입력을 원소별로 더합니다. 매개변수는 없습니다.

    Raises
    ------
    ValueError
        두 입력의 형상이 다를 때(순전파), `dout`의 형상이 출력과 다를 때(역전파).

    Notes
    -----
    형상: 두 입력 `x`, `y`는 같은 형상이어야 하고, 출력 `z`, `dout`, `dx`, `dy`도 모두 그
    형상입니다.

    순전파 $z = x + y$, 역전파(코드의 `dout`이 $\partial L/\partial z$)

    $$\frac{\partial L}{\partial x} = \frac{\partial L}{\partial z} \cdot 1, \qquad
    \frac{\partial L}{\partial y} = \frac{\partial L}{\partial z} \cdot 1$$

    $\partial z/\partial x = \partial z/\partial y = 1$이므로 상류 기울기가 값을 바꾸지 않고
    두 입력에 각각 그대로 전달됩니다(반으로 나뉘지 않습니다: 두 입력 모두 `dout` 전체를 받습니다).
    돌려주는 두 배열은 `dout`과도, 서로와도 메모리를 공유하지 않는 쓰기 가능한 복사본이므로
    하나를 고쳐도 다른 쪽이나 `dout`은 바뀌지 않습니다.

    Examples
    --------
    >>> node = Add()
    >>> node.forward(np.ones(2), np.ones(2))
    array([2., 2.])
    >>> dx, dy = node.backward(np.array([1.0, 2.0]))
    >>> dx, dy  # 둘 다 dout 그대로
    (array([1., 2.]), array([1., 2.]))
    """

    def __init__(self) -> None:
        super().__init__()
        self.shape: tuple[int, ...] | None = None
        self.dtypes: tuple[np.dtype, np.dtype] | None = None

    def forward(self, x: Any, y: Any) -> np.ndarray:
        x, y = as_float_array(x, "Add"), as_float_array(y, "Add")
        _same_shape("Add", x, y)
        self.shape, self.dtypes = x.shape, (x.dtype, y.dtype)
        return x + y

    def backward(self, dout: Any) -> tuple[np.ndarray, np.ndarray]:
        dtx, dty = self._cached(self.dtypes)
        dout = check_dout("Add", dout, self.shape or ())
        return dout.astype(dtx, copy=True), dout.astype(dty, copy=True)


class Mul(Layer):
    r"""곱셈 노드 $z = x \odot y$ (원소별 곱, 1.3.4절).

    계산 그래프에서 두 입력을 원소별로 곱합니다. 매개변수는 없습니다.

    Raises
    ------
    ValueError
        두 입력의 형상이 다를 때(순전파), `dout`의 형상이 출력과 다를 때(역전파).

    Attributes
    ----------
    x, y : numpy.ndarray or None
        역전파에 쓰는 두 입력.

    Notes
    -----
    형상: 두 입력 `x`, `y`는 같은 형상이어야 하고, 출력 `z`, `dout`, `dx`, `dy`도 모두 그
    형상입니다.

    순전파 $z = x \odot y$, 역전파는 상류 기울기에 "다른 쪽 입력"을 곱합니다
    (코드의 `dout`이 $\partial L/\partial z$).

    $$\frac{\partial L}{\partial x} = \frac{\partial L}{\partial z}\odot y, \qquad
    \frac{\partial L}{\partial y} = \frac{\partial L}{\partial z}\odot x$$

    Examples
    --------
    >>> node = Mul()
    >>> node.forward(np.array([2.0]), np.array([3.0]))
    array([6.])
    >>> node.backward(np.array([1.0]))
    (array([3.]), array([2.]))
    """

    def __init__(self) -> None:
        super().__init__()
        self.x: np.ndarray | None = None
        self.y: np.ndarray | None = None

    def forward(self, x: Any, y: Any) -> np.ndarray:
        x, y = as_float_array(x, "Mul"), as_float_array(y, "Mul")
        _same_shape("Mul", x, y)
        self.x, self.y = x, y
        return x * y

    def backward(self, dout: Any) -> tuple[np.ndarray, np.ndarray]:
        x = self._cached(self.x)
        y = self.y
        assert y is not None
        dout = check_dout("Mul", dout, x.shape)
        return (dout * y).astype(x.dtype, copy=False), (dout * x).astype(y.dtype, copy=False)


class Branch(Layer):
    r"""분기 노드: 입력 하나를 `n`개의 따로 떨어진 출력으로 복제합니다 (1.3.4절).

    계산 그래프에서 한 값이 여러 곳에 쓰일 때의 노드입니다. `n`개의 복사본을 각각의
    출력(튜플의 원소)으로 내보냅니다. Repeat 노드는 이 노드를 일반화한 것으로, `n`갈래로
    나눈 복사본을 따로 내보내는 대신 한 축을 따라 쌓아 배열 하나로 돌려줍니다.

    Parameters
    ----------
    n : int
        출력 개수 ($n \ge 1$).

    Notes
    -----
    형상: 출력 `y_1, …, y_n`은 각각 입력 `x`와 같은 형상이고, 역전파는 그 형상의 상류
    기울기 `n`개를 받아(`backward(dout_1, …, dout_n)`) 같은 형상의 `dx` 하나를 돌려줍니다.

    순전파 $y_i = x$ ($i = 1, \dots, n$, 서로 독립된 복사본), 역전파는 상류 기울기를 모두
    더합니다.

    $$\frac{\partial L}{\partial x} = \sum_{i=1}^{n} \frac{\partial L}{\partial y_i}$$

    Examples
    --------
    >>> node = Branch(2)
    >>> a, b = node.forward(np.array([1.0]))
    >>> a, b
    (array([1.]), array([1.]))
    >>> node.backward(np.array([1.0]), np.array([2.0]))  # 1 + 2
    array([3.])
    """

    def __init__(self, n: int = 2) -> None:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"Branch: n must be an integer >= 1, got {n!r}")
        super().__init__()
        self.n = int(n)
        self.shape: tuple[int, ...] | None = None
        self.dtype: np.dtype | None = None

    def forward(self, x: Any) -> tuple[np.ndarray, ...]:
        x = as_float_array(x, "Branch")
        self.shape, self.dtype = x.shape, x.dtype
        return tuple(x.copy() for _ in range(self.n))

    def backward(self, *douts: Any) -> np.ndarray:
        dtype = self._cached(self.dtype)
        shape = self.shape or ()
        if len(douts) != self.n:
            raise ValueError(f"Branch.backward: expected {self.n} upstream gradients, got {len(douts)}")
        dx = np.zeros(shape, dtype=dtype)
        for d in douts:
            dx += check_dout("Branch", d, shape)
        return dx


class Repeat(Layer):
    r"""Repeat 노드: 길이 1인 축을 `n`번 복제합니다. `(1, D) → (n, D)` (1.3.4절).

    Branch 노드를 일반화한 노드입니다. `n`갈래 Branch와 같은 복사본 `n`개를 만들되, 따로
    내보내지 않고 길이 1인 축(기본은 첫 축)을 따라 쌓아 배열 하나로 돌려줍니다. 그래서
    역전파도 Branch처럼 상류 기울기 `n`개의 합이며, 그 합이 쌓은 축을 따른 합입니다.

    Parameters
    ----------
    n : int
        복제 횟수 ($n \ge 1$).
    axis : int, default 0
        복제할 축. 입력에서 이 축의 길이는 1이어야 합니다.

    Raises
    ------
    ValueError
        `n < 1`일 때, 또는 입력의 `axis` 길이가 1이 아닐 때.

    Notes
    -----
    형상: 기본(`axis=0`)에서 입력 `x`는 `(1, D)`, 출력 `y`는 `(n, D)`이고, 역전파는
    `dout` `(n, D)`를 받아 `dx` `(1, D)`를 돌려줍니다. 다른 `axis`에서도 그 축의 길이만
    1에서 `n`으로 바뀝니다.

    순전파 $y_i = x$ ($i = 1, \dots, n$), 역전파는 복제된 축을 따라 더합니다(Sum 노드와 쌍대).

    $$\frac{\partial L}{\partial x} = \sum_{i=1}^{n} \frac{\partial L}{\partial y_i}$$

    Affine 계층에서 편향 $b$를 배치만큼 더할 때 일어나는 일이 바로 이 노드입니다.

    Examples
    --------
    >>> node = Repeat(3)
    >>> node.forward(np.array([[1.0, 2.0]])).shape
    (3, 2)
    >>> node.backward(np.ones((3, 2)))
    array([[3., 3.]])
    """

    def __init__(self, n: int, axis: int = 0) -> None:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"Repeat: n must be an integer >= 1, got {n!r}")
        super().__init__()
        self.n, self.axis = int(n), _axis("Repeat", axis)
        self.in_shape: tuple[int, ...] | None = None
        self.out_shape: tuple[int, ...] = ()
        self.dtype: np.dtype | None = None

    def forward(self, x: Any) -> np.ndarray:
        x = as_float_array(x, "Repeat")
        ax = _normalised_axis("Repeat", self.axis, x.ndim)
        if x.shape[ax] != 1:
            raise ValueError(
                f"Repeat.forward: x shape {x.shape} must have length 1 on axis {self.axis}"
            )
        out = np.repeat(x, self.n, axis=ax)
        self.in_shape, self.out_shape, self.dtype = x.shape, out.shape, x.dtype
        return out

    def backward(self, dout: Any) -> np.ndarray:
        dtype = self._cached(self.dtype)
        dout = check_dout("Repeat", dout, self.out_shape)
        return dout.sum(axis=self.axis, keepdims=True).astype(dtype, copy=False)


class Sum(Layer):
    r"""Sum 노드: 한 축을 따라 더해 길이 1로 줄입니다. `(N, D) → (1, D)` (1.3.4절).

    Repeat 노드와 쌍대입니다: 순전파가 Repeat의 역전파(축을 따른 합)이고, 역전파가
    Repeat의 순전파(복제)입니다.

    Parameters
    ----------
    axis : int, default 0
        더할 축. 음수도 됩니다(2차원 입력에서 `axis=-2`는 `axis=0`과 같습니다). 결과는 이
        축의 길이가 1로 남습니다(`keepdims=True`).

    Raises
    ------
    ValueError
        `axis`가 입력의 차원 밖일 때(순전파), `dout`의 형상이 출력과 다를 때(역전파).

    Notes
    -----
    형상: 기본(`axis=0`)에서 입력 `x`는 `(N, D)`, 출력 `y`는 `(1, D)`이고, 역전파는
    `dout` `(1, D)`를 받아 `dx` `(N, D)`를 돌려줍니다.

    순전파 $y = \sum_{n} x_n$, 역전파는 상류 기울기를 $N$번 복제합니다(Repeat 노드와 쌍대).

    $$\frac{\partial L}{\partial x_n} = \frac{\partial L}{\partial y}
    \quad (n = 1, \dots, N)$$

    돌려주는 `dx`는 `dout`과 메모리를 공유하지 않는 쓰기 가능한 새 배열입니다.

    Examples
    --------
    >>> node = Sum()
    >>> node.forward(np.ones((3, 2)))
    array([[3., 3.]])
    >>> node.backward(np.array([[1.0, 2.0]]))
    array([[1., 2.],
           [1., 2.],
           [1., 2.]])
    """

    def __init__(self, axis: int = 0) -> None:
        super().__init__()
        self.axis = _axis("Sum", axis)
        self.in_shape: tuple[int, ...] | None = None
        self.out_shape: tuple[int, ...] = ()
        self.dtype: np.dtype | None = None

    def forward(self, x: Any) -> np.ndarray:
        x = as_float_array(x, "Sum")
        ax = _normalised_axis("Sum", self.axis, x.ndim)
        out = x.sum(axis=ax, keepdims=True)
        self.in_shape, self.out_shape, self.dtype = x.shape, out.shape, x.dtype
        return out

    def backward(self, dout: Any) -> np.ndarray:
        in_shape = self._cached(self.in_shape)
        dout = check_dout("Sum", dout, self.out_shape)
        return np.broadcast_to(dout, in_shape).astype(self.dtype, copy=True)
