r"""옵티마이저: 매개변수를 기울기 방향으로 제자리 갱신합니다 (1.3.6절).

모든 옵티마이저는 `update(params, grads)` 하나로 쓰며, `params`의 배열을 **제자리에서**
바꿉니다(같은 객체가 유지되므로 모델의 계층이 갱신된 값을 바로 봅니다). 상태
(속도 `v`, 누적 제곱 `h`, 모멘트 `m`·`v`)는 첫 `update`에서 `params`와 같은 순서·형상·dtype으로
한 번 만들어지고, 이후에는 제자리에서 다시 쓰입니다. 같은 방식으로 만든 작업용 버퍼를
써서 갱신마다 임시 배열을 새로 할당하지 않습니다.

기호: 매개변수 $W$, 기울기 $g = \partial L / \partial W$, 학습률 $\eta$ (`lr`).
모든 연산은 원소별입니다.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam", "check_pairs"]


def check_pairs(name: str, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
    """`params`와 `grads`가 하나씩 짝을 이루는지 검사합니다(모든 옵티마이저의 `update`가 씁니다).

    Parameters
    ----------
    name : str
        오류 메시지에 쓸 옵티마이저 이름.
    params, grads : list of numpy.ndarray
        매개변수와 기울기 리스트.

    Raises
    ------
    ValueError
        길이가 다르거나 `params[i]`와 `grads[i]`의 형상이 다를 때. 메시지에 두 형상이 나옵니다.
    TypeError
        원소가 numpy 배열이 아닐 때(매개변수는 제자리에서 갱신되어야 하므로 배열이어야 합니다).

    Examples
    --------
    >>> check_pairs("SGD", [np.zeros(2)], [np.zeros(3)])
    Traceback (most recent call last):
        ...
    ValueError: SGD.update: params[0] shape (2,) does not match grads[0] shape (3,)
    """
    if len(params) != len(grads):
        raise ValueError(
            f"{name}.update: params and grads have different lengths ({len(params)} vs {len(grads)})"
        )
    for i, (p, g) in enumerate(zip(params, grads, strict=True)):
        if not isinstance(p, np.ndarray) or not isinstance(g, np.ndarray):
            bad, what = (p, "params") if not isinstance(p, np.ndarray) else (g, "grads")
            raise TypeError(
                f"{name}.update: {what}[{i}] must be a numpy.ndarray, got {type(bad).__name__}"
            )
        if p.shape != g.shape:
            raise ValueError(
                f"{name}.update: params[{i}] shape {p.shape} does not match grads[{i}] shape {g.shape}"
            )


def _positive(name: str, what: str, value: Any) -> float:
    """A finite real number > 0 (the learning rate, eps)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name}: {what} must be a positive number, got {value!r}")
    v = float(value)
    if not (math.isfinite(v) and v > 0):
        raise ValueError(f"{name}: {what} must be a positive finite number, got {value!r}")
    return v


