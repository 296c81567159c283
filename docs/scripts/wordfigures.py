"""Figures of the chapter 2–4 pages, generated at build time from the real refnn code.

* computational graphs (SVG, drawn by ``graphs.py``) of Embedding, EmbeddingDot,
  SigmoidWithLoss, NegativeSamplingLoss and the two CBOW models, with the values refnn
  computes for a tiny input (or the shapes, for the models);
* a scatter of the SVD word vectors of "You say goodbye and I say hello." (2.4.3);
* the UnigramSampler's empirical frequencies against count^0.75 (4.2.6).

All of it takes well under a second.
"""

from __future__ import annotations

import numpy as np
import worddocs  # noqa: F401  (imported with the hooks, so the pages' exec blocks find it in sys.modules)
from graphs import Edge, Graph, _op, _v, d, draw, label, num
from sitefigures import _save

SENTENCE = "You say goodbye and I say hello."


def _embedding_graph() -> Graph:
    from refnn.layers import Embedding

    W = np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]])
    idx = np.array([2, 0, 2])
    dout = np.array([[1.0, 0.0], [0.5, 0.5], [2.0, -1.0]])
    layer = Embedding(W)
    out = layer.forward(idx)
    layer.backward(dout)
    dW = layer.grads[0].copy()
    return Graph("Embedding 계층의 계산 그래프 (idx = [2, 0, 2])", [
        _v("idx", "idx", 0, 0), _op("emb", "Embedding", 0, 130), _v("W", "W", -210, 130),
        _v("out", "out", 0, 300)], [
        Edge("idx", "emb", ("idx = [2, 0, 2]",), None, flip=True),
        Edge("W", "emb", label("W", W), label(d("W"), dW)),
        Edge("emb", "out", label("out", out), label(d("out"), dout))],
        note="ID 2가 두 번: ∂L/∂W[2] = ∂L/∂out[0] + ∂L/∂out[2]")


def _embedding_dot_graph() -> Graph:
    from refnn.layers import EmbeddingDot

    W = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    h = np.array([[3.0, 4.0], [1.0, -1.0]])
    idx = np.array([1, 2])
    dout = np.array([1.0, 0.5])
    layer = EmbeddingDot(W)
    s = layer.forward(h, idx)
    dh = layer.backward(dout)
    dW = layer.grads[0].copy()
    rows = W[idx]
    return Graph("EmbeddingDot 계층의 계산 그래프", [
        _v("idx", "idx", 0, 0), _op("emb", "Embedding", 0, 120), _v("W", "W", -215, 120),
        _op("dot", "Σ (W_idx ⊙ h)", 0, 300), _v("h", "h", 200, 300), _v("s", "s", 0, 490)], [
        Edge("idx", "emb", ("idx = [1, 2]",), None, flip=True),
        Edge("W", "emb", label("W", W), label(d("W"), dW)),
        Edge("emb", "dot", label("W_idx", rows), ("∂L/∂W_idx", "= dout · h")),
        Edge("h", "dot", label("h", h), label(d("h"), dh)),
        Edge("dot", "s", label("s", s), label(d("s"), dout), at=0.7)],
        note="s_n = h_n · W[idx_n] (행마다 내적)")

def _sigmoid_with_loss_graph() -> Graph:
    from refnn.functions import sigmoid
    from refnn.layers import SigmoidWithLoss

    x, t = np.array([1.0, -2.0]), np.array([1, 1])
    layer = SigmoidWithLoss()
    loss = layer.forward(x, t)
    dx = layer.backward()
    y = sigmoid(x)
    dy = -(t / y - (1 - t) / (1 - y)) / x.size
    return Graph("SigmoidWithLoss 계층의 계산 그래프 (N = 2, 정답 t = [1, 1])", [
        _v("x", "x", 0, 0), _op("s", "Sigmoid", 0, 125), _op("ce", "Cross Entropy", 0, 265),
        _v("t", "t", 245, 265), _v("L", "L", 0, 370)], [
        Edge("x", "s", label("x", x), label(d("x"), dx) + ("= (y − t)/N",)),
        Edge("s", "ce", label("y", y), label(d("y"), dy)),
        Edge("t", "ce", label("t", t), None),
        Edge("ce", "L", (f"L = {num(loss)}",), ("1",))])


def _sh(*s: int | str) -> str:
    return "(" + ", ".join(map(str, s)) + (",)" if len(s) == 1 else ")")


