"""Chapters 7–8 encoder–decoder models: each whole-model, encoder and decoder property seen to fail on a
broken model (the rows run on refnn's models in tests/test_spec.py), the decoders' shapes and errors, and
eval_seq2seq."""


import numpy as np
import pytest
from hypothesis import Phase, settings

from refnn.models.attention_seq2seq import AttentionSeq2seq
from refnn.models.seq2seq import Decoder, PeekySeq2seq, Seq2seq
from refnn.testing import property_test
from refnn.testing.seq2seq_properties import SEQ2SEQ_SPECS
from refnn.trainer import eval_seq2seq
from tests.fixtures.broken_seq2seq import BROKEN_MODELS

NO_SHRINK = settings(max_examples=30, deadline=None, database=None, derandomize=True, phases=[Phase.generate])
MODELS = [n for n, s in SEQ2SEQ_SPECS.items() if s.kind == "model"]


@pytest.mark.parametrize(("name", "prop", "impl"), BROKEN_MODELS,
                         ids=[f"{n}-{p}-{i.__name__}" for n, p, i in BROKEN_MODELS])
def test_model_property_rejects_broken_model(name, prop, impl):
    with pytest.raises(AssertionError):
        property_test(name, prop, impl, hypothesis_settings=NO_SHRINK)()


def test_every_model_property_has_a_broken_model():
    used = {p for n in MODELS for p in SEQ2SEQ_SPECS[n].all_properties}
    assert used == {p for _, p, _ in BROKEN_MODELS}
    gradients = {(n, p) for n, p, _ in BROKEN_MODELS if p.endswith("gradient")}
    # where hand-written seq2seq code most often goes wrong: the encoder's dh, peeky's h, the attention split
    assert {("Seq2seq", "model_gradient"), ("PeekySeq2seq", "decoder_gradient"),
            ("AttentionSeq2seq", "decoder_gradient")} <= gradients


@pytest.mark.parametrize("model_class", [Seq2seq, PeekySeq2seq, AttentionSeq2seq])
def test_sizes_params_and_generation_shapes(model_class):
    V, D, H = 13, 4, 6
    model = model_class(V, D, H, rng=0)
    assert len(model.params) == len(model.grads) == 10
    assert all(p.dtype == np.float32 for p in model.params)
    ids = model.generate(np.array([[1, 2, 3]]), start_id=6, sample_size=5)
    assert len(ids) == 5 and all(type(i) is int and 0 <= i < V for i in ids)
    assert model.generate(np.array([[1, 2, 3]]), start_id=6, sample_size=0) == []


def test_attention_weights_after_generation_one_per_generated_step():
    model = AttentionSeq2seq(13, 4, 6, rng=0)
    model.generate(np.array([[1, 2, 3, 4]]), start_id=6, sample_size=3)
    weights = np.array(model.decoder.attention.attention_weights)
    assert weights.shape == (1, 1, 4)  # the last step; a step's weights over the 4 encoder steps
    assert np.isclose(weights.sum(), 1.0)


def test_decoder_errors():
    decoder = Decoder(5, 2, 3, rng=0)
    with pytest.raises(ValueError, match="batch of 1"):
        decoder.generate(np.zeros((2, 3)), 0, 3)
    with pytest.raises(ValueError, match="sample_size"):
        decoder.generate(np.zeros((1, 3)), 0, -1)
    with pytest.raises(ValueError, match=r"ts\[:, :-1\]"):
        Seq2seq(5, 2, 3, rng=0).forward(np.zeros((1, 2), dtype=int), np.zeros((1, 1), dtype=int))
    with pytest.raises(ValueError, match="positive integer"):
        Seq2seq(0, 2, 3)
    with pytest.raises(TypeError, match="rng"):
        Seq2seq(5, 2, 3, rng=np.random.RandomState(0))


def test_params_alias_the_layers_and_files_round_trip(tmp_path):
    model = PeekySeq2seq(7, 3, 4, rng=1)
    layer_grads = {id(g) for part in (model.encoder, model.decoder) for layer in part.layers for g in layer.grads}
    assert all(id(g) in layer_grads for g in model.grads)
    model.save_params(tmp_path / "p.npz")
    other = PeekySeq2seq(7, 3, 4, rng=2)
    other.load_params(tmp_path / "p.npz")
    assert all(np.array_equal(a, b) for a, b in zip(model.params, other.params))


