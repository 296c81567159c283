"""Trainer and clip_grads: shuffling, loss bookkeeping, clipping, determinism, no global state."""

from __future__ import annotations

import io
import subprocess
import sys
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataset import spiral
from refnn.models import TwoLayerNet
from refnn.optim import SGD
from refnn.trainer import Trainer, clip_grads
from tests.strategies import arrays, dims


class CountingModel:
    """A stand-in model: the k-th forward returns loss k (so every average in loss_list is
    known exactly), records each mini-batch, and sets a fixed gradient."""

    def __init__(self, grad: np.ndarray | None = None) -> None:
        self.params = [np.zeros(3), np.zeros((2, 2))]
        g = np.array([3.0, -4.0, 12.0]) if grad is None else grad
        self.grads = [np.zeros(3), np.zeros((2, 2))]
        self._grad = g
        self.calls = 0
        self.batches: list[tuple[np.ndarray, np.ndarray]] = []

    def forward(self, x: np.ndarray, t: np.ndarray) -> float:
        self.batches.append((x.copy(), t.copy()))
        self.calls += 1
        return float(self.calls)

    def backward(self, dout: float = 1.0) -> None:
        self.grads[0][...] = self._grad
        self.grads[1][...] = 1.0


class RecordingSGD(SGD):
    """SGD that remembers the global norm of the gradients it was given."""

    def __init__(self, lr: float = 0.1) -> None:
        super().__init__(lr)
        self.norms: list[float] = []

    def update(self, params: Any, grads: Any) -> None:
        self.norms.append(float(np.sqrt(sum(np.sum(g * g) for g in grads))))
        super().update(params, grads)


def _data(n: int) -> tuple[np.ndarray, np.ndarray]:
    """x[i] = (i, -i) and label t[i] = i, so a pair that stays aligned is visible."""
    x = np.stack([np.arange(n, dtype=np.float64), -np.arange(n, dtype=np.float64)], axis=1)
    return x, np.arange(n)


# --- the loop ----------------------------------------------------------------------------------

