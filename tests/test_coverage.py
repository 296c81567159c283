"""The README's coverage table names every row of the registry once, under the module it lives in."""

from __future__ import annotations

import re
from pathlib import Path

from refnn.testing import SPECS

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- coverage-table:start -->", "<!-- coverage-table:end -->"


def coverage_problems(text: str) -> list[str]:
    block = text.split(START)[1].split(END)[0]
    listed: list[str] = []
    problems = []
    for line in block.strip().splitlines()[2:]:
        _, module, names = (cell.strip() for cell in line.strip().strip("|").split("|"))
        for name in re.findall(r"`([^`]+)`", names):
            listed.append(name)
            if name in SPECS and SPECS[name].module != module.strip("`"):
                problems.append(f"{name} is registered under {SPECS[name].module}, not {module}")
    problems += [f"{n} is in SPECS but not in the table" for n in SPECS if n not in listed]
    problems += [f"{n} is in the table but not in SPECS" for n in listed if n not in SPECS]
    problems += [f"{n} is listed twice" for n in sorted(set(listed)) if listed.count(n) > 1]
    return problems


def test_the_coverage_table_is_the_registry() -> None:
    assert coverage_problems(README.read_text(encoding="utf-8")) == []


def test_the_check_sees_a_missing_misplaced_or_repeated_name() -> None:
    text = README.read_text(encoding="utf-8")
    assert any("not in the table" in p for p in coverage_problems(text.replace("`TimeAttention`", "")))
    assert any("registered under" in p for p in coverage_problems(text.replace("`refnn.nodes`", "`refnn.optim`")))
    assert any("twice" in p for p in coverage_problems(text.replace("`Add`, `Mul`", "`Add`, `Add`, `Mul`")))
