"""`python -m refnn check` on the files in tests/fixtures/check, run as a reader would run it.

Each broken fixture is the correct implementation with one planted bug; the check must name
that class, and only that class, on a FAIL line.  The seed notebook (as a .py file) must fail
exactly where its typos are, at their lines.  To keep the suite fast, the broken files are
checked with ``--spec`` (the broken name and a neighbour that shares its code or its kind);
the correct file, the seed notebook and one broken file are checked whole.

The readers' fixtures (a book-faithful ``booktree/`` with ``common/`` and ``ch01/``, a package with
relative imports, ``Relu``, ``self.parms``, ``backward()`` without dout, other eps forms, a
forward-only class, undefined annotations) are each checked once per contract, from another
working directory, and every name's verdict is asserted: PASS, PASS with which notes, or FAIL
with which property.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

from refnn.testing import check_class

FIXTURES = Path(__file__).parent / "fixtures" / "check"
SEED = FIXTURES / "seed_notebook.py"
#: Examples per property of each `refnn check` run: 10 under the ci profile, fewer in the quick default one
#: (the checker is derandomized, so each count gives the same report every time).
CI_PROFILE = os.environ.get("HYPOTHESIS_PROFILE") == "ci"
EXAMPLES = "10" if CI_PROFILE else "5"
#: The book-style fixtures of chapters 4-8 (many names each).
BOOK_EXAMPLES = EXAMPLES if CI_PROFILE else "3"
VERDICT = re.compile(r"^(PASS|FAIL) (\w+)", re.MULTILINE)
DEFINED = re.compile(r" \[[^\]]*\]")


def run_check(path: Path | str, *args: str, examples: str = EXAMPLES) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "refnn", "check", str(path), "--examples", examples, "--jobs", "1", *args],
        capture_output=True, text=True, encoding="utf-8", timeout=600,
    )


def verdicts(stdout: str) -> dict[str, str]:
    """Name -> PASS/FAIL, from the one-line-per-name part of the report (before the details)."""
    head = stdout.split("──")[0]
    found: dict[str, str] = {}
    for word, name in VERDICT.findall(head):
        assert name not in found, f"{name} reported twice:\n{stdout}"
        found[name] = word
    return found


def verdict_line(stdout: str, name: str) -> str:
    """The name's PASS/FAIL line, without the ``[where it was defined]`` part."""
    (line,) = [DEFINED.sub("", s, count=1) for s in stdout.splitlines()
               if re.match(rf"(PASS|FAIL) {name}( \[[^\]]*\])?(:|,|$)", s)]
    return line


def fail_line(stdout: str, name: str) -> str:
    line = verdict_line(stdout, name)
    assert line.startswith(f"FAIL {name}:"), line
    return line


def defined_at(stdout: str, name: str) -> str:
    """The ``[...]`` after the name on its verdict line: where it was defined (or imported from)."""
    (line,) = [s for s in stdout.splitlines() if re.match(rf"(PASS|FAIL) {name} \[", s)]
    return line.split("[", 1)[1].split("]", 1)[0]


def line_of(path: Path, text: str) -> int:
    """The 1-based line of ``path`` that contains ``text`` (exactly one)."""
    (n,) = [k for k, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line]
    return n


# --- a correct file passes; each planted bug is found, and only it -----------------------------


def test_correct_implementation_passes_every_name() -> None:
    proc = run_check(FIXTURES / "correct.py", examples="5")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    got = verdicts(proc.stdout)
    assert len(got) == 23 and set(got.values()) == {"PASS"}, proc.stdout
    assert "FAIL" not in proc.stdout


