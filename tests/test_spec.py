"""refnn's own layers, nodes, functions, models and optimizers against the whole specification.

The same machinery (``refnn.testing``) runs a reader's code in ``refnn check``,
so the suite and the conformance kit cannot drift apart.  refnn is held to its own exact
contract (``Contract(strict=True)``, what ``refnn check --strict`` applies): no book behaviour
is measured or allowed here.  Each (name, property)
pair is one test; the docs' verification table is generated from the same registry.
"""

import importlib

import pytest
from hypothesis import settings

from refnn.testing import SPECS, property_test
from refnn.testing.contract import Contract
from tests.conftest import GRADIENT_FACTOR

EXACT = Contract(strict=True)
CASES = [(name, prop) for name, spec in SPECS.items() for prop in spec.all_properties]


def implementation(name: str):
    return getattr(importlib.import_module(SPECS[name].module), name)


@pytest.mark.parametrize(("name", "prop"), CASES, ids=[f"{n}-{p}" for n, p in CASES])
def test_property(name: str, prop: str) -> None:
    chosen = None
    if prop == "gradient":
        chosen = settings(settings.default, max_examples=GRADIENT_FACTOR * settings.default.max_examples)
    property_test(name, prop, implementation(name), hypothesis_settings=chosen, contract=EXACT)()


def test_every_public_name_is_specified() -> None:
    from refnn import functions, layers, nodes, optim

    public = set(functions.__all__) | set(layers.__all__) | set(nodes.__all__) | set(optim.__all__)
    public -= {"Layer", "check_pairs"}
    assert public <= set(SPECS), sorted(public - set(SPECS))