def _negative_sampling_graph() -> Graph:
    from refnn.layers import NegativeSamplingLoss

    N, H, k = 3, 4, 2
    corpus, _, _ = _small()
    layer = NegativeSamplingLoss(np.zeros((7, H)), corpus, sample_size=k, rng=0)
    loss = layer.forward(np.ones((N, H)), np.array([1, 3, 5]))
    assert layer.negative is not None and layer.negative.shape == (N, k)
    return Graph(f"NegativeSamplingLoss의 계산 그래프 (N = {N}, H = {H}, k = {k})", [
        _v("tg", "target", 0, 0), _op("smp", "UnigramSampler", 0, 105), _op("cat", "concat", 0, 215),
        _op("ed", "EmbeddingDot", 0, 325), _v("h", "h", -185, 325), _v("W", "W", 185, 325),
        _op("sl", "SigmoidWithLoss", 0, 445), _v("lab", "[1 | 0 0]", -200, 445), _v("L", "L", 0, 550)], [
        Edge("tg", "smp", (f"target {_sh(N)}",), None),
        Edge("smp", "cat", (f"negative {_sh(N, k)}",), None),
        Edge("cat", "ed", (f"idx {_sh(N, k + 1)}",), None),
        Edge("h", "ed", (f"h {_sh(N, H)}",), (d("h"),)),
        Edge("W", "ed", (f"W {_sh('V', H)}",), (d("W"),)),
        Edge("ed", "sl", (f"s {_sh(N, k + 1)}",), (f"{d('s')} {_sh(N, k + 1)}",)),
        Edge("lab", "sl", (_sh(N, k + 1),), None),
        Edge("sl", "L", (f"L = (k+1)·평균 = {num(loss)}",), ("1",))],
        note="concat = [target | negative] · W = 0: L = (k+1) ln 2")

def _simple_cbow_graph() -> Graph:
    V, H, N = 7, 5, 6
    return Graph(f"SimpleCBOW의 계산 그래프 (V = {V}, H = {H}, 미니배치 N = {N})", [
        _v("c0", "c₀", -125, 0), _v("c1", "c₁", 125, 0), _op("m0", "MatMul", -125, 110),
        _op("m1", "MatMul", 125, 110), _v("Win", "W_in", 0, 40), _op("add", "+ , × 0.5", 0, 220),
        _op("mo", "MatMul", 0, 330), _v("Wout", "W_out", -185, 330), _op("sl", "SoftmaxWithLoss", 0, 440),
        _v("t", "t", 175, 440), _v("L", "L", 0, 540)], [
        Edge("c0", "m0", (f"c₀ {_sh(N, V)}",), None, at=0.4),
        Edge("c1", "m1", (f"c₁ {_sh(N, V)}",), None, flip=True, at=0.4),
        Edge("Win", "m0", ("W_in",), None),
        Edge("Win", "m1", ("W_in",), None),
        Edge("m0", "add", (f"{_sh(N, H)}",), None),
        Edge("m1", "add", (f"{_sh(N, H)}",), None),
        Edge("add", "mo", (f"h {_sh(N, H)}",), (f"{d('h')} {_sh(N, H)}",)),
        Edge("Wout", "mo", (f"W_out {_sh(H, V)}",), (f"{d('W_out')}",)),
        Edge("mo", "sl", (f"s {_sh(N, V)}",), (f"{d('s')} {_sh(N, V)}",)),
        Edge("t", "sl", (_sh(N, V),), None),
        Edge("sl", "L", ("L",), ("1",))],
        note="W_in은 두 MatMul이 함께 씀: ∂L/∂W_in은 두 기울기의 합")

def _cbow_graph() -> Graph:
    N, w, H = 100, 5, 100
    C = 2 * w
    return Graph(f"CBOW의 계산 그래프 (맥락 2w = {C}, H = {H}, 미니배치 N = {N})", [
        _v("ctx", "contexts", 0, 0), _op("emb", "Embedding", 0, 110), _v("Win", "W_in", -175, 110),
        _op("mean", "mean (axis 1)", 0, 230), _op("ns", "NegativeSamplingLoss", 0, 370),
        _v("Wout", "W_out", -175, 265), _v("t", "target", 190, 265), _v("L", "L", 0, 480)], [
        Edge("ctx", "emb", (f"contexts {_sh(N, C)}",), None),
        Edge("Win", "emb", ("W_in",), (d("W_in"),)),
        Edge("emb", "mean", (f"{_sh(N, C, H)}",), (f"{d('h')}/{C} 복제",)),
        Edge("mean", "ns", ("h",), (d("h"),), at=0.45),
        Edge("Wout", "ns", ("W_out",), (d("W_out"),), at=0.3),
        Edge("t", "ns", (_sh(N),), None, at=0.3),
        Edge("ns", "L", ("L",), ("1",))],
        note=f"h: {_sh(N, H)} · W_in, W_out: (V, {H}) · 점수는 k + 1개만")

