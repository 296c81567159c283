"""The subprocess that runs a reader's code for ``refnn check``: ``python -m refnn.testing.worker PATH``.

검사 대상 코드는 언제나 이 하위 프로세스 안에서 실행되므로, 독자의 코드가 무한 루프에
빠지거나 프로세스를 끝내도(`os._exit`, 세그폴트) `refnn check` 자체는 살아남아 그 이름을
FAIL로 알립니다.

Protocol
--------
- 시작하면 필요한 모듈을 불러온 뒤 ``{"event": "ready"}``를, 독자의 파일을 실행한 뒤
  ``{"event": "loaded", "found": {...}, "spelled": {...}, "defined": {...}, "warnings": [...],
  "info": [...], ...}``를 한 줄의 JSON으로 씁니다(파일을 읽을 수 없으면
  ``{"event": "error", "kind": ..., "text": ...}``). ``spelled``는 파일에서의 철자(``Relu``),
  ``defined``는 정의한(또는 가져온) 파일과 줄입니다.
- 그 뒤 표준 입력에서 이름을 한 줄에 하나씩 읽어, 책의 동작을 측정하고(``"property": "measure"``)
  성질마다 ``{"event": "start", ...}``를, 이름이 끝나면 ``{"event": "result", "results": [...],
  "notes": [...]}``을 씁니다. 입력이 끝나면 종료합니다. ``--strict``이면 refnn의 정확한 계약으로 판정합니다.

프로토콜은 시작할 때 복제해 둔 파일 기술자로만 오갑니다. 독자 코드의 `print`(C 수준 출력도)는
표준 오류로, `input()`은 빈 입력으로 돌려 보내므로 프로토콜을 망가뜨리지 못합니다.
"""

from __future__ import annotations

import argparse
import faulthandler
import io
import json
import os
import sys
import time
from typing import IO, Any

__all__ = ["main", "DEFAULT_EXAMPLES"]

#: Hypothesis examples per property unless ``--examples`` says otherwise.
DEFAULT_EXAMPLES = 50


def _channels() -> tuple[IO[str], IO[str]]:
    """Take fd 0/1 for the protocol; the reader's code gets /dev/null and stderr instead."""
    sys.stdout.flush()
    proto_in = os.fdopen(os.dup(0), "r", encoding="utf-8")
    proto_out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False))
    sys.stdout = sys.stderr
    return proto_in, proto_out


def _send(out: IO[str], message: dict[str, Any]) -> None:
    out.write(json.dumps(message, ensure_ascii=False) + "\n")
    out.flush()


def _kind_ok(kind: str, obj: Any) -> bool:
    if kind == "function":
        return callable(obj) and not isinstance(obj, type)
    return isinstance(obj, type)


#: Other spellings readers give a specified name (the first book's ``Relu``).
ALIASES = {"Relu": "ReLU"}


def found_names(namespace: dict[str, Any]) -> dict[str, str]:
    """Each specified name present in ``namespace`` → the name it goes by there (``ReLU`` may be ``Relu``)."""
    from refnn.testing.spec import SPECS

    found = {}
    for name in SPECS:
        spellings = [name] + [alias for alias, target in ALIASES.items() if target == name]
        for spelled in spellings:
            if spelled in namespace and callable(namespace[spelled]):
                found[name] = spelled
                break
    return found


def _result_dict(result: Any, cells: list[Any], defined: dict[str, Any] | None = None) -> dict[str, Any]:
    from refnn.testing.hints import exception_text
    from refnn.testing.loader import user_location
    from refnn.testing.properties import SpecFailure

    error = result.error
    where = user_location(result.traceback, cells) if error is not None else None
    location = where.to_dict() if where else None
    if error is not None and location is None and defined and not isinstance(error, SpecFailure):
        location = {k: defined[k] for k in ("path", "line", "cell", "code")}  # raised before entering the code
    return {
        "property": result.property,
        "passed": result.passed,
        "message_ko": result.message_ko,
        "message_en": result.message_en,
        "counterexample": result.counterexample,
        "error": None if error is None else type(error).__name__,
        "exception": None if error is None else exception_text(error)[:500],
        "contract": error is None or isinstance(error, SpecFailure),  # a stated property broken, not an exception
        "location": location,
    }


def _run(name: str, prop: str, obj: Any, chosen: Any, contract: Any) -> Any:
    from refnn.testing.runner import PropertyResult, run_property

    try:
        return run_property(name, prop, obj, chosen, contract)
    except SystemExit as exc:  # sys.exit() in the reader's code
        import traceback

        text = f"SystemExit: {exc.code}"
        return PropertyResult(name, prop, False, f"예외 발생 — {text}", f"raised {text}", "",
                              exc, traceback.extract_tb(exc.__traceback__))


