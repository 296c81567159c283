"""The refnn command line: ``python -m refnn {train-spiral,check,bench} ...``.

Bad arguments end with a one-line error and exit code 2 (argparse's convention).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from refnn import __version__
from refnn.commands import COMMANDS


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr and exit code 2 (no usage block)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="refnn", description="refnn: 밑바닥부터 시작하는 딥러닝 2, 1–8장 참조 구현")
    parser.add_argument("--version", action="version", version=f"refnn {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"refnn.commands.{name}")
        except ModuleNotFoundError as exc:  # a command not built yet
            if exc.name != f"refnn.commands.{name}":
                raise
            continue
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(args.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
