"""Test cases for each specification: what to construct, what to feed, what to expect.

A :class:`Case` holds constructor arguments, forward inputs and two upstream
gradients.  Each ``*_cases`` function returns a Hypothesis strategy of cases
for a dtype; each ``*_reference`` computes the expected forward result from
the definition, independently of refnn's own code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hypothesis import strategies as st

from refnn.testing import strategies as S
from refnn.testing.contract import current

__all__ = ["Case", "LAYER_CASES", "REFERENCES", "exact_loss", "book_loss", "net_scores"]


@dataclass(frozen=True)
class Case:
    """One drawn example: ``cls(*args).forward(*inputs)``, then ``backward(dout)``."""

    args: tuple[Any, ...]
    inputs: tuple[Any, ...]
    dout: Any = None
    dout2: Any = None
    meta: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        """Shapes and values, for a counterexample in a report."""
        with np.printoptions(precision=4, suppress=True, threshold=40, linewidth=100):
            parts = []
            for label, values in (("args", self.args), ("inputs", self.inputs)):
                for i, a in enumerate(values):
                    if isinstance(a, np.ndarray):
                        parts.append(f"{label}[{i}] {a.dtype}{a.shape} = {np.array2string(a)}")
                    else:
                        parts.append(f"{label}[{i}] = {a!r}")
            if self.dout is not None:
                d = self.dout
                shown = d if np.ndim(d) == 0 and not isinstance(d, tuple) else (
                    "(" + ", ".join(np.array2string(np.asarray(x)) for x in d) + ")"
                    if isinstance(d, tuple) else np.array2string(np.asarray(d))
                )
                parts.append(f"dout = {shown}")
        return "\n".join(parts)


Strategy = Callable[[Any], st.SearchStrategy[Case]]


def _scalar_douts() -> st.SearchStrategy[float]:
    return st.floats(0.5, 2.0)


@st.composite
def _matmul(draw: Any, dtype: Any) -> Case:
    n, d, h = draw(S.dims(3))
    x = draw(S.arrays((n, d), dtype))
    W = draw(S.arrays((d, h), dtype))
    return Case((W,), (x,), draw(S.douts((n, h), dtype)), draw(S.douts((n, h), dtype)))


@st.composite
def _affine(draw: Any, dtype: Any) -> Case:
    n, d, h = draw(S.dims(3))
    x = draw(S.arrays((n, d), dtype))
    W = draw(S.arrays((d, h), dtype))
    b = draw(S.arrays((h,), dtype))
    return Case((W, b), (x,), draw(S.douts((n, h), dtype)), draw(S.douts((n, h), dtype)))


def _elementwise(away_from_zero: bool = False) -> Strategy:
    @st.composite
    def cases(draw: Any, dtype: Any) -> Case:
        n, d = draw(S.dims(2))
        make = S.arrays_away_from_zero if away_from_zero else S.arrays
        x = draw(make((n, d), dtype))
        return Case((), (x,), draw(S.douts((n, d), dtype)), draw(S.douts((n, d), dtype)))

    return cases


@st.composite
def _softmax_with_loss(draw: Any, dtype: Any) -> Case:
    n, c = draw(S.dims(2).filter(lambda s: s[1] >= 2))  # one class: the book's one-hot test is ambiguous
    x = draw(S.arrays((n, c), dtype))
    labels = draw(S.labels(n, c))
    onehot = draw(st.booleans())
    t = np.eye(c, dtype=np.int64)[labels] if onehot else labels
    return Case((), (x, t), draw(_scalar_douts()), draw(_scalar_douts()), {"labels": labels})


def _binary() -> Strategy:
    @st.composite
    def cases(draw: Any, dtype: Any) -> Case:
        n, d = draw(S.dims(2))
        x = draw(S.arrays((n, d), dtype))
        y = draw(S.arrays((n, d), dtype))
        return Case((), (x, y), draw(S.douts((n, d), dtype)), draw(S.douts((n, d), dtype)))

    return cases


@st.composite
def _branch(draw: Any, dtype: Any) -> Case:
    k = draw(st.integers(1, 4))
    n, d = draw(S.dims(2))
    x = draw(S.arrays((n, d), dtype))
    d1 = tuple(draw(S.douts((n, d), dtype)) for _ in range(k))
    d2 = tuple(draw(S.douts((n, d), dtype)) for _ in range(k))
    return Case((k,), (x,), d1, d2)


@st.composite
def _repeat(draw: Any, dtype: Any) -> Case:
    n, d = draw(S.dims(2))
    x = draw(S.arrays((1, d), dtype))
    return Case((n,), (x,), draw(S.douts((n, d), dtype)), draw(S.douts((n, d), dtype)))


@st.composite
def _sum(draw: Any, dtype: Any) -> Case:
    n, d = draw(S.dims(2))
    x = draw(S.arrays((n, d), dtype))
    return Case((), (x,), draw(S.douts((1, d), dtype)), draw(S.douts((1, d), dtype)))


@st.composite
def _two_layer_net(draw: Any, dtype: Any) -> Case:
    n, d, h, c = draw(S.dims(4).filter(lambda s: s[3] >= 2))  # at least two classes
    x = draw(S.arrays((n, d), dtype))
    labels = draw(S.labels(n, c))
    params = tuple(draw(S.arrays(shape, dtype)) for shape in ((d, h), (h,), (h, c), (c,)))
    return Case((d, h, c), (x, labels), draw(_scalar_douts()), draw(_scalar_douts()),
                {"params": params, "labels": labels})


LAYER_CASES: dict[str, Strategy] = {
    "MatMul": _matmul,
    "Affine": _affine,
    "Sigmoid": _elementwise(),
    "ReLU": _elementwise(away_from_zero=True),
    "Softmax": _elementwise(),
    "SoftmaxWithLoss": _softmax_with_loss,
    "Add": _binary(),
    "Mul": _binary(),
    "Branch": _branch,
    "Repeat": _repeat,
    "Sum": _sum,
    "TwoLayerNet": _two_layer_net,
}


# --- references: the definitions, written independently of refnn's code ---------------

def _softmax_ref(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))  # inputs are bounded in the cases
    return e / e.sum(axis=-1, keepdims=True)


#: The book's guard inside the log (followed by the book's contract when it was measured).
BOOK_LOG_EPS = 1e-7


def exact_loss(x: np.ndarray, labels: np.ndarray) -> float:
    """-mean log softmax(x)[t], via logsumexp (no 1e-7)."""
    m = x.max(axis=1)
    lse = m + np.log(np.exp(x - m[:, None]).sum(axis=1))
    return float(np.mean(lse - x[np.arange(x.shape[0]), labels]))


def book_loss(x: np.ndarray, labels: np.ndarray) -> float:
    """-mean log(softmax(x)[t] + 1e-7), the book's formula."""
    p = _softmax_ref(x)[np.arange(x.shape[0]), labels]
    return float(-np.mean(np.log(p + BOOK_LOG_EPS)))


