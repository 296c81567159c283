"""Test the tester: every property and check_layer must go red on a deliberately broken layer."""

import importlib

import numpy as np
import pytest
from hypothesis import Phase, settings

from refnn import optim
from refnn.gradcheck import GradientMismatch, check_layer, numerical_gradient
from refnn.testing import SPECS, run_property
from refnn.testing.book import measure
from refnn.testing.hints import suggest
from tests.fixtures.broken_layers import (
    BROKEN,
    GRADIENT_BLIND,
    AffineBiasWrongAxis,
    AffineRebindsGrads,
    SigmoidMissingFactor,
    SoftmaxWithLossMissingN,
)

QUICK = settings(max_examples=60, deadline=None, database=None, derandomize=True)
#: Seeing red is enough here; shrinking (tested once below) is what takes the time.
NO_SHRINK = settings(QUICK, phases=[Phase.generate])


@pytest.mark.parametrize(("name", "prop", "impl"), BROKEN, ids=[f"{n}-{p}-{i.__name__}" for n, p, i in BROKEN])
def test_property_rejects_broken_implementation(name, prop, impl):
    result = run_property(name, prop, impl, NO_SHRINK)
    assert not result.passed, f"{prop} did not notice {impl.__name__}: {impl.__doc__}"
    assert result.message_ko and result.message_en


def test_every_property_has_a_broken_fixture():
    covered = {prop for _, prop, _ in BROKEN}
    used = {prop for spec in SPECS.values() if spec.family == "mlp" for prop in spec.all_properties}  # ch. 1
    assert used <= covered, sorted(used - covered)


@pytest.mark.parametrize(("name", "impl"), GRADIENT_BLIND, ids=[i.__name__ for _, i in GRADIENT_BLIND])
def test_some_bugs_are_invisible_to_the_gradient_check(name, impl):
    assert run_property(name, "gradient", impl, QUICK).passed


def test_failure_report_holds_the_minimal_counterexample():
    result = run_property("Sigmoid", "gradient", SigmoidMissingFactor, QUICK)
    assert "inputs[0] float64(1, 1)" in result.counterexample
    assert "dx" in result.message_en and "수치 미분" in result.message_ko


def _affine(rng, n, d, h):
    return AffineBiasWrongAxis(rng.standard_normal((d, h)), rng.standard_normal(h)), rng.standard_normal((n, d))


def test_check_layer_names_layer_tensor_index_and_values():
    rng = np.random.default_rng(3)
    with pytest.raises(GradientMismatch) as info:
        check_layer(SigmoidMissingFactor(), rng.standard_normal((3, 4)))
    exc = info.value
    assert exc.where == "SigmoidMissingFactor" and exc.tensor == "dx"
    assert len(exc.index) == 2 and exc.analytic != exc.numerical
    text = str(exc)
    assert "SigmoidMissingFactor" in text and "dx" in text and "analytic" in text and "numerical" in text


def test_check_layer_catches_bias_summed_over_wrong_axis():
    layer, x = _affine(np.random.default_rng(4), 3, 2, 3)  # N == H: the wrong sum has the right shape
    with pytest.raises(GradientMismatch, match=r"grads\[1\]"):
        check_layer(layer, x)


def test_check_layer_catches_rebound_grads():
    rng = np.random.default_rng(5)
    layer = AffineRebindsGrads(rng.standard_normal((2, 3)), rng.standard_normal(3))
    with pytest.raises(AssertionError, match=r"rebound grads\[0\]"):
        check_layer(layer, rng.standard_normal((4, 2)))


def test_check_layer_catches_loss_backward_without_mean():
    rng = np.random.default_rng(6)
    with pytest.raises(GradientMismatch, match="dx"):
        check_layer(SoftmaxWithLossMissingN(), rng.standard_normal((4, 3)), np.array([0, 2, 1, 1]))


def test_check_layer_refuses_float32():
    from refnn.layers import Sigmoid

    with pytest.raises(TypeError, match="float64"):
        check_layer(Sigmoid(), np.zeros((2, 2), dtype=np.float32))


