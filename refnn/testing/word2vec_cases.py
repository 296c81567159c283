"""Test cases and references for chapters 2–4: text utilities, embedding layers, the sampler, word2vec.

The same :class:`~refnn.testing.cases.Case` as chapter 1: constructor arguments, forward inputs,
two upstream gradients and ``meta``.  Word ids are drawn from small vocabularies so that repeated
ids in a batch (the case ``Embedding``'s backward must sum) are common; a sampler case always has at
least ``k + 1`` distinct words and, half of the time, ids with gaps (absent from the corpus).
The references compute each result from its definition with plain loops or direct formulas,
independently of refnn's code (the negative-sampling loss takes its negatives from
:class:`~refnn.sampling.UnigramSampler`, whose distribution is checked on its own).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from refnn.sampling import UnigramSampler
from refnn.testing import strategies as S
from refnn.testing.cases import BOOK_LOG_EPS, Case
from refnn.testing.contract import current

__all__ = ["WORD2VEC_CASES", "WORD2VEC_REFERENCES", "TEXT_CASES", "SAMPLER_CASES", "MODEL_CASES",
           "ns_negatives", "bce", "book_bce", "co_matrix_reference", "ppmi_reference", "successive_probabilities"]

Strategy = Callable[[Any], st.SearchStrategy[Case]]

#: Largest vocabulary drawn for layer cases (small, so ids repeat within a batch).
MAX_VOCAB = 6
#: Seeds for the negative sampler (a fresh Generator per instance).
SEEDS = st.integers(0, 2**32 - 1)


def _ids(shape: tuple[int, ...], vocab: int) -> st.SearchStrategy[np.ndarray]:
    return hnp.arrays(np.int64, shape, elements=st.integers(0, vocab - 1), fill=st.nothing())


@st.composite
def _embedding(draw: Any, dtype: Any) -> Case:
    v, h, n = draw(S.dims(3))
    shape = draw(st.sampled_from([(n,), (n, draw(st.integers(1, 3)))]))
    idx = draw(_ids(shape, v))
    W = draw(S.arrays((v, h), dtype))
    out = shape + (h,)
    return Case((W,), (idx,), draw(S.douts(out, dtype)), draw(S.douts(out, dtype)))


@st.composite
def _embedding_dot(draw: Any, dtype: Any) -> Case:
    v, h, n = draw(S.dims(3))
    W = draw(S.arrays((v, h), dtype))
    x = draw(S.arrays((n, h), dtype))
    idx = draw(_ids((n,), v))
    return Case((W,), (x, idx), draw(S.douts((n,), dtype)), draw(S.douts((n,), dtype)))


def _scalar_douts() -> st.SearchStrategy[float]:
    return st.floats(0.5, 2.0)


@st.composite
def _sigmoid_with_loss(draw: Any, dtype: Any) -> Case:
    n = draw(st.integers(1, S.MAX_DIM))
    x = draw(S.arrays((n,), dtype))
    t = draw(_ids((n,), 2))
    return Case((), (x, t), draw(_scalar_douts()), draw(_scalar_douts()), {"labels": t})


@st.composite
def sampler_corpus(draw: Any, k: int, max_vocab: int = MAX_VOCAB + 2, gaps: bool | None = None) -> np.ndarray:
    """A corpus with at least ``k + 1`` distinct ids, uneven counts, and (optionally) ids with gaps."""
    distinct = draw(st.integers(k + 1, max(k + 1, max_vocab)))
    with_gaps = draw(st.booleans()) if gaps is None else gaps
    ids = np.arange(distinct) * (2 if with_gaps else 1)  # with gaps: every odd id is absent
    counts = draw(st.lists(st.integers(1, 6), min_size=distinct, max_size=distinct))
    corpus = np.repeat(ids, counts)
    return np.array(draw(st.permutations(corpus.tolist())), dtype=np.int64)


@st.composite
def _negative_sampling(draw: Any, dtype: Any) -> Case:
    k = draw(st.integers(1, 3))
    corpus = draw(sampler_corpus(k))
    v = int(corpus.max()) + 1 + draw(st.integers(0, 1))  # W may have a row no word uses
    h, n = draw(S.dims(2))
    W = draw(S.arrays((v, h), dtype))
    x = draw(S.arrays((n, h), dtype))
    target = np.array(draw(st.lists(st.sampled_from(sorted(set(corpus.tolist()))), min_size=n, max_size=n)))
    power = draw(st.sampled_from([0.75, 0.5, 1.0]))
    seed = draw(SEEDS)
    return Case((W, corpus, power, k, seed), (x, target), draw(_scalar_douts()), draw(_scalar_douts()),
                {"labels": target})


WORD2VEC_CASES: dict[str, Strategy] = {
    "Embedding": _embedding,
    "EmbeddingDot": _embedding_dot,
    "SigmoidWithLoss": _sigmoid_with_loss,
    "NegativeSamplingLoss": _negative_sampling,
}


# --- sampler cases: args (corpus, power, sample_size, seed), inputs (target,) -----------------

@st.composite
def _sampler(draw: Any, dtype: Any = None) -> Case:
    k = draw(st.integers(1, 3))
    corpus = draw(sampler_corpus(k))
    present = sorted(set(corpus.tolist()))
    n = draw(st.integers(1, S.MAX_DIM))
    # a target is usually a corpus word; sometimes an id the corpus never uses (nothing to exclude)
    absent = int(corpus.max()) + 1
    target = np.array(draw(st.lists(st.sampled_from(present + [absent]), min_size=n, max_size=n)))
    power = draw(st.sampled_from([0.75, 0.5, 1.0, 0.0]))
    return Case((corpus, power, k, draw(SEEDS)), (target,))


SAMPLER_CASES: dict[str, Strategy] = {"UnigramSampler": _sampler}


# --- text cases: inputs only --------------------------------------------------------------------

_WORDS = ["you", "say", "goodbye", "and", "i", "hello", "Cat", "dog."]
_SPACES = [" ", "  ", "\t", "\n", " \n "]


@st.composite
def _text(draw: Any, dtype: Any = None) -> Case:
    words = draw(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=12))
    seps = draw(st.lists(st.sampled_from(_SPACES), min_size=len(words) + 1, max_size=len(words) + 1))
    text = seps[0] + "".join(w + s for w, s in zip(words, seps[1:]))
    return Case((), (text,))


@st.composite
def _corpus_window(draw: Any, dtype: Any = None) -> Case:
    v = draw(st.integers(1, MAX_VOCAB))
    w = draw(st.integers(1, 3))
    corpus = draw(_ids((draw(st.integers(1, 12)),), v))
    return Case((), (corpus, v, w))


@st.composite
def _contexts(draw: Any, dtype: Any = None) -> Case:
    w = draw(st.integers(1, 3))
    corpus = draw(_ids((draw(st.integers(2 * w + 1, 14)),), MAX_VOCAB))
    return Case((), (corpus, w))


@st.composite
def _one_hot(draw: Any, dtype: Any = None) -> Case:
    v = draw(st.integers(1, MAX_VOCAB))
    n = draw(st.integers(1, S.MAX_DIM))
    shape = draw(st.sampled_from([(n,), (n, draw(st.integers(1, 4)))]))
    return Case((), (draw(_ids(shape, v)), v))


@st.composite
def _co_matrix(draw: Any, dtype: Any = None) -> Case:
    v = draw(st.integers(1, MAX_VOCAB))
    upper = draw(hnp.arrays(np.int64, (v, v), elements=st.integers(0, 9), fill=st.nothing()))
    C = np.triu(upper) + np.triu(upper, 1).T
    if C.sum() == 0:
        C[0, 0] = 1
    return Case((), (C,))


@st.composite
def _vectors(draw: Any, dtype: Any = None) -> Case:
    d = draw(st.integers(1, S.MAX_DIM))
    return Case((), (draw(S.arrays((d,), np.float64)), draw(S.arrays((d,), np.float64))))


def _vocabulary(n_words: int) -> Strategy:
    """A word matrix (V, D) with words w0..w{V-1}: inputs (query words..., word_to_id, id_to_word, matrix)."""

    @st.composite
    def cases(draw: Any, dtype: Any = None) -> Case:
        v = draw(st.integers(4, 8))
        d = draw(st.integers(1, 4))
        m = draw(S.arrays((v, d), np.float64))
        words = [f"w{i}" for i in range(v)]
        w2i = {w: i for i, w in enumerate(words)}
        picked = draw(st.lists(st.sampled_from(words), min_size=n_words, max_size=n_words, unique=True))
        return Case((), (*picked, w2i, dict(enumerate(words)), m), meta={"top": draw(st.integers(1, v))})

    return cases


TEXT_CASES: dict[str, Strategy] = {
    "preprocess": _text,
    "create_co_matrix": _corpus_window,
    "cos_similarity": _vectors,
    "most_similar": _vocabulary(1),
    "ppmi": _co_matrix,
    "create_contexts_target": _contexts,
    "convert_one_hot": _one_hot,
    "analogy": _vocabulary(3),
}


# --- references ---------------------------------------------------------------------------------

def _f64(a: Any) -> np.ndarray:
    return np.asarray(a, dtype=np.float64)


def _sig(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))  # type: ignore[no-any-return]  # inputs are bounded in the cases


def bce(x: Any, t: Any) -> float:
    """Binary cross-entropy from its definition, -mean(t log σ(x) + (1 - t) log(1 - σ(x)))."""
    y = _sig(_f64(x))
    t = _f64(t)
    return float(-np.mean(t * np.log(y) + (1 - t) * np.log(1 - y)))


def book_bce(x: Any, t: Any) -> float:
    """The book's form, -mean(log(p_t + 1e-7)) with p_1 = σ(x), p_0 = 1 − σ(x) (followed by the book's
    contract when the reader's loss was measured to add 1e-7 inside the log)."""
    y = _sig(_f64(x))
    p = np.where(np.asarray(t) == 1, y, 1 - y)
    return float(-np.mean(np.log(p + BOOK_LOG_EPS)))


