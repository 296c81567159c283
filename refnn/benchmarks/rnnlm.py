r"""6장의 벤치마크: `Rnnlm` 학습 한 반복 — 교과서 기준선, 그리고 그 반복의 행렬 곱만의 하한과의 비율.

`python -m refnn.benchmarks.rnnlm [--rounds R] [--number K] [--json PATH]`

경우: $V = 10{,}000$, $D = H = 100$, 배치 20, $T = 35$, float32, SGD(lr 20), 클리핑 0.25. 한 반복 =
순전파 + 역전파 + `clip_grads` + SGD 갱신. 미니배치는 미리 뽑은 무작위 단어 ID (모든 경쟁자가 같은 것).

- `refnn`: `refnn.models.Rnnlm`, `refnn.trainer.clip_grads`, `refnn.optim.SGD`.
- `textbook`: `textbook_rnnlm` (시각마다 LSTM·Embedding 객체, 시각마다 입력 쪽 곱).
- `matmul floor`: 그 반복에 필요한 행렬 곱만 같은 형상·dtype으로 실행한 시간. 순전파
  $X W_x$ `(700, 100)×(100, 400)`, 시각마다 $h W_h$ `(20, 100)×(100, 400)` 35번, 점수
  `(700, 100)×(100, 10000)`; 역전파 $dW_{\text{affine}}$ `(100, 700)×(700, 10000)`, $dh$
  `(700, 10000)×(10000, 100)`, 시각마다 $dA\,W_h^\top$ 35번, $dW_x$, $dW_h$, $dx$.

목표: refnn ≤ 0.6 × textbook, refnn ≤ 1.3 × matmul floor. 라운드마다 경쟁자를 번갈아
실행하고(`timing.interleave`) 중앙값의 비를 보고합니다.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from refnn.benchmarks import textbook_rnnlm as book
from refnn.benchmarks.timing import interleave, machine_info, median
from refnn.benchmarks.word2vec import _per_call

__all__ = ["rnnlm_case", "run", "main", "SIZES", "TARGETS"]

#: V, D, H, batch, T.
SIZES = (10_000, 100, 100, 20, 35)
#: contender → target upper bound of median(refnn) / median(contender).
TARGETS = {"textbook": 0.6, "matmul floor": 1.3}


def _batches(V: int, N: int, T: int, count: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    return [(rng.integers(0, V, (N, T)), rng.integers(0, V, (N, T))) for _ in range(count)]


def matmul_floor(V: int, D: int, H: int, N: int, T: int, seed: int = 0) -> Callable[[], None]:
    """The matrix products of one iteration alone, in float32, on preallocated arrays."""
    rng = np.random.default_rng(seed)

    def f32(*shape: int) -> np.ndarray:
        return rng.standard_normal(shape).astype(np.float32)

    X, Wx, Wh, h, dA = f32(N * T, D), f32(D, 4 * H), f32(H, 4 * H), f32(N, H), f32(N, 4 * H)
    Hs, W, G, dAs = f32(N * T, H), f32(H, V), f32(N * T, V), f32(N * T, 4 * H)

    def products() -> None:
        np.dot(X, Wx)
        for _ in range(T):
            np.dot(h, Wh)
        np.dot(Hs, W)
        np.dot(Hs.T, G)
        np.dot(G, W.T)
        for _ in range(T):
            np.dot(dA, Wh.T)
        np.dot(X.T, dAs)
        np.dot(Hs.T, dAs)
        np.dot(dAs, Wx.T)

    return products


def rnnlm_case(number: int = 2, seed: int = 0) -> dict[str, Callable[[], float]]:
    """refnn's and the textbook's Rnnlm iteration and the matmul floor (seconds per iteration)."""
    from refnn.models import Rnnlm
    from refnn.optim import SGD
    from refnn.trainer import clip_grads

    V, D, H, N, T = SIZES
    batches = _batches(V, N, T, 8, seed)
    model, optimizer = Rnnlm(V, D, H, rng=seed), SGD(lr=20.0)
    base, base_opt = book.Rnnlm(V, D, H, seed=seed), book.SGD(lr=20.0)
    for p, q in zip(base.params, model.params):
        p[...] = q  # the same start
    state = {"refnn": 0, "textbook": 0}

    def batch_of(name: str) -> tuple[np.ndarray, np.ndarray]:
        i = state[name]
        state[name] = (i + 1) % len(batches)
        return batches[i]

    def refnn_step() -> None:
        xs, ts = batch_of("refnn")
        model.forward(xs, ts)
        model.backward()
        clip_grads(model.grads, 0.25)
        optimizer.update(model.params, model.grads)

    def textbook_step() -> None:
        xs, ts = batch_of("textbook")
        base.forward(xs, ts)
        base.backward()
        book.clip_grads(base.grads, 0.25)
        base_opt.update(base.params, base.grads)

    return {"refnn": _per_call(refnn_step, number), "textbook": _per_call(textbook_step, number),
            "matmul floor": _per_call(matmul_floor(V, D, H, N, T, seed), number)}


def run(rounds: int = 7, number: int = 2) -> dict[str, Any]:
    """Measure the case (interleaved rounds) and return medians, the two ratios and the verdicts."""
    contenders = rnnlm_case(number)
    times = interleave(contenders, rounds=rounds, warmup=1)
    med = {n: median(t) for n, t in times.items()}
    ratios = {other: med["refnn"] / med[other] for other in TARGETS}
    return {"machine": machine_info(), "title": "Rnnlm iteration (V=10k, D=H=100, batch 20, T=35, float32, "
            "SGD lr 20, clip 0.25)", "median_seconds": med, "times": times, "ratios": ratios,
            "targets": TARGETS, "met": {k: ratios[k] <= TARGETS[k] for k in TARGETS}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m refnn.benchmarks.rnnlm", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--number", type=int, default=2, help="iterations per timed call")
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args(argv)
    r = run(args.rounds, args.number)
    times = ", ".join(f"{n} {1e3 * t:.1f} ms" for n, t in r["median_seconds"].items())
    print(f"{r['title']}\n  medians: {times}")
    for other, ratio in r["ratios"].items():
        verdict = "met" if r["met"][other] else "NOT met"
        print(f"  refnn / {other}: {ratio:.3f} (target <= {TARGETS[other]}): {verdict}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(r, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
