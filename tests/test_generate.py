"""Chapter 7 text generation: RnnlmGen and BetterRnnlmGen sample from the model's distribution, only from
the rng they were given, never a skipped id; each check is seen to fail on a broken generator."""

import warnings

import numpy as np
import pytest

from refnn.models import generate as G
from refnn.models.rnnlm import BetterRnnlm, Rnnlm
from tests.fixtures.broken_seq2seq import BROKEN_GENERATORS

V = 8


def make(cls, seed=0):
    return cls(V, 4, 4, rng=seed)


def fix_distribution(model, p):
    """Scores that are log p at every step: W_affine = 0 (the embedding too, when tied) and b = log p."""
    model.layers[-1].params[0][...] = 0
    model.params[-1][...] = np.log(p)


def check_runs(cls):
    ids = make(cls).generate(1, sample_size=7)
    assert len(ids) == 7 and ids[0] == 1 and all(type(i) is int and 0 <= i < V for i in ids)


def check_reproducible(cls):
    before = np.random.get_state()
    a, b = make(cls, 3).generate(1, sample_size=30), make(cls, 3).generate(1, sample_size=30)
    assert a == b
    assert make(cls, 4).generate(1, sample_size=30) != a
    model = make(cls, 5)
    first = model.generate(1, sample_size=30, rng=11)
    model.reset_state()
    assert model.generate(1, sample_size=30, rng=11) == first
    assert np.array_equal(np.random.get_state()[1], before[1])


def check_skip_ids(cls):
    model = make(cls)
    p = np.full(V, 0.02)
    p[[2, 5]] = 0.43  # the skipped ids are the likely ones
    fix_distribution(model, p / p.sum())
    ids = model.generate(0, skip_ids=[2, 5], sample_size=200)
    assert not {2, 5} & set(ids[1:])


def check_distribution(cls):
    model = make(cls)
    p = np.arange(1, V + 1, dtype=np.float64)
    p /= p.sum()
    fix_distribution(model, p)
    n = 4000
    counts = np.bincount(model.generate(0, sample_size=n + 1)[1:], minlength=V)
    sigma = np.sqrt(n * p * (1 - p))
    assert np.all(np.abs(counts - n * p) < 4 * sigma), counts  # a fixed seed: this draw, not a flaky one


CHECKS = {"runs": check_runs, "reproducible": check_reproducible, "skip_ids": check_skip_ids,
          "distribution": check_distribution}


@pytest.mark.parametrize("cls", [G.RnnlmGen, G.BetterRnnlmGen])
@pytest.mark.parametrize("check", CHECKS)
def test_generator(check, cls):
    CHECKS[check](cls)


@pytest.mark.parametrize(("check", "impl"), BROKEN_GENERATORS, ids=[c for c, _ in BROKEN_GENERATORS])
def test_check_rejects_broken_generator(check, impl):
    with warnings.catch_warnings(), pytest.raises((AssertionError, TypeError, DeprecationWarning)):
        warnings.simplefilter("error", DeprecationWarning)  # NumPy < 2.4 only warns about int() of an array
        CHECKS[check](impl)


def test_every_check_has_a_broken_generator():
    assert set(CHECKS) == {c for c, _ in BROKEN_GENERATORS}


def test_the_books_int_of_a_size_one_array_fails_from_numpy_2_4():
    major, minor = (int(v) for v in np.__version__.split(".")[:2])
    with warnings.catch_warnings(), pytest.raises(TypeError if (major, minor) >= (2, 4) else DeprecationWarning):
        warnings.simplefilter("error", DeprecationWarning)
        int(np.random.default_rng(0).choice(3, size=1))  # what the book's generate does


def test_generators_are_the_language_models():
    assert issubclass(G.RnnlmGen, Rnnlm) and issubclass(G.BetterRnnlmGen, BetterRnnlm)
    a, b = G.RnnlmGen(V, 4, 4, rng=0), Rnnlm(V, 4, 4, rng=0)
    assert all(np.array_equal(x, y) for x, y in zip(a.params, b.params))  # same initialisation


def test_generate_errors():
    model = make(G.RnnlmGen)
    with pytest.raises(ValueError, match="sample_size"):
        model.generate(0, sample_size=0)
    with pytest.raises(ValueError, match="no word"):
        model.generate(0, skip_ids=range(V), sample_size=3)
