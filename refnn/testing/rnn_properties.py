"""Properties of chapters 5–6 (recurrent cells, Time layers, RNN language models).

Each property has chapter 1's signature ``prop(spec, impl, case)`` and raises
:class:`~refnn.testing.properties.SpecFailure`.  Chapter 1's layer properties (forward, shapes, dtype,
gradient, …) are reused as they are, with this module's references visible to them while they run and a
``backward`` returning ``None`` (``TimeEmbedding``'s) seen as "no input gradients".

The new properties are the structural identities of backpropagation through time: a Time layer equals
its cell chained T times (forward and backward), a stateful layer run over two halves equals one run,
``reset_state`` really resets, the gradient of the initial state (``dh``, ``dc``) matches finite
differences; and the loss's own: ignored entries count nowhere, the mean is over the counted entries,
an all-ignored batch is an error, the log-softmax is exact for huge scores.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from refnn.layers.core import Affine
from refnn.layers.embedding import Embedding
from refnn.layers.gated import GRU, LSTM
from refnn.layers.recurrent import RNN
from refnn.testing.cases import Case
from refnn.testing.contract import current
from refnn.testing.family import Family, Spec
from refnn.testing.properties import (
    FORWARD_ATOL,
    FORWARD_RTOL,
    SpecFailure,
)
from refnn.testing.rnn_cases import (
    IGNORE,
    MODEL_CASES,
    RNN_CASES,
    RNN_REFERENCES,
    steps,
    time_softmax_loss,
)
from refnn.testing.rnnlm_properties import MODEL_PROPERTIES, MODEL_PROPERTY_TEXT, _close, _gradient_check
from refnn.testing.word2vec_cases import book_bce
from refnn.testing.word2vec_properties import (
    _adapted,
    _copy,
    _Forwarding,
    _named,
    chapter1_properties,
    sigmoid_loss_correction,
)

__all__ = ["FAMILY", "RNN_PROPERTIES", "RNN_SPECS", "PROPERTY_TEXT", "InitialState"]



def _gates(case: Case) -> int:
    """1 (RNN), 3 (GRU) or 4 (LSTM): the width of Wh over its height."""
    return int(case.args[1].shape[1] // case.args[1].shape[0])


def _is_lstm(case: Case) -> bool:
    return _gates(case) == 4


# --- stateful Time layers -------------------------------------------------------------------------

class InitialState(_Forwarding):
    """A stateful Time layer seen as a function of (xs, h0[, c0]): set_state before every forward,
    backward returning (dxs, dh[, dc]) — so check_layer checks the gradient of the initial state."""

    def __init__(self, obj: Any, lstm: bool, c0: Any = None) -> None:
        self._obj, self._lstm = obj, lstm
        self._fixed_c0 = c0  # the book's TimeLSTM keeps only dh: c0 is then held fixed, not differentiated
        self.params, self.grads = obj.params, obj.grads

    def forward(self, xs: Any, h0: Any, c0: Any = None) -> Any:
        if self._lstm:
            self._obj.set_state(h0, c0 if self._fixed_c0 is None else self._fixed_c0.copy())
        else:
            self._obj.set_state(h0)
        return self._obj.forward(xs)

    def backward(self, dhs: Any) -> Any:
        dxs = self._obj.backward(dhs)
        dh = getattr(self._obj, "dh", None)
        with_dc = self._lstm and self._fixed_c0 is None
        dc = getattr(self._obj, "dc", None) if with_dc else None
        for what, d in (("dh", dh), ("dc", dc)) if with_dc else (("dh", dh),):
            if d is None:
                raise SpecFailure(f"backward 뒤 {what}가 없습니다 (초기 상태의 기울기여야 합니다)",
                                  f"no {what} after backward (it must hold the initial state's gradient)")
        return (dxs, dh, dc) if with_dc else (dxs, dh)


def prop_initial_state_gradient(spec: Any, impl: Any, case: Case) -> None:
    """Stateful, from a set_state(h0[, c0]): dxs, every grads[i] and dh (and dc) against finite differences."""
    lstm = _is_lstm(case)
    obj = impl(*[_copy(a) for a in case.args], stateful=True)
    if lstm and current().book("dh-only"):  # the book keeps dh only: dc is refnn's (--strict)
        _gradient_check(_named(InitialState, obj)(obj, lstm, case.meta["c0"]), case.inputs[0], case.meta["h0"],
                        dout=case.dout)
        return
    state = (case.meta["h0"], case.meta["c0"]) if lstm else (case.meta["h0"],)
    _gradient_check(_named(InitialState, obj)(obj, lstm), case.inputs[0], *state, dout=case.dout)


def prop_chained_cells(spec: Any, impl: Any, case: Case) -> None:
    """The Time layer equals T chained cells (refnn's RNN or LSTM, a new cell per step), forward and
    backward: hs, dxs, the parameter gradients summed over the steps, and dh (dc) of the initial state."""
    lstm = _is_lstm(case)
    Wx, Wh, b = case.args
    xs, dhs = case.inputs[0], case.dout
    N, T, _ = xs.shape
    H = Wh.shape[0]
    layer = impl(*[_copy(a) for a in case.args], stateful=True)
    h0, c0 = case.meta["h0"], case.meta["c0"]
    layer.set_state(h0.copy(), c0.copy()) if lstm else layer.set_state(h0.copy())
    hs = np.asarray(layer.forward(xs.copy()))
    dxs = np.asarray(layer.backward(dhs.copy()))
    cell_type: Any = {1: RNN, 3: GRU, 4: LSTM}[_gates(case)]
    cells = [cell_type(Wx.copy(), Wh.copy(), b.copy()) for _ in range(T)]
    h, c, want_hs = h0, c0, []
    for t, cell in enumerate(cells):
        if lstm:
            h, c = cell.forward(xs[:, t], h, c)
        else:
            h = cell.forward(xs[:, t], h)
        want_hs.append(h)
    _close("hs (셀을 이은 것과 비교)", "hs (against chained cells)", hs,
           np.stack(want_hs, axis=1) if T else np.zeros((N, 0, H)))
    dh, dc = np.zeros((N, H)), np.zeros((N, H))
    want_dxs: list[Any] = [None] * T
    for t in reversed(range(T)):
        if lstm:
            want_dxs[t], dh, dc = cells[t].backward(dhs[:, t] + dh, dc)
        else:
            want_dxs[t], dh = cells[t].backward(dhs[:, t] + dh)
    if T:
        _close("dxs (셀을 이은 것과 비교)", "dxs (against chained cells)", dxs, np.stack(want_dxs, axis=1))
    for i, g in enumerate(layer.grads):
        want = sum((cell.grads[i] for cell in cells), np.zeros_like(case.args[i]))
        _close(f"grads[{i}] (셀별 기울기의 합과 비교)", f"grads[{i}] (against the sum over the cells)", g, want)
    _close("dh (초기 상태의 기울기)", "dh (gradient of the initial state)", getattr(layer, "dh", None), dh)
    if lstm and not current().book("dh-only"):
        _close("dc (초기 기억 셀의 기울기)", "dc (gradient of the initial cell)", getattr(layer, "dc", None), dc)


def _state_of(layer: Any, lstm: bool) -> list[np.ndarray]:
    return [np.asarray(layer.h)] + ([np.asarray(layer.c)] if lstm else [])


def prop_stateful_halves(spec: Any, impl: Any, case: Case) -> None:
    """Stateful: forward over a first piece then a second equals one stateless run over both, and the
    state left behind is the last step's (h, and c for an LSTM)."""
    lstm = _is_lstm(case)
    xs, k = case.inputs[0], case.meta["split"]
    first, second = xs[:, :k], (xs[:, k:] if k < xs.shape[1] else xs)
    both = np.concatenate([first, second], axis=1)
    want = np.asarray(impl(*[_copy(a) for a in case.args]).forward(both.copy()))
    halves = impl(*[_copy(a) for a in case.args], stateful=True)
    got = np.concatenate([np.asarray(halves.forward(first.copy())), np.asarray(halves.forward(second.copy()))],
                         axis=1)
    lengths = f"({first.shape[1]}, {second.shape[1]})"
    _close(f"두 조각 {lengths}으로 나눈 순전파", f"forward in two pieces {lengths}", got, want)
    finals = list(steps(case, both)[1:])
    for what, a, b in zip(("h", "c"), _state_of(halves, lstm), finals):
        _close(f"남은 상태 {what}", f"the state {what} left behind", a, b)


def prop_reset_state(spec: Any, impl: Any, case: Case) -> None:
    """Stateful: after a forward from set_state(h0[, c0]) and reset_state(), a forward equals a fresh
    stateless layer's (it starts from zeros again)."""
    lstm = _is_lstm(case)
    xs = case.inputs[0]
    layer = impl(*[_copy(a) for a in case.args], stateful=True)
    h0, c0 = case.meta["h0"], case.meta["c0"]
    layer.set_state(h0.copy(), c0.copy()) if lstm else layer.set_state(h0.copy())
    layer.forward(xs.copy())
    layer.reset_state()
    got = np.asarray(layer.forward(xs.copy()))
    want = np.asarray(impl(*[_copy(a) for a in case.args]).forward(xs.copy()))
    _close("reset_state 뒤의 순전파", "forward after reset_state", got, want)


# --- TimeAffine and TimeEmbedding: one step at a time ---------------------------------------------

def prop_per_step(spec: Any, impl: Any, case: Case) -> None:
    """Equals chapter 1's Affine (chapter 4's Embedding) applied at each step: outputs, dx, and the
    parameter gradients summed over the steps."""
    layer = _adapted(impl)(*[_copy(a) for a in case.args])
    xs, dout = case.inputs[0], case.dout
    out = np.asarray(layer.forward(xs.copy()))
    back = layer.backward(dout.copy())
    T = xs.shape[1]
    cell_type: Any = Affine if spec.name == "TimeAffine" else Embedding
    cells = [cell_type(*[_copy(a) for a in case.args]) for _ in range(T)]
    want = [cell.forward(xs[:, t].copy()) for t, cell in enumerate(cells)]
    _close("출력 (시각별 계층과 비교)", "output (against a layer per step)", out, np.stack(want, axis=1))
    dx: list[Any] = [cell.backward(dout[:, t].copy()) for t, cell in enumerate(cells)]
    if spec.name == "TimeAffine":
        _close("dx (시각별 계층과 비교)", "dx (against a layer per step)", back, np.stack(dx, axis=1))
    for i, g in enumerate(layer.grads):
        total = sum((cell.grads[i] for cell in cells), np.zeros_like(case.args[i]))
        _close(f"grads[{i}] (시각별 기울기의 합과 비교)", f"grads[{i}] (against the sum over the steps)", g, total)


# --- TimeSoftmaxWithLoss --------------------------------------------------------------------------

def _loss_and_dx(impl: Any, xs: np.ndarray, ts: np.ndarray, dout: float = 1.0) -> tuple[float, np.ndarray]:
    layer = impl()
    loss = float(layer.forward(xs.copy(), ts.copy()))
    return loss, np.asarray(layer.backward(dout), dtype=np.float64)


def prop_ignored_entries(spec: Any, impl: Any, case: Case) -> None:
    """Ignored entries count nowhere: their dx is 0, changing their scores changes neither the loss nor
    dx, and the loss is the mean over the counted entries (a batch of only those gives the same loss)."""
    xs, ts = case.inputs
    loss, dx = _loss_and_dx(impl, xs, ts)
    ignored = ts == IGNORE
    if np.any(dx[ignored] != 0):
        raise SpecFailure("무시할 칸(ignore_label)의 dx가 0이 아닙니다", "dx is not 0 at ignored entries")
    other = np.where(ignored[..., None], xs + 1.7, xs)
    loss2, dx2 = _loss_and_dx(impl, other, ts)
    if not math.isclose(loss, loss2, rel_tol=FORWARD_RTOL, abs_tol=FORWARD_ATOL):
        raise SpecFailure(f"무시할 칸의 점수를 바꾸면 손실이 {loss!r}에서 {loss2!r}로 바뀝니다",
                          f"changing the ignored scores changes the loss from {loss!r} to {loss2!r}")
    _close("무시할 칸의 점수를 바꾼 뒤의 dx", "dx after changing the ignored scores", dx2, dx)
    counted = ~ignored
    only, _ = _loss_and_dx(impl, xs[counted][None], ts[counted][None])
    if not math.isclose(loss, only, rel_tol=FORWARD_RTOL, abs_tol=FORWARD_ATOL):
        raise SpecFailure(f"손실 {loss!r}이 셈에 넣은 {int(counted.sum())}칸만의 평균 {only!r}과 다릅니다",
                          f"the loss {loss!r} differs from the mean {only!r} over the {int(counted.sum())} "
                          "counted entries")


def prop_all_ignored_error(spec: Any, impl: Any, case: Case) -> None:
    """Every label ignored: a ValueError that says so (the book returns NaN from 0/0)."""
    xs, ts = case.inputs
    try:
        loss = impl().forward(xs.copy(), np.full_like(ts, IGNORE))
    except ValueError as exc:
        if "ignore" not in str(exc):
            raise SpecFailure(f"ValueError의 메시지가 ignore_label을 말하지 않습니다: {exc}",
                              f"the ValueError does not mention ignore_label: {exc}") from None
        return
    raise SpecFailure(f"모든 칸이 무시되었는데 손실 {loss!r}을 돌려줍니다 (ValueError여야 함)",
                      f"with every entry ignored the loss is {loss!r} (expected a ValueError)")


def prop_exact_log_softmax(spec: Any, impl: Any, case: Case) -> None:
    """Scores spread by ±1e4 (probabilities that underflow to 0): the loss is finite and exact, dx finite,
    no overflow, division by zero or invalid operation on the way."""
    xs, ts = case.inputs
    big = xs * 1e4
    with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
        try:
            loss, dx = _loss_and_dx(impl, big, ts)
        except FloatingPointError as exc:
            raise SpecFailure(f"큰 점수에서 부동소수점 오류: {exc}", f"floating-point error at large scores: {exc}") \
                from None
    want = time_softmax_loss(big, ts)
    if not (math.isfinite(loss) and math.isclose(loss, want, rel_tol=1e-9, abs_tol=1e-9)):
        raise SpecFailure(f"점수가 ±1e4 규모일 때 손실이 {loss!r}인데 {want!r}이어야 합니다",
                          f"with scores of order 1e4 the loss is {loss!r}, expected {want!r}")
    if not np.all(np.isfinite(dx)):
        raise SpecFailure("큰 점수에서 dx가 유한하지 않습니다", "dx is not finite at large scores")


def prop_labels_onehot(spec: Any, impl: Any, case: Case) -> None:
    """Labels (N, T) and their one-hot (N, T, V) give the same loss and dx (no entry ignored)."""
    xs, ts = case.inputs
    labels = np.where(ts == IGNORE, 0, ts)
    onehot = np.eye(xs.shape[2], dtype=np.int64)[labels]
    l1, d1 = _loss_and_dx(impl, xs, labels, case.dout)
    l2, d2 = _loss_and_dx(impl, xs, onehot, case.dout)
    if not math.isclose(l1, l2, rel_tol=FORWARD_RTOL, abs_tol=FORWARD_ATOL):
        raise SpecFailure(f"레이블로는 손실 {l1!r}, 원-핫으로는 {l2!r}입니다",
                          f"labels give loss {l1!r}, one-hot gives {l2!r}")
    _close("원-핫 정답의 dx", "dx for one-hot labels", d2, d1)


def prop_uniform_scores(spec: Any, impl: Any, case: Case) -> None:
    """Equal scores give loss ln V whatever the labels and the ignored entries."""
    xs, ts = case.inputs
    loss, _ = _loss_and_dx(impl, np.full_like(xs, xs.flat[0]), ts)
    V = xs.shape[2]
    if not math.isclose(loss, math.log(V), rel_tol=FORWARD_RTOL, abs_tol=FORWARD_ATOL):
        raise SpecFailure(f"모든 점수가 같으면 손실은 ln {V} = {math.log(V)!r}이어야 하는데 {loss!r}입니다",
                          f"equal scores must give ln {V} = {math.log(V)!r}, got {loss!r}")


# --- the table ------------------------------------------------------------------------------------

_LAYER = ("forward", "shapes", "dtype", "gradient", "no_mutation", "grads_inplace", "backward_twice",
          "linearity", "batch_mean")

RNN_PROPERTIES: dict[str, Callable[[Any, Any, Case], None]] = {
    **chapter1_properties(_LAYER, RNN_REFERENCES),
    "initial_state_gradient": prop_initial_state_gradient,
    "chained_cells": prop_chained_cells,
    "stateful_halves": prop_stateful_halves,
    "reset_state": prop_reset_state,
    "per_step": prop_per_step,
    "ignored_entries": prop_ignored_entries,
    "all_ignored_error": prop_all_ignored_error,
    "exact_log_softmax": prop_exact_log_softmax,
    "labels_onehot": prop_labels_onehot,
    "uniform_scores": prop_uniform_scores,
    **MODEL_PROPERTIES,
}

#: New property name → (Korean, English) description, for the registry's PROPERTIES.
PROPERTY_TEXT: dict[str, tuple[str, str]] = {
    "initial_state_gradient": ("set_state로 준 초기 상태에서 dxs·grads·dh(·dc)가 수치 미분과 같다",
                               "from set_state, dxs, grads and dh (and dc) match finite differences"),
    "chained_cells": ("T개의 셀을 이은 것과 순전파·역전파(dxs, grads의 합, dh, dc)가 같다",
                      "equals T chained cells, forward and backward (dxs, summed grads, dh, dc)"),
    "stateful_halves": ("stateful로 두 조각을 이어 돌린 것이 한 번에 돌린 것과 같고 마지막 상태를 남긴다",
                        "stateful over two pieces equals one run; the last state is kept"),
    "reset_state": ("reset_state 뒤에는 영벡터에서 다시 시작한다", "after reset_state the layer starts from zeros"),
    "per_step": ("시각마다 1·4장의 계층을 적용한 것과 같다(기울기는 시각의 합)",
                 "equals the chapter 1/4 layer applied per step (gradients summed)"),
    "ignored_entries": ("ignore_label인 칸은 손실·기울기에 들어가지 않고, 손실은 셈에 넣은 칸의 평균",
                        "ignored entries count in neither loss nor gradient; the loss is the mean over counted"),
    "all_ignored_error": ("모든 칸이 무시되면 ValueError(책은 NaN)", "all entries ignored: ValueError (the book: NaN)"),
    "exact_log_softmax": ("점수가 ±1e4 규모여도 손실이 유한하고 정확(책은 inf)",
                          "finite and exact loss for scores of order 1e4 (the book: inf)"),
    "labels_onehot": ("레이블과 원-핫이 같은 손실·기울기", "labels and one-hot give the same loss and gradient"),
    "uniform_scores": ("모든 점수가 같으면 손실 = ln V", "equal scores give loss ln V"),
    **MODEL_PROPERTY_TEXT,
}

_BACKPROP = ("forward", "shapes", "dtype", "gradient", "no_mutation", "backward_twice", "linearity")
_WITH_PARAMS = _BACKPROP + ("grads_inplace",)
_TIME = _WITH_PARAMS + ("initial_state_gradient", "chained_cells", "stateful_halves", "reset_state")


def _rows() -> dict[str, Spec]:
    rows = [
        Spec("RNN", "layer", _WITH_PARAMS, module="refnn.layers"),
        Spec("TimeRNN", "layer", _TIME, module="refnn.layers"),
        Spec("LSTM", "layer", _WITH_PARAMS, module="refnn.layers"),
        Spec("TimeLSTM", "layer", _TIME, module="refnn.layers"),
        Spec("TimeEmbedding", "layer", _WITH_PARAMS + ("per_step",), module="refnn.layers"),
        Spec("TimeAffine", "layer", _WITH_PARAMS + ("per_step",), module="refnn.layers"),
        # the book's backward mutates its cached softmax: backward_twice and linearity are refnn's promises
        Spec("TimeSoftmaxWithLoss", "loss", ("forward", "shapes", "dtype", "gradient", "no_mutation", "batch_mean",
                                             "ignored_entries", "labels_onehot", "uniform_scores"),
             ("backward_twice", "linearity", "all_ignored_error", "exact_log_softmax"), module="refnn.layers"),
        Spec("GRU", "layer", _WITH_PARAMS, module="refnn.layers"),
        Spec("TimeGRU", "layer", _TIME, module="refnn.layers"),
        Spec("TimeBiLSTM", "layer", _WITH_PARAMS + ("bidirectional",), module="refnn.layers"),
        Spec("TimeSigmoidWithLoss", "loss", _BACKPROP + ("batch_mean",), module="refnn.layers"),
        Spec("TimeDropout", "layer", ("dtype", "no_mutation", "backward_twice", "linearity", "dropout_gradient",
                                      "dropout_mask", "dropout_eval_identity", "dropout_expectation", "dropout_rng"),
             ("dropout_eval_backward",), module="refnn.layers"),
    ]
    model = ("model_gradient", "model_dtype", "model_reproducible", "model_stateful")
    rows += [Spec(name, "model", model, module="refnn.models.rnnlm") for name in ("SimpleRnnlm", "Rnnlm")]
    rows.append(Spec("BetterRnnlm", "model", model + ("tied_weight",), module="refnn.models.rnnlm"))
    return {s.name: s for s in rows}


#: Chapters 5–6 as registered in ``refnn.testing.spec.FAMILIES``.
def probe_time_sigmoid_with_loss(impl: Any) -> set[str]:
    """{"log-1e-7"} when the loss at xs = -20, ts = 1 is the book's -log(σ(-20) + 1e-7) ≈ 16.1 (exact: ≈ 20)."""
    xs, ts = np.array([[-20.0]]), np.array([[1]])
    loss = float(impl().forward(xs, ts))
    return {"log-1e-7"} if math.isclose(loss, book_bce(xs, ts), rel_tol=1e-9) else set()


FAMILY = Family("rnnlm", "5–6", _rows(), RNN_PROPERTIES, {**RNN_CASES, **MODEL_CASES}, PROPERTY_TEXT,
                {"TimeSigmoidWithLoss": probe_time_sigmoid_with_loss},
                # the book's per-step SigmoidWithLoss: (book − exact) loss over all N·T entries, as chapter 4's
                {"TimeSigmoidWithLoss": sigmoid_loss_correction})
#: The rows chapters 5–6 add to ``refnn.testing.SPECS`` (``family="rnnlm"``).
RNN_SPECS: dict[str, Spec] = dict(FAMILY.specs)
