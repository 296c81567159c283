"""UnigramSampler beyond its registry row (which runs in tests/test_spec.py): the chi-square machinery,
its agreement with the book's per-row np.random.choice, ids with gaps, input checks."""

import math

import numpy as np
import pytest

from refnn.sampling import UnigramSampler
from refnn.testing.word2vec_cases import successive_probabilities
from refnn.testing.word2vec_properties import DISTRIBUTION_ALPHA, chi2_sf


def test_chi2_survival_function_against_closed_forms():
    for x in (0.1, 1.0, 3.0, 10.0, 40.0):
        assert math.isclose(chi2_sf(x, 2), math.exp(-x / 2), rel_tol=1e-10)  # df 2: e^{-x/2}
        assert math.isclose(chi2_sf(x, 1), math.erfc(math.sqrt(x / 2)), rel_tol=1e-9, abs_tol=1e-300)
        assert math.isclose(chi2_sf(x, 4), math.exp(-x / 2) * (1 + x / 2), rel_tol=1e-10)
    assert math.isclose(chi2_sf(3.841458820694124, 1), 0.05, rel_tol=1e-9)


def test_successive_probabilities_match_the_books_choice():
    """np.random.choice(replace=False, p) (the book's per-row call) has the distribution the sampler's
    property checks against: chi-square over the ordered pairs at level DISTRIBUTION_ALPHA, seed fixed."""
    p = np.array([0.5, 0.2, 0.2, 0.1])
    exact = successive_probabilities(dict(enumerate(p.tolist())), 2)
    rs = np.random.RandomState(12345)  # a local RandomState: the global state is not touched
    draws = 20_000
    seen: dict[tuple[int, ...], int] = {}
    for _ in range(draws):
        key = tuple(rs.choice(4, size=2, replace=False, p=p).tolist())
        seen[key] = seen.get(key, 0) + 1
    stat = sum((seen.get(k, 0) - q * draws) ** 2 / (q * draws) for k, q in exact.items())
    assert chi2_sf(stat, len(exact) - 1) >= DISTRIBUTION_ALPHA


def test_ids_with_gaps_and_an_absent_target():
    corpus = np.array([10, 10, 3, 7, 7, 7, 42])
    sampler = UnigramSampler(corpus, 0.75, 3, rng=0)
    out = sampler.get_negative_sample(np.array([7, 5, 42, 10]))
    assert set(out.ravel().tolist()) <= {3, 7, 10, 42}
    assert not (out == np.array([[7], [5], [42], [10]])).any()
    assert sampler.word_p[[0, 5, 11]].tolist() == [0.0, 0.0, 0.0] and math.isclose(sampler.word_p.sum(), 1.0)


def test_generator_and_seed_give_the_same_sample():
    corpus = np.arange(20).repeat(3)
    a = UnigramSampler(corpus, 0.75, 5, rng=3).get_negative_sample(np.arange(8))
    b = UnigramSampler(corpus, 0.75, 5, rng=np.random.default_rng(3)).get_negative_sample(np.arange(8))
    assert np.array_equal(a, b)


@pytest.mark.parametrize(("args", "match"), [
    ((np.array([0, 1]), 0.75, 2), "needs at least 3"),
    ((np.array([0.0, 1.0, 2.0]), 0.75, 1), "integer word ids"),
    ((np.array([-1, 1, 2]), 0.75, 1), ">= 0"),
    ((np.array([0, 1, 2]), -1.0, 1), "power must be"),
    ((np.array([0, 1, 2]), 0.75, 0), "sample_size must be"),
])
def test_constructor_refuses(args, match):
    with pytest.raises(ValueError, match=match):
        UnigramSampler(*args)


def test_rng_must_be_a_generator_or_seed():
    with pytest.raises(TypeError, match="rng must be"):
        UnigramSampler(np.arange(4), 0.75, 1, rng=np.random.RandomState(0))
    with pytest.raises(ValueError, match="target must be 1-D"):
        UnigramSampler(np.arange(4), 0.75, 1, rng=0).get_negative_sample(np.array([[0]]))


def test_a_draw_on_a_removed_words_edge_is_drawn_again():
    """Rounding could leave a sliver of a removed word's interval: such a draw is redone for that row."""
    sampler = UnigramSampler(np.array([0, 1, 2, 3]), 1.0, 1, rng=0)  # four intervals of 0.25
    lo, hi = np.array([[0.25]]), np.array([[0.4999]])  # word 1 removed, but 1e-4 of it left by "rounding"
    uniforms = iter([np.array([0.2500 / 0.7501]), np.array([0.1])])  # first lands in the sliver
    sampler._uniform = lambda n: next(uniforms)
    assert sampler._draw_outside(lo, hi).tolist() == [0]
