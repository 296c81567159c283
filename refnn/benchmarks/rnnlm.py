r"""6장의 벤치마크: `Rnnlm` 학습 한 반복 — 교과서 기준선, 그리고 그 반복의 행렬 곱만의 하한과의 비율.

`python -m refnn.benchmarks.rnnlm [--rounds R] [--number K] [--threads N] [--no-torch] [--json PATH]`

경우: $V = 10{,}000$, $D = H = 100$, 배치 20, $T = 35$, float32, SGD(lr 20), 클리핑 0.25. 한 반복 =
순전파 + 역전파 + `clip_grads` + SGD 갱신. 미니배치는 미리 뽑은 무작위 단어 ID (모든 경쟁자가 같은 것).

- `refnn`: `refnn.models.Rnnlm`, `refnn.trainer.clip_grads`, `refnn.optim.SGD`.
- `textbook`: `textbook_rnnlm` (시각마다 LSTM·Embedding 객체, 시각마다 입력 쪽 곱).
- `pytorch`: PyTorch eager CPU — `nn.Embedding` → `nn.LSTM` → `nn.Linear`(같은 크기, float32, refnn과 같은
  초기값), `F.cross_entropy`, `clip_grad_norm_(0.25)`, `torch.optim.SGD(lr=20)`. 은닉 상태를 다음 반복으로
  넘기고(`detach`) 손실은 refnn처럼 파이썬 수로 받습니다. PyTorch가 없으면 건너뜁니다.
- `matmul floor`: 그 반복에 필요한 행렬 곱만 같은 형상·dtype으로 실행한 시간. 순전파
  $X W_x$ `(700, 100)×(100, 400)`, 시각마다 $h W_h$ `(20, 100)×(100, 400)` 35번, 점수
  `(700, 100)×(100, 10000)`; 역전파 $dW_{\text{affine}}$ `(100, 700)×(700, 10000)`, $dh$
  `(700, 10000)×(10000, 100)`, 시각마다 $dA\,W_h^\top$ 35번, $dW_x$, $dW_h$, $dx$.

- `protocol floor`: `matmul floor`의 곱을 반복의 순서대로 하면서, 계층의 약속을 지키는 어떤 구현도 그 사이에 해야
  하는 원소별 연산을 넣은 시간(`protocol_floor`): 시각마다 `(N, 4H)`와 `(N, H)`의 tanh 한 번씩, 점수의 지수 함수를
  새 배열에 한 번(점수는 호출한 쪽의 배열)과 행의 합, 점수의 기울기를 셋째 배열에 쓰는 곱 한 번(역전파는 새 배열을
  돌려주고 캐시를 바꾸지 않음), 모든 매개변수에 대한 클리핑의 노름·배율과 SGD의 두 번. 편향, Embedding, LSTM의
  나머지 연산(역전파 전부)은 넣지 않았으므로 아래 경계입니다. 목표 없이 보고만 합니다.

목표: refnn ≤ 0.6 × textbook, refnn ≤ 1.3 × matmul floor; PyTorch와의 비는 목표 없이 보고만 합니다.
라운드마다 경쟁자를 번갈아 실행하고(`timing.interleave`) 중앙값의 비를 보고합니다. NumPy의 BLAS와
PyTorch는 같은 스레드 수(기본 1, `--threads`)로 잽니다(`timing.blas_threads`).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from refnn.benchmarks import textbook_rnnlm as book
from refnn.benchmarks.timing import (
    TORCH_MISSING,
    blas_threads,
    describe_threads,
    interleave,
    load_torch,
    machine_info,
    median,
    torch_threads,
)
from refnn.benchmarks.word2vec import _per_call

__all__ = ["rnnlm_case", "run", "main", "SIZES", "TARGETS"]

#: V, D, H, batch, T.
SIZES = (10_000, 100, 100, 20, 35)
#: contender → target upper bound of median(refnn) / median(contender) (None: reported only).
TARGETS: dict[str, float | None] = {"textbook": 0.6, "matmul floor": 1.3, "pytorch": None}


def _batches(V: int, N: int, T: int, count: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    return [(rng.integers(0, V, (N, T)), rng.integers(0, V, (N, T))) for _ in range(count)]


def matmul_floor(V: int, D: int, H: int, N: int, T: int, seed: int = 0) -> Callable[[], None]:
    """The matrix products of one iteration alone, in float32, on preallocated arrays."""
    return _floor(V, D, H, N, T, seed, passes=False)


def protocol_floor(V: int, D: int, H: int, N: int, T: int, seed: int = 0) -> Callable[[], None]:
    """`matmul_floor`'s products in the iteration's order, with the element-wise passes between them that any
    iteration keeping the layer protocol must make (float32, preallocated arrays): per time step one tanh over
    (N, 4H) and one over (N, H) (a lower bound of the gates' and the cell's activations: σ costs more than
    tanh); one exp over the (N·T, V) scores into a new array (the scores are the caller's) and the row sums;
    one pass that writes the scores' gradient into a third array (backward returns a new array and keeps its
    cache); clipping's norm and scaling and SGD's two passes over every parameter. Not counted: the bias add
    and sum, Embedding, the loss's bookkeeping and every other LSTM pass, forward and backward."""
    return _floor(V, D, H, N, T, seed, passes=True)


