"""Embedding, EmbeddingDot, SigmoidWithLoss and NegativeSamplingLoss: what their registry rows do not say
(several words per row, the sampler's rng, input checks); the rows run in tests/test_spec.py."""

import numpy as np
import pytest

from refnn.gradcheck import check_layer
from refnn.layers import Embedding, EmbeddingDot, NegativeSamplingLoss, SigmoidWithLoss


def test_embedding_dot_scores_several_words_per_row():
    rng = np.random.default_rng(0)
    layer = EmbeddingDot(rng.standard_normal((5, 3)))
    idx = np.array([[0, 4, 4], [2, 2, 1]])
    out = layer.forward(rng.standard_normal((2, 3)), idx)
    assert out.shape == (2, 3)
    check_layer(layer, rng.standard_normal((2, 3)), idx)


def test_negative_sampling_keeps_one_gradient_for_W_and_draws_from_its_rng():
    rng = np.random.default_rng(1)
    corpus = np.array([0, 1, 2, 3, 4, 5, 1, 2, 2])
    W = rng.standard_normal((6, 3))
    layer = NegativeSamplingLoss(W, corpus, sample_size=3, rng=7)
    assert layer.params == [W] and layer.params[0] is W and len(layer.grads) == 1
    target = np.array([2, 0, 5])
    layer.forward(rng.standard_normal((3, 3)), target)
    assert layer.negative.shape == (3, 3)
    assert not (layer.negative == target[:, None]).any()
    again = NegativeSamplingLoss(W, corpus, sample_size=3, rng=np.random.default_rng(7))
    again.forward(np.zeros((3, 3)), target)
    assert np.array_equal(layer.negative, again.negative)


@pytest.mark.parametrize(("make", "args", "match"), [
    (lambda: Embedding(np.zeros((3, 2))), (np.array([0.0, 1.0]),), "Embedding.forward: word ids must be integers"),
    (lambda: Embedding(np.zeros((3, 2))), (np.array([-1]),), r"must lie in \[0, 3\)"),
    (lambda: Embedding(np.zeros((3, 2))), (np.array([3]),), r"must lie in \[0, 3\)"),
    (lambda: EmbeddingDot(np.zeros((3, 2))), (np.zeros((2, 3)), np.array([0, 1])), r"h shape \(2, 3\) does not"),
    (lambda: EmbeddingDot(np.zeros((3, 2))), (np.zeros((2, 2)), np.array([0])), r"idx shape \(1,\) does not"),
    (SigmoidWithLoss, (np.zeros(2), np.array([0.0, 1.0])), "labels t must be integers"),
    (SigmoidWithLoss, (np.zeros(2), np.array([0, 2])), "labels t must be 0 or 1"),
    (SigmoidWithLoss, (np.zeros(2), np.array([0, 1, 1])), r"labels t shape \(3,\) does not match"),
    (SigmoidWithLoss, (np.zeros(0), np.array([], dtype=int)), "empty"),
])
def test_forward_refuses_bad_input(make, args, match):
    with pytest.raises(ValueError, match=match):
        make().forward(*args)


def test_constructors_and_backward_refuse_bad_use():
    with pytest.raises(ValueError, match=r"Embedding: W must be 2-D"):
        Embedding(np.zeros(3))
    with pytest.raises(TypeError, match="floating numpy array"):
        Embedding(np.zeros((3, 2), dtype=int))
    with pytest.raises(ValueError, match="corpus holds word id 5, but W has only 3 rows"):
        NegativeSamplingLoss(np.zeros((3, 2)), np.array([0, 1, 2, 5]), sample_size=1, rng=0)
    with pytest.raises(ValueError, match="target must be integer ids"):
        NegativeSamplingLoss(np.zeros((3, 2)), np.array([0, 1, 2]), sample_size=1, rng=0).forward(
            np.zeros((2, 2)), np.array([0]))
    with pytest.raises(RuntimeError, match="forward must come first"):
        Embedding(np.zeros((3, 2))).backward(np.zeros((1, 2)))
    layer = Embedding(np.zeros((3, 2)))
    layer.forward(np.array([0, 1]))
    with pytest.raises(ValueError, match=r"Embedding.backward: dout shape \(2, 3\)"):
        layer.backward(np.zeros((2, 3)))
    loss = SigmoidWithLoss()
    loss.forward(np.zeros(2), np.array([0, 1]))
    with pytest.raises(ValueError, match="must be a scalar"):
        loss.backward(np.ones(2))
