"""Properties of chapter 6's language models, TimeDropout and TimeBiLSTM (and the shared functions all chapter 5–6
properties share).  The table that names them is in :mod:`refnn.testing.rnn_properties`.

A language model is stateful, so a gradient check wraps it in `ResetPerForward`: every forward starts from
``reset_state()`` and the random generators of its dropout layers restart from the state they had when the
check began (the same masks at every evaluation).  A tied weight appears once in ``params``; the finite
differences of that one array see both of its uses, so the check confirms that its gradient is their sum.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from refnn.gradcheck import GradientMismatch, GradsRebound, check_layer
from refnn.layers.gated import TimeLSTM
from refnn.testing.bookstyle import tied_transposes
from refnn.testing.cases import Case
from refnn.testing.contract import current
from refnn.testing.properties import SpecFailure, _compare, _gradcheck_text
from refnn.testing.word2vec_properties import (
    FreshPerForward,
    Merged,
    _copy,
    _Forwarding,
    _global_state,
    _named,
    _same_global,
)

__all__ = ["MODEL_PROPERTIES", "MODEL_PROPERTY_TEXT", "ResetPerForward", "IDENTITY_ATOL", "IDENTITY_RTOL",
           "EXPECTATION_ALPHA"]

#: Tolerance of the structural identities (the same arithmetic in another order).
IDENTITY_ATOL, IDENTITY_RTOL = 1e-12, 1e-10
#: Level (false-alarm rate) of each two-sided test of TimeDropout's mean and keep rate.
EXPECTATION_ALPHA = 1e-6
#: The two-sided normal quantile of EXPECTATION_ALPHA.
_Z = 4.891638475698
#: Elements in one expectation test.
_DRAWS = 20_000


def _gradient_check(obj: Any, *inputs: Any, dout: Any) -> None:
    try:
        check_layer(obj, *inputs, dout=dout)
    except (GradientMismatch, GradsRebound) as exc:
        raise SpecFailure(_gradcheck_text(exc, "ko"), _gradcheck_text(exc, "en")) from None


def _close(ko: str, en: str, got: Any, want: Any) -> None:
    _compare(ko, en, got, want, IDENTITY_ATOL, IDENTITY_RTOL)


class ResetPerForward(_Forwarding):
    """A stateful language model seen as a function: reset_state before every forward, and the generators of
    its layers (dropout) restarted from their state at wrapping, so each evaluation of a gradient check
    starts from zeros with the same masks; backward returns no input gradients (word ids)."""

    def __init__(self, obj: Any) -> None:
        self._obj = obj
        self.params, self.grads = obj.params, obj.grads
        self._gens = [g for layer in getattr(obj, "layers", [])
                      if isinstance(g := getattr(layer, "rng", None), np.random.Generator)]
        self._states = [g.bit_generator.state for g in self._gens]
        self._global = np.random.get_state()  # the book's TimeDropout draws from NumPy's global state

    def forward(self, *args: Any) -> Any:
        for gen, state in zip(self._gens, self._states):
            gen.bit_generator.state = state
        np.random.set_state(self._global)
        self._obj.reset_state()
        return self._obj.forward(*args)

    def backward(self, *douts: Any) -> Any:
        self._obj.backward(*douts)
        return ()


def _model(impl: Any, case: Case, dtype: Any = np.float64) -> Any:
    """The case's model, its weights redrawn from [-0.5, 0.5] by the case's seed (the models' own initial
    weights are small, which would make every gradient look alike)."""
    model = impl(*case.args, rng=case.meta["seed"], dtype=dtype)
    gen = np.random.default_rng(case.meta["seed"])
    for p in {id(p): p for p in model.params}.values():
        p[...] = gen.uniform(-0.5, 0.5, p.shape)
    return model


def mprop_gradient(spec: Any, impl: Any, case: Case) -> None:
    """The whole model in float64 against finite differences (each forward from reset_state): every
    parameter, the embedding included."""
    model = _model(impl, case)
    xs, ts = case.inputs
    # merged: a tied weight held as W and its transposed view W.T (the book's) is one parameter
    _gradient_check(_named(Merged, model)(ResetPerForward(model)), xs, ts, dout=case.dout)


def mprop_dtype(spec: Any, impl: Any, case: Case) -> None:
    """float32 by default (as the book from chapter 3 on): scores, params and grads stay float32."""
    model = impl(*case.args, rng=case.meta["seed"])
    xs, ts = case.inputs
    scores = np.asarray(model.predict(xs.copy()))
    model.reset_state()
    loss = model.forward(xs.copy(), ts.copy())
    model.backward()
    if not math.isfinite(float(loss)):
        raise SpecFailure(f"손실이 유한하지 않습니다: {loss!r}", f"the loss is not finite: {loss!r}")
    for what, arrays in (("predict", [scores]), ("params", model.params), ("grads", model.grads)):
        for i, a in enumerate(arrays):
            if np.asarray(a).dtype != np.float32:
                raise SpecFailure(f"기본 dtype에서 {what}[{i}]가 {np.asarray(a).dtype}입니다 (float32여야 함)",
                                  f"with the default dtype {what}[{i}] is {np.asarray(a).dtype} (expected float32)")


def mprop_reproducible(spec: Any, impl: Any, case: Case) -> None:
    """The same seed gives the same initial weights, loss and gradients; NumPy's global random state is
    untouched."""
    before = _global_state()
    runs = []
    for _ in range(2):
        model = impl(*case.args, rng=case.meta["seed"])
        loss = float(model.forward(*[_copy(a) for a in case.inputs]))
        model.backward()
        runs.append((loss, [np.array(a, copy=True) for a in model.params + model.grads]))
    _same_global(before, "the model")
    (la, a), (lb, b) = runs
    if la != lb or not all(np.array_equal(x, y) for x, y in zip(a, b)):
        raise SpecFailure("같은 시드로 만든 두 모델의 가중치·손실·기울기가 다릅니다",
                          "two models built with the same seed differ in weights, loss or gradients")


def mprop_stateful(spec: Any, impl: Any, case: Case) -> None:
    """The state carries across calls: predict(xs) then predict(ts) gives the last T steps of
    predict([xs, ts]); after reset_state a model predicts as a fresh one."""
    model = _model(impl, case)
    xs, ts = case.inputs
    T = xs.shape[1]
    model.predict(xs.copy())
    second = np.asarray(model.predict(ts.copy()))
    model.reset_state()
    whole = np.asarray(model.predict(np.concatenate([xs, ts], axis=1)))
    _close("이어 부른 predict", "predict called twice in a row", second, whole[:, T:])
    model.reset_state()
    again = np.asarray(model.predict(ts.copy()))
    fresh = np.asarray(_model(impl, case).predict(ts.copy()))
    _close("reset_state 뒤의 predict", "predict after reset_state", again, fresh)


def mprop_tied_weight(spec: Any, impl: Any, case: Case) -> None:
    """Weight tying: no two arrays of params share memory (the tied weight is there once, so an optimizer
    updates it once), and params hold V·D fewer numbers than the untied model would."""
    model = impl(*case.args, rng=case.meta["seed"])
    params = model.params
    if current().book("tied-transpose"):  # the book's form: W and its transposed view W.T, nothing else shared
        pairs = tied_transposes(list(params))
        if len(pairs) != 1:
            raise SpecFailure(f"가중치와 그 전치 뷰의 쌍이 {len(pairs)}개인데 하나여야 합니다",
                              f"{len(pairs)} pairs of a weight and its transposed view, expected one")
        params = [p for k, p in enumerate(params) if k != pairs[0][1]]
    for i in range(len(params)):
        for j in range(i):
            if np.shares_memory(params[i], params[j]):
                raise SpecFailure(f"params[{j}]와 params[{i}]가 메모리를 공유합니다 (공유 가중치는 한 번만)",
                                  f"params[{j}] and params[{i}] share memory (a tied weight must appear once)")
    V, D, H = case.args[:3]
    untied = V * D + 2 * (D * 4 * H + H * 4 * H + 4 * H) + H * V + V
    got = sum(p.size for p in params)
    if got != untied - H * V:
        raise SpecFailure(f"params의 원소 수가 {got}인데 공유하면 {untied - H * V}이어야 합니다",
                          f"params hold {got} numbers, expected {untied - H * V} with the weight tied")


# --- TimeDropout: args (ratio, seed), inputs (xs,) -------------------------------------------------

def prop_dropout_gradient(spec: Any, impl: Any, case: Case) -> None:
    """dx against finite differences with the mask fixed (a fresh layer from the same seed per forward)."""
    _gradient_check(_named(FreshPerForward, impl(*case.args))(impl, case.args), *case.inputs, dout=case.dout)


def prop_dropout_mask(spec: Any, impl: Any, case: Case) -> None:
    """Train mode: each output is 0 or x / (1 − p), and dx = dout ⊙ (the same mask)."""
    ratio = case.args[0]
    layer = impl(*case.args)
    xs = np.asarray(case.inputs[0], dtype=np.float64)
    out = np.asarray(layer.forward(xs.copy()), dtype=np.float64)
    dx = np.asarray(layer.backward(case.dout.copy()), dtype=np.float64)
    if out.shape != xs.shape or dx.shape != xs.shape:
        raise SpecFailure(f"출력 {out.shape}·dx {dx.shape}의 형상이 입력 {xs.shape}와 다릅니다",
                          f"output {out.shape} or dx {dx.shape} differs in shape from the input {xs.shape}")
    kept = out != 0
    scaled = xs / (1 - ratio)
    _close("남긴 원소의 값 (x / (1 − p))", "kept values (x / (1 − p))", out[kept], scaled[kept])
    _close("dx (같은 마스크)", "dx (the same mask)", dx, np.where(kept, case.dout / (1 - ratio), 0.0))


def prop_dropout_eval_identity(spec: Any, impl: Any, case: Case) -> None:
    """train_flg = False: forward is the identity."""
    layer = impl(*case.args)
    layer.train_flg = False
    xs = case.inputs[0]
    _close("평가 모드의 출력", "evaluation-mode output", layer.forward(xs.copy()), xs)


def prop_dropout_eval_backward(spec: Any, impl: Any, case: Case) -> None:
    """After a training forward, train_flg = False: backward returns dout (the book's backward multiplies
    by the mask of the last training forward)."""
    layer = impl(*case.args)
    layer.forward(case.inputs[0].copy())
    layer.train_flg = False
    layer.forward(case.inputs[0].copy())
    _close("평가 모드의 dx", "evaluation-mode dx", layer.backward(case.dout.copy()), case.dout)


def prop_dropout_expectation(spec: Any, impl: Any, case: Case) -> None:
    """E[out] = x and P(kept) = 1 − p: two-sided z-tests on 20,000 ones at level EXPECTATION_ALPHA each
    (the seed is the case's, so a failure reproduces)."""
    ratio, seed = case.args
    out = np.asarray(impl(ratio, seed).forward(np.ones((100, 20, 10))), dtype=np.float64)
    n = out.size
    kept = int(np.count_nonzero(out))
    if ratio == 0:
        if kept != n or not np.all(out == 1):
            raise SpecFailure("p = 0인데 지운 원소가 있거나 값이 1이 아닙니다",
                              "with p = 0 elements were dropped or scaled")
        return
    z_keep = (kept - n * (1 - ratio)) / math.sqrt(n * ratio * (1 - ratio))
    z_mean = (float(out.mean()) - 1.0) / math.sqrt(ratio / ((1 - ratio) * n))
    for what_ko, what_en, z in (("남긴 비율", "keep rate", z_keep), ("평균", "mean", z_mean)):
        if abs(z) > _Z:
            raise SpecFailure(f"p = {ratio}에서 {what_ko}가 기대와 다릅니다: z = {z:.2f} (|z| > {_Z:.2f}, "
                              f"유의수준 {EXPECTATION_ALPHA:g})",
                              f"with p = {ratio} the {what_en} is off: z = {z:.2f} (|z| > {_Z:.2f}, level "
                              f"{EXPECTATION_ALPHA:g})")


def prop_dropout_rng(spec: Any, impl: Any, case: Case) -> None:
    """The same seed gives the same mask, a Generator passed is the one used, and NumPy's global random
    state is untouched."""
    ratio, seed = case.args
    xs = case.inputs[0]
    before = _global_state()
    a = np.asarray(impl(ratio, seed).forward(xs.copy()))
    b = np.asarray(impl(ratio, np.random.default_rng(seed)).forward(xs.copy()))
    _same_global(before, "TimeDropout")
    if not np.array_equal(a, b):
        raise SpecFailure("같은 시드(정수 또는 Generator)로 다른 마스크가 나옵니다",
                          "the same seed (an int or a Generator) gives different masks")


# --- TimeBiLSTM -----------------------------------------------------------------------------------

def prop_bidirectional(spec: Any, impl: Any, case: Case) -> None:
    """Equals a forward TimeLSTM and a TimeLSTM over the reversed sequence, concatenated: hs, dxs and
    all six parameter gradients."""
    layer = impl(*[_copy(a) for a in case.args])
    xs, dhs = case.inputs[0], case.dout
    hs = np.asarray(layer.forward(xs.copy()))
    dxs = np.asarray(layer.backward(dhs.copy()))
    fw, bw = TimeLSTM(*[_copy(a) for a in case.args[:3]]), TimeLSTM(*[_copy(a) for a in case.args[3:]])
    H = case.args[1].shape[0]
    want_hs = np.concatenate([fw.forward(xs.copy()), bw.forward(xs[:, ::-1].copy())[:, ::-1]], axis=2)
    _close("hs (두 방향 LSTM과 비교)", "hs (against the two LSTMs)", hs, want_hs)
    want_dxs = fw.backward(dhs[:, :, :H].copy()) + bw.backward(dhs[:, :, H:][:, ::-1].copy())[:, ::-1]
    _close("dxs (두 방향 LSTM과 비교)", "dxs (against the two LSTMs)", dxs, want_dxs)
    for i, (g, want) in enumerate(zip(layer.grads, fw.grads + bw.grads)):
        _close(f"grads[{i}] (두 방향 LSTM과 비교)", f"grads[{i}] (against the two LSTMs)", g, want)


MODEL_PROPERTIES = {
    "model_gradient": mprop_gradient, "model_dtype": mprop_dtype, "model_reproducible": mprop_reproducible,
    "model_stateful": mprop_stateful, "tied_weight": mprop_tied_weight,
    "dropout_gradient": prop_dropout_gradient, "dropout_mask": prop_dropout_mask,
    "dropout_eval_identity": prop_dropout_eval_identity, "dropout_eval_backward": prop_dropout_eval_backward,
    "dropout_expectation": prop_dropout_expectation,
    "dropout_rng": prop_dropout_rng, "bidirectional": prop_bidirectional,
}

#: New property name → (Korean, English) description.
MODEL_PROPERTY_TEXT: dict[str, tuple[str, str]] = {
    "model_gradient": ("모델 전체의 모든 매개변수가 float64 수치 미분과 같다(매 순전파를 reset_state에서)",
                       "every parameter of the whole model matches float64 finite differences (from reset_state)"),
    "model_dtype": ("기본 dtype은 float32(점수, params, grads)", "float32 by default (scores, params, grads)"),
    "model_reproducible": ("같은 시드면 같은 가중치·손실·기울기, 전역 난수 상태는 그대로",
                           "the same seed gives the same weights, loss and gradients; global state untouched"),
    "model_stateful": ("호출 사이에 상태를 이어 받고 reset_state 뒤에는 새 모델과 같다",
                       "the state carries across calls; after reset_state it predicts as a fresh model"),
    "tied_weight": ("공유 가중치가 params에 한 번만 있다(메모리를 공유하는 두 배열이 없음)",
                    "the tied weight appears once in params (no two arrays share memory)"),
    "dropout_gradient": ("마스크를 고정하고(같은 시드) dx가 수치 미분과 같다",
                         "dx matches finite differences with the mask fixed (same seed)"),
    "dropout_mask": ("학습 모드의 출력은 0 또는 x/(1−p), dx는 같은 마스크",
                     "train mode: outputs are 0 or x/(1−p); dx uses the same mask"),
    "dropout_eval_identity": ("평가 모드(train_flg=False)의 순전파는 항등 함수",
                              "evaluation-mode forward is the identity"),
    "dropout_eval_backward": ("평가 모드의 역전파는 dout을 그대로 돌려줌", "evaluation-mode backward returns dout"),
    "dropout_expectation": (f"기댓값과 남긴 비율이 보존된다(z 검정, 유의수준 {EXPECTATION_ALPHA:g})",
                            f"the mean and keep rate are preserved (z-tests, level {EXPECTATION_ALPHA:g})"),
    "dropout_rng": ("같은 시드면 같은 마스크, 전역 난수 상태는 그대로",
                    "the same seed gives the same mask; the global random state is untouched"),
    "bidirectional": ("앞 방향 LSTM과 뒤집은 열의 LSTM을 이어 붙인 것과 순전파·역전파가 같다",
                      "equals a forward LSTM and an LSTM over the reversed sequence, forward and backward"),
}
