r"""경우 4: 속성 테스트 묶음의 벽시계 시간(`ci` 프로필).

`HYPOTHESIS_PROFILE=ci`로 `python -m pytest -n 2 -q`를 새 프로세스에서 한 번 실행하고
걸린 시간과 pytest의 마지막 요약 줄을 기록합니다. 저장소의 `tests/`가 필요하므로
저장소 루트(기본: 현재 디렉터리)에서 실행합니다. 목표는 2분 미만입니다.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Any

__all__ = ["run", "TARGET_SECONDS"]

#: 목표: ci 프로필의 전체 묶음이 이 시간(초) 안에.
TARGET_SECONDS = 120.0


def run(root: str = ".", workers: int = 2, timeout: float = 1800.0) -> dict[str, Any]:
    """`root/tests`를 ci 프로필로 실행하고 시간(초), 종료 코드, 요약 줄을 돌려줍니다."""
    tests = os.path.join(root, "tests")
    if not os.path.isdir(tests):
        return {"skipped": f"no tests/ directory under {os.path.abspath(root)!r} (run from the repository root)"}
    env = dict(os.environ, HYPOTHESIS_PROFILE="ci")
    cmd = [sys.executable, "-m", "pytest", "-n", str(workers), "-q", "-p", "no:cacheprovider", "tests"]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    seconds = time.perf_counter() - start
    lines = [line for line in proc.stdout.strip().splitlines() if line.strip()]
    return {
        "command": "HYPOTHESIS_PROFILE=ci " + " ".join(["python", *cmd[1:]]),
        "seconds": seconds,
        "returncode": proc.returncode,
        "summary": lines[-1] if lines else proc.stderr.strip()[-500:],
        "target_seconds": TARGET_SECONDS,
        "met": bool(proc.returncode == 0 and seconds < TARGET_SECONDS),
    }