# file, the broken name, neighbours that must pass, text the report must hold for the broken name
BROKEN = [
    ("broken_dx.py", "Mul", ("Add",), "dx[0]"),
    ("broken_grads_entry.py", "Affine", ("MatMul",), "grads[1]"),
    ("broken_rebind.py", "MatMul", ("Affine",), "grads_inplace"),
    ("broken_accumulate.py", "Affine", ("MatMul",), "backward_twice"),
    ("broken_mutation.py", "ReLU", ("relu",), "no_mutation"),
    ("broken_forward_sign.py", "Sigmoid", ("sigmoid",), "gradient"),
    ("broken_loss_sum.py", "SoftmaxWithLoss", ("cross_entropy_error",), "batch_mean"),
    ("broken_onehot.py", "cross_entropy_error", ("SoftmaxWithLoss",), "onehot"),
    ("broken_optimizer.py", "Momentum", ("SGD",), "inplace"),
    ("broken_model.py", "TwoLayerNet", ("Affine",), "grads_inplace"),
    ("broken_exit.py", "Add", ("Mul",), "(종료 코드 3)"),
]


@pytest.mark.parametrize(("fixture", "broken", "neighbours", "evidence"), BROKEN, ids=[b[0] for b in BROKEN])
def test_planted_bug_fails_only_its_class(fixture: str, broken: str, neighbours: tuple[str, ...],
                                          evidence: str) -> None:
    proc = run_check(FIXTURES / fixture, "--spec", broken, *neighbours)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert verdicts(proc.stdout) == {broken: "FAIL", **{n: "PASS" for n in neighbours}}, proc.stdout
    details = proc.stdout.split(f"FAIL {broken} (")[1]
    assert evidence in details, proc.stdout


def test_whole_broken_file_in_english_names_only_the_typo_class() -> None:
    path = FIXTURES / "broken_typo.py"
    proc = run_check(path, "--lang", "en", examples="5")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    got = verdicts(proc.stdout)
    assert [n for n, v in got.items() if v == "FAIL"] == ["Repeat"], proc.stdout
    assert len(got) == 23, proc.stdout
    line = line_of(path, "axis=self.axsi")
    assert fail_line(proc.stdout, "Repeat") == (
        f"FAIL Repeat: shapes — AttributeError: 'Repeat' object has no attribute 'axsi' "
        f"(broken_typo.py, line {line})"
    )
    assert f"at: broken_typo.py, line {line}: return np.sum(dout, axis=self.axsi, keepdims=True)" in proc.stdout
    assert "counterexample (minimal input found by Hypothesis):" in proc.stdout
    assert re.search(r"[가-힣]", proc.stdout) is None, "Korean text left in the English report"


def test_infinite_loop_is_stopped_and_reported() -> None:
    # sigmoid runs after Branch, in a fresh worker: the file is loaded again once Branch is stopped
    proc = run_check(FIXTURES / "broken_loop.py", "--spec", "Branch", "sigmoid", "--timeout", "3")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert verdicts(proc.stdout) == {"Branch": "FAIL", "sigmoid": "PASS"}, proc.stdout
    assert fail_line(proc.stdout, "Branch") == (
        "FAIL Branch: shapes — 3초 안에 끝나지 않아 중단했습니다 (무한 루프?), 'shapes' 성질을 검사하던 중")


def test_segfault_is_reported_with_the_readers_line() -> None:
    path = FIXTURES / "broken_segfault.py"
    proc = run_check(path, "--spec", "Sum", "Repeat", "--lang", "en")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert verdicts(proc.stdout) == {"Sum": "FAIL", "Repeat": "PASS"}, proc.stdout
    line = fail_line(proc.stdout, "Sum")
    assert "the process running your code died" in line and "SIGSEGV" in line, line
    assert f"(broken_segfault.py, line {line_of(path, 'string_at(0)')})" in line


# --- the seed notebook ----------------------------------------------------------------------------


