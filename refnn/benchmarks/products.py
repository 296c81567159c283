r"""행렬 곱만의 하한: 한 반복이 부르는 행렬 곱을 그대로 기록해 두었다가 그 곱만 다시 실행합니다.

`record_products(step)`은 `step()`을 한 번 실행하는 동안 `np.dot`과 `np.matmul`의 호출마다 두 피연산자를
같은 형상·dtype·축 순서(`order="K"`)의 새 배열로 복사해 둡니다. 같은 메모리의 피연산자(시각마다 쓰는 가중치)는
같은 복사본 하나를 다시 써서, 실제 반복에서처럼 캐시에 남게 합니다. 돌려받은 함수는 그 곱들만 같은 순서로 다시
계산합니다. 원소별 연산도, 파이썬의 반복문도, 할당도 없으므로 그 구현이 한 반복에 쓰는 시간의 아래 경계입니다
(행렬 곱을 더 적게 하도록 알고리즘을 바꾸지 않는 한).

기록하는 동안에만 `numpy.dot`과 `numpy.matmul`을 기록하는 함수로 바꾸고, 끝나면(예외가 나도) 되돌립니다.
`a @ b`로 쓴 곱은 기록되지 않습니다(refnn과 기준선은 `np.dot`·`np.matmul`만 씁니다).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["record_products"]


def _operand(a: Any, copies: dict[tuple[Any, ...], np.ndarray]) -> np.ndarray:
    """A copy of `a` with its shape, dtype and memory order (a transposed view stays transposed), one per
    memory location: an operand used again (a weight at every time step) is the same copy again, so that
    it stays in the cache as it does in the real iteration."""
    a = np.asarray(a)
    key = (a.__array_interface__["data"][0], a.shape, a.strides, a.dtype.str)
    if key not in copies:
        copies[key] = np.empty_like(a, order="K")
        np.copyto(copies[key], a)
    return copies[key]


def record_products(step: Callable[[], object]) -> Callable[[], None]:
    """Run `step` once, recording every `np.dot`/`np.matmul` call; return a function that redoes only those."""
    real: dict[str, Callable[..., Any]] = {"dot": np.dot, "matmul": np.matmul}
    calls: list[tuple[Callable[..., Any], np.ndarray, np.ndarray]] = []
    copies: dict[tuple[Any, ...], np.ndarray] = {}

    def recorder(fn: Callable[..., Any]) -> Callable[..., Any]:
        def recorded(a: Any, b: Any, *args: Any, **kwargs: Any) -> Any:
            calls.append((fn, _operand(a, copies), _operand(b, copies)))
            return fn(a, b, *args, **kwargs)

        return recorded

    np.dot, np.matmul = recorder(real["dot"]), recorder(real["matmul"])  # type: ignore[assignment]
    try:
        step()
    finally:
        np.dot, np.matmul = real["dot"], real["matmul"]  # type: ignore[assignment]

    def products() -> None:
        for fn, a, b in calls:
            fn(a, b)

    products.calls = calls  # type: ignore[attr-defined]  # (function, a, b) in order, for inspection
    return products
