"""Chapter 8 attention layers: each property of their registry rows is seen to fail on a deliberately broken
layer (tests/fixtures/broken_seq2seq.py; the rows run on refnn's layers in tests/test_spec.py), and the
book's design (the benchmark's textbook layers) passes them."""

import importlib

import numpy as np
import pytest
from hypothesis import Phase, settings

from refnn.gradcheck import check_layer
from refnn.layers import Attention, AttentionWeight, TimeAttention, WeightSum
from refnn.testing import property_test
from refnn.testing.seq2seq_properties import SEQ2SEQ_SPECS
from tests.fixtures.broken_seq2seq import BROKEN

NO_SHRINK = settings(max_examples=60, deadline=None, database=None, derandomize=True, phases=[Phase.generate])
LAYERS = [n for n, s in SEQ2SEQ_SPECS.items() if s.kind != "model"]
CASES = [(n, p) for n in LAYERS for p in SEQ2SEQ_SPECS[n].all_properties]


def implementation(name):
    return getattr(importlib.import_module(SEQ2SEQ_SPECS[name].module), name)


@pytest.mark.parametrize(("name", "prop", "impl"), BROKEN, ids=[f"{n}-{p}-{i.__name__}" for n, p, i in BROKEN])
def test_property_rejects_broken_implementation(name, prop, impl):
    with pytest.raises(AssertionError):
        property_test(name, prop, impl, hypothesis_settings=NO_SHRINK)()


def test_every_property_has_a_broken_fixture():
    covered = {(n, p) for n, p, _ in BROKEN}
    assert {p for n in LAYERS for p in SEQ2SEQ_SPECS[n].all_properties} == {p for _, p in covered}
    for name in LAYERS:  # and each layer's own identities are seen to fail on that layer
        own = set(SEQ2SEQ_SPECS[name].all_properties) - {"forward", "shapes", "dtype", "no_mutation",
                                                          "backward_twice", "linearity"}
        assert own <= {p for n, p in covered if n == name}, name


def test_gradients_for_hs_enc_and_hs_dec_by_name():
    rng = np.random.default_rng(3)
    hs_enc, hs_dec = rng.standard_normal((2, 4, 3)), rng.standard_normal((2, 5, 3))
    errors = check_layer(TimeAttention(), hs_enc, hs_dec)
    assert sorted(errors) == ["dx[0]", "dx[1]"]  # hs_enc, hs_dec


def test_a_dominant_score_selects_that_step():
    hs = np.zeros((1, 4, 2))
    hs[0, 2] = [30.0, 0.0]
    layer = Attention()
    c = layer.forward(hs, np.array([[1.0, 0.0]]))
    assert layer.attention_weight.argmax() == 2 and np.allclose(c, hs[:, 2], atol=1e-10)


def test_shape_errors_name_the_layer_and_shapes():
    with pytest.raises(ValueError, match=r"WeightSum.forward: hs shape \(1, 2, 3\) and a shape \(1, 3\)"):
        WeightSum().forward(np.zeros((1, 2, 3)), np.zeros((1, 3)))
    with pytest.raises(ValueError, match=r"AttentionWeight.forward: hs shape \(1, 2, 3\) and h shape \(1, 2\)"):
        AttentionWeight().forward(np.zeros((1, 2, 3)), np.zeros((1, 2)))
    with pytest.raises(ValueError, match=r"TimeAttention.forward: hs_enc shape \(1, 2, 3\) and hs_dec shape"):
        TimeAttention().forward(np.zeros((1, 2, 3)), np.zeros((2, 2, 3)))
    layer = TimeAttention()
    layer.forward(np.zeros((1, 2, 3)), np.zeros((1, 4, 3)))
    with pytest.raises(ValueError, match="TimeAttention.backward: dout shape"):
        layer.backward(np.zeros((1, 2, 3)))
    with pytest.raises(RuntimeError, match="forward must come first"):
        Attention().backward(np.zeros((1, 3)))


def test_book_shape_of_attention_weights():
    layer = TimeAttention()
    layer.forward(np.ones((2, 3, 4)), np.ones((2, 5, 4)))
    assert np.array(layer.attention_weights).shape == (5, 2, 3)  # (T_dec, N, T_enc), as the book's list


@pytest.mark.parametrize(("name", "prop"), CASES, ids=[f"{n}-{p}" for n, p in CASES])
def test_the_books_form_passes(name, prop):
    """The benchmark's textbook layers (the book's design: repeat, per-step Attention objects) pass too."""
    from refnn.benchmarks import textbook_seq2seq as book

    property_test(name, prop, getattr(book, name), hypothesis_settings=settings(settings.default, max_examples=10))()
