"""The spiral dataset: the book's exact arrays, shapes and dtypes."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dataset import spiral


def test_book_values_for_seed_1984():
    x, t = spiral.load_data()
    assert x.shape == (300, 2) and x.dtype == np.float64
    assert t.shape == (300, 3) and t.dtype.kind == "i"
    # The book's value to the last digit here; sin/cos/log may differ by an ulp on other CPUs
    # (NumPy's SIMD kernels), so allow a few ulps of the sum, far below any real difference.
    assert x.sum() == pytest.approx(-13.916731190759947, rel=1e-13, abs=0)
    np.testing.assert_allclose(x[1], [-0.00097699, 0.00995216], atol=5e-9)


@given(st.integers(0, 2**32 - 1))
def test_structure_for_any_seed(seed):
    x, t = spiral.load_data(seed)
    assert (t.sum(axis=1) == 1).all() and (t.sum(axis=0) == 100).all()
    radius = np.hypot(x[:, 0], x[:, 1])
    np.testing.assert_allclose(radius, np.tile(np.arange(100) / 100, 3), atol=1e-12)
    np.testing.assert_array_equal(t.argmax(axis=1), np.repeat(np.arange(3), 100))
    x2, t2 = spiral.load_data(seed)
    assert np.array_equal(x, x2) and np.array_equal(t, t2)