def _unit(name: str, what: str, value: Any) -> float:
    """A decay factor in [0, 1)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name}: {what} must be a number in [0, 1), got {value!r}")
    v = float(value)
    if not 0.0 <= v < 1.0:
        raise ValueError(f"{name}: {what} must lie in [0, 1), got {value!r}")
    return v


class _Optimizer:
    """Shared machinery: validation and lazily created state aligned with params."""

    #: names of the per-parameter state lists (public attributes, book names)
    _state_names: tuple[str, ...] = ()

    def __init__(self) -> None:
        for s in self._state_names:
            setattr(self, s, None)
        self._buf: list[np.ndarray] | None = None
        self._seen: tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]] | None = None

    def _prepare(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Validate the pair of lists, create state on first use, return the work buffers.

        The common case is a model passing the very same arrays every step: when every entry
        of ``params`` and ``grads`` is the object that passed the full checks last time (the
        optimizer keeps references to them, so an id cannot be reused), the checks are not
        repeated. Anything else goes through the full checks, which raise the detailed errors.
        """
        seen = self._seen
        if (
            seen is not None
            and len(params) == len(seen[0])
            and len(grads) == len(seen[1])
            and all(map(operator.is_, params, seen[0]))
            and all(map(operator.is_, grads, seen[1]))
        ):
            return seen[2]
        buf = self._prepare_checked(params, grads)
        self._seen = (list(params), list(grads), buf)
        return buf

    def _prepare_checked(
        self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]
    ) -> list[np.ndarray]:
        name = type(self).__name__
        check_pairs(name, params, grads)
        buf = self._buf
        if buf is None:
            for s in self._state_names:
                setattr(self, s, [np.zeros_like(p) for p in params])
            buf = self._buf = [np.empty_like(p) for p in params]
            return buf
        if len(buf) != len(params):
            raise ValueError(
                f"{name}.update: got {len(params)} params, but the state was created for {len(buf)}; "
                f"use a new {name} for a different set of parameters"
            )
        for i, (b, p) in enumerate(zip(buf, params, strict=True)):
            if b.shape != p.shape or b.dtype != p.dtype:
                raise ValueError(
                    f"{name}.update: params[{i}] has shape {p.shape} and dtype {p.dtype}, but the state "
                    f"was created for shape {b.shape} and dtype {b.dtype}; use a new {name}"
                )
        return buf

    def __repr__(self) -> str:
        hyper = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if isinstance(v, float))
        return f"{type(self).__name__}({hyper})"


