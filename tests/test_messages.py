"""refnn's own error messages word for word, and the documented defaults.

The specification's ``messages`` property holds every layer to "starts with the layer's name and names the
shapes"; here refnn's exact wording is pinned (the name, the array, both shapes) for the calls the property
does not make: constructors, functions, nodes' own arguments, optimizers and the model.
"""

import inspect
import re

import numpy as np
import pytest

from refnn import _validation
from refnn.functions import cross_entropy_error, log_softmax, relu, sigmoid, softmax
from refnn.layers import Affine, MatMul, SoftmaxWithLoss
from refnn.models import TwoLayerNet
from refnn.nodes import Add, Branch, Mul, Repeat, Sum
from refnn.optim import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop, check_pairs


def raises(kind, text, call, *args, **kwargs):
    """``call`` raises ``kind`` whose message is exactly ``text``."""
    with pytest.raises(kind) as info:
        call(*args, **kwargs)
    assert str(info.value) == text


@pytest.mark.parametrize("f", [sigmoid, relu, softmax, log_softmax])
def test_functions_name_themselves_for_complex_input(f):
    raises(TypeError, f"{f.__name__}: expected a real numeric array, got dtype complex128",
           f, np.zeros(2, dtype=complex))


def test_cross_entropy_error_messages():
    raises(TypeError, "cross_entropy_error: expected a real numeric array, got dtype complex128",
           cross_entropy_error, np.zeros((1, 2), dtype=complex), np.array([0]))
    raises(ValueError, "cross_entropy_error: labels t shape (3,) does not fit one sample of shape (2,)",
           cross_entropy_error, np.array([0.5, 0.5]), np.array([0, 1, 0]))
    raises(ValueError, "cross_entropy_error: y must be (N, C) or (C,), got shape (1, 2, 2)",
           cross_entropy_error, np.full((1, 2, 2), 0.5), np.array([0]))
    raises(ValueError, "cross_entropy_error: labels t shape (3,) does not match scores shape (2, 2)",
           cross_entropy_error, np.full((2, 2), 0.5), np.array([0, 1, 0]))


def test_cross_entropy_error_one_sample_forms():
    y = np.array([0.25, 0.75])
    want = -np.log(0.75)
    assert cross_entropy_error(y, 1) == pytest.approx(want, rel=1e-15)
    assert cross_entropy_error(y, np.array([0, 1])) == pytest.approx(want, rel=1e-15)  # a one-hot row
    assert cross_entropy_error(y[None, :], np.array([[0, 1]])) == pytest.approx(want, rel=1e-15)


def test_layer_constructors_name_layer_and_array():
    raises(TypeError, "MatMul: parameter W must be a floating numpy array (updated in place), got list",
           MatMul, [[1.0]])
    raises(TypeError, "Affine: parameter W must be a floating numpy array (updated in place), "
                      "got ndarray of dtype int64", Affine, np.zeros((2, 2), dtype=np.int64), np.zeros(2))
    raises(TypeError, "Affine: parameter b must be a floating numpy array (updated in place), "
                      "got ndarray of dtype int64", Affine, np.zeros((2, 2)), np.zeros(2, dtype=np.int64))
    raises(ValueError, "MatMul: W must be 2-D, got shape (3,)", MatMul, np.zeros(3))
    raises(ValueError, "Affine: W must be 2-D, got shape (3,)", Affine, np.zeros(3), np.zeros(3))
    raises(ValueError, "Affine: bias b shape (5,) does not match W shape (3, 4) (expected (4,))",
           Affine, np.zeros((3, 4)), np.zeros(5))


def test_layer_forward_messages():
    raises(ValueError, "MatMul.forward: x shape (2, 5) does not match W shape (3, 4): x has 5 columns, W has 3 rows",
           MatMul(np.zeros((3, 4))).forward, np.zeros((2, 5)))
    raises(ValueError, "Affine: x must be 2-D, got shape (3,)", Affine(np.zeros((3, 4)), np.zeros(4)).forward,
           np.zeros(3))
    raises(ValueError, "SoftmaxWithLoss: x must be 2-D, got shape (1, 2, 3)", SoftmaxWithLoss().forward,
           np.zeros((1, 2, 3)), np.array([0]))
    raises(ValueError, "SoftmaxWithLoss.forward: empty mini-batch (N = 0)", SoftmaxWithLoss().forward,
           np.zeros((0, 3)), np.zeros(0, dtype=int))
    raises(ValueError, "SoftmaxWithLoss: labels t must be integers (class indices or one-hot), got dtype float64",
           SoftmaxWithLoss().forward, np.zeros((2, 3)), np.array([0.0, 1.0]))
    layer = SoftmaxWithLoss()
    layer.forward(np.zeros((2, 3)), np.array([0, 1]))
    raises(ValueError, "SoftmaxWithLoss.backward: dout of a loss must be a scalar, got shape (2,)",
           layer.backward, np.ones(2))