def _bce_ref(c: Case) -> float:
    return book_bce(*c.inputs) if current().book("log-1e-7") else bce(*c.inputs)


def ns_negatives(case: Case) -> np.ndarray:
    """The negatives a layer built from ``case`` draws: a fresh sampler with the case's seed."""
    _, corpus, power, k, seed = case.args
    return UnigramSampler(corpus, power, k, rng=seed).get_negative_sample(case.inputs[1])


def ns_loss(W: Any, h: Any, target: np.ndarray, negative: np.ndarray, book: bool | None = None) -> float:
    """The negative-sampling loss from its definition for the given negatives (N, k): the batch mean of
    -log σ(h·W[target]) - Σ_j log σ(-h·W[negative_j]); with the book's 1e-7 inside each log when `book`
    (default: when the reader's loss was measured to add it)."""
    W, h = _f64(W), _f64(h)
    positive = np.sum(h * W[target], axis=1)
    negatives = np.einsum("nh,nkh->nk", h, W[negative])
    if current().book("log-1e-7") if book is None else book:  # k + 1 SigmoidWithLoss, each -log(p + 1e-7)
        return book_bce(positive, np.ones_like(target)) + sum(
            book_bce(negatives[:, j], np.zeros_like(target)) for j in range(negatives.shape[1]))
    return float(np.mean(-np.log(_sig(positive)) - np.sum(np.log(_sig(-negatives)), axis=1)))


