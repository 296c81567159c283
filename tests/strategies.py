"""The shared Hypothesis strategies live in the package so the conformance kit can use them."""

from refnn.testing.strategies import *  # noqa: F401,F403
from refnn.testing.strategies import __all__  # noqa: F401
