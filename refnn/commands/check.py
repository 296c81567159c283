r"""`python -m refnn check PATH`: 독자가 직접 구현한 계층·함수·옵티마이저를 사양으로 검사합니다.

PATH는 `.py` 파일(노트북을 스크립트로 내보낸 파일)이나 `.ipynb` 노트북입니다. 파일에서
사양의 이름(`MatMul`, `Affine`, `Sigmoid`, …, `SGD`, `TwoLayerNet`, `softmax`, …)과 같은 이름의
클래스·함수를 찾아 책 기준의 성질(`refnn.testing.SPECS[name].properties`)을 모두 검사하고,
이름마다 한 줄(`PASS Name`, 참고가 붙은 `PASS Name [...], 참고 k개`, 또는
`FAIL Name [...]: <성질> — <무엇이 다른지>`)을 출력한 뒤 실패마다 자세한 내용(최소 반례,
가장 나쁜 인덱스의 해석적·수치 기울기, 예외가 난 파일의 줄)을 보여 줍니다.

기본 모드는 책 기준으로 판정합니다: 책이 일부러 refnn과 다른 동작(log 안의 1e-7, 책의 Nesterov,
옵티마이저의 eps, 3차원 softmax)을 코드가 계산한 값으로 알아보고, 실패가 아니라 정오표 항목을
가리키는 참고 한 줄로 알립니다. `--strict`는 refnn의 엄격한 기준(refnn 자신의 테스트가 적용하는
것)으로 판정하므로 같은 차이가 FAIL이 됩니다.

종료 코드: 찾은 이름이 모두 통과하면(참고가 있어도) 0, 하나라도 실패하면 1, 파일을 불러올 수
없거나 검사할 이름이 없으면 2.
"""

from __future__ import annotations

import argparse
import signal
import sys
from typing import Any

from refnn.commands._args import int_at_least, positive_float

__all__ = ["register", "run", "render", "TEXTS"]

PROG = "refnn check"

