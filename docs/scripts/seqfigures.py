"""Figures of the chapter 7–8 pages, generated at build time from the real refnn code.

* computational graphs (SVG, drawn by ``graphs.py``): the Encoder–Decoder of Seq2seq (shapes)
  and the Attention layer (AttentionWeight then WeightSum) with the values refnn computes for a
  tiny input;
* the attention weights of an AttentionSeq2seq trained for a few epochs on a small generated date
  set, as a heat map (8.3). The training is short on purpose (a build must stay quick); the page
  says how long and what accuracy it reached.
"""

from __future__ import annotations

import functools
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from graphs import Edge, Graph, _op, _v, d, draw, label


def _sh(*s: int | str) -> str:
    return "(" + ", ".join(map(str, s)) + ")"


def _seq2seq_graph() -> Graph:
    N, T1, T2, H = "N", "T_enc", "T_dec", "H"
    return Graph("Seq2seq의 계산 그래프 (Encoder → h → Decoder)", [
        _v("xs", "xs", 0, 0), _op("ee", "TimeEmbedding", 0, 110), _op("el", "TimeLSTM", 0, 230),
        _v("ts", "ts[:, :-1]", 225, 0), _op("de", "TimeEmbedding", 225, 110), _op("dl", "TimeLSTM", 225, 230),
        _op("da", "TimeAffine", 225, 350), _op("sl", "TimeSoftmaxWithLoss", 225, 470),
        _v("tt", "ts[:, 1:]", 0, 470), _v("L", "L", 225, 570)], [
        Edge("xs", "ee", (f"{_sh(N, T1)}",), None),
        Edge("ee", "el", (f"{_sh(N, T1, 'D')}",), (d("emb"),)),
        Edge("el", "dl", (f"h {_sh(N, H)}",), (d("h"),), at=0.5),
        Edge("ts", "de", (f"{_sh(N, T2)}",), None),
        Edge("de", "dl", (f"{_sh(N, T2, 'D')}",), (d("emb"),)),
        Edge("dl", "da", (f"{_sh(N, T2, H)}",), (d("hs"),)),
        Edge("da", "sl", (f"{_sh(N, T2, 'V')}",), (d("score"),)),
        Edge("tt", "sl", (f"{_sh(N, T2)}",), None),
        Edge("sl", "L", ("L",), ("1",))],
        note="h = Encoder의 hs[:, -1] → Decoder LSTM의 초기 상태")


def _attention_graph() -> Graph:
    from refnn.layers import Attention

    hs = np.array([[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]])   # (N, T, H) = (1, 3, 2)
    h = np.array([[2.0, -1.0]])
    dc = np.array([[1.0, 0.5]])
    layer = Attention()
    c = layer.forward(hs, h)
    a = layer.attention_weight.copy()
    da_sum = layer.sum_layer
    dhs, dh = layer.backward(dc)
    _, da = da_sum.backward(dc)
    return Graph("Attention 계층의 계산 그래프 (N = 1, T = 3, H = 2)", [
        _v("h", "h", 0, 0), _op("aw", "AttentionWeight", 0, 160), _v("hs", "hs", -240, 280),
        _op("ws", "WeightSum", 0, 400), _v("c", "c", 0, 540)], [
        Edge("hs", "aw", ("hs",), ("①",), at=0.45),
        Edge("h", "aw", label("h", h[0]), label(d("h"), dh[0])),
        Edge("hs", "ws", ("hs",), ("②",), at=0.45),
        Edge("aw", "ws", label("a", a[0]), label(d("a"), da[0])),
        Edge("ws", "c", label("c", c[0]), label(d("c"), dc[0]))],
        note="hs = [[1, 0], [0, 1], [1, 1]] · ∂L/∂hs = ① + ②")


@dataclass(frozen=True)
class HeatmapRun:
    n_lines: int
    epochs: int
    hidden: int
    seconds: float
    accuracy: float                 # exact-match accuracy on the test split
    n_test: int
    question: str                   # in reading order
    answer: str                     # what the model generated
    correct: str
    weights: np.ndarray             # (T_dec − 1, T_enc): rows the answer's characters, columns the question


@functools.lru_cache(maxsize=1)
def heatmap_run(n_lines: int = 500, epochs: int = 2, hidden: int = 32) -> HeatmapRun:
    from dataset import sequence
    from refnn.models import AttentionSeq2seq
    from refnn.optim import Adam
    from refnn.trainer import Trainer, eval_seq2seq

    start = time.process_time()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "date.txt"
        sequence.write_date(path, n=n_lines, seed=0)
        (x_train, t_train), (x_test, t_test) = sequence.load_data(path, seed=0)
    _, id_to_char = sequence.get_vocab()
    x_train, x_test = x_train[:, ::-1], x_test[:, ::-1]          # reversed input (7.4.1)
    model = AttentionSeq2seq(len(id_to_char), 16, hidden, rng=0)
    Trainer(model, Adam(), rng=0).fit(x_train, t_train, max_epoch=epochs, batch_size=32, max_grad=5.0,
                                      eval_interval=None, verbose=False)
    n_test = len(x_test)
    correct = sum(eval_seq2seq(model, x_test[[k]], t_test[[k]], id_to_char, is_reverse=True)
                  for k in range(n_test))
    q, t = x_test[[0]], t_test[0]
    guess = model.generate(q, int(t[0]), len(t) - 1)
    model.forward(q, t[None])  # teacher forcing, as the book's visualisation: one row per answer character
    weights = np.array(model.decoder.attention.attention_weights)[:, 0, ::-1]
    text = "".join(id_to_char[int(c)] for c in q[0, ::-1])
    return HeatmapRun(n_lines, epochs, hidden, time.process_time() - start, correct / n_test, n_test, text,
                      "".join(id_to_char[int(c)] for c in guess), "".join(id_to_char[int(c)] for c in t[1:]),
                      weights)


def heatmap_figure() -> bytes:
    import matplotlib.pyplot as plt
    from sitefigures import _save

    run = heatmap_run()
    fig, ax = plt.subplots(figsize=(7.6, 3.4))
    image = ax.imshow(run.weights, cmap="Greys", aspect="auto")  # the colour range is the weights' own
    fig.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
    ax.set_xticks(range(len(run.question)), list(run.question.replace(" ", "·")), fontsize=8)
    ax.set_yticks(range(len(run.correct)), list(run.correct), fontsize=9)
    ax.set_xlabel("질문 (읽는 순서, ·는 공백)")
    ax.set_ylabel("답의 글자")
    fig.tight_layout()
    return _save(fig, "svg")


def all_figures() -> dict[str, bytes]:
    return {
        "graph-seq2seq.svg": draw(_seq2seq_graph()),
        "graph-attention.svg": draw(_attention_graph()),
        "attention-heatmap.svg": heatmap_figure(),
    }
