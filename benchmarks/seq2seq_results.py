"""Accuracy runs of chapters 7-8 with the book's settings; each case's results go to a JSON file.

    python benchmarks/seq2seq_results.py --case addition-peeky-reversed [--epochs 25] [--json PATH]

Cases (the data are written from their seeds by dataset.sequence into a temporary folder, nothing is
downloaded):

- ``addition-baseline``: Seq2seq, D = 16, H = 128, batch 128, Adam, clip 5.0, 25 epochs.
- ``addition-reversed``: the baseline Seq2seq with the questions reversed (the book's curve for reversal alone).
- ``addition-peeky-reversed``: PeekySeq2seq with the questions reversed, otherwise the same.
- ``date-attention``: AttentionSeq2seq, D = 16, H = 256, reversed questions, 10 epochs.

After every epoch the whole test split is answered by greedy generation (eval_seq2seq, as the book does)
and the accuracy, the epoch's training time and the last loss are recorded.  The JSON holds the settings,
every epoch, the machine and the commit.  These runs take minutes to an hour: they are not tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from dataset import sequence
from refnn.models import AttentionSeq2seq, PeekySeq2seq, Seq2seq
from refnn.optim import Adam
from refnn.trainer import Trainer, eval_seq2seq

CASES: dict[str, dict[str, Any]] = {
    "addition-baseline": {"model": Seq2seq, "data": "addition", "D": 16, "H": 128, "epochs": 25, "reverse": False},
    "addition-reversed": {"model": Seq2seq, "data": "addition", "D": 16, "H": 128, "epochs": 25, "reverse": True},
    "addition-peeky-reversed": {"model": PeekySeq2seq, "data": "addition", "D": 16, "H": 128, "epochs": 25,
                                "reverse": True},
    "date-attention": {"model": AttentionSeq2seq, "data": "date", "D": 16, "H": 256, "epochs": 10, "reverse": True},
}
BATCH, MAX_GRAD = 128, 5.0
RESULTS = Path(__file__).resolve().parent / "results"


def load(data: str, folder: Path) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    path = folder / f"{data}.txt"
    (sequence.write_addition if data == "addition" else sequence.write_date)(path)
    return sequence.load_data(path)


def accuracy(model: Any, x: np.ndarray, t: np.ndarray, id_to_char: dict[int, str], reverse: bool) -> float:
    correct = sum(eval_seq2seq(model, x[[i]], t[[i]], id_to_char, is_reverse=reverse) for i in range(len(x)))
    return correct / len(x)


def run(name: str, epochs: int | None = None, seed: int = 1984, test_size: int | None = None,
        path: Path | None = None, train_size: int | None = None) -> dict[str, Any]:
    """Train case `name`, answering the test split after every epoch; the JSON at `path` (if given) is
    rewritten after every epoch, so that an interrupted run keeps what it measured."""
    case = CASES[name]
    epochs = case["epochs"] if epochs is None else epochs
    source = _commit()  # the code as it was when the run started (it is in memory from here on)
    with tempfile.TemporaryDirectory() as folder:
        (x_train, t_train), (x_test, t_test) = load(case["data"], Path(folder))
    _, id_to_char = sequence.get_vocab()
    if case["reverse"]:
        x_train, x_test = x_train[:, ::-1], x_test[:, ::-1]
    if test_size is not None:
        x_test, t_test = x_test[:test_size], t_test[:test_size]
    if train_size is not None:
        x_train, t_train = x_train[:train_size], t_train[:train_size]
    model = case["model"](len(id_to_char), case["D"], case["H"], rng=seed)
    trainer = Trainer(model, Adam(), rng=seed)
    history = []
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        trainer.fit(x_train, t_train, max_epoch=1, batch_size=BATCH, max_grad=MAX_GRAD, eval_interval=20,
                    verbose=False)
        seconds = time.perf_counter() - start
        acc = accuracy(model, x_test, t_test, id_to_char, case["reverse"])
        history.append({"epoch": epoch, "train_seconds": round(seconds, 2), "test_accuracy": acc,
                        "last_loss": trainer.loss_list[-1] if trainer.loss_list else None})
        print(f"{name} epoch {epoch}: accuracy {acc:.4f}, {seconds:.1f} s", file=sys.stderr, flush=True)
        if path is not None:
            _write(path, _record(name, case, epochs, seed, len(x_train), len(x_test), history, source))
    result = _record(name, case, epochs, seed, len(x_train), len(x_test), history, source)
    if isinstance(model, AttentionSeq2seq):
        result["attention_examples"] = attention_examples(model, x_test, t_test, id_to_char, case["reverse"])
    return result


def attention_examples(model: AttentionSeq2seq, x: np.ndarray, t: np.ndarray, id_to_char: dict[int, str],
                       reverse: bool, count: int = 3) -> list[dict[str, Any]]:
    """The attention weights of the trained model on the first `count` test questions (the docs' heat map).

    As the book's visualisation, the decoder reads the correct answer (teacher forcing), so each row of
    `weights` belongs to one answer character; columns are the question's characters in reading order.
    """
    examples = []
    for k in range(count):
        q, answer = x[[k]], t[k]
        guess = model.generate(q, int(answer[0]), len(answer) - 1)
        model.forward(q, answer[None])
        weights = np.array(model.decoder.attention.attention_weights, dtype=np.float64)[:, 0, :]
        order = slice(None, None, -1) if reverse else slice(None)
        examples.append({
            "question": "".join(id_to_char[int(c)] for c in q[0, order]),
            "generated": "".join(id_to_char[int(c)] for c in guess),
            "correct": "".join(id_to_char[int(c)] for c in answer[1:]),
            "weights": np.round(weights[:, order], 4).tolist()})
    return examples


def _write(path: Path, result: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


def _record(name: str, case: dict[str, Any], epochs: int, seed: int, n_train: int, n_test: int,
            history: list[dict[str, Any]], source: dict[str, Any]) -> dict[str, Any]:
    return {"case": name, "model": case["model"].__name__, "data": case["data"], "wordvec_size": case["D"],
            "hidden_size": case["H"], "batch_size": BATCH, "max_grad": MAX_GRAD, "optimizer": "Adam(lr=0.001)",
            "reversed_input": case["reverse"], "epochs": epochs, "seed": seed, "test_questions": n_test,
            "train_examples": n_train, "epochs_done": len(history),
            "final_test_accuracy": history[-1]["test_accuracy"] if history else None, "history": history,
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "numpy": np.__version__,
                        "processor": platform.processor() or platform.machine()},
            **source}


def _commit() -> dict[str, Any]:
    """The checkout's commit and whether its code (refnn, dataset, this script) had uncommitted changes
    (None outside git); result files being rewritten do not count."""
    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(["git", *args], capture_output=True, text=True, check=True,
                                 cwd=Path(__file__).resolve().parent)
        except (OSError, subprocess.CalledProcessError):
            return None
        return out.stdout.strip()

    status = git("status", "--porcelain", "--untracked-files=no", "--", "refnn", "dataset", "benchmarks/*.py")
    return {"commit": git("rev-parse", "HEAD"), "uncommitted_changes": None if status is None else bool(status)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--case", choices=sorted(CASES), required=True)
    parser.add_argument("--epochs", type=int, default=None, help="default: the book's (25 or 10)")
    parser.add_argument("--seed", type=int, default=1984)
    parser.add_argument("--test-size", type=int, default=None, help="answer only the first questions (a smoke run)")
    parser.add_argument("--train-size", type=int, default=None, help="train on the first examples only (a smoke run)")
    parser.add_argument("--json", type=Path, default=None, help="default: benchmarks/results/seq2seq-<case>.json")
    args = parser.parse_args(argv)
    path = args.json or RESULTS / f"seq2seq-{args.case}.json"
    result = run(args.case, args.epochs, args.seed, args.test_size, path, args.train_size)
    _write(path, result)
    print(f"{args.case}: final test accuracy {result['final_test_accuracy']} -> {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
