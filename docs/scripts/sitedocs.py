"""Markdown generated at build time from the test suite's own registry.

Pages call these from markdown-exec blocks (``python exec="on"``), so the lists
of verified properties and the 검증 table always say exactly what
``refnn.testing.SPECS`` registers: the table cannot claim a property the suite
does not test. Links point at the test sources that the hook publishes under
``source/`` (see ``hooks.py``).
"""

from __future__ import annotations

import inspect
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: Files published as source pages (``source/<path>.md``): the reference code itself (the API
#: boxes link to it, line by line), the specification and the tests.
SOURCE_GLOBS = ("refnn/*.py", "refnn/**/*.py", "dataset/*.py", "tests/*.py", "tests/**/*.py")


def source_files() -> list[Path]:
    seen: dict[Path, None] = {}
    for pattern in SOURCE_GLOBS:
        for path in sorted(ROOT.glob(pattern)):
            parts = path.relative_to(ROOT).parts
            if "site" in parts[:2] or (path.name == "__init__.py" and not path.read_text(encoding="utf-8").strip()):
                continue
            seen[path] = None
    return list(seen)


def source_url(rel: str, line: int | None = None) -> str:
    """Site URL (from the site root) of a published source file, at a line."""
    return f"source/{rel}/" + (f"#__codelineno-0-{line}" if line else "")


def source_page(path: Path) -> str:
    rel = path.relative_to(ROOT).as_posix()
    code = path.read_text(encoding="utf-8")
    return (
        "---\nsearch:\n  exclude: true\nhide:\n  - navigation\n  - toc\n---\n\n"
        f"# `{rel}`\n\n"
        "사이트를 빌드할 때 저장소의 파일을 그대로 옮긴 것입니다.\n\n"
        f'```python linenums="1"\n{code}\n```\n'
    )


def _link(rel: str, line: int | None, depth: int) -> str:
    """URL of a source page (at a line), relative to a page ``depth`` directories deep.

    markdown-exec output is inserted as HTML, so MkDocs does not rewrite ``.md`` links
    in it: these are the final URLs (``use_directory_urls``: ``page.md`` → ``page/``).
    """
    return "../" * depth + source_url(rel, line)


def _property_location(spec, prop: str) -> tuple[str, int] | None:
    """File and line of the function that checks ``prop`` for ``spec``."""
    try:
        from refnn.testing.runner import property_function

        fn = property_function(spec, prop)
        fn = inspect.unwrap(fn)
        path = Path(inspect.getsourcefile(fn) or "")
        line = inspect.getsourcelines(fn)[1]
        return path.resolve().relative_to(ROOT).as_posix(), line
    except (ImportError, KeyError, OSError, TypeError, ValueError):
        return None


def properties_md(name: str, depth: int = 2) -> str:
    """Bulleted list of the properties the suite verifies for ``name`` (from SPECS)."""
    from refnn.testing import PROPERTIES, SPECS

    spec = SPECS[name]
    lines = []
    for prop in spec.all_properties:
        ko = PROPERTIES[prop][0]
        loc = _property_location(spec, prop)
        where = f" — [검사 코드]({_link(loc[0], loc[1], depth)})" if loc else ""
        extra = " *(refnn의 추가 약속)*" if prop in spec.extended else ""
        lines.append(f"- **`{prop}`**: {ko}{extra}{where}")
    runner = guard("tests/test_spec.py::test_property", depth=depth).split(": ", 1)[1]
    example = spec.all_properties[0] if "gradient" not in spec.all_properties else "gradient"
    lines.append(f"\n(이름, 성질) 쌍마다 테스트 하나: {runner} — 예: "
                 f'`pytest "tests/test_spec.py::test_property[{name}-{example}]"`')
    return "\n".join(lines)


def verification_table() -> str:
    """The layer × property table of the 검증 page, generated from SPECS."""
    from refnn.testing import KINDS, PROPERTIES, SPECS

    props = [p for p in PROPERTIES if any(p in s.all_properties for s in SPECS.values())]
    out = []
    by_kind: dict[str, list] = {}
    for spec in SPECS.values():
        by_kind.setdefault(spec.kind, []).append(spec)
    for kind, specs in by_kind.items():
        used = [p for p in props if any(p in s.all_properties for s in specs)]
        out.append(f"### {KINDS.get(kind, kind)}\n")
        out.append('<table class="props"><thead><tr><th>이름</th>'
                   + "".join(f'<th class="prop"><code>{p}</code></th>' for p in used) + "</tr></thead><tbody>")
        for spec in specs:
            cells = []
            for p in used:
                if p in spec.properties:
                    cells.append('<td class="ok" title="검증함">✓</td>')
                elif p in spec.extended:
                    cells.append('<td class="ok" title="refnn의 추가 약속: refnn 자신의 테스트만">✓⁺</td>')
                else:
                    cells.append('<td class="no">·</td>')
            out.append(f"<tr><td><code>{spec.module}.{spec.name}</code></td>{''.join(cells)}</tr>")
        out.append("</tbody></table>\n")
    return "\n".join(out)


def property_legend(depth: int = 1) -> str:
    """Property name → Korean description (and where it is checked)."""
    from refnn.testing import PROPERTIES, SPECS

    rows = ["| 성질 | 뜻 | 검사 코드 |", "|---|---|---|"]
    for prop, (ko, _en) in PROPERTIES.items():
        spec = next((s for s in SPECS.values() if prop in s.all_properties), None)
        if spec is None:
            continue
        loc = _property_location(spec, prop)
        link = f"[{loc[0]}:{loc[1]}]({_link(loc[0], loc[1], depth)})" if loc else ""
        rows.append(f"| `{prop}` | {ko} | {link} |")
    return "\n".join(rows)


def _test_functions() -> list[tuple[str, str, int]]:
    """(relative path, test name, line) of every test function in tests/ (not tests/site)."""
    import re

    found = []
    for path in source_files():
        rel = path.relative_to(ROOT).as_posix()
        if not rel.startswith("tests/"):
            continue
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            m = re.match(r"\s*def (test_\w+)\(", line)
            if m:
                found.append((rel, m.group(1), i))
    return found


def guard(*test_ids: str, depth: int = 1) -> str:
    """Links to the named tests (``"tests/test_x.py::test_name"``), at their line.

    Raises LookupError when a named test does not exist, so a guard that
    disappears fails the strict build instead of leaving a dead claim on a page.
    """
    tests = {f"{rel}::{name}": (rel, line) for rel, name, line in _test_functions()}
    links = []
    for test_id in test_ids:
        if test_id not in tests:
            raise LookupError(f"test {test_id} not found (is it renamed or removed?)")
        rel, line = tests[test_id]
        links.append(f"[`{test_id}`]({_link(rel, line, depth)})")
    return "지키는 테스트: " + ", ".join(links)