#: Every fixed text of the report, in Korean and English.
TEXTS: dict[str, dict[str, str]] = {
    "ko": {
        "header": "refnn check {path}: 이름 {count}개를 {mode}으로 검사 (성질마다 예제 {examples}개)",
        "mode_book": "책 기준",
        "mode_strict": "refnn의 엄격한 기준(--strict)",
        "notes_count": "참고 {count}개",
        "note": "참고",
        "defined_at": "{where}",
        "imported_from": "{where}에서 가져옴",
        "cell_short": "{file} 셀 {cell}:{line}",
        "dataset": "참고: 파일 옆에서 독자의 dataset 패키지를 찾지 못해 refnn의 dataset({path})을 썼습니다",
        "missing": "찾지 못함 (검사하지 않음): {names}",
        "warnings": "파일을 실행하며 난 오류 (그 문장을 건너뛰고 계속 실행함):",
        "details": "자세한 내용",
        "at": "위치",
        "counterexample": "반례 (Hypothesis가 줄인 최소 입력):",
        "also": "같은 실패: {props}",
        "where_py": "{file}, {line}번째 줄",
        "where_cell": "{file} 셀 {cell}, {line}번째 줄",
        "timeout": "{limit:g}초 안에 끝나지 않아 중단했습니다 (무한 루프?)",
        "timeout_during": "{limit:g}초 안에 끝나지 않아 중단했습니다 (무한 루프?), '{prop}' 성질을 검사하던 중",
        "crash": "코드를 실행하던 프로세스가 비정상 종료했습니다 (종료 코드 {code})",
        "crash_during": "'{prop}' 성질을 검사하던 중 코드를 실행하던 프로세스가 비정상 종료했습니다 (종료 코드 {code})",
        "stderr": "프로세스의 마지막 출력:",
        "wrong_class": "{name}은(는) 클래스여야 하는데 클래스가 아닙니다",
        "wrong_function": "{name}은(는) 함수여야 하는데 클래스입니다",
        "process": "프로세스",
        "kind": "종류",
        "load_failed": "{path}을(를) 불러올 수 없습니다: {reason}",
        "load_timeout": "{limit:g}초 안에 파일 실행이 끝나지 않았습니다 (최상위 코드의 무한 루프?)",
        "load_crash": "파일을 실행하던 프로세스가 비정상 종료했습니다 (종료 코드 {code})",
        "nothing": "{path}에서 검사할 이름을 찾지 못했습니다. 찾는 이름: {names}",
        "summary": "통과 {passed}{noted}, 실패 {failed}, 찾지 못함 {missing} ({seconds:.1f}초)",
        "noted": " (그중 참고 있음 {count})",
        "no_hypothesis": "refnn check에는 Hypothesis가 필요합니다: pip install 'refnn[test]'",
        "unknown": "사양에 없는 이름: {names}. 가능한 이름: {known}",
        "interrupted": "중단했습니다",
        "reload_failed": "새 프로세스에서 파일을 다시 불러오지 못했습니다: {reason}",
        "cell_magic": "셀 매직(%%)으로 시작하는 셀이라 건너뛰었습니다",
        "prop_backward": "backward가 있다(refnn의 계약)",
    },
    "en": {
        "header": "refnn check {path}: checking {count} names against {mode} ({examples} examples per property)",
        "mode_book": "the book's contract",
        "mode_strict": "refnn's exact contract (--strict)",
        "notes_count": "with {count} note(s)",
        "note": "note",
        "defined_at": "{where}",
        "imported_from": "imported from {where}",
        "cell_short": "{file} cell {cell}:{line}",
        "dataset": "note: no dataset package of your own next to the file: refnn's dataset ({path}) was used",
        "missing": "not found (not checked): {names}",
        "warnings": "errors while running the file (the statement was skipped, the rest ran):",
        "details": "Details",
        "at": "at",
        "counterexample": "counterexample (minimal input found by Hypothesis):",
        "also": "same failure: {props}",
        "where_py": "{file}, line {line}",
        "where_cell": "{file}, cell {cell}, line {line}",
        "timeout": "did not finish within {limit:g} s and was stopped (an infinite loop?)",
        "timeout_during": "did not finish within {limit:g} s and was stopped (an infinite loop?) "
                          "while checking '{prop}'",
        "crash": "the process running your code died (exit code {code})",
        "crash_during": "the process running your code died while checking '{prop}' (exit code {code})",
        "stderr": "last output of the process:",
        "wrong_class": "{name} must be a class, but it is not",
        "wrong_function": "{name} must be a function, but it is a class",
        "process": "process",
        "kind": "kind",
        "load_failed": "cannot load {path}: {reason}",
        "load_timeout": "running the file did not finish within {limit:g} s (an infinite loop at top level?)",
        "load_crash": "the process running the file died (exit code {code})",
        "nothing": "nothing to check in {path}. Names looked for: {names}",
        "summary": "{passed} passed{noted}, {failed} failed, {missing} not found ({seconds:.1f} s)",
        "noted": " ({count} with notes)",
        "no_hypothesis": "refnn check needs Hypothesis: pip install 'refnn[test]'",
        "unknown": "not in the specification: {names}. Known names: {known}",
        "interrupted": "interrupted",
        "reload_failed": "a fresh process could not load the file again: {reason}",
        "cell_magic": "a cell magic (%%) cell: skipped",
        "prop_backward": "there is a backward (refnn's contract)",
    },
}


def register(subparsers: Any) -> None:
    """Add the ``check`` sub-command."""
    parser = subparsers.add_parser(
        "check",
        help="check your own layers, functions and optimizers against the specification",
        description="PATH(.py 또는 .ipynb)에서 사양의 이름과 같은 클래스·함수를 찾아 책 기준의 성질을 "
                    "검사합니다. 종료 코드: 0 모두 통과, 1 실패 있음, 2 불러올 수 없음/검사할 것 없음.",
    )
    parser.add_argument("path", help="a .py file or a .ipynb notebook")
    parser.add_argument("--spec", nargs="+", action="extend", metavar="NAME",
                        help="check only these names (default: every specified name found in the file)")
    parser.add_argument("--examples", type=int_at_least(1, "--examples"), default=50, metavar="N",
                        help="Hypothesis examples per property (default 50)")
    parser.add_argument("--lang", choices=("ko", "en"), default="ko", help="report language (default ko)")
    parser.add_argument("--timeout", type=positive_float("--timeout"), default=60.0, metavar="SECONDS",
                        help="time limit for each name, and for running the file (default 60)")
    parser.add_argument("--jobs", type=int_at_least(1, "--jobs"), default=None, metavar="N",
                        help="worker processes side by side (default: CPU count, at most 4)")
    parser.add_argument("--strict", action="store_true",
                        help="judge against refnn's exact contract (the book's deliberate differences fail)")
    parser.set_defaults(run=run)


