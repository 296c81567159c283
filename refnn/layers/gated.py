r"""6장의 게이트가 있는 순환 계층: LSTM, TimeLSTM, GRU, TimeGRU, TimeBiLSTM.

`refnn.layers.recurrent`의 `TimeRNN`과 같은 방식입니다. 입력 쪽 곱 $x_t W_x + b$ 는 모든 시각에 대해
`(N·T, D)` 행렬 곱 한 번으로 구하고, 시각을 따라 도는 것은 은닉 상태의 순환뿐이며, 역전파의
$dW_x$, $dW_h$, $dx$도 모든 시각을 모아 한 번에 곱합니다. 게이트의 가중치는 `(·, kH)` 하나에 묶습니다
(LSTM은 f, g, i, o, GRU는 z, r, h̃ 순서).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from refnn._validation import as_float_array, check_dout
from refnn.functions import sigmoid
from refnn.layers.base import Layer
from refnn.layers.recurrent import _state, _step_input, _TimeRecurrent, _weights

__all__ = ["LSTM", "TimeLSTM", "GRU", "TimeGRU", "TimeBiLSTM"]


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
        f, g, i, o = _activate(A, H)
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


def _split(A: np.ndarray, H: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The four H-wide blocks of a packed (N, 4H) array, in the order f, g, i, o (views)."""
    return A[:, :H], A[:, H:2 * H], A[:, 2 * H:3 * H], A[:, 3 * H:]


