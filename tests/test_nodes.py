"""The computational-graph nodes: rules that relate one node to another."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from refnn.nodes import Add, Branch, Mul, Repeat, Sum
from tests.strategies import arrays, dims


@given(dims(2, hi=5).flatmap(lambda s: st.tuples(arrays((1, s[1])), arrays(s))))
def test_repeat_and_sum_are_adjoint(xy):
    """<Repeat(x), y> = <x, Sum(y)> exactly on integer-valued data (no tolerance)."""
    x, y = (np.round(2 * a) for a in xy)
    n = y.shape[0]
    lhs = np.sum(Repeat(n).forward(x) * y)
    rhs = np.sum(x * Sum().forward(y))
    assert lhs == rhs


@given(dims(2).flatmap(lambda s: st.tuples(arrays(s), arrays(s), arrays(s))))
def test_add_mul_branch_backward_rules(xyd):
    x, y, d = xyd
    add, mul, branch = Add(), Mul(), Branch(2)
    add.forward(x, y)
    dx, dy = add.backward(d)
    assert np.array_equal(dx, d) and np.array_equal(dy, d) and dx is not dy and dx is not d
    mul.forward(x, y)
    dx, dy = mul.backward(d)
    assert np.array_equal(dx, d * y) and np.array_equal(dy, d * x)
    a, b = branch.forward(x)
    assert np.array_equal(a, x) and np.array_equal(b, x) and a is not b and a is not x
    assert np.array_equal(branch.backward(d, y), d + y)


def test_repeat_and_sum_on_other_axes():
    x = np.arange(6.0).reshape(2, 1, 3)
    node = Repeat(4, axis=1)
    assert node.forward(x).shape == (2, 4, 3)
    np.testing.assert_array_equal(node.backward(np.ones((2, 4, 3))), np.full((2, 1, 3), 4.0))
    s = Sum(axis=-1)
    assert s.forward(x).shape == (2, 1, 1)
    assert s.backward(np.ones((2, 1, 1))).shape == (2, 1, 3)


def test_backward_returns_fresh_writeable_arrays_that_never_alias_dout():
    x = np.arange(6.0).reshape(3, 2)
    dout_sum = np.array([[1.0, 2.0]])
    dout_sum.flags.writeable = False
    s = Sum()
    s.forward(x)
    dx = s.backward(dout_sum)
    assert dx.flags.writeable and not np.shares_memory(dx, dout_sum)
    np.testing.assert_array_equal(dx, np.repeat(dout_sum, 3, axis=0))
    a = Add()
    a.forward(x, x)
    d = np.arange(6.0).reshape(3, 2) - 2.5
    dx, dy = a.backward(d)
    assert dx.flags.writeable and dy.flags.writeable
    assert not (np.shares_memory(dx, d) or np.shares_memory(dy, d) or np.shares_memory(dx, dy))
    np.testing.assert_array_equal(dx, d)  # passed on unchanged, not halved
    np.testing.assert_array_equal(dy, d)


def test_sum_with_a_negative_axis_on_2d():
    x = np.arange(6.0).reshape(3, 2)
    s = Sum(axis=-2)
    np.testing.assert_array_equal(s.forward(x), x.sum(axis=0, keepdims=True))
    np.testing.assert_array_equal(s.backward(np.array([[1.0, -1.0]])), np.tile([1.0, -1.0], (3, 1)))
    last = Sum(axis=-1)
    np.testing.assert_array_equal(last.forward(x), x.sum(axis=1, keepdims=True))