def test_label_messages():
    f = _validation.labels_from
    raises(ValueError, "L: labels t must lie in [0, 3), got values in [-1, 2]", f, "L", np.array([2, -1]), (2, 3))
    raises(ValueError, "L: one-hot labels t shape (2, 2) does not match scores shape (2, 3)",
           f, "L", np.eye(2, dtype=int), (2, 3))
    raises(ValueError, "L: one-hot labels t must have exactly one 1 per row and 0 elsewhere",
           f, "L", np.array([[1, 1, 0], [0, 1, 0]]), (2, 3))
    raises(ValueError, "L: labels t must be 1-D class indices or 2-D one-hot, got shape (2, 3, 1)",
           f, "L", np.zeros((2, 3, 1), dtype=int), (2, 3))


def test_scalar_dout_forms():
    check = _validation.check_scalar_dout
    for d in (2, 2.0, np.float64(2.0), np.float32(2.0), np.array(2.0)):
        assert check("L", d) == 2.0 and type(check("L", d)) is float


def test_row_offsets_are_cached_read_only_and_bounded():
    _validation._ROW_OFFSETS.clear()
    a = _validation.row_offsets(3, 4)
    assert a is _validation.row_offsets(3, 4) and not a.flags.writeable
    np.testing.assert_array_equal(a, [0, 4, 8])
    for n in range(1, 2 * _validation._CACHE_LIMIT):
        _validation.row_offsets(n, 7)
    assert len(_validation._ROW_OFFSETS) == _validation._CACHE_LIMIT
    fresh = _validation.row_offsets(500, 7)  # past the bound: made afresh, still read-only
    assert not fresh.flags.writeable and fresh is not _validation.row_offsets(500, 7)
    _validation._ROW_OFFSETS.clear()


def test_as_float_array_promotes_and_refuses():
    for a in (np.array([1, 2]), np.array([1, 2], dtype=np.uint8), np.array([True, False])):
        out = _validation.as_float_array(a, "f")
        assert out.dtype == np.float64 and out.tolist() == a.astype(float).tolist()
    x = np.zeros(2, dtype=np.float32)
    assert _validation.as_float_array(x, "f") is x
    raises(TypeError, "f: expected a real numeric array, got dtype object", _validation.as_float_array,
           np.array([None]), "f")


def test_node_messages():
    raises(ValueError, "Add.forward: x shape (2, 3) and y shape (3, 2) differ", Add().forward,
           np.zeros((2, 3)), np.zeros((3, 2)))
    raises(ValueError, "Mul.forward: x shape (2, 3) and y shape (2, 1) differ", Mul().forward,
           np.zeros((2, 3)), np.zeros((2, 1)))
    for make in (Add, Mul):
        raises(TypeError, f"{make.__name__}: expected a real numeric array, got dtype complex128", make().forward,
               np.zeros(2), np.zeros(2, dtype=complex))
    raises(TypeError, "Repeat: axis must be an int, got 1.5", Repeat, 2, 1.5)
    raises(TypeError, "Sum: axis must be an int, got True", Sum, True)
    raises(TypeError, "Sum: axis must be an int, got '0'", Sum, "0")
    assert Sum(np.int64(1)).axis == 1 and type(Sum(np.int64(1)).axis) is int
    raises(ValueError, "Sum.forward: axis 2 is out of range for a 2-D input", Sum(axis=2).forward, np.zeros((2, 3)))
    raises(ValueError, "Sum.forward: axis -3 is out of range for a 2-D input", Sum(axis=-3).forward,
           np.zeros((2, 3)))
    raises(ValueError, "Repeat.forward: axis 2 is out of range for a 2-D input", Repeat(2, axis=2).forward,
           np.zeros((2, 1)))
    raises(ValueError, "Repeat.forward: x shape (2, 3) must have length 1 on axis 0", Repeat(4).forward,
           np.zeros((2, 3)))
    raises(ValueError, "Repeat: n must be an integer >= 1, got 0", Repeat, 0)
    raises(ValueError, "Branch: n must be an integer >= 1, got 1.5", Branch, 1.5)
    node = Branch(3)
    node.forward(np.zeros(2))
    raises(ValueError, "Branch.backward: expected 3 upstream gradients, got 2", node.backward,
           np.zeros(2), np.zeros(2))
    raises(ValueError, "Branch.backward: dout shape (3,) does not match forward output shape (2,)",
           node.backward, np.zeros(2), np.zeros(3), np.zeros(2))


def test_repeat_and_sum_accept_every_axis_in_range():
    x = np.zeros((2, 1, 3))
    for axis in (1, -2):
        assert Repeat(4, axis=axis).forward(x).shape == (2, 4, 3)
    for axis, shape in ((0, (1, 1, 3)), (-3, (1, 1, 3)), (2, (2, 1, 1)), (-1, (2, 1, 1))):
        assert Sum(axis).forward(x).shape == shape


def test_model_messages():
    for i, name in enumerate(("input_size", "hidden_size", "output_size")):
        sizes = [2, 3, 4]
        sizes[i] = 0
        raises(ValueError, f"TwoLayerNet: {name} must be a positive integer, got 0", TwoLayerNet, *sizes)
    raises(ValueError, "TwoLayerNet: hidden_size must be a positive integer, got True", TwoLayerNet, 2, True, 3)
    assert [p.shape for p in TwoLayerNet(np.int64(2), 3, 4).params] == [(2, 3), (3,), (3, 4), (4,)]


