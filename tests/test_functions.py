"""Pinned facts of the functions and layers that need no finite differences."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from refnn.functions import cross_entropy_error, log_softmax, relu, sigmoid, softmax
from refnn.gradcheck import check_layer
from refnn.layers import ReLU, Sigmoid, Softmax, SoftmaxWithLoss
from tests.strategies import arrays, dims

EXTREME = np.array([-1e6, -1000.0, -1.0, 0.0, 1.0, 1000.0, 1e6])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_inputs_are_finite_without_warnings(dtype):
    x = EXTREME.astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s, p, lp = sigmoid(x), softmax(x), log_softmax(x)
        loss = SoftmaxWithLoss().forward(x[None, :], np.array([0]))
    assert np.isfinite(s).all() and np.isfinite(p).all() and np.isfinite(lp).all() and np.isfinite(loss)
    assert s.dtype == p.dtype == lp.dtype == dtype
    assert s[0] == 0 and s[-1] == 1 and s[3] == 0.5
    assert p[-1] == 1 and p[:-1].sum() == 0
    assert loss == pytest.approx(2e6, rel=1e-6)


def test_true_class_far_below_1e7_keeps_an_exact_gradient():
    x = np.array([[0.0, 30.0, -2.0], [25.0, 0.0, 1.0]])
    t = np.array([0, 1])  # true-class probabilities about 1e-13 and 1e-11
    check_layer(SoftmaxWithLoss(), x, t)


def test_nan_propagates():
    x = np.array([[np.nan, 0.0, 1.0], [0.0, 1.0, 2.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert np.isnan(sigmoid(x)[0, 0]) and np.isnan(relu(x)[0, 0])
        p = softmax(x)
        assert np.isnan(p[0]).all() and np.isfinite(p[1]).all()
        assert np.isnan(SoftmaxWithLoss().forward(x, np.array([1, 2])))


def test_cross_entropy_zero_probability_is_inf():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cross_entropy_error(np.array([[0.0, 1.0]]), np.array([0])) == np.inf


def test_integer_input_becomes_float64():
    assert sigmoid(np.array([0, 1])).dtype == np.float64
    assert softmax([1, 2, 3]).dtype == np.float64
    assert relu(np.array([-1, 2])).dtype == np.float64


@given(dims(2).flatmap(lambda s: arrays(s)))
def test_log_softmax_is_log_of_softmax(x):
    np.testing.assert_allclose(log_softmax(x), np.log(softmax(x)), rtol=1e-12, atol=1e-12)


@given(dims(2).flatmap(lambda s: arrays(s)), st.integers(2, 6))
def test_softmax_with_loss_matches_softmax_then_cross_entropy(x, c):
    t = np.arange(x.shape[0]) % x.shape[1]
    assert SoftmaxWithLoss().forward(x, t) == pytest.approx(cross_entropy_error(softmax(x), t), rel=1e-12)


@pytest.mark.parametrize("layer", [Sigmoid, ReLU, Softmax])
def test_float32_layers_stay_float32(layer):
    x = np.linspace(-2, 2, 12, dtype=np.float32).reshape(3, 4)
    obj = layer()
    out = obj.forward(x)
    dx = obj.backward(np.ones_like(out) * np.float32(0.5))
    assert out.dtype == dx.dtype == np.float32


def test_softmax_backward_with_all_ones_dout_is_zero():
    """Why the suite never uses a ones dout: it hides every Softmax backward bug."""
    layer = Softmax()
    layer.forward(np.array([[1.0, 2.0, 3.0]]))
    np.testing.assert_allclose(layer.backward(np.ones((1, 3))), 0.0, atol=1e-15)  # rounding of 1 - sum(y)


def test_rows_far_apart_are_shifted_by_their_own_maximum():
    """Each row is shifted by its own maximum: by the global one, the low row underflows to log 0."""
    x = np.array([[0.0, 1.0, -1.0], [1000.0, 1001.0, 999.0]])
    row = log_softmax(x[:1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_allclose(log_softmax(x), np.vstack([row, row]), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(softmax(x), np.exp(np.vstack([row, row])), rtol=1e-12, atol=1e-15)
        loss = SoftmaxWithLoss().forward(x, np.array([0, 2]))
    assert loss == pytest.approx(-(row[0, 0] + row[0, 2]) / 2, rel=1e-12)
