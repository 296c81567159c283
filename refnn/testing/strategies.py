"""Hypothesis strategies shared by the specification and refnn's own tests.

Shapes run from 1 to ``MAX_DIM`` with a "distinct dims" variant (all-equal
or all-1 shapes hide transposition and axis bugs); values are bounded and never
subnormal; kinks (ReLU at 0) are pushed away here, not hidden by tolerances;
an upstream gradient ``dout`` is never all zeros or all ones.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

__all__ = [
    "MAX_DIM",
    "BOUND",
    "dims",
    "floats",
    "arrays",
    "arrays_away_from_zero",
    "douts",
    "uniform_arrays",
    "uniform_douts",
    "labels",
]

#: Largest batch or width drawn.
MAX_DIM = 6
#: Values are drawn from [-BOUND, BOUND].
BOUND = 3.0
#: Distance kept from a kink such as ReLU's at 0 (far above the finite-difference step).
KINK_GAP = 0.01


def dims(k: int, lo: int = 1, hi: int = MAX_DIM) -> st.SearchStrategy[tuple[int, ...]]:
    """``k`` sizes in ``[lo, hi]``: half of the time all different from each other."""
    plain = st.tuples(*[st.integers(lo, hi)] * k)
    if hi - lo + 1 < k:
        return plain
    distinct = st.lists(st.integers(lo, hi), min_size=k, max_size=k, unique=True).map(tuple)
    return st.one_of(plain, distinct)


def _width(dtype: Any) -> Literal[32, 64]:
    return 32 if np.dtype(dtype) == np.float32 else 64


def floats(dtype: Any = np.float64, bound: float = BOUND) -> st.SearchStrategy[float]:
    width = _width(dtype)
    return st.floats(-bound, bound, allow_nan=False, allow_subnormal=False, width=width)


def arrays(shape: tuple[int, ...], dtype: Any = np.float64, bound: float = BOUND) -> st.SearchStrategy[np.ndarray]:
    """Bounded, finite, non-subnormal arrays of the given shape."""
    return hnp.arrays(dtype, shape, elements=floats(dtype, bound), fill=st.nothing())


def arrays_away_from_zero(
    shape: tuple[int, ...], dtype: Any = np.float64, gap: float = KINK_GAP
) -> st.SearchStrategy[np.ndarray]:
    """Arrays whose elements keep ``|x| >= gap`` (for layers with a kink at 0).

    Each element of a bounded array is pushed ``gap`` away from 0 on its own side.
    """
    step = np.dtype(dtype).type(gap)
    return arrays(shape, dtype).map(lambda a: a + np.where(a >= 0, step, -step))


def douts(shape: tuple[int, ...], dtype: Any = np.float64) -> st.SearchStrategy[np.ndarray]:
    """An upstream gradient: never all zeros (it would make any backward look right)
    and never all ones (it makes Softmax's backward vanish)."""
    return arrays(shape, dtype).filter(_usable_dout)


def _usable_dout(d: np.ndarray) -> bool:
    """Not all zeros (any backward looks right) and not all ones (Softmax's backward vanishes)."""
    return bool(np.any(d != 0)) and not bool(np.all(d == 1))


def uniform_arrays(
    shape: tuple[int, ...], dtype: Any = np.float64, bound: float = BOUND
) -> st.SearchStrategy[np.ndarray]:
    """Independent uniform values in ``[-bound, bound)`` from one drawn seed.

    One choice per array instead of one per element: drawing and shrinking a case of the chapter 5–8
    layers (hundreds of elements each) then costs a small part of running its properties. Hypothesis
    still chooses the sizes, the sequence length and the seed; the element values of these smooth
    layers need no special values (no kinks, no ties), and a seed never gives a subnormal, zero-heavy
    or all-equal array by accident.
    """
    def build(seed: int) -> np.ndarray:
        return np.random.default_rng(seed).uniform(-bound, bound, shape).astype(dtype)

    return st.integers(0, 2**32 - 1).map(build)


def uniform_douts(shape: tuple[int, ...], dtype: Any = np.float64) -> st.SearchStrategy[np.ndarray]:
    """An upstream gradient from :func:`uniform_arrays`, with the same guarantees as :func:`douts`."""
    return uniform_arrays(shape, dtype).filter(_usable_dout)


def labels(n: int, c: int) -> st.SearchStrategy[np.ndarray]:
    """Integer class labels ``(n,)`` in ``[0, c)``."""
    return hnp.arrays(np.int64, (n,), elements=st.integers(0, c - 1), fill=st.nothing())
