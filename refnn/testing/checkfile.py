"""Check every specified name in a reader's file, each in a subprocess with a time limit.

독자의 파일에서 사양의 이름(`SPECS`)을 찾아, 이름마다 책 기준(`Spec.properties`, 측정한 책의 동작은
참고로)을, `strict=True`이면 refnn의 엄격한 기준(`Spec.all_properties`)을 검사합니다.
코드는 하위 프로세스(`refnn.testing.worker`)에서 실행되고, 이름 하나에 `timeout`초가 넘으면
그 프로세스를 끝내고 그 이름을 FAIL(시간 초과)로 기록한 뒤 새 프로세스로 나머지를 이어 갑니다.
프로세스가 죽으면(`os._exit`, 세그폴트) 그 이름이 FAIL(비정상 종료)이 됩니다.

Examples
--------
>>> from refnn.testing.checkfile import check_file
>>> report = check_file("my_notebook.ipynb", examples=20)  # doctest: +SKIP
>>> [o.name for o in report.outcomes if not o.passed]  # doctest: +SKIP
['Affine']
"""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

__all__ = ["check_file", "FileReport", "NameOutcome", "DEFAULT_TIMEOUT", "default_jobs"]

#: Seconds one name may take (all its properties) before its process is ended.
DEFAULT_TIMEOUT = 60.0
#: Seconds a worker may take to start (Python, NumPy, Hypothesis) before the reader's file runs.
_STARTUP = 120.0
_STDERR_TAIL = 20
_FAULT_FRAME = re.compile(r'File "(.+)", line (\d+)')


def default_jobs() -> int:
    """Worker processes run side by side: the CPU count, at most 4."""
    return max(1, min(4, os.cpu_count() or 1))


@dataclass
class NameOutcome:
    """What happened to one name: property results, or why its process did not finish."""

    name: str
    kind: str
    results: list[dict[str, Any]] = field(default_factory=list)
    problem: dict[str, Any] | None = None  # {"kind": "timeout" | "crash" | "wrong_kind" | "load", ...}
    seconds: float = 0.0
    notes: list[dict[str, Any]] = field(default_factory=list)  # the book's behaviours measured ({"ko", "en"})
    spelled: str = ""  # the name in the reader's file (``Relu`` for ``ReLU``)
    defined: dict[str, Any] | None = None  # {"path", "line", "cell", "imported"}

    @property
    def passed(self) -> bool:
        """No failure (possibly with notes: the book's contract holds)."""
        return self.problem is None and all(r["passed"] for r in self.results)

    @property
    def verdict(self) -> str:
        """``"PASS"``, ``"PASS with notes"`` or ``"FAIL"``."""
        if not self.passed:
            return "FAIL"
        return "PASS with notes" if self.notes else "PASS"

    @property
    def failures(self) -> list[dict[str, Any]]:
        return [r for r in self.results if not r["passed"]]


@dataclass
class FileReport:
    """The whole report on one file."""

    path: str
    requested: list[str] | None
    outcomes: list[NameOutcome] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # requested names the specification lacks
    specs: dict[str, str] = field(default_factory=dict)  # every specified name -> its kind
    descriptions: dict[str, list[str]] = field(default_factory=dict)  # property -> [ko, en]
    kind_labels: dict[str, str] = field(default_factory=dict)  # kind -> Korean label
    chapters: dict[str, str] = field(default_factory=dict)  # every specified name -> its chapters ("5–6")
    warnings: list[dict[str, Any]] = field(default_factory=list)
    info: list[dict[str, Any]] = field(default_factory=list)  # e.g. {"kind": "dataset", "path": ...}
    load_error: dict[str, Any] | None = None
    examples: int = 0
    seconds: float = 0.0
    strict: bool = False

    @property
    def exit_code(self) -> int:
        """0: everything found passes; 1: something fails; 2: not loadable or nothing to check."""
        if self.load_error is not None or self.unknown or not self.outcomes:
            return 2
        return 0 if all(o.passed for o in self.outcomes) else 1


class _Dead(Exception):
    """The worker ended or was ended; ``problem`` says how."""

    def __init__(self, problem: dict[str, Any]) -> None:
        super().__init__(problem.get("kind"))
        self.problem = problem