def _floor(V: int, D: int, H: int, N: int, T: int, seed: int, passes: bool) -> Callable[[], None]:
    rng = np.random.default_rng(seed)

    def f32(*shape: int) -> np.ndarray:
        return rng.standard_normal(shape).astype(np.float32)

    X, Wx, Wh, h, dA = f32(N * T, D), f32(D, 4 * H), f32(H, 4 * H), f32(N, H), f32(N, 4 * H)
    Hs, W, G, dAs = f32(N * T, H), f32(H, V), f32(N * T, V), f32(N * T, 4 * H)
    E, row, s = f32(N * T, V), f32(N * T, 1), np.empty(N * T, dtype=np.float32)
    A, c, tc = f32(N, 4 * H), f32(N, H), f32(N, H)
    shapes = [(V, D), (D, 4 * H), (H, 4 * H), (4 * H,), (H, V), (V,)]  # Rnnlm's params
    params, grads, bufs = ([f32(*shape) for shape in shapes] for _ in range(3)) if passes else ([], [], [])

    def iteration() -> None:
        np.dot(X, Wx)
        for _ in range(T):
            np.dot(h, Wh)
            if passes:
                np.tanh(A, out=A)
                np.tanh(c, out=tc)
        S = np.dot(Hs, W)
        if passes:
            np.exp(S, out=E)
            np.sum(E, axis=1, out=s)
            np.multiply(E, row, out=G)
        np.dot(Hs.T, G)
        np.dot(G, W.T)
        for _ in range(T):
            np.dot(dA, Wh.T)
        np.dot(X.T, dAs)
        np.dot(Hs.T, dAs)
        np.dot(dAs, Wx.T)
        if passes:
            rate = np.float32(0.25 / (np.sqrt(sum(float(np.vdot(g, g)) for g in grads)) + 1e-6))
            for p, g, b in zip(params, grads, bufs):
                g *= rate
                np.multiply(g, 20.0, out=b)  # SGD lr 20
                p -= b

    return iteration


