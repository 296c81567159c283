"""Chapters 5–6 language models and their trainer: each whole-model property seen to fail on a broken model
(the rows run on refnn's models in tests/test_spec.py), the truncated-BPTT batches, perplexity, parameter files."""

import math

import numpy as np
import pytest
from hypothesis import Phase, settings

from refnn.models import Rnnlm, SimpleRnnlm
from refnn.optim import SGD
from refnn.testing import property_test
from refnn.testing.rnn_properties import RNN_SPECS
from refnn.trainer import RnnlmTrainer, batch_offsets, eval_perplexity
from tests.fixtures.broken_recurrent import BROKEN_MODELS

NO_SHRINK = settings(max_examples=30, deadline=None, database=None, derandomize=True, phases=[Phase.generate])
MODELS = [n for n, s in RNN_SPECS.items() if s.kind == "model"]


@pytest.mark.parametrize(("name", "prop", "impl"), BROKEN_MODELS,
                         ids=[f"{n}-{p}-{i.__name__}" for n, p, i in BROKEN_MODELS])
def test_model_property_rejects_broken_model(name, prop, impl):
    with pytest.raises(AssertionError):
        property_test(name, prop, impl, hypothesis_settings=NO_SHRINK)()


def test_every_model_property_has_a_broken_model():
    used = {p for n in MODELS for p in RNN_SPECS[n].all_properties}
    assert used == {p for _, p, _ in BROKEN_MODELS}


# --- truncated BPTT batches -----------------------------------------------------------------------

class Recorder:
    """A language model that records its batches and the state it was handed (no learning)."""

    def __init__(self):
        self.params, self.grads, self.batches, self.resets = [], [], [], 0

    def forward(self, xs, ts):
        self.batches.append((xs.copy(), ts.copy()))
        return 1.0

    def backward(self, dout=1.0):
        return None

    def reset_state(self):
        self.resets += 1


class NoOpOptimizer:
    def update(self, params, grads):
        pass


def test_each_row_reads_its_own_contiguous_stretch_across_iterations_and_fits():
    L, B, T = 47, 3, 4
    xs, ts = np.arange(L), np.arange(L) + 1000
    model = Recorder()
    trainer = RnnlmTrainer(model, NoOpOptimizer())
    trainer.fit(xs, ts, max_epoch=1, batch_size=B, time_size=T, eval_interval=None)
    trainer.fit(xs, ts, max_epoch=1, batch_size=B, time_size=T, eval_interval=None)
    iters = L // (B * T)
    assert len(model.batches) == 2 * iters
    jump = L // B
    assert batch_offsets(L, B).tolist() == [0, jump, 2 * jump]
    rows = np.concatenate([bx for bx, _ in model.batches], axis=1)  # (B, 2·iters·T): each row's stream
    for i in range(B):
        want = (i * jump + np.arange(rows.shape[1])) % L
        assert rows[i].tolist() == want.tolist()
    assert all(np.array_equal(bt, bx + 1000) for bx, bt in model.batches)
    assert model.resets == 0  # the state is carried, never reset by the trainer


def test_ppl_history_is_kept_across_fit_calls_and_is_exp_of_the_mean_loss():
    corpus = np.array([0, 1, 2, 3, 4] * 20)
    trainer = RnnlmTrainer(SimpleRnnlm(5, 3, 4, rng=0), SGD(lr=0.1))
    trainer.fit(corpus[:-1], corpus[1:], max_epoch=2, batch_size=2, time_size=5, eval_interval=3)
    first = list(trainer.ppl_list)
    trainer.fit(corpus[:-1], corpus[1:], max_epoch=2, batch_size=2, time_size=5, eval_interval=3)
    assert trainer.ppl_list[:len(first)] == first and len(trainer.ppl_list) == (4 * 9) // 3
    model = Recorder()
    t = RnnlmTrainer(model, NoOpOptimizer())
    t.fit(corpus[:-1], corpus[1:], max_epoch=1, batch_size=2, time_size=5, eval_interval=3)
    assert t.ppl_list == [math.e] * 3


