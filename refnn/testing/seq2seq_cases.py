"""Test cases and references for chapters 7–8: the attention layers and the encoder–decoder models.

The same :class:`~refnn.testing.cases.Case` as chapter 1.  Sizes run from 1 to 5 (both sequence lengths
included) with a "distinct dims" variant.  Hidden states lie in [-STATE_BOUND, STATE_BOUND], so scores
``hs_t · h`` stay below 10 in size: the softmax is neither uniform nor saturated.  The references compute
each result from its definition, one encoder step (and one decoder step) at a time, in float64.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from refnn.testing import strategies as S
from refnn.testing.cases import Case

__all__ = ["ATTENTION_CASES", "ATTENTION_REFERENCES", "MODEL_CASES", "MAX_T", "STATE_BOUND",
           "attention_weight", "weight_sum"]

Strategy = Callable[[Any], st.SearchStrategy[Case]]

#: Longest sequence drawn (encoder and decoder).
MAX_T = 5
#: Largest size drawn for N and H.
MAX_SIZE = 5
#: Hidden states lie in [-STATE_BOUND, STATE_BOUND].
STATE_BOUND = 1.5


def _states(draw: Any, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
    return draw(S.uniform_arrays(shape, dtype, STATE_BOUND))  # type: ignore[no-any-return]


def _douts(draw: Any, shape: tuple[int, ...], dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    return draw(S.uniform_douts(shape, dtype)), draw(S.uniform_douts(shape, dtype))


def _meta(draw: Any, t: int) -> dict[str, Any]:
    """An encoder step to select and a permutation of the encoder steps."""
    return {"k": draw(st.integers(0, t - 1)), "perm": np.array(draw(st.permutations(range(t))), dtype=np.int64)}


@st.composite
def _weight_sum(draw: Any, dtype: Any) -> Case:
    n, t, h = draw(S.dims(3, hi=MAX_SIZE))
    hs, a = _states(draw, (n, t, h), dtype), draw(S.arrays((n, t), dtype, 1.0))
    return Case((), (hs, a), *_douts(draw, (n, h), dtype), _meta(draw, t))


@st.composite
def _attention_weight(draw: Any, dtype: Any) -> Case:
    n, t, h = draw(S.dims(3, hi=MAX_SIZE))
    return Case((), (_states(draw, (n, t, h), dtype), _states(draw, (n, h), dtype)),
                *_douts(draw, (n, t), dtype), _meta(draw, t))


@st.composite
def _attention(draw: Any, dtype: Any) -> Case:
    n, t, h = draw(S.dims(3, hi=MAX_SIZE))
    return Case((), (_states(draw, (n, t, h), dtype), _states(draw, (n, h), dtype)),
                *_douts(draw, (n, h), dtype), _meta(draw, t))


@st.composite
def _time_attention(draw: Any, dtype: Any) -> Case:
    n, te, td, h = draw(S.dims(4, hi=MAX_SIZE))
    return Case((), (_states(draw, (n, te, h), dtype), _states(draw, (n, td, h), dtype)),
                *_douts(draw, (n, td, h), dtype), _meta(draw, te))


ATTENTION_CASES: dict[str, Strategy] = {
    "WeightSum": _weight_sum,
    "AttentionWeight": _attention_weight,
    "Attention": _attention,
    "TimeAttention": _time_attention,
}


# --- references: one step at a time, float64 -----------------------------------------------------

def _f64(a: Any) -> np.ndarray:
    return np.asarray(a, dtype=np.float64)


def weight_sum(hs: Any, a: Any) -> np.ndarray:
    """c_n = Σ_t a_{n,t} hs_{n,t}, adding one encoder step at a time."""
    hs, a = _f64(hs), _f64(a)
    c = np.zeros((hs.shape[0], hs.shape[2]))
    for t in range(hs.shape[1]):
        c += a[:, t:t + 1] * hs[:, t]
    return c


def attention_weight(hs: Any, h: Any) -> np.ndarray:
    """a_{n,t} = exp(s_{n,t} - m) / Σ_u exp(s_{n,u} - m) with s_{n,t} = hs_{n,t} · h_n, row by row."""
    hs, h = _f64(hs), _f64(h)
    N, T, _ = hs.shape
    a = np.empty((N, T))
    for n in range(N):
        s = np.array([float(np.dot(hs[n, t], h[n])) for t in range(T)])
        e = np.exp(s - s.max())
        a[n] = e / e.sum()
    return a


def _time_attention_ref(hs_enc: Any, hs_dec: Any) -> np.ndarray:
    hs_dec = _f64(hs_dec)
    return np.stack([weight_sum(hs_enc, attention_weight(hs_enc, hs_dec[:, t])) for t in range(hs_dec.shape[1])],
                    axis=1)


ATTENTION_REFERENCES: dict[str, Callable[[Case], Any]] = {
    "WeightSum": lambda c: weight_sum(*c.inputs),
    "AttentionWeight": lambda c: attention_weight(*c.inputs),
    "Attention": lambda c: weight_sum(c.inputs[0], attention_weight(*c.inputs)),
    "TimeAttention": lambda c: _time_attention_ref(*c.inputs),
}


# --- models: args (V, D, H), inputs (xs, ts) of character ids ------------------------------------

def _ids(shape: tuple[int, ...], vocab: int) -> st.SearchStrategy[np.ndarray]:
    return hnp.arrays(np.int64, shape, elements=st.integers(0, vocab - 1), fill=st.nothing())


@st.composite
def _model(draw: Any, dtype: Any = np.float64) -> Case:
    """Tiny sizes (V ≤ 5, D, H ≤ 3, N ≤ 3), an encoder input of 1–4 steps, a target of 2–4 (one to feed)."""
    v, d, h, n = draw(S.dims(4, lo=1, hi=3))
    v += 2
    te, td = draw(st.integers(1, 4)), draw(st.integers(2, 4))
    return Case((v, d, h), (draw(_ids((n, te), v)), draw(_ids((n, td), v))), draw(st.floats(0.5, 2.0)),
                draw(st.floats(0.5, 2.0)), {"seed": draw(st.integers(0, 2**32 - 1)),
                                            "start": draw(st.integers(0, v - 1)), "size": draw(st.integers(1, 5))})


MODEL_CASES: dict[str, Strategy] = {name: _model for name in
                                    ("Seq2seq", "PeekySeq2seq", "AttentionSeq2seq")}