class SGD(_Optimizer):
    r"""확률적 경사 하강법 (Stochastic Gradient Descent).

    Parameters
    ----------
    lr : float, default 0.01
        학습률 $\eta$ (양수).

    Raises
    ------
    ValueError
        `lr`이 양의 유한한 수가 아닐 때, 또는 `update`에서 `params`와 `grads`의
        길이나 형상이 다를 때.

    Notes
    -----
    $$W \leftarrow W - \eta\, g$$

    `params`의 배열을 제자리에서 갱신하므로 모델의 계층이 같은 배열을 봅니다.
    $\eta g$는 한 번 만들어 둔 작업용 버퍼에 계산하므로 갱신마다 임시 배열을
    할당하지 않습니다.

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 1.3.6절 (가중치 갱신).

    Examples
    --------
    >>> p, g = np.array([1.0]), np.array([2.0])
    >>> SGD(lr=0.5).update([p], [g])
    >>> p
    array([0.])
    """

    def __init__(self, lr: float = 0.01) -> None:
        super().__init__()
        self.lr = _positive("SGD", "lr", lr)

    def update(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """`params`를 제자리에서 한 번 갱신합니다."""
        buf = self._prepare(params, grads)
        lr = self.lr
        for p, g, b in zip(params, grads, buf, strict=True):
            np.multiply(g, lr, b)  # b = lr * g, in the work buffer
            p -= b


class Momentum(_Optimizer):
    r"""모멘텀 SGD.

    속도 $v$(처음엔 0)에 기울기를 누적해, 같은 방향으로 계속 내려가는 성분을 가속합니다.

    Parameters
    ----------
    lr : float, default 0.01
        학습률 $\eta$ (양수).
    momentum : float, default 0.9
        모멘텀 계수 $\mu \in [0, 1)$.

    Attributes
    ----------
    v : list of numpy.ndarray or None
        매개변수마다 하나씩인 속도. 첫 `update` 전에는 `None`.

    Raises
    ------
    ValueError
        하이퍼파라미터가 범위를 벗어날 때, `params`/`grads`의 길이나 형상이 다를 때,
        상태를 만든 뒤 다른 형상의 `params`가 들어올 때.

    Notes
    -----
    $$v \leftarrow \mu v - \eta g, \qquad W \leftarrow W + v$$

    Examples
    --------
    >>> p = np.array([1.0])
    >>> opt = Momentum(lr=0.1, momentum=0.5)
    >>> opt.update([p], [np.array([1.0])]); opt.update([p], [np.array([1.0])])
    >>> p  # 1 - 0.1 - (0.5 * 0.1 + 0.1)
    array([0.75])
    """

    _state_names = ("v",)
    v: list[np.ndarray] | None

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        super().__init__()
        self.lr = _positive(type(self).__name__, "lr", lr)
        self.momentum = _unit(type(self).__name__, "momentum", momentum)

    def update(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """`params`를 제자리에서 한 번 갱신합니다."""
        buf = self._prepare(params, grads)
        assert self.v is not None
        lr, mu = self.lr, self.momentum
        for p, g, v, b in zip(params, grads, self.v, buf, strict=True):
            np.multiply(g, lr, b)  # b = lr * g
            v *= mu
            v -= b  # v = mu * v - lr * g
            p += v  # W = W + v


class Nesterov(Momentum):
    r"""네스테로프 가속 경사(Nesterov's Accelerated Gradient).

    Sutskever 외(2013)의 NAG를 Bengio 외(2012)처럼 현재 매개변수에서 계산한 기울기만으로
    다시 쓴 형태입니다. 생성자와 상태는 `Momentum`과 같고 `update`만 다릅니다.

    Parameters
    ----------
    lr : float, default 0.01
        학습률 $\eta$ (양수).
    momentum : float, default 0.9
        모멘텀 계수 $\mu \in [0, 1)$.

    Attributes
    ----------
    v : list of numpy.ndarray or None
        매개변수마다 하나씩인 속도. 첫 `update` 전에는 `None`.

    Raises
    ------
    ValueError
        하이퍼파라미터가 범위를 벗어날 때, `params`/`grads`의 길이나 형상이 다를 때,
        상태를 만든 뒤 다른 형상의 `params`가 들어올 때.

    Notes
    -----
    이번 단계 전의 속도를 $v_{\text{old}}$라 하면

    $$v \leftarrow \mu v_{\text{old}} - \eta g, \qquad
    W \leftarrow W + \mu^2 v_{\text{old}} - (1 + \mu)\,\eta g$$

    ($W - \mu v_{\text{old}} + (1+\mu) v$와 같습니다.)

    **책과 다른 점**: 책의 `Nesterov`는 $\mu^2$ 항에 이미 갱신된 속도 $v$를 씁니다
    ($W \leftarrow W + \mu^2 v - (1+\mu)\eta g$). 이는 $\mu^2(v - v_{\text{old}})$만큼
    다른 갱신으로, 첫 단계부터 값이 달라지고($v_{\text{old}} = 0$일 때 책의 갱신은
    $-(1 + \mu + \mu^2)\eta g$) 몇 단계 뒤에는 차이가 뚜렷합니다. refnn은 위의 표준 식을 따릅니다.

    References
    ----------
    Y. Bengio, N. Boulanger-Lewandowski, R. Pascanu, "Advances in Optimizing Recurrent
    Networks" (2012); I. Sutskever, J. Martens, G. Dahl, G. Hinton, "On the importance of
    initialization and momentum in deep learning" (ICML 2013).

    Examples
    --------
    >>> p = np.array([1.0])
    >>> Nesterov(lr=0.1, momentum=0.5).update([p], [np.array([1.0])])
    >>> p  # 1 - (1 + 0.5) * 0.1
    array([0.85])
    """

    def update(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """`params`를 제자리에서 한 번 갱신합니다."""
        buf = self._prepare(params, grads)
        assert self.v is not None
        lr, mu = self.lr, self.momentum
        mu2, mu1 = mu * mu, 1.0 + mu
        for p, g, v, b in zip(params, grads, self.v, buf, strict=True):
            np.multiply(v, mu2, b)  # b = mu^2 * v_old, before v changes
            p += b
            np.multiply(g, lr, b)  # b = lr * g
            v *= mu
            v -= b  # v = mu * v_old - lr * g
            b *= mu1
            p -= b  # W = W + mu^2 * v_old - (1 + mu) * lr * g


class AdaGrad(_Optimizer):
    r"""AdaGrad: 기울기 제곱의 누적합으로 원소마다 학습률을 줄입니다.

    Parameters
    ----------
    lr : float, default 0.01
        학습률 $\eta$ (양수).
    eps : float, default 1e-7
        0으로 나누기를 막는 작은 양수 $\epsilon$.

    Attributes
    ----------
    h : list of numpy.ndarray or None
        매개변수마다 하나씩인 기울기 제곱의 누적합. 첫 `update` 전에는 `None`.

    Raises
    ------
    ValueError
        하이퍼파라미터가 범위를 벗어날 때, `params`/`grads`의 길이나 형상이 다를 때,
        상태를 만든 뒤 다른 형상의 `params`가 들어올 때.

    Notes
    -----
    $$h \leftarrow h + g \odot g, \qquad W \leftarrow W - \eta \frac{g}{\sqrt{h} + \epsilon}$$

    Examples
    --------
    >>> p = np.array([1.0])
    >>> AdaGrad(lr=0.1, eps=1e-7).update([p], [np.array([2.0])])
    >>> p.round(6)  # 1 - 0.1 * 2 / (2 + 1e-7)
    array([0.9])
    """

    _state_names = ("h",)
    h: list[np.ndarray] | None

    def __init__(self, lr: float = 0.01, eps: float = 1e-7) -> None:
        super().__init__()
        self.lr = _positive("AdaGrad", "lr", lr)
        self.eps = _positive("AdaGrad", "eps", eps)

    def update(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """`params`를 제자리에서 한 번 갱신합니다."""
        buf = self._prepare(params, grads)
        assert self.h is not None
        lr, eps = self.lr, self.eps
        for p, g, h, b in zip(params, grads, self.h, buf, strict=True):
            np.multiply(g, g, b)
            h += b  # h = h + g * g
            np.sqrt(h, b)
            b += eps
            np.divide(g, b, b)
            b *= lr  # b = lr * g / (sqrt(h) + eps)
            p -= b


class RMSprop(_Optimizer):
    r"""RMSprop: 기울기 제곱의 지수 이동 평균으로 원소마다 학습률을 조절합니다.

    Parameters
    ----------
    lr : float, default 0.01
        학습률 $\eta$ (양수).
    decay_rate : float, default 0.99
        이동 평균의 감쇠율 $\rho \in [0, 1)$.
    eps : float, default 1e-7
        0으로 나누기를 막는 작은 양수 $\epsilon$.

    Attributes
    ----------
    h : list of numpy.ndarray or None
        매개변수마다 하나씩인 기울기 제곱의 이동 평균. 첫 `update` 전에는 `None`.

    Raises
    ------
    ValueError
        하이퍼파라미터가 범위를 벗어날 때, `params`/`grads`의 길이나 형상이 다를 때,
        상태를 만든 뒤 다른 형상의 `params`가 들어올 때.

    Notes
    -----
    $$h \leftarrow \rho h + (1 - \rho)\, g \odot g, \qquad
    W \leftarrow W - \eta \frac{g}{\sqrt{h} + \epsilon}$$

    Examples
    --------
    >>> p = np.array([1.0])
    >>> RMSprop(lr=0.1, decay_rate=0.75).update([p], [np.array([2.0])])
    >>> p.round(6)  # h = 0.25 * 4 = 1, 1 - 0.1 * 2 / (1 + 1e-7)
    array([0.8])
    """

    _state_names = ("h",)
    h: list[np.ndarray] | None

    def __init__(self, lr: float = 0.01, decay_rate: float = 0.99, eps: float = 1e-7) -> None:
        super().__init__()
        self.lr = _positive("RMSprop", "lr", lr)
        self.decay_rate = _unit("RMSprop", "decay_rate", decay_rate)
        self.eps = _positive("RMSprop", "eps", eps)

    def update(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """`params`를 제자리에서 한 번 갱신합니다."""
        buf = self._prepare(params, grads)
        assert self.h is not None
        lr, eps, rho = self.lr, self.eps, self.decay_rate
        one_minus = 1.0 - rho
        for p, g, h, b in zip(params, grads, self.h, buf, strict=True):
            np.multiply(g, g, b)
            b *= one_minus
            h *= rho
            h += b  # h = rho * h + (1 - rho) * g * g
            np.sqrt(h, b)
            b += eps
            np.divide(g, b, b)
            b *= lr  # b = lr * g / (sqrt(h) + eps)
            p -= b


class Adam(_Optimizer):
    r"""Adam: 기울기의 1차·2차 모멘트 이동 평균에 편향 보정을 더한 방법.

    Parameters
    ----------
    lr : float, default 0.001
        학습률 $\eta$ (양수).
    beta1 : float, default 0.9
        1차 모멘트의 감쇠율 $\beta_1 \in [0, 1)$.
    beta2 : float, default 0.999
        2차 모멘트의 감쇠율 $\beta_2 \in [0, 1)$.
    eps : float, default 1e-7
        0으로 나누기를 막는 작은 양수 $\epsilon$.

    Attributes
    ----------
    m, v : list of numpy.ndarray or None
        매개변수마다 하나씩인 1차·2차 모멘트. 첫 `update` 전에는 `None`.
    iter : int
        지금까지의 `update` 횟수 $t$.

    Raises
    ------
    ValueError
        하이퍼파라미터가 범위를 벗어날 때, `params`/`grads`의 길이나 형상이 다를 때,
        상태를 만든 뒤 다른 형상의 `params`가 들어올 때.

    Notes
    -----
    $t$번째 갱신(첫 갱신이 $t = 1$)에서

    $$m \leftarrow \beta_1 m + (1 - \beta_1) g, \qquad v \leftarrow \beta_2 v + (1 - \beta_2)\, g \odot g$$

    $$\eta_t = \eta \frac{\sqrt{1 - \beta_2^t}}{1 - \beta_1^t}, \qquad
    W \leftarrow W - \eta_t \frac{m}{\sqrt{v} + \epsilon}$$

    논문(Kingma & Ba, 2015)의 2절 끝에 있는 효율적인 형태이며 책의 코드와 같습니다.
    편향 보정을 $\hat m, \hat v$에 따로 하는 형태와는 $\epsilon$의 위치만 다릅니다.

    References
    ----------
    D. P. Kingma, J. Ba, "Adam: A Method for Stochastic Optimization" (ICLR 2015).

    Examples
    --------
    >>> p = np.array([1.0])
    >>> Adam(lr=0.1).update([p], [np.array([3.0])])
    >>> p.round(6)  # 첫 단계는 기울기 크기와 무관하게 약 lr만큼 움직입니다
    array([0.9])
    """

    _state_names = ("m", "v")
    m: list[np.ndarray] | None
    v: list[np.ndarray] | None

    def __init__(
        self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-7
    ) -> None:
        super().__init__()
        self.lr = _positive("Adam", "lr", lr)
        self.beta1 = _unit("Adam", "beta1", beta1)
        self.beta2 = _unit("Adam", "beta2", beta2)
        self.eps = _positive("Adam", "eps", eps)
        self.iter = 0

    def update(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """`params`를 제자리에서 한 번 갱신합니다."""
        buf = self._prepare(params, grads)
        assert self.m is not None and self.v is not None
        self.iter += 1
        b1, b2, eps = self.beta1, self.beta2, self.eps
        lr_t = self.lr * math.sqrt(1.0 - b2**self.iter) / (1.0 - b1**self.iter)
        c1, c2 = 1.0 - b1, 1.0 - b2
        for p, g, m, v, b in zip(params, grads, self.m, self.v, buf, strict=True):
            m *= b1
            np.multiply(g, c1, b)
            m += b  # m = beta1 * m + (1 - beta1) * g
            np.multiply(g, g, b)
            b *= c2
            v *= b2
            v += b  # v = beta2 * v + (1 - beta2) * g * g
            np.sqrt(v, b)
            b += eps
            np.divide(m, b, b)
            b *= lr_t  # b = lr_t * m / (sqrt(v) + eps)
            p -= b