def _where(loc: dict[str, Any] | None, t: dict[str, str]) -> str:
    if not loc:
        return ""
    file = loc["path"]
    if loc.get("cell") is not None:
        return t["where_cell"].format(file=file, cell=loc["cell"], line=loc["line"])
    return t["where_py"].format(file=file, line=loc["line"])


def _defined(outcome: Any, t: dict[str, str]) -> str:
    """`` [file:line]`` where the name was defined (or imported from), with the reader's spelling."""
    loc = outcome.defined
    parts = [outcome.spelled] if outcome.spelled and outcome.spelled != outcome.name else []
    if loc:
        if loc.get("cell") is not None:
            where = t["cell_short"].format(file=loc["path"], cell=loc["cell"], line=loc["line"])
        else:
            where = f"{loc['path']}:{loc['line']}"
        parts.append(t["imported_from" if loc.get("imported") else "defined_at"].format(where=where))
    return f" [{', '.join(parts)}]" if parts else ""


def _message(result: dict[str, Any], lang: str) -> str:
    if result.get("exception") and not result.get("contract"):
        return str(result["exception"])
    return str(result["message_" + lang])


def _headline(result: dict[str, Any], lang: str, t: dict[str, str]) -> str:
    """<property> — <what differs>, with the reader's line when their code raised."""
    text = _message(result, lang)
    where = _where(result.get("location"), t)
    return f"{result['property']} — {text}" + (f" ({where})" if where else "")


def _problem_text(outcome: Any, t: dict[str, str], limit: float) -> tuple[str, str]:
    """(one-line text, property) for a name whose process did not report normally."""
    problem = outcome.problem
    kind = problem["kind"]
    prop = problem.get("property") or ""
    if kind == "timeout":
        text = t["timeout_during" if prop else "timeout"].format(limit=limit, prop=prop)
    elif kind == "crash":
        text = t["crash_during" if prop else "crash"].format(code=_status(problem.get("returncode")), prop=prop)
    elif kind == "wrong_kind":
        text = t["wrong_function" if outcome.kind == "function" else "wrong_class"].format(name=outcome.name)
        prop = t["kind"]
    else:  # the file could not be run again in a fresh process
        text = t["reload_failed"].format(reason=problem.get("text", kind))
    where = _where(problem.get("location"), t)
    return text + (f" ({where})" if where else ""), prop or t["process"]


def _status(code: Any) -> str:
    """An exit code, with the signal's name when a signal ended the process (-11: SIGSEGV)."""
    if isinstance(code, int) and code < 0:
        try:
            return f"{code}, {signal.Signals(-code).name}"
        except ValueError:
            pass
    return str(code)


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())



def _by_chapter(names: list[str], chapters: dict[str, str], lang: str) -> str:
    """The names grouped by the book's chapters (name → "5–6", from the worker), in the registry's order:
    "1장: MatMul, …; 2–4장: …"."""
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(chapters.get(name, "1"), []).append(name)
    label = "{}장" if lang == "ko" else "ch. {}"
    return "; ".join(f"{label.format(ch)}: {', '.join(group)}" for ch, group in groups.items())