def _activate(A: np.ndarray, H: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """f, g, i, o = σ(A_f), tanh(A_g), σ(A_i), σ(A_o), written over the pre-activations A in place (views of A)."""
    A[:, :H] = sigmoid(A[:, :H])
    A[:, H:2 * H] = np.tanh(A[:, H:2 * H])
    A[:, 2 * H:] = sigmoid(A[:, 2 * H:])  # i and o side by side
    return _split(A, H)


def _lstm_delta(dh: np.ndarray, dc: np.ndarray, c_prev: np.ndarray, f: np.ndarray, g: np.ndarray,
                i: np.ndarray, o: np.ndarray, tanh_c: np.ndarray,
                out: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """dA = [dA_f, dA_g, dA_i, dA_o] (written into `out` when given) and dc_prev of one LSTM step
    (the formulas of LSTM's Notes)."""
    ds = dc + dh * o * (1 - tanh_c ** 2)
    dA = np.empty((ds.shape[0], 4 * ds.shape[1]), dtype=ds.dtype) if out is None else out
    dA_f, dA_g, dA_i, dA_o = _split(dA, ds.shape[1])
    dA_f[...] = ds * c_prev * f * (1 - f)
    dA_g[...] = ds * i * (1 - g ** 2)
    dA_i[...] = ds * g * i * (1 - i)
    dA_o[...] = dh * tanh_c * o * (1 - o)
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
    dpeek : numpy.ndarray or None
        `forward(xs, peek)`로 부른 뒤의 역전파에서, `peek`에 대한 기울기 `(N, P)` (모든 시각의 합).

    Raises
    ------
    ValueError
        `xs`가 `(N, T, D)`가 아니거나, 상태의 형상이 `(N, H)`가 아닐 때, `dhs`의 형상이 출력과 다를 때,
        `peek`의 형상이 `(N, P)`가 아닐 때.

    Notes
    -----
    형상: `xs: (N, T, D)` → `hs: (N, T, H)`; 역전파 `dhs: (N, T, H)` → `dxs: (N, T, D)`.

    시각마다 `LSTM`의 식을 그대로 씁니다(셀의 Notes). 순전파는 $x_t W_x + b$ 를 모든 시각에 대해
    한 번에 구하고 시각마다 $h_{t-1} W_h$ 만 더합니다. 역전파는 시각을 거꾸로 돌며
    $dh_{t-1} = dA_t W_h^\top$ 와 $dc_{t-1} = ds_t \odot f_t$ 를 넘기고, 모든 시각의 $dA_t$를 모아

    $$dW_x = \sum_t x_t^\top dA_t,\quad dW_h = \sum_t h_{t-1}^\top dA_t,\quad
    db = \sum_{t,n} dA_{t,n},\quad dx_t = dA_t W_x^\top$$

    를 행렬 곱 한 번씩으로 계산합니다. 기억 셀의 기울기는 위쪽으로 나가지 않으므로 마지막 시각의
    $dc$는 0에서 시작합니다. 안에서는 시각이 앞인 `(T, N, ·)` 배열을 써서 시각 $t$의 블록이 메모리에서
    이어지게 하고, 시각 $t$의 게이트는 같은 자리에서 $A_t$를 덮어써 만듭니다.

    **엿보기 입력** `forward(xs, peek)` (7.4.2절의 Peeky Decoder): 모든 시각의 입력이 같은 벡터
    `peek: (N, P)`를 앞에 붙인 $\tilde x_t = [p, x_t]$ 이고 $W_x$ 는 `(P + D, 4H)`, 그 앞쪽 $P$행
    $W_x^{p}$ 가 $p$의 몫입니다. $p W_x^{p}$ 는 모든 시각에 같으므로 한 번만 곱해 더하고, 역전파도
    시각의 합을 먼저 구해 곱합니다:

    $$\tilde x_t W_x = p\,W_x^{p} + x_t W_x^{x}, \qquad
    dW_x^{p} = p^\top \textstyle\sum_t dA_t, \qquad
    \text{dpeek} = \big(\textstyle\sum_t dA_t\big) W_x^{p\top}$$

    결과는 $[p, x_t]$를 이어 붙여 `forward`에 넣은 것과 같습니다(`dxs`는 $x_t$ 부분, $p$의 기울기는
    `dpeek`).

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
        self.dpeek: np.ndarray | None = None
        self.cache: tuple[np.ndarray, ...] | None = None

    def set_state(self, h: Any, c: Any = None) -> None:
        """다음 `forward`의 초기 은닉 상태와 기억 셀 `(N, H)`를 정합니다(`c`가 없으면 영벡터)."""
        self.h = np.asarray(h)
        self.c = None if c is None else np.asarray(c)

    def reset_state(self) -> None:
        """은닉 상태와 기억 셀을 지웁니다."""
        self.h, self.c = None, None

    def forward(self, xs: Any, peek: Any = None) -> np.ndarray:
        _, Wh, _ = self.params
        H = Wh.shape[0]
        if peek is not None:
            peek = as_float_array(peek, "TimeLSTM")
        P = 0 if peek is None else peek.shape[-1]
        xs, h = self._start(xs, P)
        N, T, _ = xs.shape
        if peek is not None and peek.shape != (N, P):
            raise ValueError(f"TimeLSTM.forward: peek must have shape (N, P) = ({N}, {P}), got {peek.shape}")
        if self.stateful and self.h is not None and self.c is not None:
            c = _state("TimeLSTM", self.c, N, H, xs.dtype, "c")
        else:
            c = np.zeros((N, H), dtype=xs.dtype)
        # Time-major (T, N, ·): step t is one contiguous block. gates[t] first holds A_t and then,
        # in place, f, g, i, o of step t.
        gates = self._input_products(xs, peek)  # x_t Wx + b for every t
        hs = np.empty((T + 1, N, H), dtype=xs.dtype)  # hs[0] = h_0, hs[t + 1] = h_t
        cs = np.empty((T + 1, N, H), dtype=xs.dtype)
        tanh_cs = np.empty((T, N, H), dtype=xs.dtype)
        hs[0], cs[0] = h, c
        for t in range(T):
            A = gates[t]
            A += np.dot(hs[t], Wh)  # A = x_t Wx + h_{t-1} Wh + b
            f, g, i, o = _activate(A, H)
            cs[t + 1] = f * cs[t] + g * i
            tanh_cs[t] = np.tanh(cs[t + 1])
            hs[t + 1] = o * tanh_cs[t]
        self.h, self.c = hs[T], cs[T]
        self.cache = (xs, peek, hs, cs, gates, tanh_cs)
        return hs[1:].transpose(1, 0, 2)

    def backward(self, dhs: Any) -> np.ndarray:
        xs, peek, hs, cs, gates, tanh_cs = self._cached(self.cache)
        Wx, Wh, _ = self.params
        T, N, H = tanh_cs.shape
        dhs = check_dout("TimeLSTM", dhs, (N, T, H)).astype(xs.dtype, copy=False)
        dAs = np.empty_like(gates)  # time-major like gates
        dh = np.zeros((N, H), dtype=xs.dtype)
        dc = np.zeros_like(dh)
        for t in reversed(range(T)):
            _, dc = _lstm_delta(dhs[:, t] + dh, dc, cs[t], *_split(gates[t], H), tanh_cs[t], out=dAs[t])
            dh = np.dot(dAs[t], Wh.T)
        self.dh, self.dc = dh, dc
        if peek is None:
            self.dpeek = None
            return self._weight_grads(xs.transpose(1, 0, 2), hs[:T], dAs).transpose(1, 0, 2)
        P = peek.shape[1]
        dA_sum = dAs.sum(axis=0)  # Σ_t dA_t: peek is the same input at every step
        self.grads[0][:P] = np.dot(peek.T, dA_sum)
        self.dpeek = np.dot(dA_sum, Wx[:P].T).astype(xs.dtype, copy=False)
        return self._weight_grads(xs.transpose(1, 0, 2), hs[:T], dAs, P).transpose(1, 0, 2)


class GRU(Layer):
    r"""한 시각의 GRU 셀 (부록 C). 가중치를 `(·, 3H)`에 **z, r, h̃** 순서로 묶고 편향을 둡니다.

    Parameters
    ----------
    Wx : numpy.ndarray
        입력 가중치 `(D, 3H)`.
    Wh : numpy.ndarray
        은닉 상태 가중치 `(H, 3H)`.
    b : numpy.ndarray
        편향 `(3H,)`.

    Attributes
    ----------
    params, grads : list of numpy.ndarray
        `[Wx, Wh, b]`, `[dWx, dWh, db]`.
    cache : tuple or None
        역전파에 쓰는 `(x, h_prev, z, r, h_hat)`.

    Raises
    ------
    ValueError
        가중치의 형상이 맞지 않거나, 입력·상태·`dh_next`의 형상이 맞지 않을 때.

    Notes
    -----
    형상: `x: (N, D)`, `h_prev: (N, H)` → `h_next: (N, H)`; 역전파 `dh_next: (N, H)` →
    `(dx: (N, D), dh_prev: (N, H))`.

    블록 $W = [W^z, W^r, W^h]$, $b = [b^z, b^r, b^h]$ 으로

    $$z = \sigma(x W_x^z + h_{t-1} W_h^z + b^z), \quad r = \sigma(x W_x^r + h_{t-1} W_h^r + b^r)$$

    $$\tilde h = \tanh\big(x W_x^h + (r \odot h_{t-1}) W_h^h + b^h\big), \qquad
    h_t = (1 - z) \odot h_{t-1} + z \odot \tilde h$$

    역전파($dh = \partial L/\partial h_t$)

    $$dA^h = dh \odot z \odot (1 - \tilde h^2), \quad dA^z = dh \odot (\tilde h - h_{t-1}) \odot z(1-z), \quad
    dA^r = \big((dA^h W_h^{h\top}) \odot h_{t-1}\big) \odot r(1-r)$$

    $$dh_{t-1} = dh \odot (1 - z) + dA^z W_h^{z\top} + dA^r W_h^{r\top} + r \odot (dA^h W_h^{h\top})$$

    $$dW_x = x^\top dA, \quad dW_h = \big[h_{t-1}^\top dA^z,\; h_{t-1}^\top dA^r,\; (r\odot h_{t-1})^\top dA^h\big],
    \quad db = \textstyle\sum_n dA_n, \quad dx = dA\, W_x^\top$$

    **책과 다른 점**: 한국어판의 GRU 코드에는 편향이 없습니다. refnn은 LSTM과 같이 편향 `b`를 둡니다
    (`b = 0`이면 책의 식과 같습니다).

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 부록 C (GRU).

    Examples
    --------
    >>> cell = GRU(np.zeros((2, 3)), np.zeros((1, 3)), np.zeros(3))
    >>> cell.forward(np.ones((1, 2)), np.ones((1, 1)))  # z = 0.5, h̃ = 0
    array([[0.5]])
    """

    def __init__(self, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray) -> None:
        super().__init__(*_weights("GRU", Wx, Wh, b, 3))
        self.cache: tuple[np.ndarray, ...] | None = None

    def forward(self, x: Any, h_prev: Any) -> np.ndarray:
        Wx, Wh, b = self.params
        H = Wh.shape[0]
        x, h_prev = _step_input("GRU", x, h_prev, Wx.shape[0], H)
        xw = np.dot(x, Wx) + b
        z, r, h_hat = _gru_gates(xw, h_prev, Wh, H)
        h_next = (1 - z) * h_prev + z * h_hat
        self.cache = (x, h_prev, z, r, h_hat)
        return h_next

    def backward(self, dh_next: Any) -> tuple[np.ndarray, np.ndarray]:
        x, h_prev, z, r, h_hat = self._cached(self.cache)
        Wx, Wh, _ = self.params
        H = Wh.shape[0]
        dh_next = check_dout("GRU", dh_next, h_prev.shape)
        dA, dh_prev = _gru_delta(dh_next, h_prev, z, r, h_hat, Wh, H)
        self.grads[0][...] = np.dot(x.T, dA)
        self.grads[1][:, :2 * H] = np.dot(h_prev.T, dA[:, :2 * H])
        self.grads[1][:, 2 * H:] = np.dot((r * h_prev).T, dA[:, 2 * H:])
        self.grads[2][...] = dA.sum(axis=0)
        dx = np.dot(dA, Wx.T)
        return dx.astype(x.dtype, copy=False), dh_prev.astype(x.dtype, copy=False)


def _gru_gates(xw: np.ndarray, h_prev: np.ndarray, Wh: np.ndarray,
               H: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """z, r, h̃ of one GRU step from xw = x Wx + b (N, 3H) and h_prev."""
    hw = np.dot(h_prev, Wh[:, :2 * H])
    z = sigmoid(xw[:, :H] + hw[:, :H])
    r = sigmoid(xw[:, H:2 * H] + hw[:, H:])
    h_hat = np.tanh(xw[:, 2 * H:] + np.dot(r * h_prev, Wh[:, 2 * H:]))
    return z, r, h_hat


def _gru_delta(dh: np.ndarray, h_prev: np.ndarray, z: np.ndarray, r: np.ndarray, h_hat: np.ndarray,
               Wh: np.ndarray, H: int) -> tuple[np.ndarray, np.ndarray]:
    """dA = [dA_z, dA_r, dA_h] and dh_prev of one GRU step (the formulas of GRU's Notes)."""
    dA_h = dh * z * (1 - h_hat ** 2)
    d_rh = np.dot(dA_h, Wh[:, 2 * H:].T)  # gradient of r ⊙ h_prev
    dA_z = dh * (h_hat - h_prev) * z * (1 - z)
    dA_r = d_rh * h_prev * r * (1 - r)
    dA = np.concatenate([dA_z, dA_r, dA_h], axis=1)
    dh_prev = dh * (1 - z) + np.dot(dA[:, :2 * H], Wh[:, :2 * H].T) + r * d_rh
    return dA, dh_prev


class TimeGRU(_TimeRecurrent):
    r"""$T$개의 GRU 셀을 이은 계층: `(N, T, D)` → `(N, T, H)` (부록 C).

    Parameters
    ----------
    Wx, Wh, b : numpy.ndarray
        `GRU`와 같은 `(D, 3H)`, `(H, 3H)`, `(3H,)` (z, r, h̃ 순서). 모든 시각이 공유합니다.
    stateful : bool, default False
        `True`이면 마지막 은닉 상태를 다음 `forward`의 초기 상태로 씁니다.

    Attributes
    ----------
    params, grads : list of numpy.ndarray
        `[Wx, Wh, b]`, `[dWx, dWh, db]`.
    h : numpy.ndarray or None
        마지막 시각의 은닉 상태 `(N, H)`.
    dh : numpy.ndarray or None
        역전파 뒤, 초기 은닉 상태에 대한 기울기 `(N, H)`.

    Raises
    ------
    ValueError
        `xs`가 `(N, T, D)`가 아니거나, 상태의 형상이 `(N, H)`가 아닐 때, `dhs`의 형상이 출력과 다를 때.

    Notes
    -----
    형상: `xs: (N, T, D)` → `hs: (N, T, H)`; 역전파 `dhs: (N, T, H)` → `dxs: (N, T, D)`.
    시각마다 `GRU`의 식(셀의 Notes)을 쓰고, $x_t W_x + b$ 와 $dW_x$, $db$, $dx$, $dW_h$는 모든 시각을
    모아 한 번씩 곱합니다($dW_h$의 $\tilde h$ 블록은 $\sum_t (r_t \odot h_{t-1})^\top dA^h_t$).

    Examples
    --------
    >>> layer = TimeGRU(np.zeros((2, 3)), np.zeros((1, 3)), np.zeros(3), stateful=True)
    >>> layer.forward(np.ones((4, 3, 2))).shape
    (4, 3, 1)
    """

    def __init__(self, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray, stateful: bool = False) -> None:
        super().__init__("TimeGRU", 3, Wx, Wh, b, stateful)
        self.cache: tuple[np.ndarray, ...] | None = None

    def forward(self, xs: Any) -> np.ndarray:
        _, Wh, _ = self.params
        H = Wh.shape[0]
        xs, h = self._start(xs)
        N, T, _ = xs.shape
        xw = self._input_products(xs)
        hs = np.empty((N, T + 1, H), dtype=xs.dtype)  # hs[:, 0] = h_0, hs[:, t + 1] = h_t
        gates = np.empty((N, T, 3 * H), dtype=xs.dtype)  # z, r, h̃ of every step
        hs[:, 0] = h
        for t in range(T):
            z, r, h_hat = _gru_gates(xw[t], h, Wh, H)
            h = (1 - z) * h + z * h_hat
            gates[:, t, :H], gates[:, t, H:2 * H], gates[:, t, 2 * H:] = z, r, h_hat
            hs[:, t + 1] = h
        self.h = h
        self.cache = (xs, hs, gates)
        return hs[:, 1:]

    def backward(self, dhs: Any) -> np.ndarray:
        xs, hs, gates = self._cached(self.cache)
        _, Wh, _ = self.params
        N, T, _ = xs.shape
        H = Wh.shape[0]
        dhs = check_dout("TimeGRU", dhs, (N, T, H)).astype(xs.dtype, copy=False)
        dAs = np.empty_like(gates)
        dh = np.zeros((N, H), dtype=xs.dtype)
        for t in reversed(range(T)):
            gt = gates[:, t]
            dA, dh = _gru_delta(dhs[:, t] + dh, hs[:, t], gt[:, :H], gt[:, H:2 * H], gt[:, 2 * H:], Wh, H)
            dAs[:, t] = dA
        self.dh = dh
        h_prevs = hs[:, :T].reshape(N * T, H)
        rh = (gates[:, :, H:2 * H] * hs[:, :T]).reshape(N * T, H)
        d2 = dAs.reshape(N * T, 3 * H)
        self.grads[1][:, :2 * H] = np.dot(h_prevs.T, d2[:, :2 * H])
        self.grads[1][:, 2 * H:] = np.dot(rh.T, d2[:, 2 * H:])
        return self._input_grads(xs, dAs)


class TimeBiLSTM(Layer):
    r"""양방향 LSTM: 앞으로 읽는 `TimeLSTM`과 거꾸로 읽는 `TimeLSTM`의 은닉 상태를 이어 붙입니다 (8.5절).

    Parameters
    ----------
    Wx1, Wh1, b1 : numpy.ndarray
        앞으로 읽는 LSTM의 `(D, 4H)`, `(H, 4H)`, `(4H,)`.
    Wx2, Wh2, b2 : numpy.ndarray
        거꾸로 읽는 LSTM의 가중치(같은 형상).
    stateful : bool, default False
        두 LSTM에 그대로 전달합니다.

    Attributes
    ----------
    params, grads : list of numpy.ndarray
        `[Wx1, Wh1, b1, Wx2, Wh2, b2]`와 그 기울기(두 `TimeLSTM`의 배열 그대로).
    forward_lstm, backward_lstm : TimeLSTM
        두 방향의 계층.

    Notes
    -----
    형상: `xs: (N, T, D)` → `hs: (N, T, 2H)`; 역전파 `dhs: (N, T, 2H)` → `dxs: (N, T, D)`.

    $\overrightarrow{h} = \text{LSTM}_1(x_1, \dots, x_T)$, $\overleftarrow{h} = \text{reverse}\big(
    \text{LSTM}_2(x_T, \dots, x_1)\big)$, $h_t = [\overrightarrow{h}_t, \overleftarrow{h}_t]$.
    역전파는 `dhs`를 두 토막으로 나누어 각 방향에 (거꾸로 읽은 쪽은 뒤집어) 보내고,
    두 `dxs`를 (뒤집은 쪽은 되돌려) 더합니다.

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 8.5절 (양방향 RNN).

    Examples
    --------
    >>> W = [np.zeros((3, 8)), np.zeros((2, 8)), np.zeros(8)]
    >>> TimeBiLSTM(*W, *[w.copy() for w in W]).forward(np.ones((1, 4, 3))).shape
    (1, 4, 4)
    """

    def __init__(self, Wx1: np.ndarray, Wh1: np.ndarray, b1: np.ndarray, Wx2: np.ndarray, Wh2: np.ndarray,
                 b2: np.ndarray, stateful: bool = False) -> None:
        super().__init__()
        self.forward_lstm = TimeLSTM(Wx1, Wh1, b1, stateful)
        self.backward_lstm = TimeLSTM(Wx2, Wh2, b2, stateful)
        self.params = self.forward_lstm.params + self.backward_lstm.params
        self.grads = self.forward_lstm.grads + self.backward_lstm.grads

    def forward(self, xs: Any) -> np.ndarray:
        o1 = self.forward_lstm.forward(xs)
        o2 = self.backward_lstm.forward(np.asarray(xs)[:, ::-1])
        return np.concatenate([o1, o2[:, ::-1]], axis=2)

    def backward(self, dhs: Any) -> np.ndarray:
        H = self.forward_lstm.params[1].shape[0]
        dhs = np.asarray(dhs)
        dx1 = self.forward_lstm.backward(dhs[:, :, :H])
        dx2 = self.backward_lstm.backward(dhs[:, :, H:][:, ::-1])
        return dx1 + dx2[:, ::-1]

    def reset_state(self) -> None:
        """두 방향의 상태를 지웁니다."""
        self.forward_lstm.reset_state()
        self.backward_lstm.reset_state()
