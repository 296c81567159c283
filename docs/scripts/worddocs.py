"""Markdown of the chapter 2–4 pages, generated at build time from the test suite.

``properties_md(name)`` lists what the suite verifies for a chapter 2–4 name. It reads
``refnn.testing.SPECS`` when the name is registered there (the same list as chapter 1's
pages), and otherwise the rows and descriptions of ``refnn.testing.word2vec_properties``,
which the chapter 2–4 tests run directly. Either way the list is the suite's own, and each
property links to the function that checks it.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import sitedocs

#: The test that runs every (name, property) pair of a kind, while the row is not in SPECS.
RUNNERS = {
    "function": "tests/test_text.py::test_property",
    "layer": "tests/test_embedding.py::test_property",
    "loss": "tests/test_embedding.py::test_property",
    "sampler": "tests/test_sampling.py::test_property",
    "model": "tests/test_word2vec.py::test_model_property",
}


def _location(prop: str) -> tuple[str, int] | None:
    """File and line of the function that checks ``prop`` (chapter 1's for the shared ones)."""
    from refnn.testing.properties import LAYER_PROPERTIES
    from refnn.testing.word2vec_properties import WORD2VEC_PROPERTIES

    fn = LAYER_PROPERTIES.get(prop) or WORD2VEC_PROPERTIES.get(prop)
    if fn is None:
        return None
    try:
        fn = inspect.unwrap(fn)
        path = Path(inspect.getsourcefile(fn) or "").resolve()
        return path.relative_to(sitedocs.ROOT).as_posix(), inspect.getsourcelines(fn)[1]
    except (OSError, TypeError, ValueError):
        return None


def properties_md(name: str, depth: int = 2) -> str:
    """Bulleted list of the properties verified for ``name``, with links to their checks."""
    from refnn.testing import PROPERTIES, SPECS

    if name in SPECS:
        return sitedocs.properties_md(name, depth=depth)
    from refnn.testing.word2vec_properties import PROPERTY_TEXT, WORD2VEC_SPECS

    spec = WORD2VEC_SPECS[name]
    lines = []
    for prop in spec.all_properties:
        ko = (PROPERTY_TEXT.get(prop) or PROPERTIES[prop])[0]
        loc = _location(prop)
        where = f" — [검사 코드]({sitedocs._link(loc[0], loc[1], depth)})" if loc else ""
        lines.append(f"- **`{prop}`**: {ko}{where}")
    runner = sitedocs.guard(RUNNERS[spec.kind], depth=depth).split(": ", 1)[1]
    test_id = RUNNERS[spec.kind]
    example = spec.all_properties[0]
    param = example if spec.kind == "sampler" else f"{name}-{example}"
    lines.append(f"\n(이름, 성질) 쌍마다 테스트 하나: {runner} — 예: `pytest \"{test_id}[{param}]\"`")
    return "\n".join(lines)


def guard(*test_ids: str, depth: int = 2) -> str:
    """``sitedocs.guard`` for pages two directories deep (``ch4/embedding/``)."""
    return sitedocs.guard(*test_ids, depth=depth)