def test_seed_notebook_fails_at_its_typos() -> None:
    proc = run_check(SEED, "--jobs", "2")  # two workers share the names
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert verdicts(proc.stdout) == {
        "MatMul": "FAIL", "Affine": "FAIL", "Sigmoid": "PASS", "Softmax": "PASS", "SoftmaxWithLoss": "FAIL",
        "TwoLayerNet": "FAIL", "sigmoid": "PASS", "softmax": "PASS", "cross_entropy_error": "FAIL",
        "SGD": "PASS",
    }, proc.stdout
    typos = {
        "MatMul": ("np.matmult", "AttributeError: module 'numpy' has no attribute 'matmult'. Did you mean: 'matmul'?"),
        "Affine": ("self.W.T", "AttributeError: 'Affine' object has no attribute 'W'"),
        "cross_entropy_error": ("y.shpae", "AttributeError: 'numpy.ndarray' object has no attribute 'shpae'. "
                                           "Did you mean: 'shape'?"),
        "SoftmaxWithLoss": ("y.shpae", "AttributeError: 'numpy.ndarray' object has no attribute 'shpae'. "
                                       "Did you mean: 'shape'?"),
        "TwoLayerNet": ("layer.parms", "AttributeError: 'Affine' object has no attribute 'parms'. "
                                       "Did you mean: 'params'?"),
    }
    for name, (typo, error) in typos.items():
        line = fail_line(proc.stdout, name)
        assert line.endswith(f"{error} (seed_notebook.py, {line_of(SEED, typo)}번째 줄)"), line
    missing = "찾지 못함 (검사하지 않음): 1장: ReLU, Add, Mul, Branch, Repeat, Sum, relu, log_softmax, Momentum,"
    assert missing in proc.stdout


# --- notebooks, loading and exit code 2 -----------------------------------------------------------


