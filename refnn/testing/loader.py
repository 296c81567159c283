r"""Load a reader's file (``.py`` or ``.ipynb``) the way Python and Jupyter run it: cell by cell.

독자의 파일을 노트북처럼 셀 단위로, 셀 안에서는 최상위 문장 단위로 실행합니다.
한 문장이 실패해도(예: `import matplotlib`이 없거나 데모 코드가 오타로 멈춤) 그 오류를
경고로 기록하고 다음 문장으로 넘어가므로, 그 뒤에 정의된 클래스와 함수는 그대로 검사할
수 있습니다.

Notes
-----
- `.py` 파일은 `# %%`나 `# In[3]:` 같은 셀 표시가 있으면 그 자리에서 셀로 나누고, 없으면
  파일 전체가 하나의 셀입니다. 줄 번호는 언제나 파일의 줄 번호 그대로입니다. `.py` 파일의
  모든 줄은 파이썬입니다(`%`로 시작하는 줄도 앞 줄의 괄호 안이면 `%` 연산자).
- `.ipynb` 파일은 코드 셀만 순서대로 읽고, 위치를 "셀 k, 줄 l"로 알려 줍니다. 문장이 시작하는
  자리(열린 괄호·문자열·`\` 줄 잇기의 밖)에서 `%`나 `!`로 시작하는 줄만 IPython 매직·셸
  줄로 보고 (같은 들여쓰기의) `pass`로 바꿉니다. `%%`로 시작하는 셀 매직 셀은 통째로 건너뜁니다.
- 문법 오류가 있는 셀은 경고로 알리고 건너뜁니다.
- 독자가 실행할 때처럼: 파일의 디렉터리를 `sys.path` 맨 앞에 넣고 현재 디렉터리로 삼습니다
  (`sys.path.append('..')`, `from dataset import spiral`). 패키지 안의 파일(`common/layers.py`가
  `from .functions import ...`나 `from common.np import *`를 쓰거나 폴더에 `__init__.py`가 있음)은
  그 패키지의 모듈(`common.layers`)로, 패키지의 부모 폴더도 `sys.path`에 넣고 실행합니다.
- 독자의 코드는 자기 모듈로 컴파일되므로 refnn의 `from __future__ import annotations`가 새지
  않습니다. 독자의 `dataset`이 없어서 refnn의 `dataset`을 쓰면 그렇게 알립니다(`Loaded.info`).
- 이 모듈은 검사용 하위 프로세스(`refnn.testing.worker`) 안에서만 쓰입니다.
"""

from __future__ import annotations

import ast
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import inspect
import json
import linecache
import os
import re
import sys
import traceback
import types
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from refnn.testing.hints import exception_text

__all__ = ["Cell", "Location", "Loaded", "LoadError", "read_cells", "load", "user_location",
           "definition", "MODULE_NAME"]

#: The name under which the reader's file runs (not ``__main__``: a ``if __name__ == "__main__":``
#: block, typically a long training run, is not executed).
MODULE_NAME = "refnn_user_code"

#: Longest exception text kept in a report (some messages print whole arrays).
_TEXT_LIMIT = 500
_CELL_MARK = re.compile(r"^#\s*(%%|In\s*\[[^\]]*\]\s*:?)")
_MAGIC = re.compile(r"^([ \t]*)[%!]")


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
    info: list[dict[str, Any]] = field(default_factory=list)  # {"kind": "dataset", "path": ...}
    defined: dict[str, tuple[Any, Location]] = field(default_factory=dict)  # top-level class/def -> where


def _statement_starts(lines: Sequence[str]) -> list[bool]:
    """For each line, whether a statement may begin there: outside brackets, strings and ``\\``
    continuations. A magic line at a statement start is IPython's whole line: it is not scanned."""
    starts: list[bool] = []
    depth, quote, continued = 0, "", False
    for line in lines:
        start = depth == 0 and not quote and not continued
        starts.append(start)
        continued = False
        if start and _MAGIC.match(line):
            continue
        i = 0
        while i < len(line):
            ch = line[i]
            if quote:
                if ch == "\\":
                    i += 2
                    continue
                if line.startswith(quote, i):
                    i += len(quote)
                    quote = ""
                    continue
            elif ch == "#":
                break
            elif ch in "'\"":
                quote = line[i:i + 3] if line[i:i + 3] in ('"""', "'''") else ch
                i += len(quote)
                continue
            elif ch in "([{":
                depth += 1
            elif ch in ")]}":
                depth = max(0, depth - 1)
            elif ch == "\\" and not line[i + 1:].strip():
                continued = True
            i += 1
        if len(quote) == 1:  # a one-line string ends with its line (or the code is wrong anyway)
            quote = ""
    return starts


def _strip_magics(source: str) -> str:
    """In a notebook cell, replace IPython magic and shell lines that begin a statement by ``pass``
    (same indentation, same line count); inside brackets ``%`` is Python's operator."""
    lines = source.split("\n")
    out = []
    for line, start in zip(lines, _statement_starts(lines)):
        m = _MAGIC.match(line) if start else None
        out.append(m.group(1) + "pass" if m else line)
    return "\n".join(out)


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


def _refnn_root() -> str:
    import refnn

    return os.path.dirname(os.path.dirname(os.path.abspath(refnn.__file__)))


class _RefnnDataset(importlib.abc.MetaPathFinder):
    """Last resort for ``import dataset``: refnn's own, when the reader's is not importable."""

    def __init__(self, root: str) -> None:
        self.root = root

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != "dataset":
            return None
        return importlib.machinery.PathFinder.find_spec(fullname, [self.root])


