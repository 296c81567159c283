r"""refnn의 벤치마크 하니스: 참조 구현이 빠르기도 한지, 같은 실행에서 나란히 잽니다.

경우(case)
----------
1. `chapter1`: 1장의 학습 스텝 — refnn 대 교과서 기준선(`textbook`) 대 PyTorch eager.
2. `mlp`: 큰 MLP 스텝(float32, float64) — refnn 대 행렬 곱의 바닥 대 PyTorch eager.
3. `gradcheck`: `check_layer` 대 `torch.autograd.gradcheck`.
4. `memory`: 100 스텝과 10,000 스텝 학습의 최대 RSS(각각 새 프로세스).
5. `suite`(선택): `ci` 프로필 속성 테스트 묶음의 벽시계 시간.

모든 시간 측정은 경쟁자를 라운드마다 번갈아(A B A B …) 실행하고 중앙값을 씁니다.
PyTorch가 없으면 PyTorch 경쟁자만 빠지고 그 이유가 결과에 남습니다.
명령줄: `python -m refnn bench` (또는 `make bench`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from refnn.benchmarks.config import CASES, MIN_ROUNDS, Config
from refnn.benchmarks.timing import TORCH_MISSING, machine_info

__all__ = ["Config", "CASES", "MIN_ROUNDS", "run_benchmarks"]


def run_benchmarks(
    cfg: Config,
    torch: Any = None,
    suite_root: str | None = None,
    log: Callable[[str], None] = lambda message: None,
) -> dict[str, Any]:
    """`cfg.cases`의 경우들을 재고 결과 사전(JSON으로 쓸 수 있음)을 돌려줍니다.

    Parameters
    ----------
    cfg : Config
        크기, 라운드 수, 실행할 경우.
    torch : module or None
        PyTorch 모듈(`timing.load_torch()`); `None`이면 PyTorch 경쟁자를 건너뜁니다.
    suite_root : str, optional
        주면 그 저장소의 `tests/`를 ci 프로필로 실행해 시간을 잽니다(경우 4).
    log : callable
        진행 상황을 한 줄씩 받는 함수(기본: 출력 없음).
    """
    unknown = set(cfg.cases) - set(CASES)
    if unknown:
        raise ValueError(f"unknown case(s) {sorted(unknown)}; expected some of {list(CASES)}")
    results: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": machine_info(torch),
        "rounds": cfg.rounds,
        "cases": [],
    }
    if torch is None:
        log(TORCH_MISSING)
    if "chapter1" in cfg.cases:
        from refnn.benchmarks import chapter1

        log("chapter1: TwoLayerNet training step ...")
        results["cases"].append(chapter1.run(cfg, torch))
    if "mlp" in cfg.cases:
        from refnn.benchmarks import mlp

        log("mlp: large MLP step vs the matmul floor ...")
        results["cases"] += mlp.run(cfg, torch)
    if "gradcheck" in cfg.cases:
        from refnn.benchmarks import gradcheck_case

        log("gradcheck: check_layer vs torch.autograd.gradcheck ...")
        results["cases"] += gradcheck_case.run(cfg, torch)
    if "memory" in cfg.cases:
        from refnn.benchmarks import memory

        log(f"memory: peak RSS of {cfg.memory_steps[0]} vs {cfg.memory_steps[1]} steps ...")
        results["memory"] = memory.run(cfg.memory_steps)
    if suite_root is not None:
        from refnn.benchmarks import suite

        log("suite: property suite, ci profile ...")
        results["suite"] = suite.run(suite_root)
    return results
