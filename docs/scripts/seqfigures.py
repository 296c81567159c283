"""Figures of the chapter 7–8 pages, generated at build time from the real refnn code.

* computational graphs (SVG, drawn by ``graphs.py``): the Encoder–Decoder of Seq2seq (shapes)
  and the Attention layer (AttentionWeight then WeightSum) with the values refnn computes for a
  tiny input;
* the attention weights of the AttentionSeq2seq trained with the book's settings by
  ``benchmarks/seq2seq_results.py --case date-attention`` (its committed result file), as heat maps (8.3).
"""

from __future__ import annotations

import functools
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


#: The accuracy run of the date task whose trained model's attention weights the heat map shows.
DATE_RESULT = Path(__file__).resolve().parents[2] / "benchmarks" / "results" / "seq2seq-date-attention.json"


@functools.lru_cache(maxsize=1)
def date_result() -> dict:
    """The committed result of ``benchmarks/seq2seq_results.py --case date-attention`` (settings, every
    epoch's accuracy and time, the attention weights of the trained model on the first test questions)."""
    import json

    return json.loads(DATE_RESULT.read_text(encoding="utf-8"))


def heatmap_figure() -> bytes:
    """One heat map per example: rows the answer's characters, columns the question's (reading order)."""
    import matplotlib.pyplot as plt
    from sitefigures import _save

    examples = date_result()["attention_examples"]
    fig, axes = plt.subplots(len(examples), 1, figsize=(7.6, 2.9 * len(examples)))
    for ax, ex in zip(np.atleast_1d(axes), examples):
        weights = np.array(ex["weights"])
        question = ex["question"]  # with the padding after it: a separator's row may look there
        image = ax.imshow(weights, cmap="Greys", vmin=0.0, vmax=1.0, aspect="auto")
        ax.set_xticks(range(len(question)), list(question.replace(" ", "·")), fontsize=8)
        ax.set_yticks(range(len(ex["correct"])), list(ex["correct"]), fontsize=9)
        ax.set_xlabel("질문 (읽는 순서, ·는 공백)")
        ax.set_ylabel("답의 글자")
        fig.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
    fig.tight_layout()
    return _save(fig, "svg")


def result(case: str) -> dict:
    """The committed result of ``benchmarks/seq2seq_results.py --case CASE``."""
    import json

    return json.loads((DATE_RESULT.parent / f"seq2seq-{case}.json").read_text(encoding="utf-8"))


#: The addition runs drawn in 7.4 (case → legend).
ADDITION_CASES = {"addition-baseline": "Seq2seq", "addition-reversed": "Seq2seq + 입력 반전",
                  "addition-peeky-reversed": "Peeky + 입력 반전"}


def addition_figure() -> bytes:
    """Test accuracy per epoch of the addition runs (the book's figure of 7.4, from refnn's own runs)."""
    import matplotlib.pyplot as plt
    from sitefigures import _save

    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    for (case, legend), marker in zip(ADDITION_CASES.items(), ("o", "^", "s")):
        history = result(case)["history"]
        ax.plot([h["epoch"] for h in history], [100 * h["test_accuracy"] for h in history], marker=marker,
                markersize=3, label=legend)
    ax.set_xlabel("에폭")
    ax.set_ylabel("시험 데이터 정답률 (%)")
    ax.set_ylim(0, 100)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return _save(fig, "svg")


def all_figures() -> dict[str, bytes]:
    return {
        "graph-seq2seq.svg": draw(_seq2seq_graph()),
        "graph-attention.svg": draw(_attention_graph()),
        "attention-heatmap.svg": heatmap_figure(),
        "addition-accuracy.svg": addition_figure(),
    }
