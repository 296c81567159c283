"""Chapters 2–4: every property of their registry rows seen to go red (the rows run on refnn in
tests/test_spec.py), the book's SigmoidWithLoss under both contracts, and the models' quality."""

import importlib

import numpy as np
import pytest
from hypothesis import Phase, settings

from refnn import text
from refnn.benchmarks import textbook_word2vec as book
from refnn.layers import Affine, MatMul, Sigmoid, SoftmaxWithLoss
from refnn.models import word2vec as W2V
from refnn.optim import Adam
from refnn.testing import property_test
from refnn.testing.contract import Contract
from refnn.testing.word2vec_properties import WORD2VEC_SPECS
from refnn.trainer import Trainer
from tests.fixtures.broken_word2vec import BROKEN

#: Seeing red is enough here (shrinking is what takes the time).
NO_SHRINK = settings(max_examples=60, deadline=None, database=None, derandomize=True, phases=[Phase.generate])


def implementation(name: str):
    return getattr(importlib.import_module(WORD2VEC_SPECS[name].module), name)


@pytest.mark.parametrize(("name", "prop", "impl"), BROKEN, ids=[f"{n}-{p}-{i.__name__}" for n, p, i in BROKEN])
def test_property_rejects_broken_implementation(name, prop, impl):
    with pytest.raises(AssertionError):  # a SpecFailure, or check_layer's own AssertionError
        property_test(name, prop, impl, hypothesis_settings=NO_SHRINK)()


def test_every_property_has_a_broken_fixture():
    covered = {(n, p) for n, p, _ in BROKEN}
    props = {p for _, p in covered}
    used = {p for spec in WORD2VEC_SPECS.values() for p in spec.all_properties}
    new = used - {"shapes", "no_mutation", "grads_inplace", "backward_twice", "linearity", "dtype", "forward",
                  "gradient", "batch_mean"}
    assert new <= props, sorted(new - props)
    # chapter 1's properties, applied to the new layers through the adapters, are seen to fail here too
    assert {"shapes", "no_mutation", "grads_inplace", "backward_twice", "linearity", "dtype", "forward",
            "gradient", "batch_mean"} <= props
    for name, spec in WORD2VEC_SPECS.items():
        if spec.kind in ("function", "model"):
            assert any(n == name for n, _ in covered), name


def test_every_new_public_name_has_a_row():
    from refnn import sampling, text
    from refnn.layers import embedding

    public = set(text.__all__) | set(embedding.__all__) | set(W2V.__all__) | {"UnigramSampler"}
    assert public <= set(WORD2VEC_SPECS), sorted(public - set(WORD2VEC_SPECS))
    modules = {"refnn.text": text, "refnn.layers": embedding, "refnn.sampling": sampling, "refnn.models.word2vec": W2V}
    for name in public:
        assert implementation(name) is getattr(modules[WORD2VEC_SPECS[name].module], name)


# --- the benchmark's textbook baseline computes what refnn computes --------------------------------

def test_textbook_ppmi_loop_equals_refnn_ppmi():
    from refnn.benchmarks.word2vec import zipf_corpus
    from refnn.text import create_co_matrix, ppmi

    C = create_co_matrix(zipf_corpus(30, 400, seed=1), 30, window_size=2)
    with np.errstate(divide="ignore", invalid="ignore"):
        loop = book.ppmi_loop(C)
    np.testing.assert_allclose(loop, ppmi(C), rtol=1e-6, atol=1e-6)
    assert np.array_equal(book.ppmi_loop(C, rows=3)[:3], loop[:3])


def test_textbook_sampler_excludes_the_target_without_repeats():
    from refnn.benchmarks.word2vec import zipf_corpus

    sampler = book.UnigramSampler(zipf_corpus(50, 2000, seed=2), 0.75, 5, seed=0)
    target = np.arange(50)
    out = sampler.get_negative_sample(target)
    assert out.shape == (50, 5) and not (out == target[:, None]).any()
    assert all(len(set(row)) == 5 for row in out.tolist())


def test_the_books_sigmoid_loss_under_both_contracts():
    """The book's form (log(y + 1e-7), int labels promoting float32 dx to float64, overflow warning)
    passes `forward` under the book's contract only, and fails dtype and stability under refnn's."""
    book_contract = Contract(strict=False, traits=frozenset({"log-1e-7"}))
    property_test("SigmoidWithLoss", "forward", book.SigmoidWithLoss, hypothesis_settings=NO_SHRINK,
                  contract=book_contract)()
    for prop in ("forward", "dtype", "sigmoid_loss_stability"):
        with pytest.raises(AssertionError):
            property_test("SigmoidWithLoss", prop, book.SigmoidWithLoss, hypothesis_settings=NO_SHRINK)()


# --- models ---------------------------------------------------------------------------------------

def planted_corpus(n_clusters=5, per=8, n_ctx=4, n_triples=8000, seed=0):
    """Triples (left, word, right): a word of cluster k always sits between two of cluster k's own
    context words, so words of a cluster share their contexts and nothing else."""
    rng = np.random.default_rng(seed)
    words = np.arange(n_clusters * per).reshape(n_clusters, per)
    ctx = n_clusters * per + np.arange(n_clusters * n_ctx).reshape(n_clusters, n_ctx)
    k = rng.integers(0, n_clusters, n_triples)
    triples = np.stack([ctx[k, rng.integers(0, n_ctx, n_triples)], words[k, rng.integers(0, per, n_triples)],
                        ctx[k, rng.integers(0, n_ctx, n_triples)]], axis=1)
    return triples.reshape(-1), words