def _ns_ref(case: Case) -> float:
    return ns_loss(case.args[0], case.inputs[0], case.inputs[1], ns_negatives(case))


def contiguous_ids(case: Case) -> Case:
    """The case with its corpus ids relabelled 0..V-1 in order (the book's sampler assumes every id below V
    occurs, as `preprocess` gives): UnigramSampler's targets relabelled too (one the corpus lacks becomes 0),
    NegativeSamplingLoss's W keeping only the rows of the words that occur."""
    if len(case.args) == 4:  # UnigramSampler: (corpus, power, k, seed), (target,)
        corpus, power, k, seed = case.args
        ids = np.unique(corpus)
        target = case.inputs[0]
        rank = np.where(np.isin(target, ids), np.searchsorted(ids, target), 0)
        return dataclasses.replace(case, args=(np.searchsorted(ids, corpus), power, k, seed),
                                   inputs=(rank.astype(target.dtype),))
    W, corpus, power, k, seed = case.args  # NegativeSamplingLoss: (W, corpus, power, k, seed), (h, target)
    ids = np.unique(corpus)
    h, target = case.inputs
    rank = np.searchsorted(ids, target).astype(target.dtype)
    return dataclasses.replace(case, args=(W[ids], np.searchsorted(ids, corpus), power, k, seed), inputs=(h, rank),
                               meta={**case.meta, "labels": rank})