@settings(max_examples=60)
@given(n=st.integers(1, 40), data=st.data())
def test_loss_list_holds_the_average_of_each_interval(n: int, data: st.DataObject) -> None:
    batch = data.draw(st.integers(1, n))
    epochs = data.draw(st.integers(0, 4))
    interval = data.draw(st.integers(1, 7))
    x, t = _data(n)
    model = CountingModel()
    trainer = Trainer(model, SGD(lr=0.1), rng=0)
    trainer.fit(x, t, max_epoch=epochs, batch_size=batch, eval_interval=interval, verbose=False)
    iters = epochs * (n // batch)
    assert model.calls == iters
    assert len(trainer.loss_list) == iters // interval
    # losses are 1, 2, 3, ...: the k-th block of `interval` of them averages k*interval + (interval+1)/2
    want = [k * interval + (interval + 1) / 2 for k in range(iters // interval)]
    assert trainer.loss_list == want
    assert trainer.current_epoch == epochs


@settings(max_examples=60)
@given(n=st.integers(1, 40), seed=st.integers(0, 2**32 - 1), data=st.data())
def test_each_epoch_is_a_fresh_permutation_from_the_trainers_generator(
    n: int, seed: int, data: st.DataObject
) -> None:
    batch = data.draw(st.integers(1, n))
    epochs = data.draw(st.integers(1, 3))
    x, t = _data(n)
    x0, t0 = x.copy(), t.copy()
    model = CountingModel()
    Trainer(model, SGD(lr=0.1), rng=seed).fit(x, t, max_epoch=epochs, batch_size=batch,
                                               eval_interval=None, verbose=False)
    ref = np.random.default_rng(seed)
    iters = n // batch
    for e in range(epochs):
        perm = ref.permutation(n)[: iters * batch]
        got = model.batches[e * iters:(e + 1) * iters]
        assert all(bx.shape == (batch, 2) and bt.shape == (batch,) for bx, bt in got)
        xs = np.concatenate([bx for bx, _ in got])
        ts = np.concatenate([bt for _, bt in got])
        np.testing.assert_array_equal(ts, perm)  # this epoch's order, no sample twice
        np.testing.assert_array_equal(xs, x0[ts])  # x and t stay paired
    np.testing.assert_array_equal(x, x0)  # the caller's data are not shuffled in place
    np.testing.assert_array_equal(t, t0)


def _train(seed: int, epochs: int = 3, batch: int = 30) -> tuple[list[float], list[np.ndarray]]:
    x, t = spiral.load_data()
    model = TwoLayerNet(2, 5, 3, rng=seed)
    trainer = Trainer(model, SGD(lr=1.0), rng=seed)
    trainer.fit(x, t, max_epoch=epochs, batch_size=batch, eval_interval=2, verbose=False)
    return trainer.loss_list, model.params


@settings(max_examples=10)
@given(seed=st.integers(0, 2**32 - 1), batch=st.integers(1, 300))
def test_fit_is_deterministic_given_a_seed(seed: int, batch: int) -> None:
    epochs = 1 if batch < 30 else 3
    loss_a, params_a = _train(seed, epochs, batch)
    loss_b, params_b = _train(seed, epochs, batch)
    assert loss_a == loss_b
    for a, b in zip(params_a, params_b, strict=True):
        np.testing.assert_array_equal(a, b)


def test_different_seeds_shuffle_differently() -> None:
    assert _train(0)[0] != _train(1)[0]


def global_state_unchanged(action: Any) -> bool:
    """Whether ``action()`` leaves NumPy's global random state as it found it."""
    before = np.random.get_state()
    action()
    after = np.random.get_state()
    return bool(before[0] == after[0] and before[2:] == after[2:] and np.array_equal(before[1], after[1]))


def test_fit_does_not_touch_numpys_global_random_state() -> None:
    x, t = spiral.load_data()

    def fit() -> None:
        trainer = Trainer(TwoLayerNet(2, 5, 3, rng=1), SGD(lr=1.0))  # rng=None: a fresh generator
        trainer.fit(x, t, max_epoch=2, batch_size=30, verbose=False)

    assert global_state_unchanged(fit)


def test_global_state_check_sees_a_global_shuffle() -> None:
    """The check fails for a shuffle drawn from the global state (the book's np.random.permutation);
    the state is put back afterwards so that no other test is affected."""
    saved = np.random.get_state()
    try:
        assert not global_state_unchanged(lambda: np.random.permutation(10))
    finally:
        np.random.set_state(saved)


def test_training_on_the_spiral_lowers_the_loss() -> None:
    x, t = spiral.load_data()
    trainer = Trainer(TwoLayerNet(2, 10, 3, rng=0), SGD(lr=1.0), rng=0)
    trainer.fit(x, t, max_epoch=30, batch_size=30, eval_interval=10, verbose=False)
    assert len(trainer.loss_list) == 30
    assert trainer.loss_list[-1] < trainer.loss_list[0]


def test_max_grad_clips_before_every_update() -> None:
    x, t = _data(12)
    opt = RecordingSGD()
    model = CountingModel()  # gradient norm sqrt(9 + 16 + 144 + 4) > 13
    Trainer(model, opt, rng=0).fit(x, t, max_epoch=2, batch_size=4, max_grad=1.5, verbose=False)
    assert len(opt.norms) == 6 and max(opt.norms) <= 1.5
    unclipped = RecordingSGD()
    Trainer(CountingModel(), unclipped, rng=0).fit(x, t, max_epoch=1, batch_size=4, verbose=False)
    assert min(unclipped.norms) > 13


@pytest.mark.parametrize("kwargs, match", [
    ({"batch_size": 0}, "batch_size must be a positive integer"),
    ({"batch_size": 2.5}, "batch_size"),
    ({"batch_size": 11}, r"batch_size \(11\) exceeds the number of samples \(10\)"),
    ({"max_epoch": -1}, "max_epoch must be an integer >= 0"),
    ({"eval_interval": 0}, "eval_interval"),
    ({"max_grad": 0.0}, "max_grad"),
    ({"max_grad": float("nan")}, "max_grad"),
])
def test_bad_arguments_raise_value_error(kwargs: dict, match: str) -> None:
    x, t = _data(10)
    model = CountingModel()
    with pytest.raises(ValueError, match=match):
        Trainer(model, SGD(lr=0.1)).fit(x, t, **{"batch_size": 2, "verbose": False, **kwargs})
    assert model.calls == 0


def test_bad_data_raise_value_error() -> None:
    x, t = _data(10)
    trainer = Trainer(CountingModel(), SGD(lr=0.1))
    with pytest.raises(ValueError, match=r"different numbers of samples \(10 vs 9\)"):
        trainer.fit(x, t[:9], batch_size=2, verbose=False)
    with pytest.raises(ValueError, match="empty"):
        trainer.fit(x[:0], t[:0], batch_size=1, verbose=False)
    with pytest.raises(ValueError, match="sample axis"):
        trainer.fit(np.float64(1.0), t, batch_size=1, verbose=False)
    with pytest.raises(ValueError, match="rng"):
        Trainer(CountingModel(), SGD(lr=0.1), rng="seed")


# --- progress bar, plot, lazy imports ---------------------------------------------------------

def test_silent_when_stderr_is_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    x, t = _data(10)
    Trainer(CountingModel(), SGD(lr=0.1)).fit(x, t, max_epoch=3, batch_size=2, verbose=True)
    out, err = capsys.readouterr()
    assert out == "" and err == ""


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_terminal_unless_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    x, t = _data(10)
    term = _Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    Trainer(CountingModel(), SGD(lr=0.1)).fit(x, t, max_epoch=3, batch_size=2, eval_interval=1)
    assert "3/3" in term.getvalue()
    quiet = _Terminal()
    monkeypatch.setattr(sys, "stderr", quiet)
    Trainer(CountingModel(), SGD(lr=0.1)).fit(x, t, max_epoch=3, batch_size=2, verbose=False)
    assert quiet.getvalue() == ""


def test_plot_writes_a_png(tmp_path: Any) -> None:
    x, t = _data(10)
    trainer = Trainer(CountingModel(), SGD(lr=0.1), rng=0)
    trainer.fit(x, t, max_epoch=4, batch_size=2, eval_interval=3, verbose=False)
    fig = trainer.plot(tmp_path / "loss.png", ylim=(0, 25))
    assert (tmp_path / "loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    line = fig.axes[0].lines[0]
    np.testing.assert_array_equal(line.get_ydata(), trainer.loss_list)


def test_matplotlib_and_tqdm_are_imported_only_when_needed() -> None:
    code = (
        "import sys, numpy as np\n"
        "import refnn.trainer, refnn.optim, refnn.io\n"
        "from refnn.commands import train_spiral\n"
        "from refnn.models import TwoLayerNet\n"
        "x = np.zeros((4, 2)); t = np.array([0, 1, 2, 0])\n"
        "refnn.trainer.Trainer(TwoLayerNet(2, 3, 3, rng=0), refnn.optim.SGD()).fit(x, t, 1, 2)\n"
        "print(sorted(m for m in ('matplotlib', 'tqdm') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- clip_grads --------------------------------------------------------------------------------

def check_clip(clip: Any, grads: list[np.ndarray], max_norm: float) -> None:
    """Global norm <= max_norm afterwards, one common factor (direction kept), arrays kept,
    nothing touched when the norm is already within the bound."""
    before = [g.copy() for g in grads]
    ids = [id(g) for g in grads]
    total = float(np.sqrt(sum(np.sum(g * g) for g in before)))
    clip(grads, max_norm)
    assert [id(g) for g in grads] == ids, "clip_grads replaced an array instead of scaling it in place"
    after_norm = float(np.sqrt(sum(np.sum(g * g) for g in grads)))
    # the exact result is max_norm * total / (total + 1e-6) < max_norm; 1e-12 covers the rounding
    assert after_norm <= max_norm * (1 + 1e-12), f"global norm {after_norm} > max_norm {max_norm}"
    if total <= max_norm:
        for g, b in zip(grads, before, strict=True):
            np.testing.assert_array_equal(g, b, err_msg="clip_grads changed gradients within the bound")
        return
    rate = max_norm / (total + 1e-6)
    for i, (g, b) in enumerate(zip(grads, before, strict=True)):
        np.testing.assert_allclose(g, rate * b, rtol=1e-12, atol=0,
                                   err_msg=f"grads[{i}] not scaled by the common factor (direction changed)")


@st.composite
def grad_lists(draw: Any) -> list[np.ndarray]:
    shapes = draw(st.lists(st.one_of(dims(1), dims(2)), min_size=1, max_size=4))
    return [draw(arrays(s)) for s in shapes]


@given(grads=grad_lists(), max_norm=st.floats(1e-3, 20.0))
def test_clip_grads_bounds_the_global_norm_and_keeps_the_direction(grads: list, max_norm: float) -> None:
    total = float(np.sqrt(sum(np.sum(g * g) for g in grads)))
    assert clip_grads([g.copy() for g in grads], max_norm) == pytest.approx(total, rel=1e-12)
    check_clip(clip_grads, grads, max_norm)


def _clip_each_array(grads: list, max_norm: float) -> None:
    for g in grads:
        n = np.linalg.norm(g)
        if n > max_norm:
            g *= max_norm / n


def _clip_by_rebinding(grads: list, max_norm: float) -> None:
    total = np.sqrt(sum(np.sum(g * g) for g in grads))
    for i, g in enumerate(grads):
        grads[i] = g * min(1.0, max_norm / total)


def _clip_always(grads: list, max_norm: float) -> None:
    total = np.sqrt(sum(np.sum(g * g) for g in grads))
    for g in grads:
        g *= max_norm / (total + 1e-6)


def _clip_book_rule(grads: list, max_norm: float) -> None:
    """The book scales whenever max_norm / (total + 1e-6) < 1, also at or just below the bound."""
    total = np.sqrt(sum(np.sum(g * g) for g in grads))
    rate = max_norm / (total + 1e-6)
    if rate < 1:
        for g in grads:
            g *= rate


@pytest.mark.parametrize("broken, grads, max_norm", [
    (_clip_each_array, [np.array([0.9, 0.0]), np.array([0.0, 0.9])], 1.0),   # global norm 1.27
    (_clip_by_rebinding, [np.array([3.0]), np.array([4.0])], 1.0),
    (_clip_always, [np.array([0.3]), np.array([0.4])], 1.0),                  # scales up a small norm
    (_clip_book_rule, [np.array([1.0])], 1.0),                                # norm exactly at the bound
])
def test_clip_check_rejects_broken_clipping(broken: Any, grads: list, max_norm: float) -> None:
    check_clip(clip_grads, [g.copy() for g in grads], max_norm)
    with pytest.raises(AssertionError):
        check_clip(broken, grads, max_norm)


@pytest.mark.parametrize("bad", [0.0, -1.0, float("inf"), float("nan"), None, "1"])
def test_clip_grads_refuses_a_bad_bound(bad: Any) -> None:
    with pytest.raises(ValueError, match="max_norm"):
        clip_grads([np.ones(2)], bad)
