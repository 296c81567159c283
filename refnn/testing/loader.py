"""Load a reader's file (``.py`` or ``.ipynb``) the way a notebook runs it: cell by cell.

독자의 파일을 노트북처럼 셀 단위로, 셀 안에서는 최상위 문장 단위로 실행합니다.
한 문장이 실패해도(예: `import matplotlib`이 없거나 데모 코드가 오타로 멈춤) 그 오류를
경고로 기록하고 다음 문장으로 넘어가므로, 그 뒤에 정의된 클래스와 함수는 그대로 검사할
수 있습니다.

Notes
-----
- `.py` 파일은 `# %%`나 `# In[3]:` 같은 셀 표시가 있으면 그 자리에서 셀로 나누고, 없으면
  파일 전체가 하나의 셀입니다. 줄 번호는 언제나 파일의 줄 번호 그대로입니다.
- `.ipynb` 파일은 코드 셀만 순서대로 읽고, 위치를 "셀 k, 줄 l"로 알려 줍니다.
- `%`나 `!`로 시작하는 IPython 매직·셸 줄은 (같은 들여쓰기의) `pass`로 바꿉니다.
  `%%`로 시작하는 셀 매직 셀은 파이썬이 아니므로 통째로 건너뜁니다.
- 문법 오류가 있는 셀은 경고로 알리고 건너뜁니다.
- 파일의 디렉터리를 `sys.path` 맨 앞에 넣고 현재 디렉터리로 삼습니다(노트북이
  `from dataset import spiral`처럼 옆의 파일을 읽는 경우). 이 모듈은 검사용
  하위 프로세스(`refnn.testing.worker`) 안에서만 쓰입니다.
"""

from __future__ import annotations

import ast
import json
import linecache
import os
import re
import sys
import traceback
import types
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Cell", "Location", "Loaded", "LoadError", "read_cells", "load", "user_location",
           "MODULE_NAME"]

#: The name under which the reader's file runs (not ``__main__``: a ``if __name__ == "__main__":``
#: block, typically a long training run, is not executed).
MODULE_NAME = "refnn_user_code"

#: Longest exception text kept in a report (some messages print whole arrays).
_TEXT_LIMIT = 500
_CELL_MARK = re.compile(r"^#\s*(%%|In\s*\[[^\]]*\]\s*:?)")
_MAGIC = re.compile(r"^([ \t]*)[%!].*$", re.MULTILINE)


class LoadError(Exception):
    """The file cannot be read at all (missing, not UTF-8, not a notebook, wrong suffix)."""


@dataclass(frozen=True)
class Cell:
    """One cell: its code (padded so that line numbers are the file's), where it comes from."""

    source: str
    filename: str  # the name compiled into its code objects (a notebook's cells: PATH#cellK)
    number: int | None = None  # 1-based code-cell number in a notebook, None in a .py file
    path: str = ""  # the file it comes from

    @property
    def where(self) -> tuple[str, int | None]:
        return (self.path or self.filename, self.number)


@dataclass(frozen=True)
class Location:
    """A place in the reader's file."""

    path: str
    line: int
    cell: int | None = None
    code: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "cell": self.cell, "code": self.code}


@dataclass
class Loaded:
    """The namespace after running the file, and what went wrong on the way."""

    namespace: dict[str, Any]
    cells: list[Cell]
    warnings: list[dict[str, Any]] = field(default_factory=list)


def _strip_magics(source: str) -> str:
    """Replace IPython magic and shell lines by ``pass`` (same indentation, same line count)."""
    return _MAGIC.sub(lambda m: m.group(1) + "pass", source)


def read_cells(path: str) -> list[Cell]:
    """The code cells of ``path`` in order (``.py``: split at cell marks; ``.ipynb``: code cells)."""
    path = os.path.abspath(path)
    if not os.path.isfile(path):
        raise LoadError(f"no such file: {path}")
    suffix = os.path.splitext(path)[1].lower()
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise LoadError(f"cannot read {path}: {exc}") from None
    if suffix == ".ipynb":
        try:
            nb = json.loads(text)
            raw = [c for c in nb["cells"] if c.get("cell_type") == "code"]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise LoadError(f"{path} is not a Jupyter notebook: {exc}") from None
        cells = []
        for k, cell in enumerate(raw, start=1):
            src = cell.get("source", "")
            src = "".join(src) if isinstance(src, list) else str(src)
            cells.append(Cell(src, f"{path}#cell{k}", k, path))
        return cells
    if suffix != ".py":
        raise LoadError(f"{path}: expected a .py file or a .ipynb notebook")
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if _CELL_MARK.match(line)]
    if not starts or starts[0] != 0:
        starts = [0] + starts
    bounds = starts + [len(lines)]
    # pad each cell with blank lines so that compiled line numbers are the file's
    return [Cell("\n" * a + "".join(lines[a:b]), path, None, path) for a, b in zip(bounds, bounds[1:])]


