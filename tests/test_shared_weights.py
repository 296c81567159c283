"""Trainer merges a weight listed several times by memory (the same array or its transposed view), never
by value; chapter 1's models, which share nothing, train exactly as before."""

import numpy as np

from refnn.models import TwoLayerNet
from refnn.models.word2vec import SimpleCBOW
from refnn.optim import SGD, Adam
from refnn.text import convert_one_hot, create_contexts_target, preprocess
from refnn.trainer import Trainer


class _Spy:
    """An optimizer that records what it is given."""

    def __init__(self):
        self.seen = []

    def update(self, params, grads):
        self.seen.append(([id(p) for p in params], [np.array(g, copy=True) for g in grads]))


def test_the_same_array_and_its_transposed_view_are_one_parameter():
    W = np.arange(6.0).reshape(2, 3)

    class Tied:
        params = [W, W, W.T]
        grads = [np.ones((2, 3)), 2 * np.ones((2, 3)), np.arange(6.0).reshape(3, 2)]

        def forward(self, x, t):
            return 0.0

        def backward(self, dout=1.0):
            Tied.grads[0][...] = 1.0  # backward overwrites its grads, as every layer does

    spy = _Spy()
    Trainer(Tied(), spy, rng=0).fit(np.zeros((2, 1)), np.zeros(2), max_epoch=1, batch_size=1,
                                     eval_interval=None, verbose=False)
    assert len(spy.seen) == 2
    for ids, grads in spy.seen:
        assert ids == [id(W)]
        assert np.array_equal(grads[0], 3 * np.ones((2, 3)) + np.arange(6.0).reshape(3, 2).T)


def test_equal_values_are_not_shared_weights():
    A, B = np.zeros((3, 3)), np.zeros((3, 3))

    class TwoZeros:
        params = [A, B]
        grads = [np.ones((3, 3)), 2 * np.ones((3, 3))]

        def forward(self, x, t):
            return 0.0

        def backward(self, dout=1.0):
            pass

    spy = _Spy()
    Trainer(TwoZeros(), spy, rng=0).fit(np.zeros((1, 1)), np.zeros(1), max_epoch=1, batch_size=1,
                                        eval_interval=None, verbose=False)
    ids, grads = spy.seen[0]
    assert ids == [id(A), id(B)] and grads[0][0, 0] == 1.0 and grads[1][0, 0] == 2.0


def test_simple_cbow_trains_through_its_shared_input_weight():
    corpus, w2i, _ = preprocess("You say goodbye and I say hello.")
    contexts, target = create_contexts_target(corpus)
    x, t = convert_one_hot(contexts, len(w2i)), convert_one_hot(target, len(w2i))
    model = SimpleCBOW(len(w2i), 5, rng=0)
    assert model.params[0] is model.params[1]
    optimizer = Adam()
    trainer = Trainer(model, optimizer, rng=0)
    trainer.fit(x, t, max_epoch=300, batch_size=3, eval_interval=20, verbose=False)
    assert len(optimizer.m) == 2  # W_in once, W_out once
    assert trainer.loss_list[-1] < 0.5 * trainer.loss_list[0]


def test_chapter_one_training_is_unchanged_by_the_merge():
    """Without shared weights the optimizer sees the model's own arrays in the model's order."""
    model = TwoLayerNet(2, 4, 3, rng=0)
    spy = _Spy()
    Trainer(model, spy, rng=0).fit(np.zeros((4, 2)), np.array([0, 1, 2, 0]), max_epoch=1, batch_size=2,
                                   eval_interval=None, verbose=False)
    assert spy.seen[0][0] == [id(p) for p in model.params]
    sgd_model = TwoLayerNet(2, 4, 3, rng=1)
    Trainer(sgd_model, SGD(lr=0.5), rng=0).fit(np.ones((4, 2)), np.array([0, 1, 2, 0]), max_epoch=2,
                                               batch_size=2, eval_interval=None, verbose=False)
    assert all(np.isfinite(p).all() for p in sgd_model.params)