class Fixed:
    """A model that generates given ids and records what it was asked."""

    def __init__(self, ids):
        self.ids, self.calls = ids, []

    def generate(self, xs, start_id, sample_size):
        self.calls.append((np.array(xs), start_id, sample_size))
        return self.ids[:sample_size]


ID_TO_CHAR = {0: "_", 1: "1", 2: "2", 3: "+", 4: " "}


def test_eval_seq2seq_starts_from_the_first_answer_id_and_compares_every_character(capsys):
    question, correct = np.array([[1, 3, 2, 4]]), np.array([[0, 1, 2, 4]])
    model = Fixed([1, 2, 4])
    assert eval_seq2seq(model, question, correct, ID_TO_CHAR) == 1
    xs, start, size = model.calls[0]
    assert start == 0 and size == 3 and np.array_equal(xs, question)
    assert eval_seq2seq(Fixed([1, 2, 1]), question, correct, ID_TO_CHAR) == 0  # the padding counts too
    assert capsys.readouterr().out == ""


def test_eval_seq2seq_verbose_shows_the_question_in_reading_order(capsys):
    question = np.array([[4, 2, 3, 1]])  # "1+2 " reversed
    eval_seq2seq(Fixed([2, 2, 4]), question, np.array([[0, 1, 2, 4]]), ID_TO_CHAR, verbose=True, is_reverse=True)
    assert capsys.readouterr().out.splitlines() == ["Q 1+2 ", "T 12 ", "X 22 "]


@pytest.mark.parametrize("name", ["PeekySeq2seq", "AttentionSeq2seq"])
def test_the_benchmark_baseline_computes_refnns_loss_and_gradients(name):
    from refnn import models
    from refnn.benchmarks import textbook_seq2seq as book

    rng = np.random.default_rng(0)
    base, model = getattr(book, name)(13, 5, 6), getattr(models, name)(13, 5, 6, rng=0)
    for p, q in zip(base.params, model.params):
        p[...] = q
    xs, ts = rng.integers(0, 13, (4, 7)), rng.integers(0, 13, (4, 5))
    assert np.isclose(base.forward(xs, ts), model.forward(xs, ts), rtol=1e-6)
    base.backward()
    model.backward()
    for g, h in zip(base.grads, model.grads):
        np.testing.assert_allclose(g, h, rtol=1e-4, atol=1e-6)


def test_the_benchmark_case_runs_both_contenders_on_the_same_batches():
    from refnn.benchmarks.seq2seq import seq2seq_case

    contenders = seq2seq_case("peeky-addition", number=1, batches=2)
    assert set(contenders) == {"refnn", "textbook"}
    assert all(fn() > 0 for fn in contenders.values())
    floors = seq2seq_case("peeky-addition", number=1, batches=2, floors=True)
    assert set(floors) == {"refnn", "textbook", "matmul floor", "textbook matmul floor"}
    assert all(fn() > 0 for fn in floors.values())


def test_the_results_script_records_every_epoch(tmp_path):
    import importlib.util
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "seq2seq_results.py"
    spec = importlib.util.spec_from_file_location("seq2seq_results", path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    out = tmp_path / "r.json"
    assert script.main(["--case", "addition-peeky-reversed", "--epochs", "2", "--train-size", "256",
                        "--test-size", "4", "--json", str(out)]) == 0
    result = json.loads(out.read_text())
    assert result["epochs_done"] == 2 and [h["epoch"] for h in result["history"]] == [1, 2]
    assert result["train_examples"] == 256 and result["test_questions"] == 4 and result["reversed_input"]
    assert 0 <= result["final_test_accuracy"] <= 1


def test_the_date_run_keeps_the_trained_models_attention_weights(tmp_path):
    """The date case records, after training, the attention weights of the first test questions (the docs'
    heat maps): one row per answer character, one column per question character, each row summing to 1."""
    import importlib.util
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "seq2seq_results.py"
    spec = importlib.util.spec_from_file_location("seq2seq_results", path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    out = tmp_path / "d.json"
    assert script.main(["--case", "date-attention", "--epochs", "1", "--train-size", "128", "--test-size", "3",
                        "--json", str(out)]) == 0
    examples = json.loads(out.read_text())["attention_examples"]
    assert len(examples) == 3
    for ex in examples:
        weights = np.array(ex["weights"])
        assert weights.shape == (len(ex["correct"]), len(ex["question"]))
        assert np.allclose(weights.sum(axis=1), 1.0, atol=1e-3) and (weights >= 0).all()
        assert len(ex["generated"]) == len(ex["correct"]) and "-" in ex["correct"]