class _NoIPython:
    """Stands in for ``get_ipython()`` in scripts exported by nbconvert: every call does nothing."""

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None


def _library_roots() -> tuple[str, ...]:
    import refnn

    refnn_dir = os.path.dirname(os.path.abspath(refnn.__file__))
    roots = {refnn_dir, os.path.join(os.path.dirname(refnn_dir), "dataset"), sys.prefix, sys.base_prefix,
             sys.exec_prefix}
    return tuple(os.path.join(os.path.abspath(r), "") for r in roots)


def user_location(frames: list[traceback.FrameSummary], cells: list[Cell]) -> Location | None:
    """The innermost frame in the reader's code, or None.

    The reader's code is the checked file and any other Python file under its folder that it
    imports (``from my_layers import Affine``), but not refnn, the standard library or anything
    installed in the environment.
    """
    by_name = {c.filename: c for c in cells}
    folder = os.path.join(os.path.dirname(cells[0].path), "") if cells else None
    libraries = _library_roots()
    for frame in reversed(frames):
        if frame.lineno is None:
            continue
        code = linecache.getline(frame.filename, frame.lineno).strip()
        cell = by_name.get(frame.filename)
        if cell is not None:
            path, number = cell.where
            return Location(os.path.basename(path), frame.lineno, number, code)
        name = os.path.abspath(frame.filename)
        if folder and name.startswith(folder) and not name.startswith(libraries) and name.endswith(".py"):
            return Location(os.path.relpath(name, folder), frame.lineno, None, code)
    return None


def _register_source(filename: str, source: str) -> None:
    """Make tracebacks and reports show the code that ran (magics replaced by ``pass``)."""
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)


def load(path: str, cells: list[Cell] | None = None) -> Loaded:
    """Run ``path`` (or its ``cells`` read already) statement by statement; return its namespace.

    Raises
    ------
    LoadError
        When the file cannot be read. Errors while running it are warnings, not exceptions.
    """
    path = os.path.abspath(path)
    cells = read_cells(path) if cells is None else cells
    folder = os.path.dirname(path)
    sys.path.insert(0, folder)
    os.chdir(folder)
    sys.argv = [path]  # a script that parses its arguments sees none, not the worker's
    module = types.ModuleType(MODULE_NAME)
    module.__file__ = path
    sys.modules[MODULE_NAME] = module
    namespace = module.__dict__
    namespace["get_ipython"] = _NoIPython
    loaded = Loaded(namespace, cells)
    if cells and cells[0].number is None:  # a .py file: every cell has the file's name
        with open(path, encoding="utf-8") as fh:
            _register_source(path, _strip_magics(fh.read()))
    for cell in cells:
        body = cell.source.lstrip()
        if body.startswith("%%"):
            first = cell.source.count("\n", 0, len(cell.source) - len(body)) + 1
            loaded.warnings.append({"kind": "cell_magic", "path": os.path.basename(path), "cell": cell.number,
                                    "line": first, "code": body.splitlines()[0],
                                    "text": "cell magic: cell skipped"})
            continue
        source = _strip_magics(cell.source)
        if cell.number is not None:  # a notebook cell: its own name
            _register_source(cell.filename, source)
        try:
            tree = ast.parse(source, cell.filename)
        except SyntaxError as exc:
            loaded.warnings.append({
                "kind": "syntax", "path": os.path.basename(path), "cell": cell.number, "line": exc.lineno or 0,
                "text": f"SyntaxError: {exc.msg}", "code": (exc.text or "").strip(),
            })
            continue
        for stmt in tree.body:
            code = compile(ast.Module(body=[stmt], type_ignores=[]), cell.filename, "exec")
            try:
                exec(code, namespace)
            except (Exception, SystemExit) as exc:
                where = user_location(traceback.extract_tb(exc.__traceback__), cells)
                if where is None:  # raised inside a library: point at the statement
                    where = Location(os.path.basename(path), stmt.lineno, cell.number,
                                     linecache.getline(cell.filename, stmt.lineno).strip())
                loaded.warnings.append({"kind": "error", **where.to_dict(),
                                        "text": f"{type(exc).__name__}: {exc}"[:_TEXT_LIMIT]})
    return loaded
