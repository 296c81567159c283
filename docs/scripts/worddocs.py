"""Markdown of the chapter 2–4 pages, generated at build time from the test suite.

``properties_md(name)`` lists what the suite verifies for a chapter 2–4 name. It reads the
row in ``refnn.testing.SPECS`` when the name is registered there (as chapter 1's pages do),
and otherwise the row of ``refnn.testing.word2vec_properties``, which the chapter 2–4 tests
run directly. Either way the list is the suite's own, and each property links to the function
that checks it.
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


def runner(name: str) -> str:
    """The test that runs ``name``'s properties: tests/test_spec.py once the row is in SPECS."""
    from refnn.testing import SPECS
    from refnn.testing.word2vec_properties import WORD2VEC_SPECS

    return "tests/test_spec.py::test_property" if name in SPECS else RUNNERS[WORD2VEC_SPECS[name].kind]


def property_guard(*names: str, depth: int = 2) -> str:
    """``sitedocs.guard`` naming the tests that run the properties of ``names``."""
    return sitedocs.guard(*dict.fromkeys(runner(n) for n in names), depth=depth)


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
    """Bulleted list of the properties verified for ``name``, with links to their checks.

    The row comes from ``refnn.testing.SPECS`` when ``name`` is registered there, else from
    ``WORD2VEC_SPECS``; the descriptions from ``PROPERTIES``, else ``PROPERTY_TEXT``.
    """
    from refnn.testing import PROPERTIES, SPECS
    from refnn.testing.word2vec_properties import PROPERTY_TEXT, WORD2VEC_SPECS

    spec = SPECS[name] if name in SPECS else WORD2VEC_SPECS[name]
    extended = set(getattr(spec, "extended", ()))
    lines = []
    for prop in spec.all_properties:
        ko = (PROPERTIES.get(prop) or PROPERTY_TEXT[prop])[0]
        loc = sitedocs._property_location(spec, prop) if name in SPECS else None
        loc = loc or _location(prop)
        where = f" — [검사 코드]({sitedocs._link(loc[0], loc[1], depth)})" if loc else ""
        extra = " *(refnn의 추가 약속)*" if prop in extended else ""
        lines.append(f"- **`{prop}`**: {ko}{extra}{where}")
    test_id = runner(name)
    link = sitedocs.guard(test_id, depth=depth).split(": ", 1)[1]
    example = spec.all_properties[0]
    param = example if test_id == RUNNERS["sampler"] else f"{name}-{example}"
    lines.append(f"\n(이름, 성질) 쌍마다 테스트 하나: {link} — 예: `pytest \"{test_id}[{param}]\"`")
    lines.append(_broken_md(name, depth))
    return "\n".join(lines)


def _broken_md(name: str, depth: int) -> str:
    """How many deliberately broken versions of ``name`` the suite keeps, and for which properties."""
    try:  # no claim at all if the fixtures or the test that runs them move
        from tests.fixtures.broken_word2vec import BROKEN

        link = sitedocs.guard("tests/test_word2vec.py::test_property_rejects_broken_implementation",
                              depth=depth).split(": ", 1)[1]
    except (ImportError, LookupError):
        return ""
    props = sorted({p for n, p, _ in BROKEN if n == name})
    if not props:
        return ""
    count = sum(n == name for n, _, _ in BROKEN)
    names = ", ".join(f"`{p}`" for p in props)
    return (f"\n검사가 틀린 구현을 실제로 잡아내는지도 확인합니다. 일부러 틀리게 만든 구현 {count}개가 "
            f"각자 깨뜨린 성질({names})에서 실패로 판정되는지 {link}에서 봅니다.")


def guard(*test_ids: str, depth: int = 2) -> str:
    """``sitedocs.guard`` for pages two directories deep (``ch4/embedding/``)."""
    return sitedocs.guard(*test_ids, depth=depth)


def _trainer_seen_params() -> tuple[int, int, bool]:
    """What refnn's Trainer hands its optimizer for params ``[W, W, U]`` (W shared, U a distinct zero matrix).

    Returns (number of arrays passed, number of distinct arrays among them, whether U was kept apart).
    """
    import numpy as np

    from refnn.trainer import Trainer

    W, U = np.zeros((3, 3)), np.zeros((3, 3))

    class Shared:
        params = [W, W, U]
        grads = [np.zeros((3, 3)), np.zeros((3, 3)), np.zeros((3, 3))]

        def forward(self, x, t):
            return 0.0

        def backward(self, dout=1.0):
            for g in self.grads:
                g[...] = 1.0

    class Spy:
        seen: list = []

        def update(self, params, grads):
            Spy.seen = list(params)

    Trainer(Shared(), Spy(), rng=0).fit(np.zeros((2, 1)), np.zeros(2, dtype=np.int64), max_epoch=1, batch_size=2,
                                        eval_interval=None, verbose=False)
    seen = Spy.seen
    return len(seen), len({id(p) for p in seen}), any(p is U for p in seen)


def trainer_sharing_md() -> str:
    """How the Trainer treats shared weights, as observed at build time (one training step, a spy optimizer)."""
    passed, distinct, kept = _trainer_seen_params()
    probe = (f"빌드할 때 확인한 결과: `params = [W, W, U]`(`W`는 같은 배열 두 번, `U`는 값만 같은 다른 영행렬)로 "
             f"한 번 갱신하면 옵티마이저가 받는 배열은 {passed}개(서로 다른 배열 {distinct}개)이고, "
             f"`U`는 {'따로 남습니다' if kept else '사라집니다'}.")
    if passed == distinct == 2 and kept:
        return ("refnn의 `Trainer`는 `params`에 **같은 배열**이 여러 번 있으면"
                "(`is`, 또는 같은 메모리를 보는 전치) 하나로 보고 기울기를 더해 한 번 갱신합니다. "
                "값이 같은지는 보지 않습니다. " + probe)
    return ("이 버전의 refnn `Trainer`는 값으로 비교해 합치지 않으며, 공유 가중치도 합치지 않고 "
            "`params`를 그대로 옵티마이저에 넘깁니다. 같은 배열이 두 번 있으면 두 기울기로 두 번 "
            "갱신되므로, SGD에서는 기울기의 합으로 한 번 갱신한 것과 같지만 Adam처럼 상태를 가진 "
            "옵티마이저에서는 다릅니다. " + probe)