def _loss_ref(x: np.ndarray, labels: np.ndarray) -> float:
    return book_loss(x, labels) if current().book("log-1e-7") else exact_loss(x, labels)


def net_scores(params: Any, x: Any) -> np.ndarray:
    """The scores of the book's TwoLayerNet (Affine, Sigmoid, Affine) for ``params`` = (W1, b1, W2, b2)."""
    W1, b1, W2, b2 = (np.asarray(p, dtype=np.float64) for p in params)
    h = 1.0 / (1.0 + np.exp(-(np.asarray(x, dtype=np.float64) @ W1 + b1)))
    return h @ W2 + b2  # type: ignore[no-any-return]


def _net_ref(case: Case) -> float:
    return _loss_ref(net_scores(case.meta["params"], case.inputs[0]), case.meta["labels"])


def _f64(a: Any) -> np.ndarray:
    return np.asarray(a, dtype=np.float64)


REFERENCES: dict[str, Callable[[Case], Any]] = {
    "MatMul": lambda c: _f64(c.inputs[0]) @ _f64(c.args[0]),
    "Affine": lambda c: _f64(c.inputs[0]) @ _f64(c.args[0]) + _f64(c.args[1]),
    "Sigmoid": lambda c: 1.0 / (1.0 + np.exp(-_f64(c.inputs[0]))),
    "ReLU": lambda c: np.where(_f64(c.inputs[0]) > 0, _f64(c.inputs[0]), 0.0),
    "Softmax": lambda c: _softmax_ref(_f64(c.inputs[0])),
    "SoftmaxWithLoss": lambda c: _loss_ref(_f64(c.inputs[0]), c.meta["labels"]),
    "Add": lambda c: _f64(c.inputs[0]) + _f64(c.inputs[1]),
    "Mul": lambda c: _f64(c.inputs[0]) * _f64(c.inputs[1]),
    "Branch": lambda c: tuple(_f64(c.inputs[0]) for _ in range(c.args[0])),
    "Repeat": lambda c: np.repeat(_f64(c.inputs[0]), c.args[0], axis=0),
    "Sum": lambda c: _f64(c.inputs[0]).sum(axis=0, keepdims=True),
    "TwoLayerNet": _net_ref,
}