OPTIMIZERS = {
    SGD: {"lr": 0.01},
    Momentum: {"lr": 0.01, "momentum": 0.9},
    Nesterov: {"lr": 0.01, "momentum": 0.9},
    AdaGrad: {"lr": 0.01, "eps": 1e-7},
    RMSprop: {"lr": 0.01, "decay_rate": 0.99, "eps": 1e-7},
    Adam: {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-7},
}
UNIT = {"momentum", "decay_rate", "beta1", "beta2"}


@pytest.mark.parametrize("cls", OPTIMIZERS, ids=lambda c: c.__name__)
def test_documented_optimizer_defaults_and_repr(cls):
    defaults = OPTIMIZERS[cls]
    opt = cls()
    assert {k: getattr(opt, k) for k in defaults} == defaults
    sig = inspect.signature(cls.__init__).parameters
    assert {k: sig[k].default for k in defaults} == defaults
    assert repr(opt) == f"{cls.__name__}(" + ", ".join(f"{k}={v!r}" for k, v in defaults.items()) + ")"


@pytest.mark.parametrize("cls", OPTIMIZERS, ids=lambda c: c.__name__)
def test_every_hyperparameter_is_checked_by_name(cls):
    name = cls.__name__
    for what in OPTIMIZERS[cls]:
        if what in UNIT:
            raises(ValueError, f"{name}: {what} must be a number in [0, 1), got 'x'", cls, **{what: "x"})
            raises(ValueError, f"{name}: {what} must be a number in [0, 1), got True", cls, **{what: True})
            raises(ValueError, f"{name}: {what} must lie in [0, 1), got 1.0", cls, **{what: 1.0})
            raises(ValueError, f"{name}: {what} must lie in [0, 1), got -0.5", cls, **{what: -0.5})
            assert getattr(cls(**{what: 0}), what) == 0.0
        else:
            raises(ValueError, f"{name}: {what} must be a positive number, got 'x'", cls, **{what: "x"})
            raises(ValueError, f"{name}: {what} must be a positive number, got True", cls, **{what: True})
            raises(ValueError, f"{name}: {what} must be a positive finite number, got 0", cls, **{what: 0})
            raises(ValueError, f"{name}: {what} must be a positive finite number, got inf", cls,
                   **{what: float("inf")})
            assert getattr(cls(**{what: np.float32(0.5)}), what) == 0.5


def test_check_pairs_messages():
    raises(ValueError, "SGD.update: params and grads have different lengths (1 vs 2)", check_pairs,
           "SGD", [np.zeros(2)], [np.zeros(2), np.zeros(2)])
    raises(TypeError, "SGD.update: params[0] must be a numpy.ndarray, got list", check_pairs,
           "SGD", [[0.0]], [np.zeros(1)])
    raises(TypeError, "SGD.update: grads[1] must be a numpy.ndarray, got float", check_pairs,
           "SGD", [np.zeros(1), np.zeros(1)], [np.zeros(1), 0.0])
    raises(ValueError, "SGD.update: params[0] shape (2,) does not match grads[0] shape (3,)", check_pairs,
           "SGD", [np.zeros(2)], [np.zeros(3)])
    for cls in OPTIMIZERS:
        raises(ValueError, f"{cls.__name__}.update: params and grads have different lengths (1 vs 2)",
               cls().update, [np.zeros(2)], [np.zeros(2), np.zeros(2)])
    opt = Adam()
    opt.update([np.zeros(2)], [np.zeros(2)])
    raises(ValueError, "Adam.update: got 2 params, but the state was created for 1; use a new Adam for a "
                       "different set of parameters", opt.update, [np.zeros(2), np.zeros(1)],
           [np.zeros(2), np.zeros(1)])
    raises(ValueError, "Adam.update: params[0] has shape (3,) and dtype float64, but the state was created for "
                       "shape (2,) and dtype float64; use a new Adam", opt.update, [np.zeros(3)], [np.zeros(3)])
    raises(ValueError, "Adam.update: params[0] has shape (2,) and dtype float32, but the state was created for "
                       "shape (2,) and dtype float64; use a new Adam", opt.update,
           [np.zeros(2, np.float32)], [np.zeros(2, np.float32)])


def test_branch_default_is_two():
    assert Branch().n == 2
    assert re.fullmatch(r"Affine\(\(2, 3\), \(3,\)\)", repr(Affine(np.zeros((2, 3)), np.zeros(3))))


def test_a_longer_list_starting_with_the_same_arrays_is_refused_by_refnn():
    """The fast path for the very same lists must not catch a list that merely starts with them."""
    p, g = np.zeros(2), np.zeros(2)
    for cls in OPTIMIZERS:
        opt = cls()
        opt.update([p], [g])
        raises(ValueError, f"{cls.__name__}.update: params and grads have different lengths (2 vs 1)",
               opt.update, [p, np.zeros(1)], [g])
        raises(ValueError, f"{cls.__name__}.update: params and grads have different lengths (1 vs 2)",
               opt.update, [p], [g, np.zeros(1)])
