r"""벤치마크의 시간 측정: 교대 라운드(A B A B …), 중앙값, 비율, 측정한 기계의 정보.

모든 경쟁자(contender)는 인자 없는 함수(`run()`)이고, 한 번 부르면 잰 작업을
`number`번 해서 걸린 초를 **스스로** 돌려줍니다. 그래서 준비(모델 생성, 데이터
변환)는 재는 구간 밖에 둘 수 있습니다. `interleave`는 라운드마다 모든 경쟁자를
정해진 순서로 한 번씩 부르므로, 기계의 부하가 바뀌어도 모든 경쟁자가 같은 영향을
받습니다(2코어를 다른 작업과 나눠 쓰는 기계에서 중요합니다).
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import numpy as np

__all__ = [
    "Contender",
    "interleave",
    "timed",
    "median",
    "ratio",
    "machine_info",
    "load_torch",
    "TORCH_MISSING",
    "summarize",
    "torch_threads",
    "blas_threads",
    "describe_threads",
]

#: PyTorch가 없을 때 출력하는 안내.
TORCH_MISSING = (
    "PyTorch not installed: torch contenders skipped "
    "(install them with: pip install 'refnn[bench]', i.e. torch==2.13.0)"
)

#: 한 번 부르면 잰 초를 돌려주는 경쟁자.
Contender = Callable[[], float]


def timed(work: Callable[[], object], number: int = 1) -> float:
    """`work()`를 `number`번 부르는 데 걸린 초(`time.perf_counter`)."""
    start = time.perf_counter()
    for _ in range(number):
        work()
    return time.perf_counter() - start


def interleave(
    contenders: Mapping[str, Contender],
    rounds: int,
    warmup: int = 1,
    order: list[str] | None = None,
) -> dict[str, list[float]]:
    """경쟁자들을 라운드마다 번갈아 실행하고 라운드별 시간을 모읍니다.

    Parameters
    ----------
    contenders : mapping of str to callable
        이름 → 잰 초를 돌려주는 함수. 사전의 순서가 라운드 안의 순서입니다.
    rounds : int
        라운드 수(1 이상). 목표를 판정하는 측정은 5 이상을 씁니다.
    warmup : int, default 1
        재기 전에 경쟁자마다 버리는 실행 횟수(첫 호출의 import·캐시 비용 제외).
    order : list of str, optional
        호출 순서를 기록할 리스트(테스트용). 주면 실행한 이름을 차례로 덧붙입니다.

    Returns
    -------
    dict of str to list of float
        경쟁자별 라운드 시간(초), 길이는 `rounds`.
    """
    if rounds < 1:
        raise ValueError(f"interleave: rounds must be >= 1, got {rounds}")
    for _ in range(warmup):
        for fn in contenders.values():
            fn()
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, fn in contenders.items():
            if order is not None:
                order.append(name)
            times[name].append(float(fn()))
    return times


def median(values: list[float]) -> float:
    """라운드 시간의 중앙값."""
    return float(statistics.median(values))


def ratio(times: Mapping[str, list[float]], numerator: str, denominator: str) -> float:
    """중앙값의 비 `median(numerator) / median(denominator)`."""
    return median(list(times[numerator])) / median(list(times[denominator]))


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib() -> float | None:
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return None


def _blas() -> str:
    try:
        config = np.show_config(mode="dicts")  # type: ignore[func-returns-value]
        blas = config["Build Dependencies"]["blas"]
        return f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # older NumPy or an unusual build: the name is only informative
        return "unknown"


def load_torch(enabled: bool = True) -> Any:
    """PyTorch 모듈, 또는 없거나 끈 경우 `None`(그때 PyTorch 경쟁자는 건너뜁니다)."""
    if not enabled:
        return None
    try:
        import torch
    except ImportError:
        return None
    return torch


def machine_info(torch: Any = None) -> dict[str, object]:
    """측정한 기계와 소프트웨어의 정보(결과 JSON과 표에 함께 싣습니다)."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    info: dict[str, object] = {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "blas": _blas(),
        "load_average_at_start": [round(v, 2) for v in load] if load else None,
    }
    if torch is not None:
        info["torch"] = torch.__version__
        info["torch_threads"] = torch.get_num_threads()
    else:
        info["torch"] = None
    return info


