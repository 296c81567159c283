"""Input checks shared by functions, layers and nodes (internal).

Every message names the layer (or function) and the shapes involved, so
that a reader sees at once which call went wrong.
"""

from __future__ import annotations

from typing import Any

import numpy as np

FORWARD_FIRST = "{name}.backward: forward must come first (backward가 forward보다 먼저 호출되었습니다)"

# The row offsets the one-hot check needs on every call, cached per shape and
# made read-only.  The cache is bounded: past 64 shapes the arrays are simply
# made afresh.
_ROW_OFFSETS: dict[tuple[int, int], np.ndarray] = {}
_CACHE_LIMIT = 64


def row_offsets(n: int, c: int) -> np.ndarray:
    """Return read-only ``np.arange(n) * c``, cached per shape.

    ``row_offsets(n, c) + labels`` are the flat indices of ``a[i, labels[i]]``
    in a C-contiguous ``(n, c)`` array: indexing ``a.ravel()`` with one index
    array costs a fraction of ``a[np.arange(n), labels]``.
    """
    key = (n, c)
    offsets = _ROW_OFFSETS.get(key)
    if offsets is None:
        offsets = np.arange(n) * c
        offsets.flags.writeable = False
        if len(_ROW_OFFSETS) < _CACHE_LIMIT:
            _ROW_OFFSETS[key] = offsets
    return offsets


def as_float_array(x: Any, name: str) -> np.ndarray:
    """Return ``x`` as a floating ndarray without copying float input.

    Integer and boolean input is promoted to float64; complex and object
    arrays are refused.
    """
    a = np.asarray(x)
    kind = a.dtype.kind
    if kind == "f":
        return a
    if kind in "iub":
        return a.astype(np.float64)
    raise TypeError(f"{name}: expected a real numeric array, got dtype {a.dtype}")


def check_dout(name: str, dout: Any, shape: tuple[int, ...]) -> np.ndarray:
    """Return ``dout`` as an array, refusing a shape other than the forward output's."""
    d = np.asarray(dout)
    if d.shape != shape:
        raise ValueError(
            f"{name}.backward: dout shape {d.shape} does not match forward output shape {shape}"
        )
    return d


def check_scalar_dout(name: str, dout: Any) -> float:
    """Loss layers take a scalar ``dout`` (default 1.0)."""
    if type(dout) is float or type(dout) is int:  # the common case, without np.ndim's cost
        return float(dout)
    if np.ndim(dout) != 0:
        raise ValueError(
            f"{name}.backward: dout of a loss must be a scalar, got shape {np.shape(dout)}"
        )
    return float(dout)


def check_ndim(name: str, x: np.ndarray, ndim: int, what: str = "x") -> None:
    if x.ndim != ndim:
        raise ValueError(
            f"{name}: {what} must be {ndim}-D, got shape {x.shape}"
        )


def labels_from(name: str, t: Any, scores_shape: tuple[int, ...]) -> np.ndarray:
    """Validate labels ``t`` for scores of shape ``(N, C)`` and return int labels ``(N,)``.

    ``t`` may be integer class labels of shape ``(N,)`` or a one-hot integer
    array of shape ``(N, C)``.  Negative labels (which NumPy would silently
    wrap), labels ``>= C``, float labels and one-hot arrays whose shape
    differs from the scores are refused with ``ValueError``.
    """
    t = np.asarray(t)
    n, c = scores_shape
    if t.dtype.kind not in "iu":
        raise ValueError(
            f"{name}: labels t must be integers (class indices or one-hot), got dtype {t.dtype}"
        )
    if t.ndim == 1:
        if t.shape[0] != n:
            raise ValueError(
                f"{name}: labels t shape {t.shape} does not match scores shape {scores_shape}"
            )
        if n and (t.min() < 0 or t.max() >= c):
            raise ValueError(
                f"{name}: labels t must lie in [0, {c}), got values in [{t.min()}, {t.max()}]"
            )
        return t
    if t.ndim == 2:
        if t.shape != scores_shape:
            raise ValueError(
                f"{name}: one-hot labels t shape {t.shape} does not match scores shape {scores_shape}"
            )
        labels = t.argmax(axis=1)
        # One-hot iff the entry at each row's argmax is 1 (so every row has a
        # nonzero) and t has exactly N nonzeros (so no row has another one,
        # negative entries included).  Two cheap counts instead of min + row sums;
        # t.ravel()[offsets + labels] is t[i, labels[i]] (ravel is C order).
        if n and not (
            np.count_nonzero(t) == n
            and np.count_nonzero(t.ravel()[row_offsets(n, c) + labels] == 1) == n
        ):
            raise ValueError(
                f"{name}: one-hot labels t must have exactly one 1 per row and 0 elsewhere"
            )
        return labels
    raise ValueError(
        f"{name}: labels t must be 1-D class indices or 2-D one-hot, got shape {t.shape}"
    )