def _user_frame(path: str, text: str) -> dict[str, Any] | None:
    """The reader's innermost line in a faulthandler dump (most recent call first)."""
    from refnn.testing.loader import read_cells

    for filename, line in _FAULT_FRAME.findall(text):
        cell: int | None = None
        if filename == path:
            code_lines = open(path, encoding="utf-8").read().split("\n")
        elif filename.startswith(path + "#cell"):
            cell = int(filename[len(path) + 5:])
            code_lines = read_cells(path)[cell - 1].source.split("\n")
        else:
            continue
        n = int(line)
        code = code_lines[n - 1].strip() if 0 < n <= len(code_lines) else ""
        return {"path": os.path.basename(path), "line": n, "cell": cell, "code": code}
    return None


class _Worker:
    """One ``python -m refnn.testing.worker PATH`` process and its event stream."""

    def __init__(self, path: str, examples: int, load_timeout: float, home: str, strict: bool = False) -> None:
        self.path = path
        self.stderr: IO[bytes] = tempfile.TemporaryFile()
        # Hypothesis keeps a cache in its home directory: a temporary one, not the reader's folder
        env = dict(os.environ, MPLBACKEND="Agg", PYTHONIOENCODING="utf-8", HYPOTHESIS_STORAGE_DIRECTORY=home)
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "refnn.testing.worker", path, "--examples", str(examples)]
            + (["--strict"] if strict else []),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr, env=env,
            text=True, encoding="utf-8", bufsize=1,
        )
        self.events: queue.Queue[dict[str, Any] | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        self.current: str | None = None  # the property running now
        try:
            first = self._next(time.monotonic() + max(load_timeout, _STARTUP), "start")
            if first.get("event") == "ready":  # imports done: the file itself gets load_timeout
                first = self._next(time.monotonic() + load_timeout, "load")
        except _Dead:
            self.stderr.close()
            raise
        if first.get("event") != "loaded":
            self.close()
            raise _Dead({"kind": first.get("kind", "load"), "text": first.get("text", "")})
        self.loaded = first

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            try:
                self.events.put(json.loads(line))
            except ValueError:  # not ours: ignore
                continue
        self.events.put(None)

    def _stderr_tail(self) -> str:
        """The last lines the process wrote; from a fatal error (faulthandler), its first lines."""
        size = self.stderr.seek(0, os.SEEK_END)
        self.stderr.seek(max(0, size - 1_000_000))
        lines = self.stderr.read().decode("utf-8", "replace").rstrip().splitlines()
        fatal = [k for k, line in enumerate(lines) if line.startswith("Fatal Python error")]
        if fatal:
            return "\n".join(lines[fatal[-1]:fatal[-1] + _STDERR_TAIL])
        return "\n".join(lines[-_STDERR_TAIL:])

    def _next(self, deadline: float, stage: str) -> dict[str, Any]:
        try:
            event = self.events.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            self.kill()
            raise _Dead({"kind": "timeout", "stage": stage, "property": self.current}) from None
        if event is None:  # the process ended
            code = self.proc.wait()
            tail = self._stderr_tail()
            raise _Dead({"kind": "crash", "stage": stage, "property": self.current, "returncode": code,
                         "stderr": tail, "location": _user_frame(self.path, tail)})
        return event

    def run(self, name: str, timeout: float) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.current = None
        try:
            self.proc.stdin.write(name + "\n")
            self.proc.stdin.flush()
        except OSError:
            pass  # the process died: _next reports how
        deadline = time.monotonic() + timeout
        while True:
            event = self._next(deadline, "check")
            if event.get("event") == "start":
                self.current = event.get("property")
            elif event.get("event") == "result":
                return event

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.close()
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.kill()
        self.stderr.close()


def check_file(
    path: str,
    names: Iterable[str] | None = None,
    examples: int = 50,
    timeout: float = DEFAULT_TIMEOUT,
    jobs: int | None = None,
    strict: bool = False,
) -> FileReport:
    """Check the specified names found in ``path`` (all of them, or only ``names``).

    Parameters
    ----------
    path : str
        독자의 `.py` 파일이나 `.ipynb` 노트북.
    names : iterable of str, optional
        검사할 이름(기본값: `SPECS`의 모든 이름).
    examples : int
        성질마다 Hypothesis가 만드는 예제 수.
    timeout : float
        이름 하나(그 이름의 모든 성질)에 허용하는 초. 파일을 불러오는 데에도 같은 한도를 씁니다.
    jobs : int, optional
        나란히 돌릴 하위 프로세스 수(기본값: `default_jobs()`).
    strict : bool
        `False`(기본값): 책 기준으로 판정하고, 측정한 책의 동작은 참고(`NameOutcome.notes`)로 알림.
        `True`: refnn의 엄격한 기준(`tests/test_spec.py`가 refnn에 적용하는 것)으로 판정.

    Returns
    -------
    FileReport
        이름별 결과, 찾지 못한 이름, 불러오면서 난 경고, 종료 코드(`exit_code`).
    """
    report = FileReport(os.path.abspath(path), list(dict.fromkeys(names)) if names is not None else None,
                        examples=examples, strict=strict)
    with tempfile.TemporaryDirectory(prefix="refnn-check-") as home:
        _check(report, examples, timeout, jobs, home)
    return report


def _check(report: FileReport, examples: int, timeout: float, jobs: int | None, home: str) -> None:
    started = time.monotonic()
    path = report.path
    try:
        first = _Worker(path, examples, timeout, home, report.strict)
    except _Dead as dead:
        report.load_error = dead.problem
        report.seconds = time.monotonic() - started
        return
    found: dict[str, bool] = first.loaded["found"]
    report.specs = first.loaded["specs"]
    report.descriptions = first.loaded["descriptions"]
    report.kind_labels = first.loaded.get("kind_labels", {})
    report.chapters = first.loaded.get("chapters", {})
    report.warnings = first.loaded["warnings"]
    report.info = first.loaded.get("info", [])
    spelled = first.loaded.get("spelled", {})
    defined = first.loaded.get("defined", {})
    requested = report.requested if report.requested is not None else list(report.specs)
    report.unknown = [n for n in requested if n not in report.specs]
    if report.unknown:
        first.close()
        report.seconds = time.monotonic() - started
        return
    report.missing = [n for n in requested if n not in found]
    todo: queue.Queue[str] = queue.Queue()
    outcomes: dict[str, NameOutcome] = {}
    for name in requested:
        if name not in found:
            continue
        outcomes[name] = NameOutcome(name, report.specs[name], spelled=spelled.get(name, name),
                                     defined=defined.get(name))
        if found[name]:
            todo.put(name)
        else:
            outcomes[name].problem = {"kind": "wrong_kind"}

    stop = threading.Event()
    lock = threading.Lock()
    live = {first}

    def serve(worker: _Worker | None) -> None:
        try:
            while not stop.is_set():
                try:
                    name = todo.get_nowait()
                except queue.Empty:
                    break
                outcome = outcomes[name]
                t0 = time.monotonic()
                try:
                    if worker is None:
                        worker = _Worker(path, examples, timeout, home, report.strict)
                        with lock:
                            live.add(worker)
                    result = worker.run(name, timeout)
                    outcome.results = result["results"]
                    outcome.notes = result.get("notes", [])
                except _Dead as dead:
                    outcome.problem = dead.problem
                    if worker is not None:
                        worker.close()
                        with lock:
                            live.discard(worker)
                    worker = None
                outcome.seconds = time.monotonic() - t0
        finally:
            if worker is not None:
                worker.close()

    count = min(jobs or default_jobs(), max(1, todo.qsize()))
    threads = [threading.Thread(target=serve, args=(first if k == 0 else None,), daemon=True)
               for k in range(count)]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            while thread.is_alive():
                thread.join(0.2)  # a short wait keeps Ctrl-C responsive
    except KeyboardInterrupt:  # stop every worker: none may outlive the command
        stop.set()
        with lock:
            for worker in list(live):
                worker.kill()
        raise
    report.outcomes = [outcomes[n] for n in requested if n in outcomes]
    report.seconds = time.monotonic() - started
