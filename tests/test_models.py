"""TwoLayerNet beyond the specification: initialisation, random state, dtype, learning."""

import numpy as np
import pytest

from dataset import spiral
from refnn.models import TwoLayerNet
from refnn.optim import SGD


def test_initialisation_uses_only_the_given_generator():
    before = np.random.get_state()
    a, b = TwoLayerNet(2, 10, 3, rng=7), TwoLayerNet(2, 10, 3, rng=np.random.default_rng(7))
    after = np.random.get_state()
    assert np.array_equal(before[1], after[1]) and before[2:] == after[2:]
    assert all(np.array_equal(p, q) for p, q in zip(a.params, b.params))
    W1, b1, W2, b2 = a.params
    assert W1.shape == (2, 10) and b1.shape == (10,) and W2.shape == (10, 3) and b2.shape == (3,)
    assert not b1.any() and not b2.any() and 0 < np.std(W1) < 0.05


def test_float32_model_stays_float32():
    model = TwoLayerNet(2, 4, 3, rng=0, dtype=np.float32)
    x = np.ones((5, 2), dtype=np.float32)
    assert model.predict(x).dtype == np.float32
    model.forward(x, np.array([0, 1, 2, 0, 1]))
    assert model.backward().dtype == np.float32
    assert all(g.dtype == np.float32 for g in model.grads)


def test_sgd_steps_reach_the_layers_and_lower_the_loss():
    x, t = spiral.load_data()
    model, opt = TwoLayerNet(2, 10, 3, rng=0), SGD(lr=1.0)
    first = model.forward(x, t)
    for _ in range(200):
        model.forward(x, t)
        model.backward()
        opt.update(model.params, model.grads)
    assert model.layers[0].params[0] is model.params[0]
    assert model.forward(x, t) < first - 0.1


@pytest.mark.parametrize("sizes", [(0, 2, 3), (2, -1, 3), (2, 2, 1.5)])
def test_bad_sizes(sizes):
    with pytest.raises(ValueError, match="positive integer"):
        TwoLayerNet(*sizes)


def test_backward_default_dout_is_one():
    rng = np.random.default_rng(3)
    x, t = rng.standard_normal((6, 2)), rng.integers(0, 3, 6)
    model = TwoLayerNet(2, 4, 3, rng=1)
    model.forward(x, t)
    dx_default = model.backward()
    grads_default = [g.copy() for g in model.grads]
    for dout in (1.0, 1):
        model.forward(x, t)
        np.testing.assert_array_equal(model.backward(dout), dx_default)
        for g, g0 in zip(model.grads, grads_default):
            np.testing.assert_array_equal(g, g0)
    model.forward(x, t)
    np.testing.assert_allclose(model.backward(2.0), 2 * dx_default, rtol=1e-15)
    layer = model.loss_layer
    layer.forward(rng.standard_normal((6, 3)), t)
    np.testing.assert_array_equal(layer.backward(), layer.backward(1.0))
    np.testing.assert_allclose(layer.backward(3.0), 3 * layer.backward(), rtol=1e-15)


def test_documented_defaults():
    import inspect

    from refnn.optim import Adam

    assert SGD().lr == 0.01 and Adam().lr == 0.001
    assert inspect.signature(TwoLayerNet.backward).parameters["dout"].default == 1.0
    W1 = TwoLayerNet(200, 300, 3, rng=0).params[0]
    assert 0.009 < W1.std() < 0.011  # 0.01 * N(0, 1)
    W2 = TwoLayerNet(2, 300, 200, rng=0).params[2]
    assert 0.009 < W2.std() < 0.011
