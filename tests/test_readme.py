"""The README's property table is the registry's, so the README cannot claim an untested property."""

from pathlib import Path

from refnn.testing import SPECS

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_property_table_matches_the_registry():
    text = README.read_text(encoding="utf-8")
    table = text.split("<!-- properties-table:start -->")[1].split("<!-- properties-table:end -->")[0]
    rows = [line for line in table.strip().splitlines()[2:]]
    want = []
    for name, spec in SPECS.items():
        extra = " + " + ", ".join(spec.extended) if spec.extended else ""
        want.append(f"| `{name}` | {spec.kind} | {', '.join(spec.properties)}{extra} |")
    assert rows == want