def test_numerical_gradient_restores_bit_for_bit_and_matches_a_known_derivative():
    x = np.array([[0.1, -2.5], [3.0, 1e-3]])
    before = x.copy()
    g = numerical_gradient(lambda v: float(np.sum(np.sin(v))), x)
    assert np.array_equal(x, before)
    np.testing.assert_allclose(g, np.cos(before), rtol=1e-8, atol=1e-9)
    with pytest.raises(TypeError):
        numerical_gradient(lambda v: 0.0, np.zeros(2, dtype=np.float32))


# --- the book's contract: a measured book behaviour is not a failure, and hides no other bug ----------

def _book_cross_entropy(guard, mean=True):
    def cross_entropy_error(y, t):
        if t.size == y.size:
            t = t.argmax(axis=1)
        logs = np.log(y[np.arange(y.shape[0]), t] + guard)
        return -(logs.mean() if mean else logs.sum())

    return cross_entropy_error


class _BookLoss:
    """SoftmaxWithLoss as the book writes it (1e-7 inside the log); ``scale`` plants a gradient bug."""

    scale = 1.0

    def __init__(self):
        self.params, self.grads = [], []

    def forward(self, x, t):
        self.t = t.argmax(axis=1) if t.size == x.size else t
        e = np.exp(x - x.max(axis=1, keepdims=True))
        self.y = e / e.sum(axis=1, keepdims=True)
        return -np.mean(np.log(self.y[np.arange(len(x)), self.t] + 1e-7))

    def backward(self, dout=1):
        dx = self.y.copy()
        dx[np.arange(len(dx)), self.t] -= 1
        return dx * dout * self.scale / len(dx)


class _BookLossNoMean(_BookLoss):
    scale = 3.0  # backward off by a constant factor


class _BookNesterovSign(optim.Nesterov):
    """The book's Nesterov update with the gradient's sign flipped in the last term."""

    def update(self, params, grads):
        if self.v is None:
            self.v = [np.zeros_like(p) for p in params]
        for p, g, v in zip(params, grads, self.v):
            v *= self.momentum
            v -= self.lr * g
            p += self.momentum * self.momentum * v
            p += (1 + self.momentum) * self.lr * g


def _book_run(name, impl, prop):
    contract = measure(SPECS[name], impl, strict=False)
    return contract, run_property(name, prop, impl, NO_SHRINK, contract)


@pytest.mark.parametrize("name", list(SPECS))
def test_refnn_itself_shows_no_book_behaviour(name):
    impl = getattr(importlib.import_module(SPECS[name].module), name)
    contract = measure(SPECS[name], impl, strict=False)
    assert not contract.traits and not contract.forward_only and not contract.no_dout, contract


def test_the_books_loss_is_a_note_not_a_failure():
    for prop in ("forward", "gradient", "uniform_loss"):
        contract, result = _book_run("SoftmaxWithLoss", _BookLoss, prop)
        assert contract.traits == {"log-1e-7"} and result.passed, (prop, result.message_en)
    strict = measure(SPECS["SoftmaxWithLoss"], _BookLoss, strict=True)
    failed = run_property("SoftmaxWithLoss", "forward", _BookLoss, NO_SHRINK, strict)
    assert not failed.passed and "errata/#log-1e-7" in failed.message_en


@pytest.mark.parametrize(
    ("name", "impl", "prop"),
    [
        ("cross_entropy_error", _book_cross_entropy(1e-6), "forward"),  # another guard: nothing measured
        ("cross_entropy_error", _book_cross_entropy(1e-7, mean=False), "batch_mean"),
        ("SoftmaxWithLoss", _BookLossNoMean, "gradient"),
        ("Nesterov", _BookNesterovSign, "step"),
    ],
    ids=["guard-1e-6", "sum-with-1e-7", "book-loss-wrong-backward", "book-nesterov-wrong-sign"],
)
def test_a_bug_beside_a_book_behaviour_still_fails(name, impl, prop):
    _, result = _book_run(name, impl, prop)
    assert not result.passed, f"{prop} missed the bug in {impl!r}"
    assert "errata" not in result.message_en  # a cause is named only when it was measured


def test_python_like_suggestions():
    assert suggest("foward", ["forward", "backward"]) == "forward"
    assert suggest("parms", ["params", "grads"]) == "params"
    assert suggest("axsi", ["axis"]) is None  # a transposition in four letters: Python offers nothing
    assert suggest("W", ["x", "params"]) is None