def cluster_precision(word_vecs, words):
    """Mean fraction of each cluster word's most_similar(top = cluster size − 1) in its own cluster."""
    V = word_vecs.shape[0]
    i2w = {i: str(i) for i in range(V)}
    w2i = {w: i for i, w in i2w.items()}
    hits = total = 0
    for row in words:
        members = {str(w) for w in row}
        for w in row:
            found = [x for x, _ in text.most_similar(str(w), w2i, i2w, word_vecs, top=len(row) - 1)]
            hits += sum(x in members for x in found)
            total += len(found)
    return hits / total


#: Precision reached on the planted clusters (measured 1.0 for seeds 0, 1, 2; chance is about 0.12).
PLANTED_PRECISION = 0.95


def test_cbow_recovers_planted_clusters():
    corpus, words = planted_corpus(seed=0)
    contexts, target = text.create_contexts_target(corpus, window_size=1)
    model = W2V.CBOW(int(corpus.max()) + 1, 10, 1, corpus, rng=0)
    untrained = cluster_precision(model.word_vecs.copy(), words)
    Trainer(model, Adam(0.01), rng=0).fit(contexts, target, max_epoch=3, batch_size=100, eval_interval=None,
                                          verbose=False)
    assert untrained < 0.5  # the control: random vectors do not look clustered
    assert cluster_precision(model.word_vecs, words) >= PLANTED_PRECISION


# --- the Trainer merges shared weights by identity ------------------------------------------------

class _TwoZeroMatrices:
    """Affine(W1 = 0, b1) → Sigmoid → MatMul(W2 = 0) → SoftmaxWithLoss: W1 and W2 are distinct (3, 3) zero
    matrices; params = [W1, b1, W2]."""

    def __init__(self):
        rng = np.random.default_rng(0)
        self.layers = [Affine(np.zeros((3, 3)), rng.standard_normal(3)), Sigmoid(), MatMul(np.zeros((3, 3)))]
        self.loss_layer = SoftmaxWithLoss()
        self.params = [p for layer in self.layers for p in layer.params]
        self.grads = [g for layer in self.layers for g in layer.grads]

    def forward(self, x, t):
        for layer in self.layers:
            x = layer.forward(x)
        return self.loss_layer.forward(x, t)

    def backward(self, dout=1.0):
        dout = self.loss_layer.backward(dout)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)


def test_the_books_value_based_merge_breaks_adam_on_two_zero_matrices():
    """The regression the Trainer guards against, reproduced with the book's choices."""
    model, opt = _TwoZeroMatrices(), book.Adam()
    x, t = np.random.default_rng(1).standard_normal((4, 3)), np.array([0, 1, 2, 1])
    model.forward(x, t)
    model.backward()
    params, grads = book.remove_duplicate(model.params, model.grads)
    assert len(params) == 2  # W2 merged into W1 because both are zero
    opt.update(params, grads)
    model.forward(x, t)
    model.backward()
    params, grads = book.remove_duplicate(model.params, model.grads)
    with pytest.raises(IndexError):
        opt.update(params, grads)


def test_trainer_keeps_distinct_zero_matrices_apart_and_adam_trains_through():
    model = _TwoZeroMatrices()
    W1, W2 = model.params[0], model.params[2]
    assert len(model.params) == 3
    x = np.random.default_rng(1).standard_normal((40, 3))
    t = np.random.default_rng(2).integers(0, 3, 40)
    opt = Adam(0.05)
    trainer = Trainer(model, opt, rng=0)
    trainer.fit(x, t, max_epoch=5, batch_size=10, eval_interval=4, verbose=False)
    assert len(opt.m) == 3
    assert np.any(W1 != 0) and np.any(W2 != 0)
    assert trainer.loss_list[-1] < trainer.loss_list[0]


def test_the_books_sigmoid_loss_is_recognised_and_its_gradient_judged_exactly():
    from refnn.layers import SigmoidWithLoss
    from refnn.testing.book import PROBES, measure
    from refnn.testing.properties import LOG_EPS_CORRECTIONS
    from refnn.testing.spec import SPECS
    from refnn.testing.word2vec_properties import probe_sigmoid_with_loss, sigmoid_loss_correction

    # registered once, with the family (refnn.testing.spec.FAMILIES)
    assert PROBES["SigmoidWithLoss"] is probe_sigmoid_with_loss
    assert LOG_EPS_CORRECTIONS["SigmoidWithLoss"] is sigmoid_loss_correction
    assert measure(SPECS["SigmoidWithLoss"], book.SigmoidWithLoss, strict=False).traits == {"log-1e-7"}
    assert measure(SPECS["SigmoidWithLoss"], SigmoidWithLoss, strict=False).traits == frozenset()
    property_test("SigmoidWithLoss", "gradient", book.SigmoidWithLoss, hypothesis_settings=NO_SHRINK,
                  contract=Contract(strict=False, traits=frozenset({"log-1e-7"})))()