def summarize(
    case: str,
    title: str,
    unit: str,
    times: Mapping[str, list[float]],
    comparisons: list[tuple[str, str, float | None]],
    skipped: Mapping[str, str] | None = None,
    notes: Mapping[str, object] | None = None,
) -> dict[str, object]:
    """한 경우의 결과를 JSON으로 쓸 수 있는 사전으로 정리합니다.

    Parameters
    ----------
    case, title : str
        짧은 이름(`"chapter1"`)과 표에 쓸 설명.
    unit : {"us", "ms", "s"}
        표와 그림에서 쓸 단위. 저장하는 값은 언제나 초입니다.
    times : mapping of str to list of float
        경쟁자별 라운드 시간(작업 하나당 초).
    comparisons : list of (numerator, denominator, target)
        계산할 비율 `median(numerator) / median(denominator)`과 그 목표 상한
        (`None`이면 목표 없이 보고만). 분모가 측정되지 않았으면 건너뜁니다. 판정은 이
        중앙값의 비로 하고, 같은 라운드끼리의 비의 중앙값(`paired`)도 참고로 남깁니다
        (부하가 라운드마다 바뀌는 기계에서 덜 흔들립니다).
    skipped : mapping of str to str, optional
        건너뛴 경쟁자와 그 이유.
    notes : mapping, optional
        그 밖의 정보(마지막 손실 등).
    """
    contenders = {
        name: {"median": median(list(ts)), "min": min(ts), "max": max(ts), "times": list(ts)}
        for name, ts in times.items()
    }
    ratios = []
    for num, den, target in comparisons:
        if num not in times or den not in times:
            continue
        value = ratio(times, num, den)
        paired = median([a / b for a, b in zip(times[num], times[den])])
        ratios.append(
            {
                "name": f"{num}/{den}",
                "value": value,
                "paired": paired,
                "target": target,
                "met": None if target is None else bool(value <= target),
            }
        )
    return {
        "case": case,
        "title": title,
        "unit": unit,
        "contenders": contenders,
        "ratios": ratios,
        "skipped": dict(skipped or {}),
        "notes": dict(notes or {}),
    }


@contextmanager
def torch_threads(torch: Any, n: int) -> Iterator[None]:
    """PyTorch의 연산 스레드 수를 잠시 `n`으로 둡니다(`torch`가 `None`이면 아무것도 안 함).

    1장 크기의 작은 연산에서는 스레드가 도움이 되지 않고, 다른 작업과 코어를 나눠 쓰는
    기계에서는 2 스레드의 대기(spin)가 스텝을 수십 배 느리게 만들기도 해서 1로 잽니다.
    """
    if torch is None:
        yield
        return
    old = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(old)


@contextmanager
def blas_threads(n: int | None) -> Iterator[int | None]:
    """NumPy가 쓰는 BLAS의 스레드 수를 잠시 `n`으로 두고, 그동안의 스레드 수를 내줍니다.

    `threadpoolctl`(벤치마크 추가 의존성 `bench`)로 바꿉니다. `n`이 `None`이면 바꾸지 않습니다.
    `threadpoolctl`이 없으면 바꾸지 못하고 `None`(모름)을 내줍니다. 코어를 다른 작업과 나눠 쓰는
    2코어 기계에서 OpenBLAS의 2 스레드는 서로를 기다리느라 작은 곱을 수십 배 느리게 만들기도 해서,
    7–8장과 6장의 경우는 기본으로 1 스레드에서 잽니다(`torch_threads`와 같은 이유).
    """
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        yield None
        return
    controller = ThreadpoolController()
    if n is None:
        counts = [pool["num_threads"] for pool in controller.info() if pool["user_api"] == "blas"]
        yield max(counts) if counts else None
        return
    with controller.limit(limits=n, user_api="blas"):
        yield n


def describe_threads(n: int | None) -> str:
    """`blas_threads`가 내준 스레드 수를 한 줄로(모르면 그 이유)."""
    if n is None:
        return "BLAS threads: the default count (threadpoolctl not installed, so not pinned)"
    return f"BLAS threads: {n}"