def _notes(contract: Any) -> list[dict[str, Any]]:
    """The book's contract: one line per measured book behaviour (with its errata entry), and what was
    checked differently (forward only; backward() without dout)."""
    from refnn.testing.book import errata_link, note

    if contract.strict:
        return []
    notes = [{"trait": t, "ko": note(t, "ko", contract.form), "en": note(t, "en", contract.form),
              "link": errata_link(t)} for t in sorted(contract.traits)]
    if contract.forward_only:
        notes.append({"trait": "forward-only", "link": None,
                      "ko": "순전파만 있습니다(1.2절 단계): 순전파를 검사했고, backward는 아직 쓰지 않았습니다",
                      "en": "forward only (the §1.2 stage): forward checked, backward not written yet"})
    if contract.no_dout:
        notes.append({"trait": "no-dout", "link": None,
                      "ko": "backward()가 dout을 받지 않아 책의 Trainer처럼 backward()로 불러 검사했습니다 "
                            "(linearity 제외)",
                      "en": "backward() takes no dout: called as backward(), as the book's Trainer does "
                            "(linearity not checked)"})
    return notes


def check_name(name: str, obj: Any, examples: int, cells: list[Any], out: IO[str], strict: bool = False,
               defined: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run every property of the contract (the book's, or refnn's with ``strict``) for ``name``.

    The book's behaviours the code shows are measured first (`refnn.testing.book.measure`). A typo
    makes every property raise the same exception at the same line; once that failure has been
    shrunk to a minimal counterexample, later properties that fail the same way are not shrunk
    again (the report groups them under the first one).
    """
    from hypothesis import Phase, settings

    from refnn.testing.book import measure
    from refnn.testing.runner import allowance_failures, contract_properties
    from refnn.testing.spec import SPECS

    spec = SPECS[name]
    _send(out, {"event": "start", "name": name, "property": "measure"})
    contract = measure(spec, obj, strict)
    # reproducible: derandomized, no example database
    chosen = settings(max_examples=examples, deadline=None, database=None, derandomize=True)
    no_shrink = settings(chosen, phases=[Phase.explicit, Phase.reuse, Phase.generate])
    shrunk: set[tuple[Any, ...]] = set()  # exceptions (text, line) already shrunk
    results = []
    for prop in contract_properties(spec, contract):
        _send(out, {"event": "start", "name": name, "property": prop})
        if shrunk:
            result = _result_dict(_run(name, prop, obj, no_shrink, contract), cells, defined)
            if not result["passed"] and _same_key(result) not in shrunk:
                result = _result_dict(_run(name, prop, obj, chosen, contract), cells, defined)
        else:
            result = _result_dict(_run(name, prop, obj, chosen, contract), cells, defined)
        if not result["passed"] and not result["contract"]:
            shrunk.add(_same_key(result))
        results.append(result)
    # last: what the book's contract allows and refnn's does not (--strict); a real defect heads the report
    results += [_result_dict(r, cells) for r in allowance_failures(spec, contract)]
    return {"event": "result", "name": name, "results": results, "notes": _notes(contract)}


def _same_key(result: dict[str, Any]) -> tuple[Any, ...]:
    loc = result["location"] or {}
    return (result["exception"], loc.get("line"), loc.get("cell"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m refnn.testing.worker")
    parser.add_argument("path")
    parser.add_argument("--examples", type=int, default=DEFAULT_EXAMPLES)
    parser.add_argument("--strict", action="store_true", help="refnn's exact contract instead of the book's")
    args = parser.parse_args(argv)
    proto_in, out = _channels()
    faulthandler.enable(sys.stderr)  # a segfault still names the reader's line on stderr
    os.environ.setdefault("MPLBACKEND", "Agg")  # plt.show() must not wait for a window

    from refnn.testing.loader import LoadError, definition, load, read_cells

    try:
        cells = read_cells(args.path)
    except LoadError as exc:
        _send(out, {"event": "error", "kind": "load", "text": str(exc)})
        return 2
    try:  # everything the check needs is imported before the reader's folder joins sys.path
        import refnn.testing.book  # noqa: F401
        import refnn.testing.runner  # noqa: F401
        from refnn.testing.spec import CORE, FAMILIES, KINDS, PROPERTIES, SPECS
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] != "hypothesis":
            raise
        _send(out, {"event": "error", "kind": "no_hypothesis", "text": str(exc)})
        return 2
    _send(out, {"event": "ready"})  # the time limit for running the file starts now
    started = time.perf_counter()
    loaded = load(args.path, cells)
    spelled = found_names(loaded.namespace)
    defined = {name: definition(loaded, as_, loaded.namespace[as_]) for name, as_ in spelled.items()}
    _send(out, {
        "event": "loaded",
        "found": {name: _kind_ok(SPECS[name].kind, loaded.namespace[as_]) for name, as_ in spelled.items()},
        "spelled": spelled,
        "defined": defined,
        "specs": {name: spec.kind for name, spec in SPECS.items()},
        "chapters": {name: "1" if spec.family == CORE else FAMILIES[spec.family].chapters
                     for name, spec in SPECS.items()},
        "descriptions": PROPERTIES,
        "kind_labels": KINDS,
        "warnings": loaded.warnings,
        "info": loaded.info,
        "seconds": time.perf_counter() - started,
    })
    for line in proto_in:
        name = line.strip()
        if not name:
            continue
        started = time.perf_counter()
        message = check_name(name, loaded.namespace[spelled[name]], args.examples, loaded.cells, out, args.strict,
                             defined.get(name))
        message["seconds"] = time.perf_counter() - started
        _send(out, message)
    return 0


if __name__ == "__main__":
    sys.exit(main())
