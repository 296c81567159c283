r"""5장의 순환 계층: RNN, TimeRNN (6장의 게이트가 있는 계층은 `refnn.layers.gated`).

셀(`RNN`)은 한 시각을, Time 계층(`TimeRNN`)은 `(N, T, D)` 시계열 전체를
처리합니다. Time 계층은 시각마다 셀 객체를 만들지 않습니다. 입력 쪽 곱 $x_t W_x$ 는 시각 사이에
의존이 없으므로 $T$개를 `(N·T, D)` 행렬 곱 **한 번**으로 구하고, 역전파의 $dW_x$, $dW_h$, $dx$도
모든 시각을 모아 한 번에 곱합니다. 시각을 따라 도는 것은 은닉 상태의 순환뿐입니다.

`stateful=True`이면 마지막 은닉 상태를 다음 `forward`의 초기 상태로 이어 받습니다(절단된 BPTT).
역전파 뒤 `dh`(`TimeLSTM`은 `dc`도)는 초기 상태에 대한 기울기입니다.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from refnn._validation import as_float_array, check_dout
from refnn.layers.base import Layer, as_param

__all__ = ["RNN", "TimeRNN"]


def _weights(name: str, Wx: Any, Wh: Any, b: Any, gates: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Wx (D, gH), Wh (H, gH), b (gH,) for a cell with g packed gate blocks."""
    Wx, Wh, b = as_param(Wx, name, "Wx"), as_param(Wh, name, "Wh"), as_param(b, name, "b")
    H = Wh.shape[0] if Wh.ndim == 2 else -1
    want = gates * H
    if Wx.ndim != 2 or Wh.shape != (H, want) or Wx.shape[1] != want or b.shape != (want,):
        raise ValueError(f"{name}: Wx {Wx.shape}, Wh {Wh.shape} and b {b.shape} do not fit together "
                         f"(expected (D, {gates}H), (H, {gates}H), ({gates}H,))")
    return Wx, Wh, b


def _step_input(name: str, x: Any, h_prev: Any, D: int, H: int) -> tuple[np.ndarray, np.ndarray]:
    x, h_prev = as_float_array(x, name), as_float_array(h_prev, name)
    if x.ndim != 2 or x.shape[1] != D or h_prev.shape != (x.shape[0], H):
        raise ValueError(f"{name}.forward: x shape {x.shape} and h_prev shape {h_prev.shape} "
                         f"do not fit (expected (N, {D}) and (N, {H}))")
    return x, h_prev


def _sequence(name: str, xs: Any, D: int) -> np.ndarray:
    xs = as_float_array(xs, name)
    if xs.ndim != 3 or xs.shape[2] != D:
        raise ValueError(f"{name}.forward: xs must have shape (N, T, {D}), got {xs.shape}")
    return xs


def _state(name: str, h: Any, N: int, H: int, dtype: Any, what: str = "h") -> np.ndarray:
    h = np.asarray(h)
    if h.shape != (N, H):
        raise ValueError(f"{name}.forward: state {what} has shape {h.shape}, expected ({N}, {H})")
    return h.astype(dtype, copy=False)


class RNN(Layer):
    r"""한 시각의 RNN 셀 $h_t = \tanh(h_{t-1} W_h + x_t W_x + b)$ (5.3.1절).

    Parameters
    ----------
    Wx : numpy.ndarray
        입력 가중치 `(D, H)`.
    Wh : numpy.ndarray
        은닉 상태 가중치 `(H, H)`.
    b : numpy.ndarray
        편향 `(H,)`.

    Attributes
    ----------
    params, grads : list of numpy.ndarray
        `[Wx, Wh, b]`, `[dWx, dWh, db]`.
    cache : tuple or None
        역전파에 쓰는 `(x, h_prev, h_next)`.

    Raises
    ------
    ValueError
        가중치의 형상이 서로 맞지 않거나, `x`·`h_prev`·`dh_next`의 형상이 맞지 않을 때.

    Notes
    -----
    형상: `x: (N, D)`, `h_prev: (N, H)` → `h_next: (N, H)`; 역전파 `dh_next: (N, H)` →
    `(dx: (N, D), dh_prev: (N, H))`.

    $a = h_{t-1} W_h + x_t W_x + b$, $h_t = \tanh a$ 이고 $\tanh' a = 1 - h_t^2$ 이므로

    $$\delta = \frac{\partial L}{\partial h_t} \odot (1 - h_t^2), \quad
    \frac{\partial L}{\partial x_t} = \delta W_x^\top, \quad
    \frac{\partial L}{\partial h_{t-1}} = \delta W_h^\top, \quad
    \frac{\partial L}{\partial W_x} = x_t^\top \delta, \quad
    \frac{\partial L}{\partial W_h} = h_{t-1}^\top \delta, \quad
    \frac{\partial L}{\partial b} = \textstyle\sum_n \delta_n$$

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 5.3.1절 (RNN 계층 구현).

    Examples
    --------
    >>> cell = RNN(np.eye(2), np.zeros((2, 2)), np.zeros(2))
    >>> cell.forward(np.array([[0.0, 1.0]]), np.zeros((1, 2))).round(4)
    array([[0.    , 0.7616]])
    """

    def __init__(self, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray) -> None:
        super().__init__(*_weights("RNN", Wx, Wh, b, 1))
        self.cache: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def forward(self, x: Any, h_prev: Any) -> np.ndarray:
        Wx, Wh, b = self.params
        x, h_prev = _step_input("RNN", x, h_prev, Wx.shape[0], Wh.shape[0])
        h_next = np.tanh(np.dot(h_prev, Wh) + np.dot(x, Wx) + b)
        self.cache = (x, h_prev, h_next)
        return h_next

    def backward(self, dh_next: Any) -> tuple[np.ndarray, np.ndarray]:
        x, h_prev, h_next = self._cached(self.cache)
        Wx, Wh, _ = self.params
        dh_next = check_dout("RNN", dh_next, h_next.shape)
        delta = dh_next * (1 - h_next ** 2)
        self.grads[0][...] = np.dot(x.T, delta)
        self.grads[1][...] = np.dot(h_prev.T, delta)
        self.grads[2][...] = delta.sum(axis=0)
        dx = np.dot(delta, Wx.T)
        dh_prev = np.dot(delta, Wh.T)
        return dx.astype(x.dtype, copy=False), dh_prev.astype(x.dtype, copy=False)