WORD2VEC_REFERENCES: dict[str, Callable[[Case], Any]] = {
    "Embedding": lambda c: _f64(c.args[0])[c.inputs[0]],
    "EmbeddingDot": lambda c: np.sum(_f64(c.args[0])[c.inputs[1]] * _f64(c.inputs[0]), axis=1),
    "SigmoidWithLoss": _bce_ref,
    "NegativeSamplingLoss": _ns_ref,
}


def co_matrix_reference(corpus: np.ndarray, vocab_size: int, window_size: int) -> np.ndarray:
    """The co-occurrence count, one word and one neighbour at a time."""
    C = np.zeros((vocab_size, vocab_size), dtype=np.int64)
    for i, word in enumerate(corpus):
        for d in range(1, window_size + 1):
            for j in (i - d, i + d):
                if 0 <= j < len(corpus):
                    C[word, corpus[j]] += 1
    return C


def ppmi_reference(C: np.ndarray, eps: float = 1e-8) -> np.ndarray:
    """PPMI element by element: max(0, log2(C_ij N / (S_i S_j) + eps)); 0 where a word never occurs."""
    N = float(C.sum())
    S_ = C.sum(axis=0)
    M = np.zeros(C.shape)
    for i in range(C.shape[0]):
        for j in range(C.shape[1]):
            if S_[i] and S_[j]:
                M[i, j] = max(0.0, math.log2(C[i, j] * N / (S_[j] * S_[i]) + eps))
    return M


def successive_probabilities(p: dict[int, float], k: int) -> dict[tuple[int, ...], float]:
    """Exact probability of each ordered k-tuple under sequential weighted draws without replacement."""
    out: dict[tuple[int, ...], float] = {}

    def walk(prefix: tuple[int, ...], prob: float) -> None:
        if len(prefix) == k:
            out[prefix] = prob
            return
        rest = sum(q for w, q in p.items() if w not in prefix)
        for w, q in p.items():
            if w not in prefix:
                walk(prefix + (w,), prob * q / rest)

    walk((), 1.0)
    return out


# --- models: args (V, H[, window, corpus], seed, float64), inputs (contexts, target) ----------------

def _model(kind: str) -> Strategy:
    """Cases for SimpleCBOW / SimpleSkipGram ("simple-cbow", "simple-skipgram") or CBOW / SkipGram ("ns")."""

    @st.composite
    def cases(draw: Any, dtype: Any = np.float64) -> Case:
        n, h = draw(S.dims(2, hi=4))
        seed = draw(SEEDS)
        if kind == "ns":
            v, w = draw(st.integers(7, 9)), draw(st.integers(1, 2))
            extra = draw(_ids((draw(st.integers(0, 10)),), v))
            corpus = np.concatenate([np.arange(v), extra])
            contexts = draw(_ids((n, 2 * w), v))
            target = draw(_ids((n,), v))
            args: tuple[Any, ...] = (v, h, w, corpus, seed)
            shapes = [(v, h), (v, h)]
        else:
            v = draw(st.integers(2, 6))
            ids = draw(_ids((n, 2), v))
            t = draw(_ids((n,), v))
            eye = np.eye(v, dtype=np.int64)
            contexts, target = (eye[ids], eye[t]) if kind == "simple-cbow" else (ids, eye[t])
            args = (v, h, seed)
            shapes = [(v, h), (h, v)]
        params = tuple(draw(S.arrays(s, np.float64)) for s in shapes)
        return Case(args, (contexts, target), draw(_scalar_douts()), draw(_scalar_douts()), {"params": params})

    return cases


MODEL_CASES: dict[str, Strategy] = {
    "SimpleCBOW": _model("simple-cbow"),
    "SimpleSkipGram": _model("simple-skipgram"),
    "CBOW": _model("ns"),
    "SkipGram": _model("ns"),
}
