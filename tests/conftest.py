"""Hypothesis profiles: ``dev`` (fast default) and ``ci`` (derandomized, no deadline, no database).

Gradient properties run ``GRADIENT_FACTOR`` times the profile's examples (200 in ``ci``).

Choose one with ``HYPOTHESIS_PROFILE=ci``; ``.ci/run`` does.
"""

import os

import pytest
from hypothesis import settings

settings.register_profile("dev", max_examples=30, deadline=None)
settings.register_profile("ci", max_examples=100, derandomize=True, deadline=None, database=None,
                          print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

#: Gradient properties (the heart of the suite) get this many times the profile's examples.
GRADIENT_FACTOR = 2
#: Whole-model properties of chapters 2-8 (each example builds and differentiates a model) get the profile's
#: examples divided by this (at least 10), per family.
MODEL_DIVISOR = {"word2vec": 3, "rnnlm": 2, "seq2seq": 3}
#: Chapter 1's protocol properties, already run on every chapter 1-4 layer, get half the examples on these
#: families' layers (their gradient and structural properties keep all of theirs).
HALF_PROTOCOL = {"rnnlm": {"shapes", "dtype", "no_mutation", "grads_inplace", "backward_twice", "linearity",
                           "batch_mean"}}
#: Families where only the plain ``gradient`` property gets GRADIENT_FACTOR (their initial-state and dropout
#: gradient properties keep the profile's examples).
PLAIN_GRADIENT_ONLY = {"rnnlm"}


def examples_for(spec, prop: str) -> int:
    """Examples of property ``prop`` of the registry row ``spec`` in tests/test_spec.py, in the active profile."""
    n = settings.default.max_examples
    if spec.kind == "model" and spec.family in MODEL_DIVISOR:
        return max(10, n // MODEL_DIVISOR[spec.family])
    if prop == "gradient" or ("gradient" in prop and spec.family not in PLAIN_GRADIENT_ONLY):
        return GRADIENT_FACTOR * n
    if prop in HALF_PROTOCOL.get(spec.family, ()):
        return max(10, n // 2)
    return n


# Fixture files are readers' code (some run top-level statements): never collect them as tests or doctests.
collect_ignore_glob = ["fixtures/*"]


@pytest.hookimpl(trylast=True)  # after pytest's own configure has made the temporary-folder factory
def pytest_configure(config):
    """Start the documentation site's build in the background when the site tests will run (tests/site)."""
    from tests.site.conftest import start_background_build

    start_background_build(config)
