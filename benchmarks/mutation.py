"""Mutation testing of refnn's core: run mutmut, then write the committed report.

    python benchmarks/mutation.py run [--jobs 2] [PATTERN ...]   # fresh mutants/, mutmut run, report
    python benchmarks/mutation.py report                          # the report from an existing mutants/

``make mutation`` runs the first form.  The modules and the tests come from ``[tool.mutmut]`` in
pyproject.toml.  The report (``benchmarks/mutation/``):

- ``results.json``: per module the counts, the score, the SHA-256 of the source that was mutated (a fast
  test compares it with the working tree), every surviving mutant with its diff and its reason;
- ``table.md``: the score table;
- ``reasons.json`` (written by hand): why a mutant survives, matched by module, function and mutated line.
  ``equivalent`` (the same behaviour) and ``speed`` (only slower or faster) are left out of the score;
  ``gap`` (behaviour the suite does not pin) counts as a survivor, like a survivor with no reason.

Score = killed / (mutants − equivalent − speed); a timeout counts as killed (the mutant hung).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "mutation"
REASONS = OUT / "reasons.json"
EXCLUDED = ("equivalent", "speed")
KILLED = ("killed", "timeout", "segfault")


def modules() -> list[str]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - mutmut brings toml there
        import toml as tomllib
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["mutmut"]
    return list(config["only_mutate"])


def source_hash(path: str) -> str:
    return hashlib.sha256((ROOT / path).read_bytes()).hexdigest()


def _mutmut() -> list[str]:
    exe = Path(sys.executable).with_name("mutmut")
    return [str(exe)] if exe.exists() else ["mutmut"]


def run(jobs: int, patterns: list[str]) -> float:
    """A fresh mutmut run on every mutant (or those matching ``patterns``); returns the wall time in s."""
    if not patterns:
        shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    start = time.monotonic()
    proc = subprocess.run([*_mutmut(), "run", "--max-children", str(jobs), *patterns], cwd=ROOT,
                          stdout=subprocess.DEVNULL)
    if proc.returncode != 0:
        raise SystemExit(f"mutmut run failed (exit {proc.returncode}); see `mutmut run` for its output")
    return time.monotonic() - start


def _changed_lines(diff: str) -> tuple[str, str]:
    before = [ln[1:].strip() for ln in diff.splitlines() if ln.startswith("-") and not ln.startswith("---")]
    after = [ln[1:].strip() for ln in diff.splitlines() if ln.startswith("+") and not ln.startswith("+++")]
    return " / ".join(before), " / ".join(after)


def _function(mutant: str) -> str:
    """``refnn.nodes.xǁSumǁbackward__mutmut_3`` → ``Sum.backward``; ``refnn.functions.x_sigmoid__mutmut_1`` →
    ``sigmoid``."""
    name = mutant.rsplit(".", 1)[1].split("__mutmut_")[0]
    if "ǁ" in name:
        return ".".join(part for part in name.split("ǁ")[1:] if part)
    return name.removeprefix("x_")


def _reason(reasons: list[dict[str, str]], module: str, function: str, after: str) -> dict[str, str] | None:
    for r in reasons:
        if r["module"] == module and r["function"] == function and r["after"] == after:
            return r
    return None


def report(seconds: float | None) -> dict[str, Any]:
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    from mutmut.mutation.diff_apply import get_diff_for_mutant  # needs the cwd's pyproject.toml
    from mutmut.stats import status_by_exit_code

    reasons = json.loads(REASONS.read_text("utf-8")) if REASONS.exists() else []
    out: dict[str, Any] = {"tool": "mutmut " + _version(), "seconds": seconds, "machine": _machine(),
                           "modules": {}}
    previous = _previous()
    for module in modules():
        meta = ROOT / "mutants" / (module + ".meta")
        if not meta.exists():
            if module in previous:
                out["modules"][module] = previous[module]
            continue
        codes = json.loads(meta.read_text("utf-8"))["exit_code_by_key"]
        counts: dict[str, int] = {}
        survivors = []
        for name, code in sorted(codes.items(), key=lambda kv: _natural(kv[0])):
            status = status_by_exit_code[code]
            counts[status] = counts.get(status, 0) + 1
            if status in KILLED or status == "not checked":  # not checked: the run was stopped first
                continue
            diff = get_diff_for_mutant(name, path=module)
            before, after = _changed_lines(diff)
            function = _function(name)
            why = _reason(reasons, module, function, after)
            survivors.append({"mutant": name, "status": status, "function": function, "before": before,
                              "after": after, "diff": diff.strip(), "kind": why["kind"] if why else "unexplained",
                              "reason": why["reason"] if why else ""})
        total = sum(counts.values()) - counts.get("not checked", 0)
        killed = sum(counts.get(s, 0) for s in KILLED)
        excluded = sum(1 for s in survivors if s["kind"] in EXCLUDED)
        scored = total - excluded
        out["modules"][module] = {
            "sha256": source_hash(module), "total": total, "killed": killed, "excluded": excluded,
            "survived": total - killed - excluded, "score": killed / scored if scored else 1.0,
            "not_checked": counts.get("not checked", 0), "counts": counts, "survivors": survivors,
        }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", "utf-8")
    (OUT / "table.md").write_text(table(out), "utf-8")
    return out


def _natural(name: str) -> tuple[str, int]:
    head, _, n = name.rpartition("__mutmut_")
    return head, int(n) if n.isdigit() else 0


def _previous() -> dict[str, Any]:
    path = OUT / "results.json"
    return json.loads(path.read_text("utf-8"))["modules"] if path.exists() else {}


def _version() -> str:
    from importlib.metadata import version

    return version("mutmut")


def _machine() -> dict[str, Any]:
    return {"python": platform.python_version(), "cpus": os.cpu_count(),
            "load_average": [round(v, 2) for v in os.getloadavg()]}


def table(results: dict[str, Any]) -> str:
    rows = ["| module | mutants | killed | equivalent or speed only | survived | score |",
            "|---|---:|---:|---:|---:|---:|"]
    tot = {"total": 0, "killed": 0, "excluded": 0, "survived": 0}
    for module, m in results["modules"].items():
        rows.append(f"| `{module}` | {m['total']} | {m['killed']} | {m['excluded']} | {m['survived']} | "
                    f"{100 * m['score']:.1f} % |")
        for k in tot:
            tot[k] += m[k]
    scored = tot["total"] - tot["excluded"]
    rows.append(f"| all | {tot['total']} | {tot['killed']} | {tot['excluded']} | {tot['survived']} | "
                f"{100 * tot['killed'] / scored:.1f} % |")
    return "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="fresh mutmut run, then the report")
    r.add_argument("--jobs", type=int, default=2, help="mutmut --max-children (default 2)")
    r.add_argument("patterns", nargs="*", help="mutant name patterns, e.g. 'refnn.nodes*' (re-runs those only)")
    sub.add_parser("report", help="the report from the existing mutants/")
    args = parser.parse_args(argv)
    seconds = run(args.jobs, args.patterns) if args.command == "run" else None
    if seconds is None:
        seconds = _previous_seconds()
    results = report(seconds)
    print(table(results), end="")
    if seconds:
        print(f"mutmut run: {seconds / 60:.1f} min")
    unexplained = [s["mutant"] for m in results["modules"].values() for s in m["survivors"]
                   if s["kind"] == "unexplained"]
    if unexplained:
        print(f"{len(unexplained)} survivor(s) without a reason in {REASONS.relative_to(ROOT)}")


def _previous_seconds() -> float | None:
    path = OUT / "results.json"
    return json.loads(path.read_text("utf-8")).get("seconds") if path.exists() else None


if __name__ == "__main__":
    main()
