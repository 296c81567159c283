"""`python -m refnn train-spiral`: output, files, the book's accuracy, and one-line errors."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from dataset import spiral
from refnn.__main__ import main
from refnn.commands.train_spiral import DEFAULT_LR
from refnn.io import load_params
from refnn.models import TwoLayerNet

ROOT = Path(__file__).resolve().parents[1]
PNG = b"\x89PNG\r\n\x1a\n"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "refnn", "train-spiral", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def accuracy_of(stdout: str) -> float:
    found = re.findall(r"^accuracy: (\d\.\d{3})$", stdout, flags=re.MULTILINE)
    assert len(found) == 1, stdout
    return float(found[0])


def test_book_settings_reach_095_and_write_the_three_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = run_cli("--out", str(out))  # the defaults are the book's: 300 epochs, batch 30, hidden 10, lr 1
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # no progress bar when stderr is not a terminal
    assert accuracy_of(proc.stdout) >= 0.95
    assert re.search(r"^final loss: \d+\.\d{4}$", proc.stdout, flags=re.MULTILINE)
    assert (out / "loss.png").read_bytes()[:8] == PNG
    assert (out / "decision_boundary.png").read_bytes()[:8] == PNG
    model = TwoLayerNet(2, 10, 3, rng=123)
    load_params(model, out / "params.npz")
    x, t = spiral.load_data()
    acc = np.mean(model.predict(x).argmax(axis=1) == t.argmax(axis=1))
    assert f"{acc:.3f}" == f"{accuracy_of(proc.stdout):.3f}"  # the saved parameters are the trained ones


def test_same_seed_same_result_and_out_dir_created(tmp_path: Path) -> None:
    a = run_cli("--epochs", "5", "--seed", "3", "--out", str(tmp_path / "a" / "b"))
    b = run_cli("--epochs", "5", "--seed", "3", "--hidden", "10")
    assert a.returncode == b.returncode == 0, a.stderr + b.stderr

    def results(s: str) -> list[str]:
        return [line for line in s.splitlines() if line.startswith(("final loss", "accuracy"))]

    assert results(a.stdout) == results(b.stdout)
    assert sorted(p.name for p in (tmp_path / "a" / "b").iterdir()) == [
        "decision_boundary.png", "loss.png", "params.npz"]


@pytest.mark.parametrize("args, match", [
    (["--epochs", "-1"], "epochs must be an integer >= 0"),
    (["--epochs", "ten"], "epochs must be an integer"),
    (["--optimizer", "lbfgs"], "invalid choice: 'lbfgs'"),
    (["--lr", "0"], "learning rate must be a positive finite number"),
    (["--lr", "nan"], "learning rate must be a positive finite number"),
    (["--batch-size", "0"], "batch size must be a positive integer"),
    (["--batch-size", "301"], "batch size must not exceed the 300 samples"),
    (["--hidden", "0"], "hidden size must be a positive integer"),
    (["--out", "{file}/sub"], "cannot write to --out"),
    (["--out", "{file}"], "cannot write to --out"),
])
def test_bad_arguments_give_one_line_and_exit_code_2(tmp_path: Path, args: list[str], match: str) -> None:
    a_file = tmp_path / "a_file"
    a_file.write_text("not a directory")
    proc = run_cli("--epochs", "1", *[a.replace("{file}", str(a_file)) for a in args])
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("refnn train-spiral: error: ") and match in lines[0], lines[0]
    assert proc.stdout == ""


@pytest.mark.parametrize("optimizer", sorted(DEFAULT_LR))
def test_every_optimizer_reaches_095_with_its_default_lr(
    optimizer: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """In process (no interpreter start-up): the README's table of optimizers rests on this."""
    assert main(["train-spiral", "--optimizer", optimizer, "--quiet"]) == 0
    out = capsys.readouterr().out
    assert f"optimizer: {optimizer} (lr {DEFAULT_LR[optimizer]:g})" in out
    assert accuracy_of(out) >= 0.95


def test_zero_epochs_is_allowed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train-spiral", "--epochs", "0", "--quiet"]) == 0
    assert 0.0 <= accuracy_of(capsys.readouterr().out) <= 1.0


def test_help_is_fast_and_lists_the_defaults() -> None:
    proc = run_cli("--help")
    assert proc.returncode == 0
    for name, lr in DEFAULT_LR.items():
        assert f"{name} {lr:g}" in " ".join(proc.stdout.split())


def test_help_is_korean_and_keeps_the_option_names() -> None:
    proc = run_cli("--help")
    assert proc.returncode == 0
    text = proc.stdout
    assert text.startswith("사용법: refnn train-spiral") and "옵션:" in text
    for option, words in [("--epochs", "에폭 수"), ("--batch-size", "미니배치 크기"), ("--hidden", "은닉층"),
                          ("--lr", "학습률"), ("--optimizer", "옵티마이저"), ("--seed", "시드"),
                          ("--out", "디렉터리"), ("--quiet", "진행 막대"), ("--help", "도움말")]:
        assert option in text and words in text, option
    assert "usage:" not in text and "show this help" not in text and "options:" not in text