def test_rnnlm_learns_a_cycle():
    corpus = np.tile(np.arange(7), 60)
    model = Rnnlm(7, 8, 16, rng=0)
    trainer = RnnlmTrainer(model, SGD(lr=2.0))
    trainer.fit(corpus[:-1], corpus[1:], max_epoch=15, batch_size=4, time_size=8, max_grad=1.0, eval_interval=5)
    model.reset_state()
    assert trainer.ppl_list[0] > 4 and eval_perplexity(model, corpus, batch_size=4, time_size=8) < 1.2


@pytest.mark.parametrize("bad", [{"batch_size": 0}, {"time_size": 1.5}, {"max_grad": -1.0}, {"batch_size": 30}])
def test_fit_refuses_bad_arguments(bad):
    kwargs = {"max_epoch": 1, "batch_size": 2, "time_size": 5, **bad}
    with pytest.raises(ValueError, match="RnnlmTrainer.fit"):
        RnnlmTrainer(Recorder(), NoOpOptimizer()).fit(np.arange(100), np.arange(100), **kwargs)


# --- perplexity -----------------------------------------------------------------------------------

def test_perplexity_of_uniform_scores_is_the_vocabulary_size():
    model = Rnnlm(9, 3, 2, rng=0, dtype=np.float64)
    for p in model.params:
        p[...] = 0
    assert math.isclose(eval_perplexity(model, np.arange(200) % 9, batch_size=3, time_size=5), 9.0, rel_tol=1e-12)


def test_perplexity_reads_next_words_as_targets():
    model = Recorder()
    corpus = np.arange(61)
    eval_perplexity(model, corpus, batch_size=2, time_size=5)
    assert len(model.batches) == 60 // 10
    for k, (xs, ts) in enumerate(model.batches):
        assert np.array_equal(ts, xs + 1)
        assert xs[:, 0].tolist() == [5 * k, 30 + 5 * k]


class FlagModel(Recorder):
    def forward(self, xs, ts, train_flg=True):
        self.flags = getattr(self, "flags", []) + [train_flg]
        return 0.0


class TypeErrorInside(Recorder):
    def forward(self, xs, ts, train_flg=True):
        raise TypeError("a bug inside the model")


def test_perplexity_passes_train_flg_false_and_does_not_swallow_type_errors():
    model = FlagModel()
    assert eval_perplexity(model, np.arange(30), batch_size=2, time_size=3) == 1.0
    assert set(model.flags) == {False}
    with pytest.raises(TypeError, match="a bug inside"):
        eval_perplexity(TypeErrorInside(), np.arange(30), batch_size=2, time_size=3)
    with pytest.raises(ValueError, match="shorter than one batch"):
        eval_perplexity(Recorder(), np.arange(9), batch_size=3, time_size=3)


# --- parameter files ------------------------------------------------------------------------------

def test_save_and_load_params_round_trip_in_place(tmp_path):
    a, b = Rnnlm(7, 3, 4, rng=0), Rnnlm(7, 3, 4, rng=1)
    a.save_params(tmp_path / "rnnlm.npz")
    arrays = list(b.params)
    b.load_params(tmp_path / "rnnlm.npz")
    assert all(p is q for p, q in zip(arrays, b.params))
    assert all(np.array_equal(p, q) and p.dtype == np.float32 for p, q in zip(a.params, b.params))


# --- the benchmark's textbook baseline computes what refnn computes --------------------------------

