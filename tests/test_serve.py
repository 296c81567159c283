"""`make serve`'s server script: a taken port is one line on stderr (exit 1), not a traceback."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "docs" / "scripts" / "serve.py"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=30)


def test_a_taken_port_is_one_line_naming_another_port() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for target in ("--check", "site"):
            proc = _run(str(port), target)
            assert proc.returncode == 1
            assert proc.stdout == ""
            lines = proc.stderr.splitlines()
            assert len(lines) == 1, proc.stderr
            assert f"port {port}" in lines[0] and "already in use" in lines[0]
            assert f"make serve PORT={port + 1}" in lines[0]


def test_a_free_port_passes_the_check() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = _run(str(port), "--check")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")
