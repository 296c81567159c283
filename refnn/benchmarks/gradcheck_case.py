r"""경우 3: 기울기 검사 한 번의 시간 — `refnn.gradcheck.check_layer` 대 `torch.autograd.gradcheck`.

같은 함수 $y = xW + b$ (Affine, float64)를 몇 가지 크기 `(N, D, H)`에서 검사합니다.

경쟁자
------
- `refnn`: `check_layer(Affine(W, b), x)`. 무작위 `dout`에 대한 스칼라
  $\langle \text{dout}, y\rangle$의 중앙 차분을 `dx`, `dW`, `db`의 모든 원소에서 계산합니다
  (원소마다 순전파 2번, 역전파 1번).
- `torch`: `torch.autograd.gradcheck(f, (x, W, b))` 기본값(전체 야코비안: 입력 원소마다
  순전파 2번 + 출력 원소마다 역전파 1번).
- `torch-fast`: 같은 함수에 `fast_mode=True`(무작위 방향으로 투영한 검사; refnn의 방식에 가깝습니다).

검사의 철저함이 다르므로(전체 야코비안 대 한 방향), 비율은 "검사 한 번의 비용"의 비교일 뿐
어느 쪽이 더 많이 검증하는지의 비교가 아닙니다. 허용 오차는 모두 refnn의 값
(eps 1e-6, atol 1e-6, rtol 1e-5)입니다. 한 라운드는 약 20 ms 이상이 되도록 검사를 여러 번
반복하고, 검사 한 번의 평균을 기록합니다. PyTorch는 1장과 같은 이유로 스레드 1개로 잽니다.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from refnn.benchmarks.config import Config
from refnn.benchmarks.timing import TORCH_MISSING, Contender, interleave, summarize, timed, torch_threads
from refnn.gradcheck import ATOL, EPS, RTOL, check_layer
from refnn.layers import Affine

__all__ = ["contenders", "run"]

#: 한 라운드가 적어도 이만큼(초) 걸리도록 검사를 반복합니다.
MIN_ROUND_SECONDS = 0.02


def _repeated(check: Callable[[], object]) -> Contender:
    """검사를 라운드마다 `number`번 부르고 한 번당 초를 돌려주는 경쟁자(`number`는 첫 호출로 정함)."""
    state: dict[str, int] = {}

    def run() -> float:
        if "number" not in state:
            single = timed(check)
            state["number"] = max(1, math.ceil(MIN_ROUND_SECONDS / max(single, 1e-9)))
        number = state["number"]
        return timed(check, number) / number

    return run


def contenders(size: tuple[int, int, int], torch: Any, seed: int = 0) -> dict[str, Contender]:
    """크기 `(N, D, H)`의 경쟁자 사전."""
    N, D, H = size
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, D))
    W = rng.standard_normal((D, H))
    b = rng.standard_normal(H)
    layer = Affine(W.copy(), b.copy())
    found = {"refnn": _repeated(lambda: check_layer(layer, x, rng=0))}
    if torch is not None:
        args = tuple(torch.from_numpy(a.copy()).requires_grad_(True) for a in (x, W, b))

        def affine(x: Any, W: Any, b: Any) -> Any:
            return x @ W + b

        def torch_check(fast: bool) -> Callable[[], object]:
            return lambda: torch.autograd.gradcheck(
                affine, args, eps=EPS, atol=ATOL, rtol=RTOL, fast_mode=fast
            )

        found["torch"] = _repeated(torch_check(False))
        found["torch-fast"] = _repeated(torch_check(True))
    return found


def run(cfg: Config, torch: Any) -> list[dict[str, object]]:
    """크기마다 경우 3을 재고 요약 목록을 돌려줍니다(목표 없음: 보고만)."""
    results = []
    for size in cfg.gradcheck_sizes:
        N, D, H = size
        with torch_threads(torch, 1):
            times = interleave(contenders(size, torch, cfg.seed), cfg.rounds)
        results.append(
            summarize(
                f"gradcheck-{N}x{D}x{H}",
                f"Gradient check of Affine, float64, x ({N}, {D}), W ({D}, {H}), b ({H},): "
                "time per check",
                "ms",
                times,
                [("refnn", "torch", None), ("refnn", "torch-fast", None)],
                skipped={} if torch is not None else {"torch": TORCH_MISSING, "torch-fast": TORCH_MISSING},
                notes={"checked_entries": N * D + D * H + H, "torch_threads": 1},
            )
        )
    return results