def _own_package(path: str, cells: list[Cell]) -> str | None:
    """The package the file belongs to, when it is written as a module of one: its folder has an
    ``__init__.py``, or the file imports relatively or from its folder's name (``from common.np import *``
    in ``common/layers.py``)."""
    folder = os.path.dirname(path)
    package = os.path.basename(folder)
    stem = os.path.splitext(os.path.basename(path))[0]
    if not (package.isidentifier() and stem.isidentifier()):
        return None
    if os.path.isfile(os.path.join(folder, "__init__.py")):
        return package
    for cell in cells:
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.level > 0 or (node.module or "").split(".")[0] == package):
                return package
            if isinstance(node, ast.Import) and any(a.name.split(".")[0] == package for a in node.names):
                return package
    return None


def _module(path: str, cells: list[Cell]) -> types.ModuleType:
    """The module the reader's code runs in: ``refnn_user_code``, or ``package.stem`` for a package's file."""
    folder = os.path.dirname(path)
    package = _own_package(path, cells)
    name = MODULE_NAME
    if package is not None:
        sys.path.insert(1, os.path.dirname(folder))  # where `import common` finds the package
        try:
            importlib.import_module(package)
            name = f"{package}.{os.path.splitext(os.path.basename(path))[0]}"
        except Exception:  # the package's __init__ fails: run the file on its own
            package = None
    module = types.ModuleType(name)
    module.__file__ = path
    if package is not None:
        module.__package__ = package
        module.__spec__ = importlib.util.spec_from_file_location(name, path)
        setattr(sys.modules[package], name.rsplit(".", 1)[1], module)
    sys.modules[name] = module
    return module


def _dataset_used(root: str) -> dict[str, Any] | None:
    """Which ``dataset`` the reader's code imported, when it is refnn's and not the reader's own."""
    ds = sys.modules.get("dataset")
    where = getattr(ds, "__file__", None) or next(iter(getattr(ds, "__path__", [])), None)
    if where is None:
        return None
    where = os.path.abspath(where)
    if where.startswith(os.path.join(root, "dataset", "")) or where == os.path.join(root, "dataset"):
        package = os.path.dirname(where) if where.endswith(".py") else where
        shown = os.path.relpath(package)  # from the reader's folder (the working directory now)
        return {"kind": "dataset", "path": shown if len(shown) < len(package) else package}
    return None


def definition(loaded: Loaded, name: str, obj: Any) -> dict[str, Any] | None:
    """Where ``obj`` (found as ``name``) was defined: the file's own top-level definition, or the file
    it was imported from (``imported``)."""
    own = loaded.defined.get(name)
    if own is not None and own[0] is obj:
        return {**own[1].to_dict(), "imported": False}
    filename, line = None, None
    code = getattr(obj, "__code__", None)
    if code is not None:
        filename, line = code.co_filename, code.co_firstlineno
    else:
        try:
            filename = inspect.getsourcefile(obj)
            line = inspect.getsourcelines(obj)[1]
        except (TypeError, OSError):
            return None
    if filename is None:
        return None
    by_name = {c.filename: c for c in loaded.cells}
    if filename in by_name:
        path, number = by_name[filename].where
        return {"path": os.path.basename(path), "line": line, "cell": number, "code": "", "imported": False}
    folder = os.path.dirname(loaded.cells[0].path) if loaded.cells else os.getcwd()
    return {"path": os.path.relpath(os.path.abspath(filename), folder), "line": line, "cell": None, "code": "",
            "imported": True}


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
    root = _refnn_root()
    # the reader's environment: their folder first; refnn's checkout only as the last resort for `dataset`
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != root]
    sys.path.insert(0, folder)
    sys.meta_path.append(_RefnnDataset(root))
    os.chdir(folder)
    sys.argv = [path]  # a script that parses its arguments sees none, not the worker's
    module = _module(path, cells)
    namespace = module.__dict__
    namespace["get_ipython"] = _NoIPython
    loaded = Loaded(namespace, cells)
    notebook = bool(cells) and cells[0].number is not None
    if not notebook:  # a .py file: every cell has the file's name, and every line is Python
        with open(path, encoding="utf-8") as fh:
            _register_source(path, fh.read())
    for cell in cells:
        body = cell.source.lstrip()
        if notebook and body.startswith("%%"):
            first = cell.source.count("\n", 0, len(cell.source) - len(body)) + 1
            loaded.warnings.append({"kind": "cell_magic", "path": os.path.basename(path), "cell": cell.number,
                                    "line": first, "code": body.splitlines()[0],
                                    "text": "cell magic: cell skipped"})
            continue
        source = _strip_magics(cell.source) if notebook else cell.source
        if notebook:  # a notebook cell: its own name
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
            # dont_inherit: the reader's code is its own module (refnn's __future__ imports must not apply)
            code = compile(ast.Module(body=[stmt], type_ignores=[]), cell.filename, "exec", dont_inherit=True)
            try:
                exec(code, namespace)
            except (Exception, SystemExit) as exc:
                where = user_location(traceback.extract_tb(exc.__traceback__), cells)
                if where is None:  # raised inside a library: point at the statement
                    where = Location(os.path.basename(path), stmt.lineno, cell.number,
                                     linecache.getline(cell.filename, stmt.lineno).strip())
                loaded.warnings.append({"kind": "error", **where.to_dict(),
                                        "text": exception_text(exc)[:_TEXT_LIMIT]})
                continue
            if isinstance(stmt, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                loaded.defined[stmt.name] = (namespace.get(stmt.name), Location(
                    os.path.basename(path), stmt.lineno, cell.number, ""))
    used = _dataset_used(root)
    if used is not None:
        loaded.info.append(used)
    return loaded
