r"""옵티마이저: 매개변수를 기울기 방향으로 제자리 갱신합니다 (1.3.6절)."""

from __future__ import annotations

from typing import Sequence

import numpy as np

__all__ = ["SGD"]


def check_pairs(name: str, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
    """Refuse params/grads lists that do not line up one to one."""
    if len(params) != len(grads):
        raise ValueError(
            f"{name}.update: params and grads have different lengths ({len(params)} vs {len(grads)})"
        )
    for i, (p, g) in enumerate(zip(params, grads)):
        if p.shape != g.shape:
            raise ValueError(
                f"{name}.update: params[{i}] shape {p.shape} does not match grads[{i}] shape {g.shape}"
            )


class SGD:
    r"""확률적 경사 하강법 (Stochastic Gradient Descent).

    Parameters
    ----------
    lr : float, default 0.01
        학습률 $\eta$.

    Notes
    -----
    $$W \leftarrow W - \eta \frac{\partial L}{\partial W}$$

    `params`의 배열을 제자리에서 갱신하므로 모델의 계층이 같은 배열을 봅니다.

    Examples
    --------
    >>> p, g = np.array([1.0]), np.array([2.0])
    >>> SGD(lr=0.5).update([p], [g])
    >>> p
    array([0.])
    """

    def __init__(self, lr: float = 0.01) -> None:
        self.lr = lr

    def update(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        check_pairs("SGD", params, grads)
        for p, g in zip(params, grads):
            p -= self.lr * g
