"""The committed mutation report (benchmarks/mutation/) describes the code as it is now.

The run itself takes tens of minutes (``make mutation``); this check takes milliseconds: the report stores the
SHA-256 of every module it mutated.
"""

import hashlib
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "mutation" / "results.json"
RERUN = ("run `make mutation` (about {minutes} min on 2 cores) and commit benchmarks/mutation/ "
         "(a new survivor needs a test, or a line in benchmarks/mutation/reasons.json)")


def _report() -> dict:
    return json.loads(RESULTS.read_text(encoding="utf-8"))


def _rerun(report: dict) -> str:
    return RERUN.format(minutes=round((report.get("seconds") or 0) / 60) or "?")


def test_the_report_covers_the_configured_modules():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    block = re.search(r"^\[tool\.mutmut\].*?^only_mutate = \[(.*?)\]", text, re.S | re.M)
    assert block, "pyproject.toml: [tool.mutmut] only_mutate"
    configured = re.findall(r'"([^"]+)"', block.group(1))
    report = _report()
    assert list(report["modules"]) == configured, _rerun(report)


def test_the_report_is_not_older_than_the_code():
    report = _report()
    stale = [m for m, r in report["modules"].items()
             if hashlib.sha256((ROOT / m).read_bytes()).hexdigest() != r["sha256"]]
    assert not stale, f"{', '.join(stale)} changed since {RESULTS.relative_to(ROOT)} was written: {_rerun(report)}"


def test_every_survivor_is_listed_with_its_diff_and_a_reason():
    report = _report()
    for module, m in report["modules"].items():
        assert m["total"] == m["killed"] + m["excluded"] + m["survived"], module
        assert len(m["survivors"]) == m["excluded"] + m["survived"], module
        for s in m["survivors"]:
            assert s["diff"] and s["kind"] in ("equivalent", "speed", "gap"), (module, s["mutant"], _rerun(report))
            assert s["reason"], (module, s["mutant"])
