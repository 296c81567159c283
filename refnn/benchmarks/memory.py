r"""메모리 증가 검사: 짧은 학습(100 스텝)과 긴 학습(10,000 스텝)의 최대 RSS 비교.

각 학습은 **새 파이썬 프로세스**에서 돌고(`python -m refnn.benchmarks.memory`), 끝날 때의
최대 RSS(리눅스는 `VmHWM`, 그 밖에는 `ru_maxrss`)를 JSON 한 줄로 출력합니다. 기울기와
옵티마이저 상태를 제자리에서 다시 쓰면 스텝 수가 100배가 되어도 최대 RSS는 거의 같아야
합니다(목표: 긴 쪽이 짧은 쪽의 1.05배 이내).

학습은 1장의 설정(`TwoLayerNet(2, 10, 3)`, 스파이럴, 배치 30, SGD 1.0)을 필요한 스텝만큼
에폭을 이어 가며 돌립니다. `--retain`은 스텝마다 기울기의 복사본을 쌓아 두는 **일부러
잘못된** 학습으로, 이 검사가 증가를 실제로 잡아내는지 보이는 데에만 씁니다.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

__all__ = ["measure", "run", "main", "TARGET"]

#: 긴 학습의 최대 RSS / 짧은 학습의 최대 RSS 의 상한.
TARGET = 1.05

IMPLS = ("refnn", "textbook")


def _peak_rss_kib() -> int:
    """이 프로세스의 최대 RSS(KiB).

    리눅스에서는 `/proc/self/status`의 `VmHWM`을 읽습니다: `ru_maxrss`는 `exec` 전에
    부모의 주소 공간을 빌려 쓴(vfork) 순간의 부모 RSS까지 포함할 수 있기 때문입니다.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak // 1024) if sys.platform == "darwin" else int(peak)  # macOS reports bytes


def _train(steps: int, impl: str, retain: bool) -> dict[str, Any]:
    import numpy as np

    from dataset.spiral import load_data

    x, t = load_data()
    init_rng = np.random.default_rng(0)
    if impl == "refnn":
        from refnn.models import TwoLayerNet
        from refnn.optim import SGD

        model: Any = TwoLayerNet(2, 10, 3, rng=init_rng)
        optimizer: Any = SGD(lr=1.0)
    elif impl == "textbook":
        from refnn.benchmarks import textbook
        from refnn.models import TwoLayerNet as Init

        model = textbook.TwoLayerNet(*Init(2, 10, 3, rng=init_rng).params)
        optimizer = textbook.SGD(lr=1.0)
    else:
        raise ValueError(f"unknown implementation {impl!r}; expected one of {IMPLS}")
    rng = np.random.default_rng(1)
    batch = 30
    kept = []
    idx = rng.permutation(x.shape[0])
    start = 0
    for _ in range(steps):
        if start + batch > x.shape[0]:
            idx, start = rng.permutation(x.shape[0]), 0
        sel = idx[start:start + batch]
        start += batch
        model.forward(x[sel], t[sel])
        model.backward()
        optimizer.update(model.params, model.grads)
        if retain:  # the deliberately broken run: a history that grows every step
            kept.append([g.copy() for g in model.grads])
    return {"impl": impl, "steps": steps, "retain": retain, "peak_rss_kib": _peak_rss_kib()}


def measure(steps: int, impl: str = "refnn", retain: bool = False, timeout: float = 600.0) -> dict[str, Any]:
    """새 프로세스에서 `steps` 스텝을 학습하고 그 프로세스의 최대 RSS(KiB)를 돌려줍니다."""
    import refnn

    root = os.path.dirname(os.path.dirname(os.path.abspath(refnn.__file__)))
    env = dict(os.environ)
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    cmd = [sys.executable, "-m", "refnn.benchmarks.memory", "--steps", str(steps), "--impl", impl]
    if retain:
        cmd.append("--retain")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"memory child failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(steps: tuple[int, int], impls: Sequence[str] = IMPLS, retain: bool = False) -> dict[str, Any]:
    """구현마다 짧은/긴 학습의 최대 RSS와 그 비(목표 ≤ 1.05)를 돌려줍니다."""
    if sys.platform.startswith("win"):
        return {"skipped": "peak RSS is measured with the resource module, which Windows lacks"}
    short, long = steps
    results: dict[str, Any] = {"steps": [short, long], "target": TARGET, "impls": {}}
    for impl in impls:
        a = measure(short, impl, retain)
        b = measure(long, impl, retain)
        value = b["peak_rss_kib"] / a["peak_rss_kib"]
        results["impls"][impl] = {
            "short_peak_rss_kib": a["peak_rss_kib"],
            "long_peak_rss_kib": b["peak_rss_kib"],
            "ratio": value,
            "met": bool(value <= TARGET),
        }
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """자식 프로세스의 진입점: 학습하고 JSON 한 줄을 출력합니다."""
    parser = argparse.ArgumentParser(prog="python -m refnn.benchmarks.memory")
    parser.add_argument("--steps", type=int, required=True)
    parser.add_argument("--impl", choices=IMPLS, default="refnn")
    parser.add_argument("--retain", action="store_true",
                        help="keep a copy of the gradients every step (a deliberate leak)")
    args = parser.parse_args(argv)
    print(json.dumps(_train(args.steps, args.impl, args.retain)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
