"""Figures of the chapter 5–6 pages, generated at build time from the real refnn code.

* computational graphs (SVG, drawn by ``graphs.py``): the RNN unrolled over three time steps
  and the LSTM cell with its four gates, each with the values refnn computes for a tiny input;
* the norm of ∂L/∂h_t over the time steps of a TimeRNN (vanishing and exploding) and the
  parameter-gradient norm with and without ``clip_grads`` (6.1);
* the validation perplexity of an Rnnlm per epoch on a second-order Markov chain, against
  exp(entropy rate) (5.5, the same run as tests/test_rnnlm.py).

The Markov-chain run is the only costly part (about 1.5 s of CPU); the rest takes milliseconds.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from graphs import Edge, Graph, _op, _v, draw, num
from sitefigures import _save


def _s(a: np.ndarray) -> str:
    """A (1, 1) array as one number."""
    return num(float(np.asarray(a).ravel()[0]))


def _rnn_unrolled_graph() -> Graph:
    """TimeRNN over T = 3 steps with D = H = 1: h_t and ∂L/∂h_t on every arrow."""
    from refnn.layers import TimeRNN

    Wx, Wh, b = np.array([[0.8]]), np.array([[0.5]]), np.array([0.1])
    xs = np.array([[[1.0], [-0.5], [2.0]]])           # (N, T, D) = (1, 3, 1)
    dhs = np.array([[[0.0], [0.0], [1.0]]])           # loss on the last h only
    layer = TimeRNN(Wx, Wh, b)
    hs = layer.forward(xs)
    dxs = layer.backward(dhs)
    # ∂L/∂h_t including what flows back from later steps: dh_prev of the next cell
    dh_total = [float(dhs[0, 2, 0])]
    for t in (2, 1):
        delta = dh_total[0] * (1 - hs[0, t, 0] ** 2)
        dh_total.insert(0, delta * Wh[0, 0] + dhs[0, t - 1, 0])
    nodes, edges = [_v("h0", "h₋₁", -100, 0)], []
    for t in range(3):
        x = 140 * t
        sub = "₀₁₂"[t]
        nodes += [_op(f"r{t}", "RNN", x, 0), _v(f"x{t}", f"x{sub}", x, 150), _v(f"o{t}", f"h{sub}", x, -150)]
        edges.append(Edge(f"x{t}", f"r{t}", (num(xs[0, t, 0]),), (num(dxs[0, t, 0]),)))
        edges.append(Edge(f"r{t}", f"o{t}", (num(hs[0, t, 0]),), (num(dhs[0, t, 0]),)))
        src = "h0" if t == 0 else f"r{t - 1}"
        back = (num(dh_total[t - 1]),) if t else (num(float(np.dot(
            dh_total[0] * (1 - hs[0, 0, 0] ** 2), Wh[0, 0]))),)
        edges.append(Edge(src, f"r{t}", (num(hs[0, t - 1, 0]) if t else "0",), back))
    return Graph("RNN을 시간 방향으로 펼친 계산 그래프 (T = 3, D = H = 1)", nodes, edges,
                 note="Wx = 0.8, Wh = 0.5, b = 0.1 · h₋₁ = 0 · ∂L/∂h₂ = 1")


def _lstm_graph() -> Graph:
    """One LSTM cell with D = H = 1: the four gates f, g, i, o and the memory cell c."""
    from refnn.layers import LSTM

    Wx = np.array([[0.5, 1.0, -0.5, 0.8]])            # columns f, g, i, o
    Wh = np.array([[0.3, -0.6, 0.4, 0.2]])
    b = np.array([1.0, 0.0, 0.0, 0.0])
    x, h_prev, c_prev = np.array([[1.0]]), np.array([[0.5]]), np.array([[0.8]])
    dh, dc = np.array([[1.0]]), np.array([[0.5]])
    cell = LSTM(Wx, Wh, b)
    h, c = cell.forward(x, h_prev, c_prev)
    dx, dh_prev, dc_prev = cell.backward(dh, dc)
    _, _, _, f, g, i, o, tanh_c = cell.cache
    ds = dc + dh * o * (1 - tanh_c ** 2)
    nodes = [
        _v("cp", "c_prev", 0, 0), _op("mf", "×", 90, 0), _op("add", "+", 200, 0), _v("c", "c", 360, 0),
        _op("f", "f = σ", 90, 130), _op("mi", "×", 200, 130), _op("i", "i = σ", 310, 130),
        _op("g", "g = tanh", 200, 260), _op("tc", "tanh", 360, 260),
        _op("o", "o = σ", 245, 390), _op("mo", "×", 360, 390), _v("h", "h", 360, 500),
    ]
    dtanh = dh * o * (1 - tanh_c ** 2)                # the gradient that reaches c through tanh
    edges = [                                         # every label is the value on its arrow (numbers only)
        Edge("cp", "mf", (_s(c_prev),), (_s(dc_prev),)),
        Edge("mf", "add", (_s(f * c_prev),), (_s(ds),)),
        Edge("add", "c", (_s(c),), (_s(dc),)),
        Edge("f", "mf", (_s(f),), (_s(ds * c_prev),)),
        Edge("mi", "add", (_s(g * i),), (_s(ds),)),
        Edge("g", "mi", (_s(g),), (_s(ds * i),)),
        Edge("i", "mi", (_s(i),), (_s(ds * g),)),
        Edge("c", "tc", (_s(c),), (_s(dtanh),), at=0.75),
        Edge("tc", "mo", (_s(tanh_c),), (_s(dh * o),)),
        Edge("o", "mo", (_s(o),), (_s(dh * tanh_c),)),
        Edge("mo", "h", (_s(h),), (_s(dh),)),
    ]
    return Graph("LSTM 셀의 계산 그래프 (D = H = 1)", nodes, edges,
                 note=f"x = 1, h_prev = 0.5 · dx = {_s(dx)}, dh_prev = {_s(dh_prev)}")


@dataclass(frozen=True)
class GradientRun:
    """∂L/∂h_t norms of a TimeRNN for two scales of Wh, and parameter-gradient norms by length."""

    T: int
    scales: tuple[float, ...]
    norms: tuple[tuple[float, ...], ...]   # per scale: ‖∂L/∂h_t‖ for t = T−1 … 0 (steps back)
    lengths: tuple[int, ...]
    raw: tuple[float, ...]                 # ‖grads‖ before clipping, per length
    clipped: tuple[float, ...]             # after clip_grads(max_norm)
    max_norm: float


@functools.lru_cache(maxsize=1)
def gradient_run(N: int = 2, D: int = 3, H: int = 8, T: int = 40, max_norm: float = 5.0) -> GradientRun:
    """Backpropagate ∂L/∂h_{T−1} (random, fixed) through a TimeRNN with Wh = s·Q (Q orthogonal)."""
    from refnn.layers import TimeRNN
    from refnn.trainer import clip_grads

    rng = np.random.default_rng(0)
    Q, _ = np.linalg.qr(rng.standard_normal((H, H)))
    Wx = rng.standard_normal((D, H)) * 0.1
    b = np.zeros(H)
    xs = rng.standard_normal((N, T, D))
    last = rng.standard_normal((N, H))
    scales = (0.6, 1.6)
    all_norms = []
    for s in scales:
        layer = TimeRNN(Wx, s * Q, b)
        hs = layer.forward(xs)
        dh = last
        norms = []
        for t in range(T - 1, -1, -1):                 # the RNN cell's backward, step by step (5.3.1)
            norms.append(float(np.linalg.norm(dh)))
            dh = (dh * (1 - hs[:, t] ** 2)) @ (s * Q).T
        all_norms.append(tuple(norms))
    lengths = tuple(range(5, T + 1, 5))
    raw, clipped = [], []
    for n in lengths:                                  # the exploding case, whole-sequence loss ⟨last, h_{n−1}⟩
        layer = TimeRNN(Wx, scales[1] * Q, b)
        layer.forward(xs[:, :n])
        dhs = np.zeros((N, n, H))
        dhs[:, -1] = last * 50
        layer.backward(dhs)
        grads = [g.copy() for g in layer.grads]
        raw.append(float(np.sqrt(sum((g ** 2).sum() for g in grads))))
        clip_grads(grads, max_norm)
        clipped.append(float(np.sqrt(sum((g ** 2).sum() for g in grads))))
    return GradientRun(T, scales, tuple(all_norms), lengths, tuple(raw), tuple(clipped), max_norm)


def gradient_figure() -> bytes:
    import matplotlib.pyplot as plt

    run = gradient_run()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(8.4, 3.3))
    for s, norms, color in zip(run.scales, run.norms, ("#3f51b5", "#e65100")):
        a1.semilogy(range(len(norms)), norms, color=color, label=f"W_h = {s} · 직교 행렬")
    a1.set_xlabel("거슬러 올라간 시각 수")
    a1.set_ylabel("‖∂L/∂h_t‖ (로그 눈금)")
    a1.set_title("기울기 소실과 폭발", fontsize=11)
    a1.legend(fontsize=9, frameon=False)
    a1.grid(alpha=0.3)
    a2.semilogy(run.lengths, run.raw, "o-", color="#e65100", label="클리핑 전")
    a2.semilogy(run.lengths, run.clipped, "s-", color="#2e7d32", label=f"clip_grads(max_norm={num(run.max_norm)})")
    a2.set_xlabel("시퀀스 길이 T")
    a2.set_ylabel("매개변수 기울기의 노름")
    a2.set_title(f"W_h = {run.scales[1]} · 직교 행렬: 기울기 클리핑", fontsize=11)
    a2.legend(fontsize=9, frameon=False)
    a2.grid(alpha=0.3)
    from matplotlib.ticker import FuncFormatter
    for ax in (a1, a2):  # plain "1e-06" labels: the Hangul font of the figures has no math minus sign
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    fig.tight_layout()
    return _save(fig, "svg")


@dataclass(frozen=True)
class MarkovRun:
    """Rnnlm on a second-order Markov chain (the settings of the quality test in tests/test_rnnlm.py)."""

    exp_H: float          # exp(entropy rate): the best possible perplexity
    exp_H1: float         # best perplexity with one word of memory
    ppl: tuple[float, ...]  # validation perplexity after each epoch
    seconds: float


@functools.lru_cache(maxsize=1)
def markov_run(epochs: int = 5) -> MarkovRun:
    import time

    from refnn.models import Rnnlm
    from refnn.optim import Adam
    from refnn.testing.rnn_cases import sample_chain, second_order_chain
    from refnn.trainer import RnnlmTrainer, eval_perplexity

    start = time.process_time()
    P, H, H1 = second_order_chain(8, seed=0)
    train, val = sample_chain(P, 30_000, seed=1), sample_chain(P, 5_000, seed=2)
    model = Rnnlm(8, 16, 32, rng=0)
    trainer = RnnlmTrainer(model, Adam(lr=0.01))
    ppl = []
    for _ in range(epochs):  # one epoch per fit: the trainer keeps its offsets and state across calls
        trainer.fit(train[:-1], train[1:], max_epoch=1, batch_size=10, time_size=20, max_grad=1.0,
                    eval_interval=None)
        model.reset_state()
        ppl.append(eval_perplexity(model, val, batch_size=10, time_size=20))
        model.reset_state()
    return MarkovRun(math.exp(H), math.exp(H1), tuple(ppl), time.process_time() - start)


def markov_figure() -> bytes:
    import matplotlib.pyplot as plt

    run = markov_run()
    fig, ax = plt.subplots(figsize=(5.2, 3.2))
    epochs = range(1, len(run.ppl) + 1)
    ax.plot(epochs, run.ppl, "o-", color="#3f51b5", label="Rnnlm 검증 퍼플렉서티")
    ax.axhline(run.exp_H, color="#2e7d32", ls="--", label=f"exp(H) = {run.exp_H:.2f} (최선)")
    ax.axhline(1.15 * run.exp_H, color="#2e7d32", ls=":", label="exp(H)의 1.15배 (테스트 기준)")
    ax.axhline(run.exp_H1, color="#e65100", ls="--", label=f"직전 한 단어만 보는 최선 = {run.exp_H1:.2f}")
    ax.set_xticks(list(epochs))
    ax.set_xlabel("에폭")
    ax.set_ylabel("퍼플렉서티")
    ax.legend(fontsize=8.5, frameon=False)
    ax.grid(alpha=0.3)
    return _save(fig, "svg")


def all_figures() -> dict[str, bytes]:
    return {
        "graph-rnn-unrolled.svg": draw(_rnn_unrolled_graph()),
        "graph-lstm.svg": draw(_lstm_graph()),
        "rnn-gradient-norm.svg": gradient_figure(),
        "rnnlm-markov.svg": markov_figure(),
    }
