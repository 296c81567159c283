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


#: The fixed words of the report in each language (`format_markdown(results, lang)`).
_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "met": "met", "missed": "**missed**", "skipped": "skipped",
        "summary": "case|ratio|numerator|denominator|value|per round|target|verdict",
        "detail": "case|contender|median|min|max",
        "rss": "peak RSS {long:,} / {short:,} steps", "suite": "ci profile, pytest -n 2",
        "machine": "Measured {date} on {cpu}, {cores} cores (shared), {memory} GiB; Python {python}, "
                   "NumPy {numpy} ({blas}), PyTorch {torch}; load average at start {load}; "
                   "{rounds} interleaved rounds, medians.",
        "no_torch": "not installed",
        "quick": "**Quick run (tiny sizes): a smoke test of the harness, not a measurement of the targets.**",
        "case_skipped": "- `{key}` skipped: {why}",
    },
    "ko": {
        "met": "달성", "missed": "**미달**", "skipped": "건너뜀",
        "summary": "경우|비율|분자|분모|값|라운드별 비의 중앙값|목표|판정",
        "detail": "경우|경쟁자|중앙값|최소|최대",
        "rss": "최대 RSS, {long:,} 스텝 / {short:,} 스텝", "suite": "ci 프로필, pytest -n 2",
        "machine": "측정: {date}, {cpu}, {cores}코어(다른 작업과 공유), {memory} GiB; Python {python}, "
                   "NumPy {numpy} ({blas}), PyTorch {torch}; 시작 시 부하 {load}; "
                   "라운드 {rounds}번 교대 실행, 중앙값.",
        "no_torch": "설치되지 않음",
        "quick": "**빠른 실행(아주 작은 크기): 측정 도구가 도는지만 보는 시험이며 목표를 판정하는 측정이 아닙니다.**",
        "case_skipped": "- `{key}` 건너뜀: {why}",
    },
}


def _words(lang: str) -> dict[str, str]:
    if lang not in _WORDS:
        raise ValueError(f"format_markdown: lang must be one of {sorted(_WORDS)}, got {lang!r}")
    return _WORDS[lang]


def _verdict(met: bool | None, lang: str = "en") -> str:
    return "—" if met is None else _words(lang)["met" if met else "missed"]


def _title_ko(case: dict[str, Any], config: dict[str, Any]) -> str | None:
    """The Korean description of a case, rebuilt from its name and the run's config (None if unknown)."""
    name = case["case"]
    if name == "chapter1" and config:
        steps = config["epochs"] * (300 // config["batch_size"])
        return (f"1장 학습 한 스텝: 스파이럴 데이터의 TwoLayerNet(2, {config['hidden']}, 3), "
                f"배치 {config['batch_size']}, SGD 학습률 {config['lr']:g}, {config['epochs']} 에폭 = "
                f"라운드당 {steps} 스텝(순전파 + 역전파 + 갱신)")
    if name.startswith("mlp-") and config:
        sizes = " → ".join(str(n) for n in config["mlp_sizes"])
        return (f"큰 MLP 한 스텝, {name[4:]}: 배치 {config['mlp_batch']}, {sizes}, ReLU, SoftmaxWithLoss, SGD "
                "(하한: 순전파 3개와 역전파 6개의 행렬 곱만 np.matmul로)")
    if name.startswith("gradcheck-"):
        n, d, h = name[len("gradcheck-"):].split("x")
        return f"Affine의 기울기 검사 한 번의 시간, float64, x ({n}, {d}), W ({d}, {h}), b ({h},)"
    return None


def summary_rows(results: dict[str, Any], lang: str = "en") -> list[list[str]]:
    """비율 하나당 한 줄: 경우, 비교, 분자·분모의 중앙값, 중앙값의 비, 라운드별 비의 중앙값, 목표, 판정.

    `lang`(`"en"` 또는 `"ko"`)은 판정과 고정된 설명의 언어입니다.
    """
    words = _words(lang)
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
                _verdict(r["met"], lang),
            ])
    memory = results.get("memory") or {}
    for impl, m in (memory.get("impls") or {}).items():
        short, long = memory["steps"]
        rows.append([
            f"memory-{impl}",
            words["rss"].format(long=long, short=short),
            f"{m['long_peak_rss_kib'] / 1024:.1f} MiB",
            f"{m['short_peak_rss_kib'] / 1024:.1f} MiB",
            f"{m['ratio']:.3f}",
            "—",
            f"≤ {memory['target']:g}",
            _verdict(m["met"], lang),
        ])
    suite = results.get("suite") or {}
    if "seconds" in suite:
        rows.append([
            "suite", words["suite"], f"{suite['seconds']:.1f} s", "—", "—", "—",
            f"< {suite['target_seconds']:g} s", _verdict(suite["met"], lang) + f" ({suite['summary']})",
        ])
    return rows


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def format_markdown(results: dict[str, Any], lang: str = "en") -> str:
    """요약 표, 경우별 중앙값 표, 건너뛴 것, 기계 정보를 담은 Markdown.

    Parameters
    ----------
    results : dict
        `run_benchmarks`의 결과(또는 그것을 쓴 `results.json`을 읽은 것).
    lang : {"en", "ko"}, default "en"
        표의 머리글, 판정, 기계 정보 줄, 경우 설명의 언어. 터미널과 `table.md`는 영어이고,
        한국어 문서는 `lang="ko"`로 같은 결과의 한국어 표를 만듭니다. 측정한 값과 이름
        (경우, 경쟁자, 건너뛴 이유)은 그대로입니다.

    Raises
    ------
    ValueError
        `lang`이 `"en"`도 `"ko"`도 아닐 때.
    """
    words = _words(lang)
    m = results.get("machine", {})
    parts = [
        words["machine"].format(
            date=results.get("date", ""), cpu=m.get("cpu"), cores=m.get("cores"), memory=m.get("memory_gib"),
            python=m.get("python"), numpy=m.get("numpy"), blas=m.get("blas"),
            torch=m.get("torch") or words["no_torch"], load=m.get("load_average_at_start"),
            rounds=results.get("rounds"),
        ),
        "",
    ]
    if results.get("quick"):
        parts += [words["quick"], ""]
    parts += [_table(words["summary"].split("|"), summary_rows(results, lang)), ""]
    detail = []
    for case in results.get("cases", []):
        unit = case["unit"]
        for name, c in case["contenders"].items():
            detail.append([case["case"], name, _fmt_time(c["median"], unit),
                           _fmt_time(c["min"], unit), _fmt_time(c["max"], unit)])
        for name, why in case["skipped"].items():
            detail.append([case["case"], name, words["skipped"], "—", why])
    if detail:
        parts += [_table(words["detail"].split("|"), detail), ""]
    config = results.get("config") or {}
    for case in results.get("cases", []):
        title = (_title_ko(case, config) if lang == "ko" else None) or case["title"]
        parts.append(f"- `{case['case']}`: {title}")
    for key in ("memory", "suite"):
        if (results.get(key) or {}).get("skipped"):
            parts.append(words["case_skipped"].format(key=key, why=results[key]["skipped"]))
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
