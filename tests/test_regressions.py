"""Regression tests for the typos of the seed notebook and the book's deliberate differences.

Each test names the line of ``shared/seed/000_f9b29cb7cb6e780d.txt`` it guards.
Each typo crashed the notebook's class with an AttributeError; here the same
computation must run and give the right numbers.
"""

import numpy as np

from dataset import spiral
from refnn.functions import cross_entropy_error, softmax
from refnn.gradcheck import check_layer
from refnn.layers import Affine, MatMul, SoftmaxWithLoss
from refnn.models import TwoLayerNet

RNG = np.random.default_rng(2024)


def test_matmul_backward_uses_np_matmul():
    """Seed line 136: ``dx = np.matmult(dout, W.T)`` -- NumPy has no ``matmult``."""
    W, x, dout = RNG.standard_normal((3, 4)), RNG.standard_normal((2, 3)), RNG.standard_normal((2, 4))
    layer = MatMul(W)
    layer.forward(x)
    np.testing.assert_allclose(layer.backward(dout), dout @ W.T, rtol=1e-14, atol=1e-15)  # BLAS paths may differ


def test_affine_backward_uses_local_W():
    """Seed line 177: ``np.matmul(dout, self.W.T)`` -- Affine keeps W in params, it has no ``self.W``."""
    W, b = RNG.standard_normal((3, 2)), RNG.standard_normal(2)
    layer = Affine(W, b)
    assert not hasattr(layer, "W")
    check_layer(layer, RNG.standard_normal((4, 3)))


def test_cross_entropy_one_sample_reshapes():
    """Seed line 247: ``y.reshpae(1, y.size)`` -- a single sample (1-D y) must be reshaped to (1, C)."""
    y = np.array([0.1, 0.7, 0.2])
    assert np.isclose(cross_entropy_error(y, 1), -np.log(0.7), rtol=1e-15)
    assert np.isclose(cross_entropy_error(y, np.array([0, 1, 0])), -np.log(0.7), rtol=1e-15)


def test_cross_entropy_batch_size_from_shape():
    """Seed line 253: ``batch_size = y.shpae[0]`` -- the batch mean divides by ``y.shape[0]``."""
    y = softmax(RNG.standard_normal((5, 3)))
    t = np.array([0, 2, 1, 1, 0])
    want = -np.mean(np.log(y[np.arange(5), t]))
    assert np.isclose(cross_entropy_error(y, t), want, rtol=1e-14)


def test_two_layer_net_collects_layer_params():
    """Seed line 304: ``self.params += layer.parms`` -- layers hold ``params``; the model aliases them."""
    model = TwoLayerNet(2, 5, 3, rng=0)
    inner = [p for layer in model.layers for p in layer.params]
    assert len(model.params) == 4 and all(a is b for a, b in zip(model.params, inner))
    assert all(a is b for a, b in zip(model.grads, [g for layer in model.layers for g in layer.grads]))


def test_loss_is_not_capped_by_1e7():
    """Seed line 255: ``np.log(y[...] + 1e-7)`` caps the loss at -log(1e-7) ≈ 16.1; refnn's loss is exact."""
    x = np.array([[0.0, 40.0, 0.0]])
    loss = SoftmaxWithLoss().forward(x, np.array([0]))
    assert loss > 39.9  # the book's formula would give about 16.1
    assert np.isclose(loss, 40.0 + np.log1p(2 * np.exp(-40.0)), rtol=1e-15)
    check_layer(SoftmaxWithLoss(), x, np.array([0]))  # and its gradient is the gradient of that loss


def test_softmax_three_d_is_normalised():
    """Seed lines 218-224: the notebook's softmax handles ndim 1 and 2 and returns 3-D input unchanged."""
    x = RNG.standard_normal((2, 3, 4))
    y = softmax(x)
    assert not np.array_equal(y, x)
    np.testing.assert_allclose(y.sum(axis=-1), 1.0, rtol=1e-14)
    np.testing.assert_allclose(y[1], softmax(x[1]), rtol=1e-14)


def test_spiral_does_not_touch_global_random_state():
    """The book's loader calls ``np.random.seed(seed)``; refnn's draws from a local RandomState."""
    before = np.random.get_state()
    spiral.load_data()
    after = np.random.get_state()
    assert np.array_equal(before[1], after[1]) and before[2:] == after[2:]


def test_spiral_labels_use_a_sized_int():
    """The Korean edition's ``dtype=np.int`` fails on NumPy >= 1.24; the labels are int64."""
    _, t = spiral.load_data()
    assert t.dtype == np.int64


def _layouts(a):
    """The same values as C order, Fortran order and a strided (non-contiguous) view."""
    strided = np.zeros((a.shape[0], 2 * a.shape[1]), dtype=a.dtype)[:, ::2]
    strided[...] = a
    return [np.ascontiguousarray(a), np.asfortranarray(a), strided]


def test_products_are_right_for_any_memory_layout_and_a_wider_dout():
    """W, x and dout in Fortran order or strided, and a float64 dout into float32 params."""
    W0, b0 = RNG.standard_normal((4, 3)), RNG.standard_normal(3)
    x0, d0 = RNG.standard_normal((5, 4)), RNG.standard_normal((5, 3))
    for W in _layouts(W0):
        for x in _layouts(x0):
            for dout in _layouts(d0):
                for layer in (MatMul(W.copy(order="K")), Affine(W.copy(order="K"), b0.copy())):
                    layer.forward(x)
                    dx = layer.backward(dout)
                    np.testing.assert_allclose(dx, d0 @ W0.T, rtol=1e-13, atol=1e-14)
                    np.testing.assert_allclose(layer.grads[0], x0.T @ d0, rtol=1e-13, atol=1e-14)
                    if len(layer.grads) == 2:
                        np.testing.assert_allclose(layer.grads[1], d0.sum(axis=0), rtol=1e-13, atol=1e-14)
    for cls in (MatMul, Affine):
        params = [W0.astype(np.float32)] + ([b0.astype(np.float32)] if cls is Affine else [])
        layer = cls(*params)
        layer.forward(x0.astype(np.float32))
        dx = layer.backward(d0)  # float64 dout
        assert dx.dtype == np.float32 and all(g.dtype == np.float32 for g in layer.grads)
        np.testing.assert_allclose(layer.grads[0], x0.astype(np.float32).T.astype(np.float64) @ d0, rtol=1e-5)
        np.testing.assert_allclose(dx, d0 @ W0.astype(np.float32).T.astype(np.float64), rtol=1e-5, atol=1e-6)


def test_softmax_with_loss_any_layout_and_label_form():
    x0 = RNG.standard_normal((6, 4))
    labels = np.array([0, 3, 1, 2, 3, 0])
    reference = SoftmaxWithLoss()
    loss0 = reference.forward(x0, labels)
    dx0 = reference.backward()
    for x in _layouts(x0):
        for t in (labels, np.eye(4, dtype=np.int64)[labels], np.asfortranarray(np.eye(4, dtype=np.int8)[labels])):
            layer = SoftmaxWithLoss()
            assert layer.forward(x, t) == loss0
            np.testing.assert_array_equal(layer.backward(), dx0)
