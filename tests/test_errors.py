"""Bad input gets a clear error that names the layer and the shapes."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from refnn.functions import cross_entropy_error
from refnn.layers import Affine, MatMul, ReLU, Sigmoid, Softmax, SoftmaxWithLoss
from refnn.nodes import Add, Branch, Mul, Repeat, Sum
from refnn.optim import SGD
from tests.strategies import dims

PARAMETERLESS = [Sigmoid, ReLU, Softmax, SoftmaxWithLoss, Add, Mul, lambda: Branch(2), lambda: Repeat(2), Sum]


@given(dims(3, lo=1, hi=5), st.integers(1, 3))
def test_x_width_must_match_W_rows(shape, extra):
    n, d, h = shape
    for layer in (MatMul(np.zeros((d, h))), Affine(np.zeros((d, h)), np.zeros(h))):
        name = type(layer).__name__
        with pytest.raises(ValueError, match=rf"{name}.*\({n}, {d + extra}\).*\({d}, {h}\)|{name}.*{d + extra}.*{d}"):
            layer.forward(np.zeros((n, d + extra)))


def test_messages_name_layer_and_both_shapes():
    with pytest.raises(ValueError) as info:
        Affine(np.zeros((3, 4)), np.zeros(4)).forward(np.zeros((2, 5)))
    assert "Affine" in str(info.value) and "(2, 5)" in str(info.value) and "3 rows" in str(info.value)
    with pytest.raises(ValueError) as info:
        Affine(np.zeros((3, 4)), np.zeros(5))
    assert "Affine" in str(info.value) and "(5,)" in str(info.value) and "(3, 4)" in str(info.value)


@given(dims(2, lo=1, hi=5), st.integers(1, 3))
def test_dout_shape_must_match_output(shape, extra):
    n, d = shape
    for make in (Sigmoid, ReLU, Softmax, Sum, lambda: MatMul(np.zeros((d, d)))):
        layer = make()
        out = layer.forward(np.ones((n, d)))
        bad = (out.shape[0], out.shape[1] + extra)
        with pytest.raises(ValueError, match=rf"{type(layer).__name__}\.backward.*{bad[0]}, {bad[1]}.*{out.shape}"):
            layer.backward(np.zeros(bad))


@pytest.mark.parametrize("make", PARAMETERLESS + [lambda: MatMul(np.eye(2)), lambda: Affine(np.eye(2), np.zeros(2))])
def test_backward_before_forward(make):
    layer = make()
    args = (np.ones((1, 2)),) * (2 if isinstance(layer, Branch) else 1)
    with pytest.raises(RuntimeError, match="forward must come first"):
        layer.backward(*args) if not isinstance(layer, SoftmaxWithLoss) else layer.backward()


@pytest.mark.parametrize(
    "t",
    [np.array([0, 3]), np.array([-1, 0]), np.array([0.0, 1.0]), np.eye(4, dtype=int)[:2],
     np.array([[1, 1, 0], [0, 1, 0]]), np.array([[2, 0, -1], [0, 1, 0]]), np.array([0, 1, 2]),
     np.zeros((2, 3, 1), int)],
    ids=["too-large", "negative", "float", "one-hot-shape", "two-ones", "not-0-1", "wrong-length", "3-D"],
)
def test_bad_labels_are_refused(t):
    x = np.zeros((2, 3))
    with pytest.raises(ValueError, match="labels"):
        SoftmaxWithLoss().forward(x, t)
    with pytest.raises(ValueError, match="labels"):
        cross_entropy_error(np.full((2, 3), 1 / 3), t)


def test_scalar_dout_for_loss_and_empty_batch():
    layer = SoftmaxWithLoss()
    layer.forward(np.zeros((2, 3)), np.array([0, 1]))
    with pytest.raises(ValueError, match="scalar"):
        layer.backward(np.ones(2))
    with pytest.raises(ValueError, match="empty"):
        layer.forward(np.zeros((0, 3)), np.zeros(0, dtype=int))


@pytest.mark.parametrize("n", [0, -1, 1.5, True])
def test_repeat_and_branch_need_positive_n(n):
    with pytest.raises(ValueError, match="n must be"):
        Repeat(n)
    with pytest.raises(ValueError, match="n must be"):
        Branch(n)


def test_repeat_needs_length_one_axis_and_nodes_need_equal_shapes():
    with pytest.raises(ValueError, match=r"Repeat.*\(2, 3\).*length 1"):
        Repeat(4).forward(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"Add.*\(2, 3\).*\(3, 2\)"):
        Add().forward(np.zeros((2, 3)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"Mul.*\(2, 3\).*\(2, 1\)"):
        Mul().forward(np.zeros((2, 3)), np.zeros((2, 1)))
    with pytest.raises(ValueError, match="axis 2"):
        Sum(axis=2).forward(np.zeros((2, 3)))
    node = Branch(3)
    node.forward(np.zeros(2))
    with pytest.raises(ValueError, match="expected 3"):
        node.backward(np.zeros(2), np.zeros(2))


def test_sgd_refuses_misaligned_lists():
    with pytest.raises(ValueError, match="lengths"):
        SGD().update([np.zeros(2)], [np.zeros(2), np.zeros(2)])
    with pytest.raises(ValueError, match="shape"):
        SGD().update([np.zeros(2)], [np.zeros(3)])


def test_parameters_must_be_float_arrays_and_inputs_real():
    with pytest.raises(TypeError, match="W must be a floating numpy array"):
        MatMul([[1.0]])
    with pytest.raises(TypeError, match="b must be"):
        Affine(np.zeros((2, 2)), np.zeros(2, dtype=int))
    with pytest.raises(ValueError, match="2-D"):
        MatMul(np.zeros((2, 2))).forward(np.zeros(2))
    with pytest.raises(TypeError, match="complex"):
        Sigmoid().forward(np.zeros(2, dtype=complex))
