"""Python's own "Did you mean" hints, kept in the kit's texts of exceptions.

Python 3.10+ prints ``Did you mean: 'forward'?`` under an ``AttributeError`` or ``NameError`` only
when it prints the traceback itself; ``str(exc)`` lacks it (before 3.12 the ``traceback`` module
does too). The kit reports exceptions as text, so it adds the same hint.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from typing import Any

__all__ = ["suggest", "exception_text"]


_MOVE_COST = 2  # CPython's costs (Python/suggestions.c): a change of case costs 1, any other edit 2
_CASE_COST = 1


def _distance(a: str, b: str) -> int:
    row = [k * _MOVE_COST for k in range(len(b) + 1)]
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i * _MOVE_COST
        for j, cb in enumerate(b, 1):
            sub = 0 if ca == cb else _CASE_COST if ca.lower() == cb.lower() else _MOVE_COST
            prev, row[j] = row[j], min(row[j] + _MOVE_COST, row[j - 1] + _MOVE_COST, prev + sub)
    return row[-1]


def suggest(name: str, candidates: Iterable[Any]) -> str | None:
    """The closest of ``candidates`` to ``name`` when Python would call it a likely typo, else None."""
    best: tuple[int, str] | None = None
    for cand in candidates:
        if not isinstance(cand, str) or cand == name or cand.startswith("__"):
            continue
        d = _distance(name, cand)
        if d <= (len(name) + len(cand) + 3) * _MOVE_COST // 6 and (best is None or d < best[0]):
            best = (d, cand)
    return None if best is None else best[1]


def _hint(exc: BaseException) -> str | None:
    name = getattr(exc, "name", None)
    if not isinstance(name, str):
        return None
    if isinstance(exc, AttributeError):
        obj = getattr(exc, "obj", None)
        return None if obj is None else suggest(name, dir(obj))
    if isinstance(exc, NameError):
        tb = exc.__traceback__
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        if tb is None:
            return None
        frame = tb.tb_frame
        return suggest(name, [*frame.f_locals, *frame.f_globals, *dir(builtins)])
    return None


def exception_text(exc: BaseException) -> str:
    """``Type: message``, with Python's "Did you mean: '...'?" when Python would print one."""
    text = f"{type(exc).__name__}: {exc}"
    if "Did you mean" not in text:
        close = _hint(exc)
        if close is not None:
            text += f". Did you mean: '{close}'?"
    return text
