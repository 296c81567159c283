r"""4장의 벤치마크: CBOW 학습 한 반복, PPMI, 부정적 예 표본기 — 교과서 기준선과의 비율.

`python -m refnn.benchmarks.word2vec [--rounds R] [--json PATH]`

경우
----
- `cbow`: PTB 크기(929,589 단어)의 합성 Zipf 말뭉치, $V = 10{,}000$, $H = 100$, 창 5, 배치 100,
  $k = 5$, Adam. 한 반복 = 순전파 + 역전파 + (기준선만) `remove_duplicate` + Adam 갱신.
  refnn(`refnn.models.word2vec.CBOW`, `refnn.optim.Adam`) 대 `textbook_word2vec`. 목표 ≤ 0.4배.
- `ppmi`: $5{,}000 \times 5{,}000$ 동시발생 행렬. refnn의 `ppmi`(전체) 대 책식 이중 루프.
  이중 루프는 2,500만 원소에 몇 분이 걸리므로 **앞의 `PPMI_ROWS`행만 재고 행 수에 비례해
  늘려서**(선형 외삽) 비교합니다. 목표 ≤ 1/50.
- `sampler`: $V = 10{,}000$, 배치 100, $k = 5$. refnn의 `UnigramSampler` 대 행마다
  `choice(replace=False, p=...)`를 부르는 기준선. 목표: refnn이 10배 이상 빠름(비율 ≤ 0.1).

라운드마다 경쟁자를 번갈아 한 번씩 실행하고(`timing.interleave`), 중앙값의 비를 보고합니다.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from refnn.benchmarks import textbook_word2vec as book
from refnn.benchmarks.timing import interleave, machine_info, median
from refnn.sampling import UnigramSampler
from refnn.text import create_co_matrix, create_contexts_target, ppmi

__all__ = ["zipf_corpus", "cbow_case", "ppmi_case", "sampler_case", "run", "main", "PPMI_ROWS", "PTB_WORDS"]

#: 단어 수(PTB 훈련 데이터와 같음).
PTB_WORDS = 929_589
#: 이중 루프로 실제로 재는 PPMI의 행 수(나머지는 선형 외삽).
PPMI_ROWS = 8


def zipf_corpus(vocab_size: int, size: int, seed: int = 0) -> np.ndarray:
    """P(rank r) ∝ 1/(r + 1); every id appears at least once (the book's sampler needs that)."""
    rng = np.random.default_rng(seed)
    p = 1.0 / np.arange(1, vocab_size + 1)
    corpus = np.concatenate([np.arange(vocab_size), rng.choice(vocab_size, size - vocab_size, p=p / p.sum())])
    return rng.permutation(corpus)


def _per_call(fn: Callable[[], object], number: int) -> Callable[[], float]:
    def run() -> float:
        start = time.perf_counter()
        for _ in range(number):
            fn()
        return (time.perf_counter() - start) / number

    return run


def cbow_case(number: int = 3, seed: int = 0) -> dict[str, Callable[[], float]]:
    """refnn's and the textbook's CBOW iteration (seconds per iteration)."""
    from refnn.models.word2vec import CBOW
    from refnn.optim import Adam

    V, H, window, batch = 10_000, 100, 5, 100
    corpus = zipf_corpus(V, PTB_WORDS, seed)
    contexts, target = create_contexts_target(corpus, window)
    order = np.random.default_rng(seed + 1).permutation(target.size)
    model, optimizer = CBOW(V, H, window, corpus, rng=seed), Adam()
    base, base_opt = book.CBOW(V, H, window, corpus, seed=seed), book.Adam()
    base.params[0][...] = model.params[0]  # the same start (the values do not change the time)
    base.ns_loss.params[0][...] = model.params[1]
    state = {"refnn": 0, "textbook": 0}

    def batch_of(name: str) -> tuple[np.ndarray, np.ndarray]:
        i = state[name]
        state[name] = (i + 1) % (target.size // batch)
        idx = order[i * batch:(i + 1) * batch]
        return contexts[idx], target[idx]

    def refnn_step() -> None:
        c, t = batch_of("refnn")
        model.forward(c, t)
        model.backward()
        optimizer.update(model.params, model.grads)

    def textbook_step() -> None:
        c, t = batch_of("textbook")
        base.forward(c, t)
        base.backward()
        params, grads = book.remove_duplicate(base.params, base.grads)
        base_opt.update(params, grads)

    return {"refnn": _per_call(refnn_step, number), "textbook": _per_call(textbook_step, number)}


def ppmi_case(seed: int = 0) -> dict[str, Callable[[], float]]:
    """refnn's ppmi on 5,000 × 5,000 against the double loop timed on PPMI_ROWS rows, scaled to all rows."""
    V = 5_000
    C = create_co_matrix(zipf_corpus(V, 1_000_000, seed), V, window_size=2)

    def refnn_run() -> float:
        start = time.perf_counter()
        ppmi(C)
        return time.perf_counter() - start

    def loop_run() -> float:
        start = time.perf_counter()
        book.ppmi_loop(C, rows=PPMI_ROWS)
        return (time.perf_counter() - start) * (V / PPMI_ROWS)

    return {"refnn": refnn_run, "textbook (extrapolated)": loop_run}


def sampler_case(number: int = 10, seed: int = 0) -> dict[str, Callable[[], float]]:
    """refnn's UnigramSampler against per-row choice at V = 10,000, batch 100, k = 5."""
    V = 10_000
    corpus = zipf_corpus(V, PTB_WORDS, seed)
    target = np.random.default_rng(seed + 2).integers(0, V, 100)
    ours = UnigramSampler(corpus, 0.75, 5, rng=seed)
    theirs = book.UnigramSampler(corpus, 0.75, 5, seed=seed)
    return {"refnn": _per_call(lambda: ours.get_negative_sample(target), number),
            "textbook": _per_call(lambda: theirs.get_negative_sample(target), number)}


#: case → (title, target upper bound of median(refnn) / median(textbook)).
TARGETS = {"cbow": ("CBOW iteration (V=10k, H=100, window 5, batch 100, k=5, Adam)", 0.4),
           "ppmi": ("ppmi 5000x5000 vs double loop (loop extrapolated from a row subset)", 1 / 50),
           "sampler": ("negative sampler V=10k, batch 100, k=5", 0.1)}


def run(rounds: int = 5, cases: tuple[str, ...] = ("cbow", "ppmi", "sampler")) -> dict[str, Any]:
    """Measure every case (interleaved rounds) and return medians, ratios and verdicts."""
    makers: dict[str, Callable[[], dict[str, Callable[[], float]]]] = {
        "cbow": cbow_case, "ppmi": ppmi_case, "sampler": sampler_case}
    results: dict[str, Any] = {"machine": machine_info(), "cases": {}}
    for case in cases:
        contenders = makers[case]()
        times = interleave(contenders, rounds=rounds, warmup=1)
        names = list(contenders)
        med = {n: median(times[n]) for n in names}
        r = med[names[0]] / med[names[1]]
        title, target = TARGETS[case]
        results["cases"][case] = {"title": title, "median_seconds": med, "times": times, "ratio": r,
                                  "target": target, "met": r <= target}
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m refnn.benchmarks.word2vec", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--case", action="append", choices=sorted(TARGETS), help="repeatable; default: all")
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args(argv)
    results = run(args.rounds, tuple(args.case) if args.case else ("cbow", "ppmi", "sampler"))
    for case, r in results["cases"].items():
        times = ", ".join(f"{n} {1e3 * t:.2f} ms" for n, t in r["median_seconds"].items())
        verdict = "met" if r["met"] else "NOT met"
        print(f"{case}: {r['title']}\n  medians: {times}\n  ratio {r['ratio']:.4f} (target <= {r['target']:.4g}): "
              f"{verdict}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
