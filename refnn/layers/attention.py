r"""8장의 어텐션 계층: WeightSum, AttentionWeight, Attention, TimeAttention.

Encoder의 은닉 상태 `hs: (N, T, H)`와 Decoder의 한 시각의 은닉 상태 `h: (N, H)`에서, 각 시각의
중요도(가중치) $a = \operatorname{softmax}_t(hs_t \cdot h)$를 구하고 그 가중합 $c = \sum_t a_t\, hs_t$
(맥락 벡터)를 만듭니다. 매개변수는 없습니다. `TimeAttention`은 Decoder의 모든 시각을 시각마다 계층을
만들지 않고 배치 행렬 곱 한 번으로 처리합니다.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from refnn._validation import as_float_array, check_dout
from refnn.functions import softmax
from refnn.layers.base import Layer

__all__ = ["WeightSum", "AttentionWeight", "Attention", "TimeAttention"]


def _states(name: str, hs: Any, h: Any, what: str = "h") -> tuple[np.ndarray, np.ndarray]:
    """hs (N, T, H) and h (N, H) (or a (N, T) weight a for WeightSum), checked against each other."""
    hs, h = as_float_array(hs, name), as_float_array(h, name)
    want = hs.shape[:2] if what == "a" else hs.shape[::2]
    if hs.ndim != 3 or h.shape != want:
        shape = "(N, T)" if what == "a" else "(N, H)"
        raise ValueError(f"{name}.forward: hs shape {hs.shape} and {what} shape {h.shape} do not fit "
                         f"(expected (N, T, H) and {shape})")
    return hs, h


class WeightSum(Layer):
    r"""가중합 $c = \sum_t a_t\, hs_t$ : 가중치 `a`로 은닉 상태들을 더한 맥락 벡터 (8.1.4절).

    계산 그래프에서는 `a`를 `Repeat`으로 $H$번 복제해 `hs`와 곱하고(`Mul`), 시각 축으로 `Sum` 한
    것입니다. 역전파는 그 노드들의 역전파를 차례로 적용한 것과 같습니다.

    Attributes
    ----------
    params, grads : list
        빈 리스트.
    cache : tuple or None
        `(hs, a)`.

    Raises
    ------
    ValueError
        `hs`가 `(N, T, H)`가 아니거나 `a`가 `(N, T)`가 아닐 때, `dc`가 `(N, H)`가 아닐 때.

    Notes
    -----
    형상: `hs: (N, T, H)`, `a: (N, T)` → `c: (N, H)`; 역전파 `dc: (N, H)` → `(dhs: (N, T, H), da: (N, T))`.

    $$c_{n,h} = \sum_t a_{n,t}\, hs_{n,t,h}, \qquad
    \frac{\partial L}{\partial hs_{n,t,h}} = a_{n,t}\, dc_{n,h}, \qquad
    \frac{\partial L}{\partial a_{n,t}} = \sum_h dc_{n,h}\, hs_{n,t,h}$$

    `Sum`의 역전파는 `dc`를 $T$개로 복제하고, `Mul`의 역전파는 상대 입력을 곱하며,
    `Repeat`의 역전파는 $H$ 축으로 더합니다.

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 8.1.4절 (Decoder 개선 ①).

    Examples
    --------
    >>> hs = np.arange(6.0).reshape(1, 3, 2)
    >>> WeightSum().forward(hs, np.array([[0.0, 1.0, 0.0]])).tolist()  # 한 시각만 고르는 가중치
    [[2.0, 3.0]]
    """

    def __init__(self) -> None:
        super().__init__()
        self.cache: tuple[np.ndarray, np.ndarray] | None = None

    def forward(self, hs: Any, a: Any) -> np.ndarray:
        hs, a = _states("WeightSum", hs, a, "a")
        self.cache = (hs, a)
        return (a[:, :, None] * hs).sum(axis=1)  # type: ignore[no-any-return]

    def backward(self, dc: Any) -> tuple[np.ndarray, np.ndarray]:
        hs, a = self._cached(self.cache)
        dc = check_dout("WeightSum", dc, hs.shape[::2]).astype(hs.dtype, copy=False)
        dhs = a[:, :, None] * dc[:, None, :]
        da = (dc[:, None, :] * hs).sum(axis=2)
        return dhs, da.astype(a.dtype, copy=False)


class AttentionWeight(Layer):
    r"""어텐션 가중치 $a = \operatorname{softmax}_t(hs_t \cdot h)$ : 각 시각의 중요도 (8.1.5절).

    Decoder의 은닉 상태 `h`와 Encoder의 각 시각의 은닉 상태 $hs_t$의 내적을 점수로 삼고,
    시각 축으로 소프트맥스를 취합니다.

    Attributes
    ----------
    params, grads : list
        빈 리스트.
    cache : tuple or None
        `(hs, h, a)`.

    Raises
    ------
    ValueError
        `hs`가 `(N, T, H)`가 아니거나 `h`가 `(N, H)`가 아닐 때, `da`가 `(N, T)`가 아닐 때.

    Notes
    -----
    형상: `hs: (N, T, H)`, `h: (N, H)` → `a: (N, T)`; 역전파 `da: (N, T)` → `(dhs: (N, T, H), dh: (N, H))`.

    $$s_{n,t} = \sum_h hs_{n,t,h}\, h_{n,h}, \qquad a_{n,t} = \frac{e^{s_{n,t}}}{\sum_u e^{s_{n,u}}}$$

    소프트맥스의 야코비안 $\partial a_u / \partial s_t = a_u([u = t] - a_t)$ 에서

    $$ds_{n,t} = a_{n,t}\Big(da_{n,t} - \sum_u a_{n,u}\, da_{n,u}\Big)$$

    이고, 내적의 역전파는 상대 쪽을 곱해 남은 축으로 더합니다:

    $$\frac{\partial L}{\partial hs_{n,t,h}} = ds_{n,t}\, h_{n,h}, \qquad
    \frac{\partial L}{\partial h_{n,h}} = \sum_t ds_{n,t}\, hs_{n,t,h}$$

    따라서 $a$는 $[0, 1]$에 있고 시각 축의 합이 1이며, `hs`의 시각 순서를 바꾸면 $a$도 같이 바뀝니다.

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 8.1.5절 (Decoder 개선 ②).

    Examples
    --------
    >>> hs = np.array([[[1.0, 0.0], [0.0, 1.0]]])
    >>> AttentionWeight().forward(hs, np.array([[0.0, 0.0]])).tolist()  # 점수가 같으면 고르게
    [[0.5, 0.5]]
    """

    def __init__(self) -> None:
        super().__init__()
        self.cache: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def forward(self, hs: Any, h: Any) -> np.ndarray:
        hs, h = _states("AttentionWeight", hs, h)
        s = (hs * h[:, None, :]).sum(axis=2)
        a = softmax(s)
        self.cache = (hs, h, a)
        return a

    def backward(self, da: Any) -> tuple[np.ndarray, np.ndarray]:
        hs, h, a = self._cached(self.cache)
        da = check_dout("AttentionWeight", da, a.shape).astype(a.dtype, copy=False)
        ds = a * (da - (a * da).sum(axis=1, keepdims=True))
        dhs = ds[:, :, None] * h[:, None, :]
        dh = (ds[:, :, None] * hs).sum(axis=1)
        return dhs, dh


class Attention(Layer):
    r"""어텐션 계층: `AttentionWeight`로 가중치를 구하고 `WeightSum`으로 맥락 벡터를 만듭니다 (8.1.6절).

    Attributes
    ----------
    params, grads : list
        빈 리스트.
    attention_weight : numpy.ndarray or None
        마지막 순전파의 가중치 `a: (N, T)` (시각화용).
    weight_layer, sum_layer : AttentionWeight, WeightSum
        두 하위 계층.

    Raises
    ------
    ValueError
        `hs`가 `(N, T, H)`가 아니거나 `h`가 `(N, H)`가 아닐 때, `dc`가 `(N, H)`가 아닐 때.

    Notes
    -----
    형상: `hs: (N, T, H)`, `h: (N, H)` → `c: (N, H)`; 역전파 `dc: (N, H)` → `(dhs: (N, T, H), dh: (N, H))`.

    $$a = \operatorname{softmax}_t(hs_t \cdot h), \qquad c = \sum_t a_t\, hs_t$$

    `hs`는 두 하위 계층에 갈라져 들어가므로(분기) 기울기는 둘의 합입니다:

    $$\frac{\partial L}{\partial hs} = \frac{\partial L}{\partial hs}\Big|_{\text{WeightSum}}
    + \frac{\partial L}{\partial hs}\Big|_{\text{AttentionWeight}}, \qquad
    \frac{\partial L}{\partial h} = \frac{\partial L}{\partial h}\Big|_{\text{AttentionWeight}}$$

    여기서 AttentionWeight에 들어가는 `da`는 WeightSum의 역전파가 돌려준 $\partial L / \partial a$ 입니다.

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 8.1.6절 (Decoder 개선 ③).

    Examples
    --------
    >>> layer = Attention()
    >>> hs = np.array([[[1.0, 0.0], [0.0, 1.0]]])
    >>> layer.forward(hs, np.array([[0.0, 0.0]])).tolist()
    [[0.5, 0.5]]
    >>> layer.attention_weight.tolist()
    [[0.5, 0.5]]
    """

    def __init__(self) -> None:
        super().__init__()
        self.weight_layer = AttentionWeight()
        self.sum_layer = WeightSum()
        self.attention_weight: np.ndarray | None = None

    def forward(self, hs: Any, h: Any) -> np.ndarray:
        a = self.weight_layer.forward(hs, h)
        self.attention_weight = a
        return self.sum_layer.forward(hs, a)

    def backward(self, dc: Any) -> tuple[np.ndarray, np.ndarray]:
        self._cached(self.attention_weight)
        dhs_sum, da = self.sum_layer.backward(dc)
        dhs_weight, dh = self.weight_layer.backward(da)
        return dhs_sum + dhs_weight, dh


class TimeAttention(Layer):
    r"""Decoder의 모든 시각에 어텐션을 적용하는 계층 (8.1.6절).

    Decoder의 $t$번째 은닉 상태 $h_t$마다 `Attention`과 같은 계산을 하되, 시각마다 계층을 만들지 않고
    모든 시각을 배치 행렬 곱 한 번으로 계산합니다.

    Attributes
    ----------
    params, grads : list
        빈 리스트.
    attention_weights : list of numpy.ndarray or None
        Decoder의 시각마다 가중치 `(N, T_enc)` 하나씩, 모두 `T_dec`개(책과 같은 모양;
        `np.array(...)`는 `(T_dec, N, T_enc)`).
    cache : tuple or None
        `(hs_enc, hs_dec, A)`, `A: (N, T_dec, T_enc)`.

    Raises
    ------
    ValueError
        `hs_enc`, `hs_dec`가 3차원이 아니거나 $N$, $H$가 다를 때, `dout`의 형상이 `hs_dec`와 다를 때.

    Notes
    -----
    형상: `hs_enc: (N, T_enc, H)`, `hs_dec: (N, T_dec, H)` → `out: (N, T_dec, H)`;
    역전파 `dout: (N, T_dec, H)` → `(dhs_enc, dhs_dec)`.

    $X = $ `hs_enc`, $Y = $ `hs_dec`를 배치마다의 행렬로 보면($\cdot^\top$은 뒤 두 축의 전치)

    $$S = Y X^\top, \qquad A = \operatorname{softmax}_{\text{행}}(S), \qquad C = A X$$

    이고, $G = \partial L / \partial C$ 에서

    $$dA = G X^\top, \qquad dS = A \odot \Big(dA - \textstyle\sum_{\text{행}} (A \odot dA)\Big), \qquad
    \frac{\partial L}{\partial X} = A^\top G + dS^\top Y, \qquad \frac{\partial L}{\partial Y} = dS\, X$$

    $\partial L / \partial X$의 두 항은 WeightSum과 AttentionWeight 쪽의 기울기로, 책이 시각마다
    `Attention`의 `dhs`를 더해 가는 합과 같습니다.

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 8.1.6절 (Decoder 개선 ③, Time Attention 계층).

    Examples
    --------
    >>> layer = TimeAttention()
    >>> hs_enc = np.array([[[5.0, 0.0], [0.0, 5.0]]])
    >>> out = layer.forward(hs_enc, np.array([[[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]]))
    >>> np.round(np.array(layer.attention_weights)[:, 0], 3).tolist()
    [[0.993, 0.007], [0.007, 0.993], [0.5, 0.5]]
    """

    def __init__(self) -> None:
        super().__init__()
        self.cache: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self.attention_weights: list[np.ndarray] | None = None

    def forward(self, hs_enc: Any, hs_dec: Any) -> np.ndarray:
        X = as_float_array(hs_enc, "TimeAttention")
        Y = as_float_array(hs_dec, "TimeAttention")
        if X.ndim != 3 or Y.ndim != 3 or X.shape[::2] != Y.shape[::2]:
            raise ValueError(f"TimeAttention.forward: hs_enc shape {X.shape} and hs_dec shape {Y.shape} "
                             f"do not fit (expected (N, T_enc, H) and (N, T_dec, H))")
        A = softmax(np.matmul(Y, X.transpose(0, 2, 1)))
        self.cache = (X, Y, A)
        self.attention_weights = [A[:, t] for t in range(A.shape[1])]
        return np.matmul(A, X)

    def backward(self, dout: Any) -> tuple[np.ndarray, np.ndarray]:
        X, Y, A = self._cached(self.cache)
        G = check_dout("TimeAttention", dout, Y.shape).astype(X.dtype, copy=False)
        dA = np.matmul(G, X.transpose(0, 2, 1))
        dS = A * (dA - (A * dA).sum(axis=2, keepdims=True))
        dX = np.matmul(A.transpose(0, 2, 1), G) + np.matmul(dS.transpose(0, 2, 1), Y)
        dY = np.matmul(dS, X)
        return dX, dY