def render(report: Any, lang: str = "ko", limit: float = 60.0, shown: str | None = None) -> str:
    """The report as text: one PASS/FAIL line per name, then the details of every failure.

    ``shown`` is the path as the reader typed it (default: the absolute path).
    """
    t = TEXTS[lang]
    shown = shown or report.path
    lines: list[str] = []
    if report.unknown:
        return t["unknown"].format(names=", ".join(report.unknown), known=", ".join(report.specs)) + "\n"
    if report.load_error is not None:
        err = report.load_error
        if err["kind"] == "no_hypothesis":
            return t["no_hypothesis"] + "\n"
        if err["kind"] == "timeout":
            reason = t["load_timeout"].format(limit=limit)
        elif err["kind"] == "crash":
            reason = t["load_crash"].format(code=_status(err.get("returncode")))
            if err.get("location"):
                reason += f" ({_where(err['location'], t)})"
        else:
            reason = err.get("text", "")
        lines.append(t["load_failed"].format(path=shown, reason=reason))
        if err.get("stderr"):
            lines += [t["stderr"], _indent(err["stderr"])]
        return "\n".join(lines) + "\n"

    mode = t["mode_strict" if report.strict else "mode_book"]
    lines.append(t["header"].format(path=shown, count=len(report.outcomes), mode=mode, examples=report.examples))
    for info in report.info:
        if info.get("kind") == "dataset":
            lines.append(t["dataset"].format(path=info["path"]))
    if report.warnings:
        lines.append(t["warnings"])
        for w in report.warnings:
            where = _where(w, t)
            code = f": {w['code']}" if w.get("code") else ""
            text = t["cell_magic"] if w.get("kind") == "cell_magic" else w["text"]
            lines.append(f"  {where}{code}\n    {text}")
    lines.append("")
    for outcome in report.outcomes:
        label = outcome.name + _defined(outcome, t)
        if outcome.passed:
            count = f", {t['notes_count'].format(count=len(outcome.notes))}" if outcome.notes else ""
            lines.append(f"PASS {label}{count}")
            lines += [f"  {t['note']}: {n[lang]}" for n in outcome.notes]
        elif outcome.problem is not None and not outcome.results:
            text, prop = _problem_text(outcome, t, limit)
            lines.append(f"FAIL {label}: {prop} — {text}")
        else:
            chosen = _first_failure(outcome)
            lines.append(f"FAIL {label}: {_headline(chosen, lang, t)}")
            lines += [f"  {t['note']}: {n[lang]}" for n in outcome.notes]
    if report.missing:
        lines.append(t["missing"].format(names=_by_chapter(report.missing, report.chapters, lang)))
    if not report.outcomes:
        lines.append(t["nothing"].format(path=shown, names=", ".join(report.requested or report.specs)))

    failed = [o for o in report.outcomes if not o.passed]
    if failed:
        lines += ["", f"── {t['details']} ──"]
    for outcome in failed:
        kind = report.kind_labels.get(outcome.kind, outcome.kind) if lang == "ko" else outcome.kind
        lines += ["", f"FAIL {outcome.name} ({kind})"]
        if outcome.problem is not None:
            text, prop = _problem_text(outcome, t, limit)
            lines.append(f"  {prop}: {text}")
            loc = outcome.problem.get("location")
            if loc and loc.get("code"):
                lines.append(f"    {t['at']}: {_where(loc, t)}: {loc['code']}")
            stderr = outcome.problem.get("stderr")
            if stderr:
                lines += [f"  {t['stderr']}", _indent(stderr)]
        for group in _groups(outcome.failures):
            first = group[0]
            prop = first["property"]
            desc = report.descriptions.get(prop, ("", ""))[0 if lang == "ko" else 1] or t.get(f"prop_{prop}", "")
            lines.append(f"  {prop} ({desc})")
            lines.append(_indent(_message(first, lang)))
            loc = first.get("location")
            if loc:
                code = f": {loc['code']}" if loc.get("code") else ""
                lines.append(f"    {t['at']}: {_where(loc, t)}{code}")
            if len(group) > 1:
                lines.append("    " + t["also"].format(props=", ".join(r["property"] for r in group[1:])))
            if first.get("counterexample"):
                lines += [f"    {t['counterexample']}", _indent(first["counterexample"], "      ")]
    passed = sum(o.passed for o in report.outcomes)
    count = sum(o.passed and bool(o.notes) for o in report.outcomes)
    noted = t["noted"].format(count=count) if count else ""
    lines += ["", t["summary"].format(passed=passed, noted=noted, failed=len(report.outcomes) - passed,
                                      missing=len(report.missing), seconds=report.seconds)]
    return "\n".join(lines) + "\n"


def _first_failure(outcome: Any) -> dict[str, Any]:
    """The failure for the FAIL line: a broken stated property first, else the first exception."""
    failures = outcome.failures
    contract = [r for r in failures if r.get("contract")]
    return (contract or failures)[0]


def _groups(failures: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Failures with the same message and line, together (a typo breaks every property alike)."""
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for r in failures:
        loc = r.get("location") or {}
        key = (r.get("exception") if not r.get("contract") else r.get("message_en"), loc.get("line"),
               loc.get("cell"))
        groups.setdefault(key, []).append(r)
    return list(groups.values())


def run(args: argparse.Namespace) -> int:
    """Run the check and print the report; the exit code follows ``FileReport.exit_code``."""
    from refnn.testing.checkfile import check_file

    try:
        report = check_file(args.path, args.spec, examples=args.examples, timeout=args.timeout, jobs=args.jobs,
                            strict=args.strict)
    except KeyboardInterrupt:
        print(f"{PROG}: {TEXTS[args.lang]['interrupted']}", file=sys.stderr)
        return 130
    text = render(report, args.lang, args.timeout, shown=args.path)
    if report.unknown or (report.load_error or {}).get("kind") == "no_hypothesis":
        print(f"{PROG}: error: {text.strip()}", file=sys.stderr)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    return report.exit_code
