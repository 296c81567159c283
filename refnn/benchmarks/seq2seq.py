r"""7–8장의 벤치마크: Peeky seq2seq(덧셈)와 어텐션 seq2seq(날짜)의 학습 — 교과서 기준선과의 비율.

`python -m refnn.benchmarks.seq2seq [--rounds R] [--number K] [--json PATH]`

경우(책의 설정, float32, Adam, 클리핑 5.0, 배치 128, 입력 반전):

- `peeky-addition`: `PeekySeq2seq`, $D = 16$, $H = 128$, 덧셈 데이터(훈련 45,000개, 질문 7자, 답 5자).
- `attention-date`: `AttentionSeq2seq`, $D = 16$, $H = 256$, 날짜 데이터(훈련 45,000개, 질문 29자, 답 11자).

한 반복 = 순전파 + 역전파 + 클리핑 + Adam 갱신(기준선은 책의 `Trainer`처럼 그 앞에 `remove_duplicate`).
데이터는 `dataset.sequence`가 시드에서 만든 것이고, 두 경쟁자가 같은 미니배치를 같은 순서로 씁니다.
한 라운드는 `number`번의 반복이며, 경쟁자를 라운드마다 번갈아 실행하고(`timing.interleave`) 중앙값의
비를 보고합니다. 에폭 시간은 한 반복의 중앙값 × 에폭의 반복 수(45,000 // 128 = 351)로 환산한 것입니다.

목표: refnn ≤ 0.7 × textbook.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from refnn.benchmarks import textbook_seq2seq as book
from refnn.benchmarks.timing import interleave, machine_info, median
from refnn.benchmarks.word2vec import _per_call

__all__ = ["CASES", "TARGET", "BATCH", "seq2seq_case", "run", "main"]

#: case → (refnn model name, data set, D, H).
CASES = {"peeky-addition": ("PeekySeq2seq", "addition", 16, 128),
         "attention-date": ("AttentionSeq2seq", "date", 16, 256)}
#: Upper bound of median(refnn) / median(textbook).
TARGET = 0.7
BATCH, MAX_GRAD, TRAIN = 128, 5.0, 45_000


def _data(kind: str, n: int, seed: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Reversed questions and answers of the generated data set, and the vocabulary size."""
    from dataset import sequence

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{kind}.txt"
        (sequence.write_addition if kind == "addition" else sequence.write_date)(path, n=n, seed=seed)
        (x, t), _ = sequence.load_data(path, seed=seed)
    return x[:, ::-1].copy(), t, len(sequence.get_vocab()[0])


def seq2seq_case(name: str, number: int = 5, seed: int = 0, batches: int = 20) -> dict[str, Callable[[], float]]:
    """refnn's and the textbook's training iteration of case `name` (seconds per iteration)."""
    from refnn import models
    from refnn.optim import Adam
    from refnn.trainer import clip_grads

    model_name, kind, D, H = CASES[name]
    x, t, V = _data(kind, BATCH * batches + BATCH * batches // 9 + 1, seed)
    pairs = [(x[i * BATCH:(i + 1) * BATCH], t[i * BATCH:(i + 1) * BATCH]) for i in range(batches)]
    model, optimizer = getattr(models, model_name)(V, D, H, rng=seed), Adam()
    base, base_opt = getattr(book, model_name)(V, D, H, seed=seed), book.Adam()
    for p, q in zip(base.params, model.params):
        p[...] = q  # the same start
    state = {"refnn": 0, "textbook": 0}

    def batch_of(who: str) -> tuple[np.ndarray, np.ndarray]:
        i = state[who]
        state[who] = (i + 1) % len(pairs)
        return pairs[i]

    def refnn_step() -> None:
        xs, ts = batch_of("refnn")
        model.forward(xs, ts)
        model.backward()
        clip_grads(model.grads, MAX_GRAD)
        optimizer.update(model.params, model.grads)

    def textbook_step() -> None:
        xs, ts = batch_of("textbook")
        base.forward(xs, ts)
        base.backward()
        params, grads = book.remove_duplicate(base.params, base.grads)
        book.clip_grads(grads, MAX_GRAD)
        base_opt.update(params, grads)

    return {"refnn": _per_call(refnn_step, number), "textbook": _per_call(textbook_step, number)}


def run(rounds: int = 5, number: int = 5, cases: list[str] | None = None) -> dict[str, Any]:
    """Measure each case (interleaved rounds): medians per iteration and per epoch, the ratio, the verdict."""
    iters = TRAIN // BATCH
    results: dict[str, Any] = {"machine": machine_info(), "target": TARGET, "iterations_per_epoch": iters,
                               "cases": {}}
    for name in cases or list(CASES):
        times = interleave(seq2seq_case(name, number), rounds=rounds, warmup=1)
        med = {who: median(ts) for who, ts in times.items()}
        ratio = med["refnn"] / med["textbook"]
        results["cases"][name] = {"model": CASES[name][0], "median_seconds_per_iteration": med,
                                  "epoch_seconds": {who: m * iters for who, m in med.items()},
                                  "times": times, "ratio": ratio, "met": ratio <= TARGET}
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m refnn.benchmarks.seq2seq", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--number", type=int, default=5, help="iterations per timed call")
    parser.add_argument("--case", action="append", choices=sorted(CASES), help="default: both")
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args(argv)
    r = run(args.rounds, args.number, args.case)
    for name, c in r["cases"].items():
        epochs = ", ".join(f"{who} {s:.1f} s" for who, s in c["epoch_seconds"].items())
        verdict = "met" if c["met"] else "NOT met"
        print(f"{name} ({c['model']}): epoch {epochs}; refnn / textbook {c['ratio']:.3f} "
              f"(target <= {TARGET}): {verdict}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(r, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
