r"""5–6장의 순환 계층: RNN, TimeRNN, LSTM, TimeLSTM.

셀(`RNN`, `LSTM`)은 한 시각을, Time 계층(`TimeRNN`, `TimeLSTM`)은 `(N, T, D)` 시계열 전체를
처리합니다. Time 계층은 시각마다 셀 객체를 만들지 않습니다. 입력 쪽 곱 $x_t W_x$ 는 시각 사이에
의존이 없으므로 $T$개를 `(N·T, D)` 행렬 곱 **한 번**으로 구하고, 역전파의 $dW_x$, $dW_h$, $dx$도
모든 시각을 모아 한 번에 곱합니다. 시각을 따라 도는 것은 은닉 상태의 순환뿐입니다.

`stateful=True`이면 마지막 은닉 상태를 다음 `forward`의 초기 상태로 이어 받습니다(절단된 BPTT).
역전파 뒤 `dh`(LSTM은 `dc`도)는 초기 상태에 대한 기울기입니다.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from refnn._validation import as_float_array, check_dout
from refnn.functions import sigmoid
from refnn.layers.base import Layer, as_param

__all__ = ["RNN", "TimeRNN", "LSTM", "TimeLSTM"]


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
    """What TimeRNN and TimeLSTM share: the stateful protocol and the argument checks."""

    def __init__(self, name: str, gates: int, Wx: Any, Wh: Any, b: Any, stateful: bool) -> None:
        super().__init__(*_weights(name, Wx, Wh, b, gates))
        self.stateful = bool(stateful)
        self.h: np.ndarray | None = None
        self.dh: np.ndarray | None = None

    def reset_state(self) -> None:
        """은닉 상태를 지웁니다: 다음 `forward`는 영벡터에서 시작합니다."""
        self.h = None

    def _start(self, xs: Any) -> tuple[np.ndarray, np.ndarray]:
        """Checked xs and the initial hidden state (zeros unless stateful with a state)."""
        Wx, Wh, _ = self.params
        name = type(self).__name__
        xs = _sequence(name, xs, Wx.shape[0])
        N, H = xs.shape[0], Wh.shape[0]
        if not self.stateful or self.h is None:
            return xs, np.zeros((N, H), dtype=xs.dtype)
        return xs, _state(name, self.h, N, H, xs.dtype)

    def _input_products(self, xs: np.ndarray) -> np.ndarray:
        """x_t Wx + b for every step at once: (N, T, gH)."""
        Wx, _, b = self.params
        N, T, D = xs.shape
        xw = np.dot(xs.reshape(N * T, D), Wx)
        xw += b
        return xw.reshape(N, T, -1)

    def _weight_grads(self, xs: np.ndarray, h_prevs: np.ndarray, deltas: np.ndarray) -> np.ndarray:
        """dWx = Σ_t x_tᵀ δ_t, dWh = Σ_t h_{t-1}ᵀ δ_t, db = Σ δ and dxs = δ Wxᵀ, each one product."""
        Wx, _, _ = self.params
        N, T, D = xs.shape
        d2 = deltas.reshape(N * T, -1)
        self.grads[0][...] = np.dot(xs.reshape(N * T, D).T, d2)
        self.grads[1][...] = np.dot(h_prevs.reshape(N * T, -1).T, d2)
        self.grads[2][...] = d2.sum(axis=0)
        return np.dot(d2, Wx.T).reshape(N, T, D).astype(xs.dtype, copy=False)


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

    def set_state(self, h: Any) -> None:
        """다음 `forward`의 초기 은닉 상태 `(N, H)`를 정합니다(`stateful=True`일 때 쓰입니다)."""
        self.h = np.asarray(h)

    def forward(self, xs: Any) -> np.ndarray:
        _, Wh, _ = self.params
        xs, h = self._start(xs)
        N, T, _ = xs.shape
        xw = self._input_products(xs)
        hs = np.empty((N, T + 1, Wh.shape[0]), dtype=xs.dtype)  # hs[:, 0] = h_0, hs[:, t + 1] = h_t
        hs[:, 0] = h
        for t in range(T):
            h = np.tanh(np.dot(h, Wh) + xw[:, t])
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


class LSTM(Layer):
    r"""한 시각의 LSTM 셀 (6.3절). 네 게이트의 가중치를 `(·, 4H)`에 **f, g, i, o** 순서로 묶습니다.

    Parameters
    ----------
    Wx : numpy.ndarray
        입력 가중치 `(D, 4H)`.
    Wh : numpy.ndarray
        은닉 상태 가중치 `(H, 4H)`.
    b : numpy.ndarray
        편향 `(4H,)`.

    Attributes
    ----------
    params, grads : list of numpy.ndarray
        `[Wx, Wh, b]`, `[dWx, dWh, db]`.
    cache : tuple or None
        역전파에 쓰는 `(x, h_prev, c_prev, f, g, i, o, tanh(c_next))`.

    Raises
    ------
    ValueError
        가중치의 형상이 맞지 않거나, 입력·상태·`dh`·`dc`의 형상이 맞지 않을 때.

    Notes
    -----
    형상: `x: (N, D)`, `h_prev, c_prev: (N, H)` → `(h_next, c_next)` 각각 `(N, H)`;
    역전파 `dh, dc: (N, H)` → `(dx: (N, D), dh_prev: (N, H), dc_prev: (N, H))`.

    $A = x W_x + h_{t-1} W_h + b$ 를 네 토막 $[A_f, A_g, A_i, A_o]$ 로 나누어

    $$f = \sigma(A_f),\; g = \tanh A_g,\; i = \sigma(A_i),\; o = \sigma(A_o), \qquad
    c_t = f \odot c_{t-1} + g \odot i, \qquad h_t = o \odot \tanh c_t$$

    역전파($dh$, $dc$는 위와 다음 시각에서 온 기울기)

    $$ds = dc + dh \odot o \odot (1 - \tanh^2 c_t), \qquad dc_{t-1} = ds \odot f$$

    $$dA_f = ds \odot c_{t-1} \odot f(1-f),\; dA_g = ds \odot i \odot (1 - g^2),\;
    dA_i = ds \odot g \odot i(1-i),\; dA_o = dh \odot \tanh c_t \odot o(1-o)$$

    $$dx = dA\, W_x^\top,\; dh_{t-1} = dA\, W_h^\top,\; dW_x = x^\top dA,\; dW_h = h_{t-1}^\top dA,\;
    db = \textstyle\sum_n dA_n$$

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 6.3절 (LSTM 구현).

    Examples
    --------
    >>> cell = LSTM(np.zeros((2, 4)), np.zeros((1, 4)), np.zeros(4))
    >>> h, c = cell.forward(np.ones((1, 2)), np.zeros((1, 1)), np.ones((1, 1)))
    >>> float(c[0, 0]), round(float(h[0, 0]), 4)  # f = i = o = 0.5, g = 0
    (0.5, 0.2311)
    """

    def __init__(self, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray) -> None:
        super().__init__(*_weights("LSTM", Wx, Wh, b, 4))
        self.cache: tuple[np.ndarray, ...] | None = None

    def forward(self, x: Any, h_prev: Any, c_prev: Any) -> tuple[np.ndarray, np.ndarray]:
        Wx, Wh, b = self.params
        H = Wh.shape[0]
        x, h_prev = _step_input("LSTM", x, h_prev, Wx.shape[0], H)
        c_prev = _state("LSTM", c_prev, x.shape[0], H, x.dtype, "c_prev")
        A = np.dot(x, Wx) + np.dot(h_prev, Wh) + b
        f, g, i, o = _gates(A, H)
        c_next = f * c_prev + g * i
        tanh_c = np.tanh(c_next)
        h_next = o * tanh_c
        self.cache = (x, h_prev, c_prev, f, g, i, o, tanh_c)
        return h_next, c_next

    def backward(self, dh: Any, dc: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        x, h_prev, c_prev, f, g, i, o, tanh_c = self._cached(self.cache)
        Wx, Wh, _ = self.params
        dh = check_dout("LSTM", dh, h_prev.shape)
        dc = check_dout("LSTM", dc, h_prev.shape)
        dA, dc_prev = _lstm_delta(dh, dc, c_prev, f, g, i, o, tanh_c)
        self.grads[0][...] = np.dot(x.T, dA)
        self.grads[1][...] = np.dot(h_prev.T, dA)
        self.grads[2][...] = dA.sum(axis=0)
        dx = np.dot(dA, Wx.T)
        dh_prev = np.dot(dA, Wh.T)
        dtype = x.dtype
        return dx.astype(dtype, copy=False), dh_prev.astype(dtype, copy=False), dc_prev.astype(dtype, copy=False)


def _gates(A: np.ndarray, H: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """f, g, i, o from the packed pre-activations A = [A_f, A_g, A_i, A_o]."""
    return sigmoid(A[:, :H]), np.tanh(A[:, H:2 * H]), sigmoid(A[:, 2 * H:3 * H]), sigmoid(A[:, 3 * H:])


def _lstm_delta(dh: np.ndarray, dc: np.ndarray, c_prev: np.ndarray, f: np.ndarray, g: np.ndarray,
                i: np.ndarray, o: np.ndarray, tanh_c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """dA = [dA_f, dA_g, dA_i, dA_o] and dc_prev of one LSTM step (the formulas of LSTM's Notes)."""
    ds = dc + dh * o * (1 - tanh_c ** 2)
    dA = np.concatenate([
        ds * c_prev * f * (1 - f),
        ds * i * (1 - g ** 2),
        ds * g * i * (1 - i),
        dh * tanh_c * o * (1 - o),
    ], axis=1)
    return dA, ds * f


class TimeLSTM(_TimeRecurrent):
    r"""$T$개의 LSTM 셀을 이은 계층: `(N, T, D)` 입력 → `(N, T, H)` 은닉 상태 (6.3.1절).

    Parameters
    ----------
    Wx, Wh, b : numpy.ndarray
        `LSTM`과 같은 `(D, 4H)`, `(H, 4H)`, `(4H,)` (게이트 순서 f, g, i, o). 모든 시각이 공유합니다.
    stateful : bool, default False
        `True`이면 마지막 은닉 상태와 기억 셀을 다음 `forward`의 초기 상태로 씁니다.

    Attributes
    ----------
    params, grads : list of numpy.ndarray
        `[Wx, Wh, b]`, `[dWx, dWh, db]`.
    h, c : numpy.ndarray or None
        마지막 시각의 은닉 상태와 기억 셀 `(N, H)`.
    dh, dc : numpy.ndarray or None
        역전파 뒤, 초기 은닉 상태와 초기 기억 셀에 대한 기울기 `(N, H)` (책은 `dh`만 둡니다).

    Raises
    ------
    ValueError
        `xs`가 `(N, T, D)`가 아니거나, 상태의 형상이 `(N, H)`가 아닐 때, `dhs`의 형상이 출력과 다를 때.

    Notes
    -----
    형상: `xs: (N, T, D)` → `hs: (N, T, H)`; 역전파 `dhs: (N, T, H)` → `dxs: (N, T, D)`.

    시각마다 `LSTM`의 식을 그대로 씁니다(셀의 Notes). 순전파는 $x_t W_x + b$ 를 모든 시각에 대해
    한 번에 구하고 시각마다 $h_{t-1} W_h$ 만 더합니다. 역전파는 시각을 거꾸로 돌며
    $dh_{t-1} = dA_t W_h^\top$ 와 $dc_{t-1} = ds_t \odot f_t$ 를 넘기고, 모든 시각의 $dA_t$를 모아

    $$dW_x = \sum_t x_t^\top dA_t,\quad dW_h = \sum_t h_{t-1}^\top dA_t,\quad
    db = \sum_{t,n} dA_{t,n},\quad dx_t = dA_t W_x^\top$$

    를 행렬 곱 한 번씩으로 계산합니다. 기억 셀의 기울기는 위쪽으로 나가지 않으므로 마지막 시각의
    $dc$는 0에서 시작합니다.

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 6.3.1절 (Time LSTM 구현).

    Examples
    --------
    >>> layer = TimeLSTM(np.zeros((2, 4)), np.zeros((1, 4)), np.zeros(4), stateful=True)
    >>> layer.forward(np.ones((3, 5, 2))).shape
    (3, 5, 1)
    >>> layer.c.shape
    (3, 1)
    """

    def __init__(self, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray, stateful: bool = False) -> None:
        super().__init__("TimeLSTM", 4, Wx, Wh, b, stateful)
        self.c: np.ndarray | None = None
        self.dc: np.ndarray | None = None
        self.cache: tuple[np.ndarray, ...] | None = None

    def set_state(self, h: Any, c: Any = None) -> None:
        """다음 `forward`의 초기 은닉 상태와 기억 셀 `(N, H)`를 정합니다(`c`가 없으면 영벡터)."""
        self.h = np.asarray(h)
        self.c = None if c is None else np.asarray(c)

    def reset_state(self) -> None:
        """은닉 상태와 기억 셀을 지웁니다."""
        self.h, self.c = None, None

    def forward(self, xs: Any) -> np.ndarray:
        _, Wh, _ = self.params
        H = Wh.shape[0]
        xs, h = self._start(xs)
        N, T, _ = xs.shape
        if self.stateful and self.h is not None and self.c is not None:
            c = _state("TimeLSTM", self.c, N, H, xs.dtype, "c")
        else:
            c = np.zeros((N, H), dtype=xs.dtype)
        xw = self._input_products(xs)
        hs = np.empty((N, T + 1, H), dtype=xs.dtype)  # hs[:, 0] = h_0, hs[:, t + 1] = h_t
        cs = np.empty((N, T + 1, H), dtype=xs.dtype)
        gates = np.empty((N, T, 4 * H), dtype=xs.dtype)  # f, g, i, o of every step
        tanh_cs = np.empty((N, T, H), dtype=xs.dtype)
        hs[:, 0], cs[:, 0] = h, c
        for t in range(T):
            A = xw[:, t] + np.dot(h, Wh)
            f, g, i, o = _gates(A, H)
            c = f * c + g * i
            tanh_c = np.tanh(c)
            h = o * tanh_c
            gates[:, t, :H], gates[:, t, H:2 * H], gates[:, t, 2 * H:3 * H], gates[:, t, 3 * H:] = f, g, i, o
            hs[:, t + 1], cs[:, t + 1], tanh_cs[:, t] = h, c, tanh_c
        self.h, self.c = h, c
        self.cache = (xs, hs, cs, gates, tanh_cs)
        return hs[:, 1:]

    def backward(self, dhs: Any) -> np.ndarray:
        xs, hs, cs, gates, tanh_cs = self._cached(self.cache)
        _, Wh, _ = self.params
        N, T, _ = xs.shape
        H = Wh.shape[0]
        dhs = check_dout("TimeLSTM", dhs, (N, T, H)).astype(xs.dtype, copy=False)
        dAs = np.empty_like(gates)
        dh = np.zeros((N, H), dtype=xs.dtype)
        dc = np.zeros_like(dh)
        for t in reversed(range(T)):
            gt = gates[:, t]
            f, g, i, o = gt[:, :H], gt[:, H:2 * H], gt[:, 2 * H:3 * H], gt[:, 3 * H:]
            dA, dc = _lstm_delta(dhs[:, t] + dh, dc, cs[:, t], f, g, i, o, tanh_cs[:, t])
            dAs[:, t] = dA
            dh = np.dot(dA, Wh.T)
        self.dh, self.dc = dh, dc
        return self._weight_grads(xs, hs[:, :T], dAs)