def torch_step(torch: Any, model: Any, batches: list[tuple[np.ndarray, np.ndarray]]) -> Callable[[], None]:
    """PyTorch's iteration of the same model, from refnn's `Rnnlm` parameters (gates f, g, i, o → i, f, g, o)."""
    nn = torch.nn
    W_embed, Wx, Wh, b, W, b_affine = (torch.from_numpy(p.copy()) for p in model.params)
    (V, D), H = W_embed.shape, Wh.shape[0]
    embed, lstm, affine = nn.Embedding(V, D), nn.LSTM(D, H, batch_first=True), nn.Linear(H, V)
    order = torch.cat([torch.arange(2 * H, 3 * H), torch.arange(0, 2 * H), torch.arange(3 * H, 4 * H)])
    with torch.no_grad():
        embed.weight.copy_(W_embed)
        lstm.weight_ih_l0.copy_(Wx.T[order])
        lstm.weight_hh_l0.copy_(Wh.T[order])
        lstm.bias_ih_l0.copy_(b[order])
        lstm.bias_hh_l0.zero_()
        affine.weight.copy_(W.T)
        affine.bias.copy_(b_affine)
    params = [*embed.parameters(), *lstm.parameters(), *affine.parameters()]
    optimizer = torch.optim.SGD(params, lr=20.0)
    data = [(torch.from_numpy(xs), torch.from_numpy(ts).reshape(-1)) for xs, ts in batches]
    state: dict[str, Any] = {"i": 0, "hc": None}

    def step() -> None:
        xs, ts = data[state["i"]]
        state["i"] = (state["i"] + 1) % len(data)
        optimizer.zero_grad()
        hs, (h, c) = lstm(embed(xs), state["hc"])
        state["hc"] = (h.detach(), c.detach())  # truncated BPTT: the state goes on, its graph does not
        loss = torch.nn.functional.cross_entropy(affine(hs).reshape(-1, V), ts)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 0.25)
        optimizer.step()
        loss.item()

    return step


def rnnlm_case(number: int = 2, seed: int = 0, torch: Any = None) -> dict[str, Callable[[], float]]:
    """refnn's and the textbook's Rnnlm iteration, the matmul floor and, with `torch`, PyTorch's
    (seconds per iteration)."""
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

    contenders = {"refnn": _per_call(refnn_step, number), "textbook": _per_call(textbook_step, number),
                  "matmul floor": _per_call(matmul_floor(V, D, H, N, T, seed), number),
                  "protocol floor": _per_call(protocol_floor(V, D, H, N, T, seed=seed), number)}
    if torch is not None:
        contenders["pytorch"] = _per_call(torch_step(torch, Rnnlm(V, D, H, rng=seed), batches), number)
    return contenders


def run(rounds: int = 7, number: int = 2, threads: int | None = 1, use_torch: bool = True) -> dict[str, Any]:
    """Measure the case (interleaved rounds) with `threads` BLAS and PyTorch threads; medians, ratios, verdicts."""
    torch = load_torch(use_torch)
    with blas_threads(threads) as blas, torch_threads(torch, blas or 1):
        machine = machine_info(torch)
        times = interleave(rnnlm_case(number, torch=torch), rounds=rounds, warmup=1)
    med = {n: median(t) for n, t in times.items()}
    ratios = {other: med["refnn"] / med[other] for other in TARGETS if other in med}
    met = {k: None if (target := TARGETS[k]) is None else bool(ratios[k] <= target) for k in ratios}
    machine["blas_threads"] = blas
    return {"machine": machine, "title": "Rnnlm iteration (V=10k, D=H=100, batch 20, T=35, float32, "
            "SGD lr 20, clip 0.25)", "median_seconds": med, "times": times, "ratios": ratios,
            "targets": TARGETS, "met": met, "skipped": {} if torch is not None else
            {"pytorch": TORCH_MISSING if use_torch else "PyTorch contender skipped (--no-torch)"}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m refnn.benchmarks.rnnlm", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--number", type=int, default=2, help="iterations per timed call")
    parser.add_argument("--threads", type=int, default=1, help="BLAS and PyTorch threads (default 1)")
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch contender")
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args(argv)
    r = run(args.rounds, args.number, args.threads, not args.no_torch)
    times = ", ".join(f"{n} {1e3 * t:.1f} ms" for n, t in r["median_seconds"].items())
    print(f"{r['title']}; {describe_threads(r['machine']['blas_threads'])}\n  medians: {times}")
    for other, ratio in r["ratios"].items():
        target = TARGETS[other]
        verdict = "reported" if target is None else "met" if r["met"][other] else "NOT met"
        print(f"  refnn / {other}: {ratio:.3f} (target {'none' if target is None else f'<= {target}'}): {verdict}")
    med = r["median_seconds"]
    print(f"  protocol floor / matmul floor: {med['protocol floor'] / med['matmul floor']:.3f} (the least any "
          f"iteration keeping the layer protocol can take, over the floor; reported)")
    for line in r["skipped"].values():
        print(f"  {line}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(r, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
