"""The small base every layer and node shares (internal to refnn.layers/refnn.nodes)."""

from __future__ import annotations

from typing import Any

import numpy as np

from refnn._validation import FORWARD_FIRST


class Layer:
    """매개변수 프로토콜(`params`, `grads`)의 공통 뼈대.

    `params`와 `grads`는 길이·순서·형상·dtype이 같은 리스트이며, `grads`의
    배열은 생성 시 한 번 만들어지고 `backward`가 제자리(`[...]`)에 덮어씁니다.
    """

    params: list[np.ndarray]
    grads: list[np.ndarray]

    def __init__(self, *params: np.ndarray) -> None:
        self.params = list(params)
        self.grads = [np.zeros_like(p) for p in params]

    def __repr__(self) -> str:
        shapes = ", ".join(str(p.shape) for p in self.params)
        return f"{type(self).__name__}({shapes})"

    def _cached(self, value: Any) -> Any:
        """Return a cached forward value, or raise if forward never ran."""
        if value is None:
            raise RuntimeError(FORWARD_FIRST.format(name=type(self).__name__))
        return value


def as_param(a: Any, layer: str, what: str) -> np.ndarray:
    """A parameter must be a floating ndarray: it is updated in place, so no copy is made."""
    if not isinstance(a, np.ndarray) or a.dtype.kind != "f":
        raise TypeError(
            f"{layer}: parameter {what} must be a floating numpy array "
            f"(updated in place), got {type(a).__name__}"
            + (f" of dtype {a.dtype}" if isinstance(a, np.ndarray) else "")
        )
    return a
