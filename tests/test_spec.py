"""refnn's own names against the whole specification, every chapter's family in one registry.

The same machinery (``refnn.testing``) runs a reader's code in ``refnn check``,
so the suite and the conformance kit cannot drift apart.  refnn is held to its own exact
contract (``Contract(strict=True)``, what ``refnn check --strict`` applies): no book behaviour
is measured or allowed here.  Each (name, property) pair is one test, and this is the only place
refnn's names meet their properties (the family test files keep the broken fixtures, the statistical
and quality tests, and the regressions); the docs' verification table is generated from the same registry.
"""

import importlib

import pytest
from hypothesis import settings

from refnn.testing import SPECS, property_test
from refnn.testing.contract import Contract
from tests.conftest import examples_for

EXACT = Contract(strict=True)
CASES = [(name, prop) for name, spec in SPECS.items() for prop in spec.all_properties]


def implementation(name: str):
    return getattr(importlib.import_module(SPECS[name].module), name)


@pytest.mark.parametrize(("name", "prop"), CASES, ids=[f"{n}-{p}" for n, p in CASES])
def test_property(name: str, prop: str) -> None:
    chosen = settings(settings.default, max_examples=examples_for(SPECS[name], prop))
    property_test(name, prop, implementation(name), hypothesis_settings=chosen, contract=EXACT)()


def test_every_public_name_is_specified() -> None:
    from refnn import functions, layers, models, nodes, optim, sampling, text

    public = set(functions.__all__) | set(layers.__all__) | set(nodes.__all__) | set(optim.__all__)
    public |= set(models.__all__) | set(text.__all__) | set(sampling.__all__)
    public -= {"Layer", "check_pairs", "as_generator"}
    # The parts of the seq2seq models and the generators: checked through the rows of the models
    # that contain them (Seq2seq, PeekySeq2seq, AttentionSeq2seq) and in tests/test_generate.py.
    public -= {"Encoder", "Decoder", "PeekyDecoder", "AttentionEncoder", "AttentionDecoder",
               "RnnlmGen", "BetterRnnlmGen"}
    assert public <= set(SPECS), sorted(public - set(SPECS))


def test_each_family_row_finds_its_cases_and_properties() -> None:
    from refnn.testing.runner import property_function
    from refnn.testing.spec import CORE, FAMILIES

    for spec in SPECS.values():
        assert spec.family == CORE or spec.name in FAMILIES[spec.family].specs
        for prop in spec.all_properties:
            assert callable(property_function(spec, prop))


def test_a_family_row_without_its_cases_or_properties_is_refused() -> None:
    from refnn.testing import FAMILIES, Family, Spec
    from refnn.testing.spec import _merged

    word2vec = FAMILIES["word2vec"]
    row = {"Embedding": Spec("Embedding", "layer", ("forward", "no_such_property"))}
    with pytest.raises(ValueError, match="no_such_property"):
        Family("broken", "0", row, word2vec.properties, word2vec.cases, {})
    with pytest.raises(ValueError, match="Nothing lacks cases"):
        Family("broken", "0", {"Nothing": Spec("Nothing", "layer", ("forward",))}, word2vec.properties, {}, {})
    twice = Family("twice", "0", {"Affine": Spec("Affine", "layer", ("forward",))}, word2vec.properties,
                   {"Affine": word2vec.cases["Embedding"]}, {})
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(FAMILIES, "twice", twice)
        with pytest.raises(ValueError, match=r"already registered: \['Affine'\]"):
            _merged()


def test_every_property_of_every_row_is_seen_to_fail() -> None:
    """Each (name's family, property) pair has a deliberately broken implementation that the family's tests
    assert is rejected (tests/fixtures/broken_*.py): no property here is green by construction."""
    from tests.fixtures import broken_layers, broken_recurrent, broken_seq2seq, broken_word2vec

    broken = {"mlp": broken_layers.BROKEN, "word2vec": broken_word2vec.BROKEN,
              "rnnlm": broken_recurrent.BROKEN + broken_recurrent.BROKEN_MODELS,
              "seq2seq": broken_seq2seq.BROKEN + broken_seq2seq.BROKEN_MODELS}
    for family, rows in broken.items():
        covered = {prop for _, prop, _ in rows}
        used = {p for s in SPECS.values() if s.family == family for p in s.all_properties}
        assert used <= covered, (family, sorted(used - covered))