def _small():
    from refnn.text import preprocess

    return preprocess(SENTENCE)


def svd_figure() -> bytes:
    """The words of the small corpus at the first two columns of U from the SVD of PPMI (2.4.3)."""
    import matplotlib.pyplot as plt

    from refnn.text import create_co_matrix, ppmi

    corpus, w2i, i2w = _small()
    U, _, _ = np.linalg.svd(ppmi(create_co_matrix(corpus, len(w2i))).astype(np.float64))
    fig, ax = plt.subplots(figsize=(4.6, 3.6))
    ax.scatter(U[:, 0], U[:, 1], color="#3f51b5", s=28, zorder=3)
    at: dict[tuple[float, float], list[str]] = {}  # words with the same vector share one label
    for i, word in i2w.items():
        at.setdefault((round(U[i, 0], 6) + 0.0, round(U[i, 1], 6) + 0.0), []).append(f"'{word}'")
    points = sorted(at)
    for j, (x, y) in enumerate(points):
        crowded = any(abs(x - u) < 0.1 and abs(y - v) < 0.05 for u, v in points if (u, v) != (x, y))
        offset = (2, 7 if j % 2 else -16) if crowded else (8, -4)  # close neighbours: above and below
        ax.annotate(", ".join(at[x, y]), (x, y), xytext=offset, textcoords="offset points", fontsize=10)
    ax.set_xlabel("U[:, 0]")
    ax.set_ylabel("U[:, 1]")
    ax.margins(0.25)
    ax.grid(alpha=0.3)
    ax.set_title("PPMI 행렬의 SVD로 얻은 2차원 단어 벡터", fontsize=11)
    return _save(fig, "svg")


def sampler_figure(draws: int = 4000) -> bytes:
    """Empirical frequency of each word among the negatives against P(w) ∝ count(w)^0.75."""
    import matplotlib.pyplot as plt

    from refnn.sampling import UnigramSampler

    counts = np.array([40, 20, 10, 5, 3, 2])
    corpus = np.repeat(np.arange(counts.size), counts)
    sampler = UnigramSampler(corpus, 0.75, 1, rng=0)
    target = np.full(draws, counts.size)  # an id outside the corpus: nothing is removed from the row
    sample = sampler.get_negative_sample(target).ravel()
    seen = np.bincount(sample, minlength=counts.size) / draws
    raw = counts / counts.sum()
    fig, ax = plt.subplots(figsize=(5.2, 3.2))
    pos = np.arange(counts.size)
    ax.bar(pos - 0.27, raw, 0.27, color="#b0bec5", label="빈도 그대로 (지수 1)")
    ax.bar(pos, sampler.word_p, 0.27, color="#3f51b5", label="P(w) ∝ 빈도^0.75")
    ax.bar(pos + 0.27, seen, 0.27, color="#e65100", label=f"뽑힌 비율 ({draws}번)")
    ax.set_xticks(pos, [f"{i}\n({c}회)" for i, c in enumerate(counts)])
    ax.set_xlabel("단어 ID (말뭉치의 횟수)")
    ax.set_ylabel("확률")
    ax.legend(fontsize=9, frameon=False)
    ax.grid(axis="y", alpha=0.3)
    return _save(fig, "svg")


def all_figures() -> dict[str, bytes]:
    graphs = {
        "embedding": _embedding_graph(),
        "embedding-dot": _embedding_dot_graph(),
        "sigmoid-with-loss": _sigmoid_with_loss_graph(),
        "negative-sampling-loss": _negative_sampling_graph(),
        "simple-cbow": _simple_cbow_graph(),
        "cbow": _cbow_graph(),
    }
    out = {f"graph-{name}.svg": draw(g) for name, g in graphs.items()}
    out["word-svd.svg"] = svd_figure()
    out["unigram-sampler.svg"] = sampler_figure()
    return out
