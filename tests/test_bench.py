"""Smoke tests of the benchmark harness (refnn.benchmarks, `python -m refnn bench`).

Tiny sizes and few rounds only: the whole file runs in a few seconds. The real
measurements are `make bench`; these tests check that the harness interleaves,
summarises, judges targets, detects memory growth, and that the textbook
baseline it races against computes the same gradients as refnn (a wrong
baseline would make every ratio meaningless).
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from refnn.__main__ import main
from refnn.benchmarks import Config, run_benchmarks, textbook
from refnn.benchmarks import memory as bench_memory
from refnn.benchmarks.mlp import MLP, floor_step, make_data, make_params
from refnn.benchmarks.report import format_markdown, summary_rows
from refnn.benchmarks.timing import TORCH_MISSING, interleave, summarize
from refnn.models import TwoLayerNet

# --- timing: interleaving, medians, ratios, verdicts -------------------------------------


def test_interleave_alternates_contenders_round_by_round():
    order: list[str] = []
    clock = {"a": iter([9.0, 1.0, 3.0, 2.0]), "b": iter([9.0, 2.0, 6.0, 4.0])}
    contenders = {"a": lambda: next(clock["a"]), "b": lambda: next(clock["b"])}
    times = interleave(contenders, rounds=3, warmup=1, order=order)
    assert order == ["a", "b", "a", "b", "a", "b"]
    assert times == {"a": [1.0, 3.0, 2.0], "b": [2.0, 6.0, 4.0]}  # the warm-up call is dropped


def test_interleave_refuses_zero_rounds():
    with pytest.raises(ValueError, match="rounds"):
        interleave({"a": lambda: 1.0}, rounds=0)


def test_summarize_takes_the_ratio_of_medians_and_judges_the_target():
    times = {"refnn": [1.0, 5.0, 2.0], "other": [4.0, 4.0, 100.0], "slow": [9.0, 9.0, 9.0]}
    case = summarize("c", "title", "ms", times,
                     [("refnn", "other", 1.0), ("slow", "other", 1.0), ("refnn", "absent", 1.0)])
    ratios = {r["name"]: r for r in case["ratios"]}
    assert ratios["refnn/other"]["value"] == pytest.approx(0.5)  # median 2 / median 4
    assert ratios["refnn/other"]["paired"] == pytest.approx(0.25)  # median of 1/4, 5/4, 2/100
    assert ratios["refnn/other"]["met"] is True
    assert ratios["slow/other"]["met"] is False  # the verdict does go red
    assert "refnn/absent" not in ratios  # an unmeasured contender gives no ratio


def test_report_marks_a_missed_target():
    times = {"refnn": [3.0], "textbook": [2.0]}
    results = {"machine": {}, "rounds": 1,
               "cases": [summarize("chapter1", "t", "us", times, [("refnn", "textbook", 1.0)])]}
    rows = summary_rows(results)
    assert rows[0][:2] == ["chapter1", "refnn/textbook"] and rows[0][-1] == "**missed**"
    assert "**missed**" in format_markdown(results)


def test_report_in_korean_has_korean_headers_and_the_same_numbers():
    times = {"refnn": [3.0e-6], "textbook": [2.0e-6], "torch": [9.0e-6]}
    results = {
        "machine": {"cpu": "CPU", "cores": 2}, "rounds": 1, "date": "today",
        "config": {"epochs": 300, "batch_size": 30, "hidden": 10, "lr": 1.0},
        "cases": [summarize("chapter1", "English title", "us", times,
                            [("refnn", "textbook", 1.0), ("refnn", "torch", 0.5)])],
        "memory": {"skipped": "no resource module"},
    }
    en, ko = format_markdown(results), format_markdown(results, lang="ko")
    assert en == format_markdown(results, "en")
    assert "| 경우 | 비율 | 분자 | 분모 | 값 | 라운드별 비의 중앙값 | 목표 | 판정 |" in ko
    assert "| 경우 | 경쟁자 | 중앙값 | 최소 | 최대 |" in ko
    assert "| **미달** |" in ko and "| 달성 |" in ko and ko.startswith("측정: today")
    assert "1장 학습 한 스텝" in ko and "English title" not in ko and "`memory` 건너뜀" in ko
    for english in ("| case |", "verdict", "missed", "| met |", "Measured", "interleaved", "skipped"):
        assert english not in ko, english
    number = re.compile(r"\d+\.\d+ µs|\d\.\d{3}")
    assert number.findall(ko) == number.findall(en)  # the same measurements, only the words change
    with pytest.raises(ValueError, match="lang"):
        format_markdown(results, lang="fr")


# --- the textbook baseline computes what refnn computes -------------------------------------


class _BrokenSigmoid(textbook.Sigmoid):
    """Deliberately broken baseline: the factor `out` is missing from backward."""

    def backward(self, dout):
        return dout * (1.0 - self.out)


def _gradients(model, x, t):
    loss = model.forward(x, t)
    model.backward()
    return loss, [g.copy() for g in model.grads]


def _baseline_matches(make_baseline, sizes, seed) -> bool:
    N, D, H, C = sizes
    rng = np.random.default_rng(seed)
    ref = TwoLayerNet(D, H, C, rng=rng)
    for p in ref.params:  # weights large enough that every gradient entry matters
        p[...] = rng.standard_normal(p.shape)
    base = make_baseline([p.copy() for p in ref.params])
    x = rng.uniform(-2.0, 2.0, size=(N, D))
    t = np.eye(C, dtype=np.int64)[rng.integers(0, C, size=N)]
    _, grads_r = _gradients(ref, x, t)
    loss_b, grads_b = _gradients(base, x, t)
    # the baseline's loss is the book's -log(y + 1e-7) of refnn's probabilities y
    y = ref.loss_layer.y
    book_loss = -np.log(y[np.arange(N), t.argmax(axis=1)] + 1e-7).mean()
    return bool(np.isclose(loss_b, book_loss, rtol=1e-12, atol=0) and all(
        np.allclose(a, b, rtol=1e-10, atol=1e-13) for a, b in zip(grads_r, grads_b)))


def _broken_baseline(params):
    model = textbook.TwoLayerNet(*params)
    model.layers[1] = _BrokenSigmoid()
    return model


sizes = st.tuples(*(st.integers(1, 6) for _ in range(3)), st.integers(2, 6))


@given(sizes=sizes, seed=st.integers(0, 2**16))
def test_textbook_baseline_has_refnns_gradients(sizes, seed):
    assert _baseline_matches(lambda params: textbook.TwoLayerNet(*params), sizes, seed)


@given(sizes=sizes, seed=st.integers(0, 2**16))
def test_the_baseline_comparison_rejects_a_broken_baseline(sizes, seed):
    assert not _baseline_matches(_broken_baseline, sizes, seed)


def test_textbook_sgd_and_relu_follow_their_formulas():
    p, g = np.array([1.0, -2.0]), np.array([0.5, 0.25])
    textbook.SGD(lr=2.0).update([p], [g])
    assert p.tolist() == [0.0, -2.5]
    relu = textbook.ReLU()
    assert relu.forward(np.array([[-1.0, 2.0]])).tolist() == [[0.0, 2.0]]
    assert relu.backward(np.array([[3.0, 4.0]])).tolist() == [[0.0, 4.0]]


# --- the large-MLP contenders ---------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_mlp_step_keeps_dtype_and_floor_fills_its_buffers(dtype):
    rng = np.random.default_rng(0)
    sizes = (5, 7, 6, 3)
    params = make_params(sizes, dtype, rng)
    x, t = make_data(4, sizes, dtype, rng)
    model = MLP([p.copy() for p in params])
    loss = model.forward(x, t)
    dx = model.backward()
    assert np.isfinite(loss) and dx.shape == x.shape and dx.dtype == dtype
    assert [g.dtype for g in model.grads] == [np.dtype(dtype)] * 6
    weights = params[0::2]
    buffers = {"h": [np.full((4, w.shape[1]), np.nan, dtype) for w in weights],
               "g": [np.full((4, w.shape[0]), np.nan, dtype) for w in weights],
               "dW": [np.full_like(w, np.nan) for w in weights]}
    floor_step(x, weights, buffers)
    np.testing.assert_allclose(buffers["h"][0], x @ weights[0], rtol=1e-5)
    np.testing.assert_allclose(buffers["dW"][0], x.T @ buffers["g"][1], rtol=1e-4, atol=1e-5)
    assert all(np.isfinite(b).all() for group in buffers.values() for b in group)
    floor_step(x, weights)  # the allocating floor runs the same products


# --- whole runs, memory, CLI ----------------------------------------------------------------


def test_run_without_torch_skips_it_with_a_clear_message():
    cfg = Config.quick(rounds=1)
    cfg.epochs = 1
    cfg.cases = ("chapter1", "gradcheck")
    messages: list[str] = []
    results = run_benchmarks(cfg, torch=None, log=messages.append)
    assert TORCH_MISSING in messages and results["machine"]["torch"] is None
    chapter1 = results["cases"][0]
    assert set(chapter1["contenders"]) == {"refnn", "textbook"}
    assert chapter1["skipped"] == {"torch": TORCH_MISSING}
    assert [r["name"] for r in chapter1["ratios"]] == ["refnn/textbook"]
    losses = chapter1["notes"]["mean_loss_per_contender"]
    assert losses["refnn"] == pytest.approx(losses["textbook"], rel=1e-5)  # same training
    json.dumps(results)  # JSON-serialisable as written by --out


def test_memory_check_sees_no_growth_in_refnn_and_catches_a_leak():
    steady = bench_memory.run((10, 3000), impls=("refnn",))["impls"]["refnn"]
    assert steady["met"], steady
    leaky = bench_memory.run((10, 3000), impls=("refnn",), retain=True)["impls"]["refnn"]
    assert not leaky["met"], leaky  # ~1 KiB kept per step: several MiB over 3000 steps


def test_cli_writes_json_table_and_plot(tmp_path, capsys):
    out = tmp_path / "bench"
    code = main(["bench", "--quick", "--rounds", "1", "--cases", "chapter1", "--no-torch",
                 "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr()
    assert "refnn/textbook" in printed.out and "Quick run" in printed.out
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert data["quick"] is True and data["cases"][0]["case"] == "chapter1"
    assert (out / "table.md").read_text(encoding="utf-8") in printed.out
    assert (out / "bench.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_refuses_unknown_cases(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["bench", "--cases", "chapter1,nope"])
    assert exc.value.code == 2
    assert "cases must be" in capsys.readouterr().err


def test_recorded_products_redo_exactly_the_steps_products_and_restore_numpy():
    """The matmul floor of an iteration: every np.dot/np.matmul of one call, in order, with the operands'
    shapes and memory order; a weight used at every step is one copy; numpy is restored even after an error."""
    from refnn.benchmarks.products import record_products

    dot, matmul = np.dot, np.matmul
    W, x = np.ones((3, 4), dtype=np.float32), np.ones((2, 3), dtype=np.float32)

    def step() -> None:
        for _ in range(3):
            np.dot(x, W)  # the same operands at every "time step"
        np.dot(W.T, x.T)
        np.matmul(np.ones((5, 2, 3)), np.ones((5, 3, 4)))
        np.exp(x)  # not a product

    redo = record_products(step)
    assert (np.dot, np.matmul) == (dot, matmul)
    assert [(fn, a.shape, b.shape) for fn, a, b in redo.calls] == (
        [(dot, (2, 3), (3, 4))] * 3 + [(dot, (4, 3), (3, 2)), (matmul, (5, 2, 3), (5, 3, 4))])
    assert len({id(b) for _, _, b in redo.calls[:3]}) == 1  # one copy of W, as in the real steps
    transposed = redo.calls[3][1]
    assert transposed.flags.f_contiguous and not transposed.flags.c_contiguous  # W.T stays transposed
    redo()

    def broken() -> None:
        np.dot(x, W)
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        record_products(broken)
    assert (np.dot, np.matmul) == (dot, matmul)
