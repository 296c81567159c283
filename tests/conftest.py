"""Hypothesis profiles: ``dev`` (fast default) and ``ci`` (derandomized, no deadline, no database).

Gradient properties run ``GRADIENT_FACTOR`` times the profile's examples (200 in ``ci``).

Choose one with ``HYPOTHESIS_PROFILE=ci``; ``.ci/run`` does.
"""

import os

from hypothesis import settings

settings.register_profile("dev", max_examples=30, deadline=None)
settings.register_profile("ci", max_examples=100, derandomize=True, deadline=None, database=None,
                          print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

#: Gradient properties (the heart of the suite) get this many times the profile's examples.
GRADIENT_FACTOR = 2

# Fixture files are readers' code (some run top-level statements): never collect them as tests or doctests.
collect_ignore_glob = ["fixtures/*"]
