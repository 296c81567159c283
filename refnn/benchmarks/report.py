r"""결과 보고: Markdown 표(터미널·README·문서에 같은 표), JSON 파일, matplotlib 그림."""

from __future__ import annotations

import json
import math
import os
from typing import Any

__all__ = ["format_markdown", "summary_rows", "write_json", "plot"]

_SCALE = {"us": 1e6, "ms": 1e3, "s": 1.0}
_UNIT_LABEL = {"us": "µs", "ms": "ms", "s": "s"}


def _fmt_time(seconds: float, unit: str) -> str:
    value = seconds * _SCALE[unit]
    digits = 1 if value >= 10 else 2 if value >= 1 else 3
    return f"{value:.{digits}f} {_UNIT_LABEL[unit]}"


def _verdict(met: bool | None) -> str:
    return "—" if met is None else ("met" if met else "**missed**")


def summary_rows(results: dict[str, Any]) -> list[list[str]]:
    """비율 하나당 한 줄: 경우, 비교, 분자·분모의 중앙값, 중앙값의 비, 라운드별 비의 중앙값, 목표, 판정."""
    rows = []
    for case in results.get("cases", []):
        unit = case["unit"]
        for r in case["ratios"]:
            num, den = r["name"].split("/")
            c = case["contenders"]
            target = "—" if r["target"] is None else f"≤ {r['target']:g}"
            rows.append([
                case["case"],
                r["name"],
                _fmt_time(c[num]["median"], unit),
                _fmt_time(c[den]["median"], unit),
                f"{r['value']:.3f}",
                f"{r['paired']:.3f}",
                target,
                _verdict(r["met"]),
            ])
    memory = results.get("memory") or {}
    for impl, m in (memory.get("impls") or {}).items():
        short, long = memory["steps"]
        rows.append([
            f"memory-{impl}",
            f"peak RSS {long:,} / {short:,} steps",
            f"{m['long_peak_rss_kib'] / 1024:.1f} MiB",
            f"{m['short_peak_rss_kib'] / 1024:.1f} MiB",
            f"{m['ratio']:.3f}",
            "—",
            f"≤ {memory['target']:g}",
            _verdict(m["met"]),
        ])
    suite = results.get("suite") or {}
    if "seconds" in suite:
        rows.append([
            "suite", "ci profile, pytest -n 2", f"{suite['seconds']:.1f} s", "—", "—", "—",
            f"< {suite['target_seconds']:g} s", _verdict(suite["met"]) + f" ({suite['summary']})",
        ])
    return rows


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def format_markdown(results: dict[str, Any]) -> str:
    """요약 표, 경우별 중앙값 표, 건너뛴 것, 기계 정보를 담은 Markdown."""
    m = results.get("machine", {})
    parts = [
        f"Measured {results.get('date', '')} on {m.get('cpu')}, {m.get('cores')} cores (shared), "
        f"{m.get('memory_gib')} GiB; "
        f"Python {m.get('python')}, NumPy {m.get('numpy')} ({m.get('blas')}), "
        f"PyTorch {m.get('torch') or 'not installed'}; load average at start "
        f"{m.get('load_average_at_start')}; {results.get('rounds')} interleaved rounds, medians.",
        "",
    ]
    if results.get("quick"):
        parts += ["**Quick run (tiny sizes): a smoke test of the harness, not a measurement of the targets.**", ""]
    parts += [
        _table(["case", "ratio", "numerator", "denominator", "value", "per round", "target", "verdict"],
               summary_rows(results)),
        "",
    ]
    detail = []
    for case in results.get("cases", []):
        unit = case["unit"]
        for name, c in case["contenders"].items():
            detail.append([case["case"], name, _fmt_time(c["median"], unit),
                           _fmt_time(c["min"], unit), _fmt_time(c["max"], unit)])
        for name, why in case["skipped"].items():
            detail.append([case["case"], name, "skipped", "—", why])
    if detail:
        parts += [_table(["case", "contender", "median", "min", "max"], detail), ""]
    for case in results.get("cases", []):
        parts.append(f"- `{case['case']}`: {case['title']}")
    for key in ("memory", "suite"):
        if (results.get(key) or {}).get("skipped"):
            parts.append(f"- `{key}` skipped: {results[key]['skipped']}")
        if (results.get(key) or {}).get("note"):
            parts.append(f"- `{key}`: {results[key]['note']}")
    return "\n".join(parts).rstrip() + "\n"


def write_json(results: dict[str, Any], path: str) -> None:
    """결과를 사람이 읽을 수 있는 JSON으로 씁니다(디렉터리는 만들어 둡니다)."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=2, ensure_ascii=False)
        f.write("\n")


def plot(results: dict[str, Any], path: str) -> None:
    """경우마다 한 칸: 경쟁자별 중앙값 막대와 라운드의 최소–최대, 제목에 비율과 목표."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    cases = results.get("cases", [])
    if not cases:
        return
    cols = min(3, len(cases))
    rows = math.ceil(len(cases) / cols)
    fig = Figure(figsize=(4.2 * cols, 3.4 * rows), layout="constrained")
    FigureCanvasAgg(fig)
    for i, case in enumerate(cases):
        ax = fig.add_subplot(rows, cols, i + 1)
        scale, unit = _SCALE[case["unit"]], _UNIT_LABEL[case["unit"]]
        names = list(case["contenders"])
        med = [case["contenders"][n]["median"] * scale for n in names]
        lo = [m - case["contenders"][n]["min"] * scale for m, n in zip(med, names)]
        hi = [case["contenders"][n]["max"] * scale - m for m, n in zip(med, names)]
        colors = ["#1f77b4" if n == "refnn" else "#b0b0b0" for n in names]
        ax.bar(names, med, yerr=[lo, hi], color=colors, capsize=3)
        ax.set_ylabel(f"median ({unit})")
        ratios = "\n".join(
            f"{r['name']} {r['value']:.2f}" + ("" if r["target"] is None else f" (target ≤ {r['target']:g})")
            for r in case["ratios"] if r["name"].startswith("refnn/")
        )
        ax.set_title(f"{case['case']}\n{ratios}", fontsize=8)
        ax.tick_params(axis="x", labelsize=8)
        if max(med) > 20 * max(min(med), 1e-12):
            ax.set_yscale("log")
    m = results.get("machine", {})
    fig.suptitle(f"refnn benchmarks: {m.get('cpu')}, {m.get('cores')} cores (shared), "
                 f"{results.get('rounds')} interleaved rounds", fontsize=9)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=110)
