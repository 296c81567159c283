r"""7–8장의 벤치마크: Peeky seq2seq(덧셈)와 어텐션 seq2seq(날짜)의 학습 — 교과서 기준선과의 비율.

`python -m refnn.benchmarks.seq2seq [--rounds R] [--number K] [--epoch-rounds E] [--threads N] [--json PATH]`

경우(책의 설정, float32, Adam, 클리핑 5.0, 배치 128, 입력 반전):

- `peeky-addition`: `PeekySeq2seq`, $D = 16$, $H = 128$, 덧셈 데이터(훈련 45,000개, 질문 7자, 답 5자).
- `attention-date`: `AttentionSeq2seq`, $D = 16$, $H = 256$, 날짜 데이터(훈련 45,000개, 질문 29자, 답 11자).

한 반복 = 순전파 + 역전파 + 클리핑 + Adam 갱신(기준선은 책의 `Trainer`처럼 그 앞에 `remove_duplicate`).
데이터는 `dataset.sequence`가 시드에서 만든 것이고, 두 경쟁자가 같은 미니배치를 같은 순서로 씁니다.

- **반복**(판정): 한 라운드는 미니배치 20개를 돌아가며 쓰는 `number`번의 반복이며, 경쟁자를 라운드마다
  번갈아 실행하고(`timing.interleave`) 한 반복의 중앙값의 비를 보고합니다.
- **에폭**(보고): 훈련 데이터 45,000개 전체를 시드로 섞어 배치 128로 자른 351번의 반복(책의 `Trainer`의
  한 에폭)을 경쟁자마다 `epoch_rounds`번 번갈아 잰 시간입니다. 한 반복의 중앙값 × 351의 환산값도 함께 남깁니다.

NumPy의 BLAS는 `threads`개(기본 1)의 스레드로 잽니다(`timing.blas_threads`): 코어를 나눠 쓰는 2코어
기계에서 OpenBLAS의 2 스레드는 이 크기의 곱을 부하에 따라 수십 배 느리게 만듭니다.

목표: refnn ≤ 0.7 × textbook (한 반복의 중앙값의 비).

반복의 라운드에는 두 경쟁자 각자의 **행렬 곱 하한**(`matmul floor`, `textbook matmul floor`)도 끼워 잽니다:
그 반복이 부르는 `np.dot`·`np.matmul`을 한 번 기록해 두고 곱만 다시 실행한 시간입니다
(`products.record_products`). 결과의 `beyond_products`는 한 반복에서 행렬 곱 밖에 쓴 시간(refnn, 기준선)과
목표가 refnn에게 남겨 두는 시간(0.7 × 기준선 − refnn의 행렬 곱)입니다.
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
from refnn.benchmarks.products import record_products
from refnn.benchmarks.timing import blas_threads, describe_threads, interleave, machine_info, median
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


def seq2seq_case(name: str, number: int = 5, seed: int = 0, batches: int | None = 20,
                 floors: bool = False) -> dict[str, Callable[[], float]]:
    """refnn's and the textbook's training iteration of case `name` (seconds per iteration); with `floors`,
    also the matrix products of one iteration of each alone (`products.record_products`).

    `batches=None`: the whole training set (TRAIN examples) shuffled by `seed` and cut into TRAIN // BATCH
    mini-batches, so that `number = TRAIN // BATCH` iterations are one epoch.
    """
    from refnn import models
    from refnn.optim import Adam
    from refnn.trainer import clip_grads

    model_name, kind, D, H = CASES[name]
    if batches is None:
        x, t, V = _data(kind, TRAIN + TRAIN // 9, seed)
        batches = TRAIN // BATCH
        order = np.random.default_rng(seed).permutation(len(x))
        x, t = x[order], t[order]
    else:
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

    contenders = {"refnn": _per_call(refnn_step, number), "textbook": _per_call(textbook_step, number)}
    if floors:  # each one's matrix products alone, recorded from one of its iterations
        contenders["matmul floor"] = _per_call(record_products(refnn_step), number)
        contenders["textbook matmul floor"] = _per_call(record_products(textbook_step), number)
    return contenders


def _beyond_products(med: dict[str, float]) -> dict[str, float]:
    """Seconds per iteration outside the matrix products: refnn's, the textbook's, and what the target leaves
    refnn (TARGET × textbook − refnn's products)."""
    return {"refnn": med["refnn"] - med["matmul floor"],
            "textbook": med["textbook"] - med["textbook matmul floor"],
            "target_allows": TARGET * med["textbook"] - med["matmul floor"]}


def run(rounds: int = 5, number: int = 5, cases: list[str] | None = None, epoch_rounds: int = 1,
        threads: int | None = 1) -> dict[str, Any]:
    """Measure each case with `threads` BLAS threads: interleaved iteration rounds (medians, the ratio, the
    verdict), then `epoch_rounds` interleaved full epochs (0: none)."""
    iters = TRAIN // BATCH
    with blas_threads(threads) as blas:
        machine = machine_info()
        machine["blas_threads"] = blas
        results: dict[str, Any] = {"machine": machine, "target": TARGET, "iterations_per_epoch": iters,
                                   "cases": {}}
        for name in cases or list(CASES):
            times = interleave(seq2seq_case(name, number, floors=True), rounds=rounds, warmup=1)
            med = {who: median(ts) for who, ts in times.items()}
            ratio = med["refnn"] / med["textbook"]
            case: dict[str, Any] = {"model": CASES[name][0], "median_seconds_per_iteration": med,
                                    "epoch_seconds_from_iterations": {who: med[who] * iters
                                                                      for who in ("refnn", "textbook")},
                                    "times": times, "ratio": ratio, "met": ratio <= TARGET,
                                    "beyond_products": _beyond_products(med)}
            if epoch_rounds > 0:
                epochs = interleave(seq2seq_case(name, iters, batches=None), rounds=epoch_rounds, warmup=0)
                epoch = {who: median(ts) * iters for who, ts in epochs.items()}
                case.update(epoch_seconds=epoch, epoch_rounds=epoch_rounds,
                            epoch_ratio=epoch["refnn"] / epoch["textbook"])
            results["cases"][name] = case
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m refnn.benchmarks.seq2seq", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--number", type=int, default=5, help="iterations per timed call")
    parser.add_argument("--case", action="append", choices=sorted(CASES), help="default: both")
    parser.add_argument("--epoch-rounds", type=int, default=1, help="full epochs per contender (0: none)")
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1)")
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args(argv)
    r = run(args.rounds, args.number, args.case, args.epoch_rounds, args.threads)
    print(describe_threads(r["machine"]["blas_threads"]))
    for name, c in r["cases"].items():
        per_iter = ", ".join(f"{who} {1e3 * s:.1f} ms" for who, s in c["median_seconds_per_iteration"].items())
        verdict = "met" if c["met"] else "NOT met"
        print(f"{name} ({c['model']}): iteration {per_iter}; refnn / textbook {c['ratio']:.3f} "
              f"(target <= {TARGET}): {verdict}")
        beyond = c["beyond_products"]
        print(f"  outside the matrix products: refnn {1e3 * beyond['refnn']:.2f} ms, textbook "
              f"{1e3 * beyond['textbook']:.2f} ms; the target leaves refnn {1e3 * beyond['target_allows']:.2f} ms")
        if "epoch_seconds" in c:
            epochs = ", ".join(f"{who} {s:.1f} s" for who, s in c["epoch_seconds"].items())
            print(f"  one epoch ({r['iterations_per_epoch']} iterations): {epochs}; ratio {c['epoch_ratio']:.3f}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(r, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