def _notebook(cells: list[str]) -> str:
    def code(src: str) -> dict[str, object]:
        return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                "source": src.splitlines(keepends=True)}

    body = [code(c) for c in cells]
    body.insert(1, {"cell_type": "markdown", "metadata": {}, "source": ["# 계층 구현"]})
    return json.dumps({"cells": body, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def test_ipynb_runs_cell_by_cell_and_reports_cell_and_line(tmp_path: Path) -> None:
    sections = (FIXTURES / "correct.py").read_text(encoding="utf-8").split("\n# --- ")
    cells = ["%matplotlib inline\n!echo shell lines are skipped\nimport numpy as np"]
    cells += ["# --- " + s for s in sections[1:]]
    cells.append("%%timeit\nthis cell is not Python")
    cells.append("def ReLU(x):\n    return np.maximum(0, x)\n")  # a function where a class is expected
    cells.append("import os\nprint('{\"event\": \"result\"}')  # the reader's output cannot pose as the worker's\n"
                 "os.write(1, b'raw output on fd 1\\n')\nundefined_name + 1")
    cells.append("class Sum:\n    def __init__(self, axis=0):\n        self.params, self.grads = [], []\n"
                 "        self.axis = axis\n\n    def forward(self, x):\n        self.n = x.shape[self.axsi]\n"
                 "        return np.sum(x, axis=self.axis, keepdims=True)\n")
    path = tmp_path / "reader.ipynb"
    path.write_text(_notebook(cells), encoding="utf-8")
    proc = run_check(path, "--spec", "ReLU", "Sum", "Softmax", "Momentum", "--lang", "en")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert verdicts(proc.stdout) == {"ReLU": "FAIL", "Sum": "FAIL", "Softmax": "PASS", "Momentum": "PASS"}, \
        proc.stdout
    last = len(cells)
    assert fail_line(proc.stdout, "Sum").endswith(f"(reader.ipynb, cell {last}, line 7)")
    assert fail_line(proc.stdout, "ReLU").endswith("ReLU must be a class, but it is not")
    assert (f"reader.ipynb, cell {last - 1}, line 4: undefined_name + 1\n"
            "    NameError: name 'undefined_name' is not defined") in proc.stdout
    assert f"reader.ipynb, cell {last - 3}, line 1: %%timeit\n    a cell magic (%%) cell: skipped" in proc.stdout


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.py", "", "검사할 이름을 찾지 못했습니다"),
        ("notes.txt", "class Affine: pass\n", "불러올 수 없습니다"),
        ("broken.ipynb", "{not json", "불러올 수 없습니다"),
        ("exits.py", "import os\nos._exit(0)\n", "비정상 종료"),
        ("hangs.py", "while True:\n    pass\n", "1초 안에 파일 실행이 끝나지 않았습니다"),
    ],
)
def test_unloadable_or_empty_file_exits_2(tmp_path: Path, name: str, content: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    proc = run_check(path, "--timeout", "1" if name == "hangs.py" else "60")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert message in proc.stdout
    assert VERDICT.search(proc.stdout) is None


def test_missing_file_and_unknown_name_exit_2(tmp_path: Path) -> None:
    proc = run_check(tmp_path / "absent.py")
    assert proc.returncode == 2 and "no such file" in proc.stdout, proc.stdout
    proc = run_check(FIXTURES / "correct.py", "--spec", "Affine", "Afine")
    assert proc.returncode == 2 and "사양에 없는 이름: Afine" in proc.stderr, proc.stderr


# --- the same kit from Python, in-process ---------------------------------------------------------


def _module(name: str, monkeypatch: pytest.MonkeyPatch) -> object:
    monkeypatch.syspath_prepend(str(FIXTURES))
    spec = importlib.util.spec_from_file_location(f"fixture_{name}", FIXTURES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_check_class_reports_the_broken_property(monkeypatch: pytest.MonkeyPatch) -> None:
    few = settings(max_examples=10, database=None, derandomize=True, deadline=None)
    good = check_class(_module("correct", monkeypatch).MatMul, hypothesis_settings=few)  # type: ignore[attr-defined]
    assert good.passed, [r.message_en for r in good.failures]
    bad = check_class(_module("broken_rebind", monkeypatch).MatMul,  # type: ignore[attr-defined]
                      properties=["grads_inplace", "backward_twice"], hypothesis_settings=few)
    assert [(r.property, r.passed) for r in bad.results] == [("grads_inplace", False), ("backward_twice", True)]
    assert "self.grads[i][...]" in bad.failures[0].message_en
    assert "args[0] float64" in bad.failures[0].counterexample


# --- the book's contract (default) and refnn's (--strict): readers' code as readers write it ------------

#: Each fixture's expected verdict per name, (default, --strict): "PASS", "notes: <keys>" (PASS with those
#: notes: an errata anchor, "forward-only" or "no-dout"), or "FAIL <property>" (the property on the FAIL line).
BOOK_LAYERS = {
    "MatMul": ("PASS", "FAIL dout_dtype"),  # the book's dx takes a float64 dout's dtype (refnn keeps x's)
    "Affine": ("PASS", "FAIL dout_dtype"),
    "Sigmoid": ("PASS", "FAIL stability"),  # the book's 1 / (1 + exp(-x)) overflows at -1000 (refnn's extra promise)
    "Softmax": ("PASS", "FAIL nd"),  # the book's Softmax layer is 2-D only (refnn's takes (..., C))
    "SoftmaxWithLoss": ("notes: log-1e-7", "FAIL forward"),
    "softmax": ("notes: softmax-3d", "FAIL nd"),
    "cross_entropy_error": ("notes: log-1e-7", "FAIL forward"),
}
BOOK_FAITHFUL = {
    **BOOK_LAYERS,
    "TwoLayerNet": ("notes: log-1e-7", "FAIL forward"),
    "sigmoid": ("PASS", "FAIL stability"),
    "relu": ("PASS", "PASS"),
    "SGD": ("PASS", "PASS"),
    "Momentum": ("PASS", "PASS"),
    "Nesterov": ("notes: nesterov", "FAIL step"),
    "AdaGrad": ("PASS", "PASS"),
    "RMSprop": ("PASS", "PASS"),
    "Adam": ("PASS", "PASS"),
}
READERS: dict[str, tuple[tuple[str, ...], dict[str, tuple[str, str]]]] = {
    # a notebook in ch01/ doing sys.path.append('..') and importing the whole book-faithful common/
    "booktree/ch01/check_layers.ipynb": ((), BOOK_FAITHFUL),
    # a script with a `%` line continuation inside print(...), its model imported from a sibling file
    "booktree/ch01/train_custom_loop.py": ((), {"TwoLayerNet": ("notes: log-1e-7", "FAIL forward"),
                                                "SGD": ("PASS", "PASS")}),
    # common/layers.py on its own, from another working directory (`from common.np import *`)
    "booktree/common/layers.py": (("--spec", "MatMul", "SoftmaxWithLoss", "softmax"),
                                  {n: BOOK_LAYERS[n] for n in ("MatMul", "SoftmaxWithLoss", "softmax")}),
    "booktree/common/optimizer.py": (("--spec", "Nesterov", "Adam"), {"Nesterov": ("notes: nesterov", "FAIL step"),
                                                                     "Adam": ("PASS", "PASS")}),
    # `from .functions import ...`: loaded as the module common.layers
    "relpkg/common/layers.py": ((), {"Softmax": ("PASS", "FAIL nd"), "SoftmaxWithLoss": ("PASS", "FAIL dout_dtype"),
                                     "softmax": ("PASS", "PASS"), "cross_entropy_error": ("PASS", "PASS")}),
    "relu_spelling.py": ((), {"ReLU": ("FAIL no_mutation", "FAIL no_mutation"), "relu": ("PASS", "PASS")}),
    "parms_typo.py": ((), {"Affine": ("FAIL forward", "FAIL forward")}),
    "no_dout.py": (("--spec", "SoftmaxWithLoss", "TwoLayerNet"),
                   {"SoftmaxWithLoss": ("notes: no-dout", "FAIL messages"),
                    "TwoLayerNet": ("FAIL gradient", "FAIL gradient")}),
    "adam_eps.py": ((), {"RMSprop": ("notes: optimizer-eps", "FAIL step"),
                         "Adam": ("notes: optimizer-eps", "FAIL step")}),
    # strict: Affine fails only for its missing backward; the book's sigmoid also fails stability first
    "forward_only.py": ((), {"Affine": ("notes: forward-only", "FAIL backward"),
                             "Sigmoid": ("notes: forward-only", "FAIL stability")}),
    "future_annotations.py": ((), {"sigmoid": ("PASS", "PASS")}),
}
#: Text each report must hold (default report in Korean, --strict in English).
EVIDENCE = {
    "booktree/ch01/check_layers.ipynb": (
        ["PASS TwoLayerNet [two_layer_net.py:8에서 가져옴], 참고 1개",
         "PASS MatMul [../common/layers.py:7에서 가져옴]"],
        ["(measured cause: the book's Nesterov update", "(measured cause: adds 1e-7 inside the log"]),
    "booktree/ch01/train_custom_loop.py": (
        ["refnn의 dataset(", "PASS SGD [../common/optimizer.py:5에서 가져옴]"],
        ["refnn's dataset ("]),
    "booktree/common/layers.py": (["PASS MatMul [layers.py:7]"], []),
    "relu_spelling.py": (["FAIL ReLU [Relu, relu_spelling.py:6]: no_mutation"],
                         ["FAIL ReLU [Relu, relu_spelling.py:6]: no_mutation"]),
    "parms_typo.py": (["('parms'은(는) 'params'의 오타?)"], ["Affine lacks params of the book's protocol "
                                                          "(is 'parms' a typo for 'params'?)"]),
    "adam_eps.py": (["eps = 1e-8를 제곱근 밖에 더함", "eps = 1e-7를 제곱근 안에 더함"],
                    ["(measured cause: eps = 1e-8 added outside the square root"]),
    "no_dout.py": (["TwoLayerNet: grads["], ["backward() takes no dout (refnn's contract: backward(dout=1.0))"]),
}
RUNS = [(fixture, strict) for fixture in READERS for strict in (False, True)]
NOTE_KEYS = {"1.2": "forward-only", "dout": "no-dout"}


def judged(stdout: str) -> dict[str, str]:
    """Name -> "PASS", "notes: k1, k2" or "FAIL <property>", from the verdict lines and the note lines."""
    head = stdout.split("──")[0].splitlines()
    out: dict[str, str] = {}
    for k, line in enumerate(head):
        m = re.match(r"(PASS|FAIL) (\w+)(?: \[[^\]]*\])?(:? ?)(\S*)", line)
        if not m:
            continue
        word, name, _, prop = m.groups()
        notes = []
        for note in head[k + 1:]:
            if not note.startswith("  "):
                break
            anchor = re.search(r"errata/#([\w-]+)", note)
            notes.append(anchor.group(1) if anchor else next(v for k2, v in NOTE_KEYS.items() if k2 in note))
        if word == "FAIL":
            out[name] = f"FAIL {prop}"
        else:
            out[name] = f"notes: {', '.join(notes)}" if notes else "PASS"
    return out


@pytest.mark.parametrize(("fixture", "strict"), RUNS, ids=[f"{f}-{'strict' if s else 'book'}" for f, s in RUNS])
def test_readers_code_is_judged_against_the_chosen_contract(fixture: str, strict: bool) -> None:
    args, table = READERS[fixture]
    lang = "en" if strict else "ko"
    proc = run_check_from(Path(tempfile.gettempdir()), FIXTURES / fixture, *args, "--lang", lang,
                          *(["--strict"] if strict else []))
    want = {name: verdict[1 if strict else 0] for name, verdict in table.items()}
    assert judged(proc.stdout) == want, proc.stdout + proc.stderr
    assert proc.returncode == (1 if any(v.startswith("FAIL") for v in want.values()) else 0), proc.stdout
    errors = "errors while running the file" if lang == "en" else "파일을 실행하며 난 오류"
    if fixture == "future_annotations.py":  # NameError at the class statement, as under python3
        assert f"future_annotations.py, {'line 17' if strict else '17번째 줄'}" in proc.stdout
        assert "NameError: name 'Tensor' is not defined" in proc.stdout
        assert "Sigmoid" in proc.stdout.split("not found" if strict else "찾지 못함")[1].splitlines()[0]
    else:  # the `%` continuation is Python; `%matplotlib` in the notebook is a magic
        assert errors not in proc.stdout, proc.stdout
    for text in EVIDENCE.get(fixture, ([], []))[1 if strict else 0]:
        assert text in proc.stdout, proc.stdout
    assert re.search(r"[가-힣]", proc.stdout) is None or lang == "ko"


def run_check_from(cwd: Path, path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``refnn check`` run from another working directory than the file's (the book's layout must not care)."""
    return subprocess.run(
        [sys.executable, "-m", "refnn", "check", str(path), "--examples", "5", "--jobs", "1", *args],
        capture_output=True, text=True, encoding="utf-8", timeout=600, cwd=cwd,
    )


# --- chapters 2-8: the same registry finds and judges the later chapters' names ----------------------

BOOK_TIME_LAYERS = FIXTURES / "book_time_layers.py"


def test_book_style_embedding_and_time_layers_pass_the_books_contract() -> None:
    """Embedding, SigmoidWithLoss (common/layers.py) and TimeAffine, TimeSoftmaxWithLoss (common/time_layers.py)
    in the book's style are found by their registry names and pass the book's contract (default mode); the
    sigmoid loss with the note on its log(y + 1e-7)."""
    proc = run_check(BOOK_TIME_LAYERS, examples=BOOK_EXAMPLES)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    f32 = "notes: float32"
    assert judged(proc.stdout) == {
        "sigmoid": "PASS", "Embedding": "PASS", "SigmoidWithLoss": "notes: log-1e-7", "TimeAffine": "PASS",
        "TimeSoftmaxWithLoss": "PASS", "RNN": "PASS", "LSTM": "PASS", "GRU": "PASS", "TimeRNN": f32,
        "TimeLSTM": "notes: time-lstm-dc, float32", "TimeGRU": f32, "TimeEmbedding": f32, "TimeBiLSTM": f32,
        "TimeSigmoidWithLoss": "notes: float32, log-1e-7", "TimeDropout": "notes: float32, global-random-state",
    }, proc.stdout
    missing = proc.stdout.split("찾지 못함")[1].splitlines()[0]
    assert "EmbeddingDot" in missing and "Rnnlm" in missing and "AttentionSeq2seq" in missing


def test_book_style_attention_layers_pass_the_books_contract() -> None:
    """ch08's WeightSum, AttentionWeight, Attention and TimeAttention in the book's style (weights repeated along
    the hidden axis, one Attention per step, common/layers.py's Softmax) pass the default mode."""
    proc = run_check(FIXTURES / "book_attention.py", examples=BOOK_EXAMPLES)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert judged(proc.stdout) == {"Softmax": "PASS", "softmax": "notes: softmax-3d", "WeightSum": "PASS",
                                   "AttentionWeight": "PASS", "Attention": "PASS", "TimeAttention": "PASS"}, proc.stdout


def test_the_books_way_of_running_still_fails_planted_bugs() -> None:
    """Built the book's way (global seed, float32 widened to float64, dh only): a dropped dh in TimeLSTM's
    backward, a TimeEmbedding that keeps one step's gradient and dropout scaled by (1 − p) each FAIL the
    default mode, on the property that sees the bug."""
    proc = run_check(FIXTURES / "book_broken_time.py", examples=BOOK_EXAMPLES)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert judged(proc.stdout) == {"TimeLSTM": "FAIL gradient", "TimeEmbedding": "FAIL gradient",
                                   "TimeDropout": "FAIL dropout_mask"}, proc.stdout


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # the book's NaN loss
def test_book_style_layers_fail_refnns_contract_only_where_the_book_differs(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """--strict (refnn's contract, in-process here): the book's TimeSoftmaxWithLoss changes its cached softmax,
    returns NaN when every label is ignored and takes log(0) for huge scores; its SigmoidWithLoss adds 1e-7 in
    the log; Embedding and TimeAffine keep passing."""
    few = settings(max_examples=10, database=None, derandomize=True, deadline=None)
    module = _module("book_time_layers", monkeypatch)
    for name in ("Embedding", "TimeAffine"):
        report = check_class(getattr(module, name), extended=True, hypothesis_settings=few)
        assert report.passed, (name, [r.message_en for r in report.failures])
    report = check_class(module.TimeSoftmaxWithLoss, extended=True, hypothesis_settings=few)  # type: ignore[attr-defined]
    assert [r.property for r in report.failures] == ["backward_twice", "linearity", "all_ignored_error",
                                                     "exact_log_softmax"]
    # the int labels make float32 scores give a float64 dx; exp(-x) overflows at x = -1e6
    report = check_class(module.SigmoidWithLoss, extended=True, hypothesis_settings=few)  # type: ignore[attr-defined]
    assert [r.property for r in report.failures] == ["forward", "dtype", "sigmoid_loss_stability"]


def test_a_forward_only_later_layer_is_checked_on_chapter_1s_forward_properties() -> None:
    """The §1.2 stage in a later chapter: an Embedding without backward yet is judged on forward, shapes, dtype
    and no_mutation (a family's own properties are taken to need backward), and passes."""
    import numpy as np

    from refnn.testing.book import measure
    from refnn.testing.runner import contract_properties, run_property
    from refnn.testing.spec import SPECS

    class Embedding:
        def __init__(self, W):
            self.params, self.grads = [W], [np.zeros_like(W)]

        def forward(self, idx):
            return self.params[0][idx]

    few = settings(max_examples=10, database=None, derandomize=True, deadline=None)
    contract = measure(SPECS["Embedding"], Embedding, strict=False)
    props = contract_properties(SPECS["Embedding"], contract)
    assert contract.forward_only and props == ["forward", "shapes", "dtype", "no_mutation"]
    assert all(run_property("Embedding", p, Embedding, few, contract).passed for p in props)


def test_book_style_negative_sampling_passes_the_books_contract() -> None:
    """ch04's sampler, negative-sampling loss, CBOW and SkipGram in the book's style (np.random's global state,
    ids assumed 0..V-1, 1e-7 in the log, float32 weights, no rng or dtype arguments) are built the book's way
    and pass the default mode, each with the notes that say how."""
    proc = run_check(FIXTURES / "book_negative_sampling.py", examples=BOOK_EXAMPLES)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert judged(proc.stdout) == {
        "Embedding": "PASS", "EmbeddingDot": "PASS",
        "SigmoidWithLoss": "notes: log-1e-7",
        "UnigramSampler": "notes: global-random-state, sampler-ids",
        "NegativeSamplingLoss": "notes: global-random-state, log-1e-7, sampler-ids",
        "CBOW": "notes: global-random-state, log-1e-7", "SkipGram": "notes: global-random-state, log-1e-7",
    }, proc.stdout


def test_the_books_way_of_sampling_still_fails_planted_bugs() -> None:
    """A sampler that keeps the target among its negatives, a loss whose negatives send no gradient to h and a
    CBOW that forgets the context average's 1 / (2·window) FAIL the default mode, judged the book's way."""
    proc = run_check(FIXTURES / "book_broken_negative_sampling.py", examples=BOOK_EXAMPLES)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert judged(proc.stdout) == {"UnigramSampler": "FAIL target_excluded",
                                   "NegativeSamplingLoss": "FAIL gradient_fixed_negatives",
                                   "CBOW": "FAIL model_gradient"}, proc.stdout


def test_book_style_language_models_pass_the_books_contract() -> None:
    """ch05's SimpleRnnlm (no predict) and ch06's Rnnlm and BetterRnnlm (W and W.T both in params) in the book's
    style, on the book-style layers, pass the default mode with the notes that say how they were run."""
    proc = run_check(FIXTURES / "book_rnnlm.py", "--spec", "SimpleRnnlm", "Rnnlm", "BetterRnnlm",
                     examples=BOOK_EXAMPLES)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    both = "float32, global-random-state"
    assert judged(proc.stdout) == {"SimpleRnnlm": f"notes: {both}, simple-rnnlm-predict", "Rnnlm": f"notes: {both}",
                                   "BetterRnnlm": f"notes: {both}, tied-transpose"}, proc.stdout


def test_the_books_way_of_running_models_still_fails_planted_bugs() -> None:
    """An Rnnlm whose backward stops before the embedding and a BetterRnnlm whose Affine holds a copy of W.T
    (no longer tied) FAIL the default mode."""
    proc = run_check(FIXTURES / "book_broken_rnnlm.py", examples=BOOK_EXAMPLES)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert judged(proc.stdout) == {"Rnnlm": "FAIL model_gradient", "BetterRnnlm": "FAIL tied_weight"}, proc.stdout


def test_book_style_seq2seq_models_pass_the_books_contract() -> None:
    """ch07's Seq2seq and PeekySeq2seq (h repeated along the time axis) and ch08's AttentionSeq2seq in the book's
    style, on the book-style layers, pass the default mode."""
    proc = run_check(FIXTURES / "book_seq2seq.py", "--spec", "Seq2seq", "PeekySeq2seq", "AttentionSeq2seq",
                     examples=BOOK_EXAMPLES)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    notes = "notes: float32, global-random-state"
    assert judged(proc.stdout) == {"Seq2seq": notes, "PeekySeq2seq": notes, "AttentionSeq2seq": notes}, proc.stdout


def test_the_books_way_of_running_seq2seq_still_fails_planted_bugs() -> None:
    """A Peeky decoder that drops h's gradient through the peek input and an attention decoder whose LSTM state
    gradient never reaches the encoder FAIL the default mode."""
    proc = run_check(FIXTURES / "book_broken_seq2seq.py", examples=BOOK_EXAMPLES)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert judged(proc.stdout) == {"PeekySeq2seq": "FAIL model_gradient",
                                   "AttentionSeq2seq": "FAIL model_gradient"}, proc.stdout


def test_the_checkers_own_process_leaves_hypothesis_and_the_registry_to_the_worker(tmp_path) -> None:
    """`refnn check` hands the file to a worker; its own process imports neither Hypothesis nor the registry
    (each costs a quarter second per run), and still groups the missing names by chapter."""
    script = ("import sys\nfrom refnn.__main__ import main\ncode = main(['check', sys.argv[1], '--jobs', '1', "
              "'--lang', 'en'])\nprint('heavy:', sorted(m for m in ('hypothesis', 'refnn.testing.spec', "
              "'refnn.testing.runner') if m in sys.modules))\n")
    reader = tmp_path / "reader.py"
    reader.write_text("x = 1\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", script, str(reader)], capture_output=True, text=True,
                          encoding="utf-8", timeout=600)
    assert "heavy: []" in proc.stdout, proc.stdout + proc.stderr
    assert "ch. 5–6: RNN, TimeRNN" in proc.stdout, proc.stdout