class _TimeRecurrent(Layer):
    """What the Time recurrent layers share: the stateful protocol, the argument checks, the products
    over all N·T rows."""

    def __init__(self, name: str, gates: int, Wx: Any, Wh: Any, b: Any, stateful: bool) -> None:
        super().__init__(*_weights(name, Wx, Wh, b, gates))
        self.stateful = bool(stateful)
        self.h: np.ndarray | None = None
        self.dh: np.ndarray | None = None

    def set_state(self, h: Any) -> None:
        """다음 `forward`의 초기 은닉 상태 `(N, H)`를 정합니다(`stateful=True`일 때 쓰입니다)."""
        self.h = np.asarray(h)

    def reset_state(self) -> None:
        """은닉 상태를 지웁니다: 다음 `forward`는 영벡터에서 시작합니다."""
        self.h = None

    def _start(self, xs: Any, peek: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """Checked xs (D = Wx's rows less the `peek` rows) and the initial hidden state (zeros unless
        stateful with a state)."""
        Wx, Wh, _ = self.params
        name = type(self).__name__
        xs = _sequence(name, xs, Wx.shape[0] - peek)
        N, H = xs.shape[0], Wh.shape[0]
        if not self.stateful or self.h is None:
            return xs, np.zeros((N, H), dtype=xs.dtype)
        return xs, _state(name, self.h, N, H, xs.dtype)

    def _input_products(self, xs: np.ndarray, peek: np.ndarray | None = None) -> np.ndarray:
        """x_t Wx + b for every step at once, time-major: (T, N, gH), so that step t is one contiguous block.

        With `peek` (N, P), the input of every step is [peek, x_t] and Wx's first P rows belong to peek:
        its product peek Wx[:P] is the same at every step, so it is computed once and broadcast over t.
        """
        Wx, _, b = self.params
        N, T, D = xs.shape
        P = 0 if peek is None else peek.shape[1]
        xw = np.dot(xs.transpose(1, 0, 2).reshape(T * N, D), Wx[P:]).reshape(T, N, -1)
        xw += b if peek is None else np.dot(peek, Wx[:P]) + b  # [peek, x_t] Wx + b = x_t Wx[P:] + (peek Wx[:P] + b)
        return xw

    def _weight_grads(self, xs: np.ndarray, h_prevs: np.ndarray, deltas: np.ndarray, peek: int = 0) -> np.ndarray:
        """dWh = Σ_t h_{t-1}ᵀ δ_t in one product, then `_input_grads` (all three in the same layout)."""
        A, B, _ = xs.shape
        d2 = deltas.reshape(A * B, -1)
        self.grads[1][...] = np.dot(h_prevs.reshape(A * B, -1).T, d2)
        return self._input_grads(xs, deltas, peek)

    def _input_grads(self, xs: np.ndarray, deltas: np.ndarray, peek: int = 0) -> np.ndarray:
        """dWx = Σ_t x_tᵀ δ_t, db = Σ δ and dxs = δ Wxᵀ, each one product over the N·T rows.

        `xs` and `deltas` are both (N, T, ·) or both time-major (T, N, ·); dxs comes back in the same layout.
        With `peek` = P, xs feeds Wx's rows P: only (the first P rows belong to a peek input; the caller
        fills their gradient).
        """
        Wx, _, _ = self.params
        A, B, D = xs.shape
        d2 = deltas.reshape(A * B, -1)
        self.grads[0][peek:] = np.dot(xs.reshape(A * B, D).T, d2)
        self.grads[2][...] = d2.sum(axis=0)
        return np.dot(d2, Wx[peek:].T).reshape(A, B, D).astype(xs.dtype, copy=False)


class TimeRNN(_TimeRecurrent):
    r"""$T$개의 RNN 셀을 이은 계층: `(N, T, D)` 입력 → `(N, T, H)` 은닉 상태 (5.3.2절).

    Parameters
    ----------
    Wx, Wh, b : numpy.ndarray
        `RNN`과 같은 `(D, H)`, `(H, H)`, `(H,)`. 모든 시각이 공유합니다.
    stateful : bool, default False
        `True`이면 마지막 은닉 상태를 다음 `forward`의 초기 상태로 씁니다.

    Attributes
    ----------
    params, grads : list of numpy.ndarray
        `[Wx, Wh, b]`, `[dWx, dWh, db]` (모든 시각의 기울기의 합).
    h : numpy.ndarray or None
        마지막 시각의 은닉 상태 `(N, H)`.
    dh : numpy.ndarray or None
        역전파 뒤, 초기 은닉 상태에 대한 기울기 `(N, H)`.

    Raises
    ------
    ValueError
        `xs`가 `(N, T, D)`가 아니거나, 이어 받은 상태의 형상이 `(N, H)`가 아닐 때, `dhs`의 형상이
        출력과 다를 때.

    Notes
    -----
    형상: `xs: (N, T, D)` → `hs: (N, T, H)`; 역전파 `dhs: (N, T, H)` → `dxs: (N, T, D)`.

    순전파 $h_t = \tanh(h_{t-1} W_h + x_t W_x + b)$, $h_0$는 영벡터(또는 이어 받은 상태).
    역전파(BPTT)는 시각을 거꾸로 돌며 위쪽 기울기와 다음 시각에서 온 기울기를 더합니다:

    $$g_t = \frac{\partial L}{\partial h_t}\Big|_{\text{위}} + \frac{\partial L}{\partial h_t}\Big|_{t+1}, \quad
    \delta_t = g_t \odot (1 - h_t^2), \quad
    \frac{\partial L}{\partial h_{t-1}}\Big|_{t} = \delta_t W_h^\top$$

    $$\frac{\partial L}{\partial W_x} = \sum_t x_t^\top \delta_t, \quad
    \frac{\partial L}{\partial W_h} = \sum_t h_{t-1}^\top \delta_t, \quad
    \frac{\partial L}{\partial b} = \sum_{t,n} \delta_{t,n}, \quad
    \frac{\partial L}{\partial x_t} = \delta_t W_x^\top$$

    합은 시각을 `(N·T)` 행으로 펼친 행렬 곱 한 번씩으로 계산합니다.

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 5.3.2절 (Time RNN 계층 구현).

    Examples
    --------
    >>> layer = TimeRNN(np.eye(2), np.eye(2), np.zeros(2), stateful=True)
    >>> layer.forward(np.ones((1, 3, 2))).shape
    (1, 3, 2)
    >>> layer.h.round(3)  # 다음 forward가 이어 받을 상태
    array([[0.96, 0.96]])
    """

    def __init__(self, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray, stateful: bool = False) -> None:
        super().__init__("TimeRNN", 1, Wx, Wh, b, stateful)
        self.cache: tuple[np.ndarray, np.ndarray] | None = None

    def forward(self, xs: Any) -> np.ndarray:
        _, Wh, _ = self.params
        xs, h = self._start(xs)
        N, T, _ = xs.shape
        xw = self._input_products(xs)
        hs = np.empty((N, T + 1, Wh.shape[0]), dtype=xs.dtype)  # hs[:, 0] = h_0, hs[:, t + 1] = h_t
        hs[:, 0] = h
        for t in range(T):
            h = np.tanh(np.dot(h, Wh) + xw[t])
            hs[:, t + 1] = h
        self.h = h
        self.cache = (xs, hs)
        return hs[:, 1:]

    def backward(self, dhs: Any) -> np.ndarray:
        xs, hs = self._cached(self.cache)
        _, Wh, _ = self.params
        N, T, _ = xs.shape
        dhs = check_dout("TimeRNN", dhs, (N, T, Wh.shape[0])).astype(xs.dtype, copy=False)
        deltas = np.empty_like(dhs)
        dh = np.zeros_like(hs[:, 0])
        for t in reversed(range(T)):
            delta = (dhs[:, t] + dh) * (1 - hs[:, t + 1] ** 2)
            deltas[:, t] = delta
            dh = np.dot(delta, Wh.T)
        self.dh = dh
        return self._weight_grads(xs, hs[:, :T], deltas)
