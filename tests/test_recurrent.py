"""Chapters 5–6 layers: each property of their registry rows is seen to fail on a deliberately broken layer
(tests/fixtures/broken_recurrent.py; the rows run on refnn's layers in tests/test_spec.py), and the
regressions the rows do not state."""

import importlib

import numpy as np
import pytest
from hypothesis import Phase, settings

from refnn.layers import gated, recurrent, time_layers
from refnn.testing import property_test
from refnn.testing.rnn_properties import RNN_SPECS
from tests.fixtures.broken_recurrent import BROKEN

#: Seeing red is enough here (shrinking is what takes the time).
NO_SHRINK = settings(max_examples=60, deadline=None, database=None, derandomize=True, phases=[Phase.generate])
LAYERS = [n for n, s in RNN_SPECS.items() if s.kind != "model"]


def implementation(name: str):
    return getattr(importlib.import_module(RNN_SPECS[name].module), name)


@pytest.mark.parametrize(("name", "prop", "impl"), BROKEN, ids=[f"{n}-{p}-{i.__name__}" for n, p, i in BROKEN])
def test_property_rejects_broken_implementation(name, prop, impl):
    with pytest.raises(AssertionError):  # a SpecFailure, or check_layer's own AssertionError
        property_test(name, prop, impl, hypothesis_settings=NO_SHRINK)()


def test_every_property_has_a_broken_fixture():
    covered = {(n, p) for n, p, _ in BROKEN}
    used = {p for n in LAYERS for p in RNN_SPECS[n].all_properties}
    assert used <= {p for _, p in covered}, sorted(used - {p for _, p in covered})
    for name in LAYERS:
        assert any(n == name for n, _ in covered), name


def test_every_new_public_name_has_a_row():
    from refnn.models import rnnlm

    modules = (recurrent, gated, time_layers, rnnlm)
    public = {name: m for m in modules for name in m.__all__}
    assert set(public) <= set(RNN_SPECS), sorted(set(public) - set(RNN_SPECS))
    for name, module in public.items():
        assert implementation(name) is getattr(module, name)


# --- errors and the book's behaviours refnn changes ------------------------------------------------

def test_time_softmax_all_ignored_is_a_clear_error():
    from refnn.layers import TimeSoftmaxWithLoss

    with pytest.raises(ValueError, match="ignore_label"):
        TimeSoftmaxWithLoss().forward(np.zeros((2, 3, 4)), np.full((2, 3), -1))


def test_time_softmax_backward_twice_leaves_the_cache_alone():
    from refnn.layers import TimeSoftmaxWithLoss

    layer = TimeSoftmaxWithLoss()
    layer.forward(np.arange(24.0).reshape(2, 3, 4) / 10, np.array([[0, 1, -1], [3, 2, 1]]))
    y = layer.y.copy()
    first = layer.backward()
    assert np.array_equal(layer.backward(), first) and np.array_equal(layer.y, y)


@pytest.mark.parametrize("cls", ["TimeRNN", "TimeLSTM"])
def test_wrong_state_shape_names_the_layer(cls):
    gates = 4 if cls == "TimeLSTM" else 1
    layer = implementation(cls)(np.zeros((3, 2 * gates)), np.zeros((2, 2 * gates)), np.zeros(2 * gates),
                                stateful=True)
    layer.set_state(np.zeros((5, 2)))
    with pytest.raises(ValueError, match=f"{cls}.forward: state h has shape"):
        layer.forward(np.zeros((4, 2, 3)))


def test_float32_stays_in_float32_through_time_lstm():
    """No float64 zeros for the initial state: every array of a float32 run stays float32 (products in BLAS)."""
    rng = np.random.default_rng(0)
    layer = implementation("TimeLSTM")(*(rng.standard_normal(s).astype(np.float32) for s in [(3, 8), (2, 8), (8,)]),
                                       stateful=True)
    hs = layer.forward(rng.standard_normal((4, 5, 3)).astype(np.float32))
    dxs = layer.backward(rng.standard_normal((4, 5, 2)))  # a float64 dout
    assert {hs.dtype, dxs.dtype, layer.h.dtype, layer.c.dtype, layer.dh.dtype, layer.dc.dtype} == {np.dtype(np.float32)}
    assert all(g.dtype == np.float32 for g in layer.grads)