def test_textbook_rnnlm_equals_refnn_rnnlm():
    from refnn.benchmarks import textbook_rnnlm as book
    from refnn.benchmarks.rnnlm import matmul_floor, protocol_floor

    rng = np.random.default_rng(3)
    model, base = Rnnlm(50, 8, 8, rng=0), book.Rnnlm(50, 8, 8, seed=1)
    for p, q in zip(base.params, model.params):
        p[...] = q
    for _ in range(2):  # the second batch starts from the carried state
        xs, ts = rng.integers(0, 50, (3, 5)), rng.integers(0, 50, (3, 5))
        loss, base_loss = model.forward(xs, ts), base.forward(xs, ts)
        model.backward()
        base.backward()
        assert math.isclose(loss, float(base_loss), rel_tol=1e-5)
        for g, h in zip(model.grads, base.grads):
            np.testing.assert_allclose(g, h, rtol=1e-4, atol=1e-6)
    matmul_floor(50, 8, 8, 3, 5)()
    protocol_floor(50, 8, 8, 3, 5)()


def test_trainer_merges_a_weight_listed_twice_or_as_a_transposed_view():
    """A book-style BetterRnnlm (W_embed and its transposed view both in params, one gradient each) trains
    exactly as refnn's, which lists the tied weight once."""
    from refnn.models import BetterRnnlm
    from refnn.trainer import shared_params
    from tests.fixtures.broken_recurrent import BetterRnnlmListsTheView

    W = np.zeros((2, 3))
    assert shared_params([W, W.T, np.zeros((3, 2)), W]) == [(0, [(1, True), (3, False)]), (2, [])]
    square = np.zeros((3, 3))
    assert shared_params([square, square.T]) == [(0, [(1, True)])]
    corpus = np.arange(300) % 11
    runs = []
    for cls in (BetterRnnlm, BetterRnnlmListsTheView):
        model = cls(11, 6, 6, dropout_ratio=0.5, rng=4)
        RnnlmTrainer(model, SGD(lr=0.5)).fit(corpus[:-1], corpus[1:], max_epoch=1, batch_size=3, time_size=5,
                                              eval_interval=None)
        runs.append(model.params[:8])
    for p, q in zip(*runs):
        np.testing.assert_allclose(p, q, rtol=1e-6, atol=1e-7)


# --- quality against a known optimum ----------------------------------------------------------------

def test_rnnlm_nears_the_entropy_rate_of_a_second_order_markov_chain():
    """On 30,000 words of a random second-order chain over 8 words (exp(H) ≈ 3.60, the best one-word-memory
    model ≈ 7.02, unigram ≈ 7.7), an Rnnlm (D = 16, H = 32, Adam, 5 epochs of truncated BPTT, T = 20) reaches
    a validation perplexity within 15 % of exp(H): it must use the word before the last."""
    from refnn.optim import Adam
    from refnn.testing.rnn_cases import sample_chain, second_order_chain

    P, H, H1 = second_order_chain(8, seed=0)
    assert math.exp(H1) > 1.15 * math.exp(H)  # a memory of one word cannot pass
    train, val = sample_chain(P, 30_000, seed=1), sample_chain(P, 5_000, seed=2)
    model = Rnnlm(8, 16, 32, rng=0)
    RnnlmTrainer(model, Adam(lr=0.01)).fit(train[:-1], train[1:], max_epoch=5, batch_size=10, time_size=20,
                                            max_grad=1.0, eval_interval=None)
    model.reset_state()
    ppl = eval_perplexity(model, val, batch_size=10, time_size=20)
    assert ppl <= 1.15 * math.exp(H), (ppl, math.exp(H))


def test_better_rnnlm_saves_the_tied_weight_once_and_loads_it_back(tmp_path):
    from refnn.models import BetterRnnlm

    a, b = BetterRnnlm(9, 4, 4, rng=0), BetterRnnlm(9, 4, 4, rng=1)
    a.save_params(tmp_path / "better.npz")
    with np.load(tmp_path / "better.npz", allow_pickle=False) as f:
        assert len(f.files) == len(a.params) == 8
    b.load_params(tmp_path / "better.npz")
    assert all(np.array_equal(p, q) for p, q in zip(a.params, b.params))
    assert np.shares_memory(b.layers[-1].params[0], b.params[0])  # the Affine still sees the loaded weight
    np.testing.assert_array_equal(b.predict(np.array([[1, 2]])), a.predict(np.array([[1, 2]])))
