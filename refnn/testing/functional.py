"""Properties and cases of the stateless functions and of the optimizers.

Identity properties (softmax sums to 1, sigmoid symmetry, stability) apply
both to a function and to the layer that wraps it: a layer is turned into a
function by ``impl().forward``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st

from refnn.testing import strategies as S
from refnn.testing.book import LOG_EPS
from refnn.testing.cases import Case, _softmax_ref
from refnn.testing.contract import REFNN_FORM, OptimizerForm, current
from refnn.testing.properties import FORWARD_ATOL, FORWARD_RTOL, SpecFailure, _compare, _same

__all__ = ["FUNCTION_CASES", "FUNCTION_PROPERTIES", "IDENTITY_PROPERTIES", "OPTIMIZER_PROPERTIES",
           "OPTIMIZER_HYPER", "optimizer_cases", "reference_steps"]


# --- cases ----------------------------------------------------------------------------------

@st.composite
def _vector_or_matrix(draw: Any, dtype: Any) -> Case:
    shape = draw(st.one_of(S.dims(1), S.dims(2)))
    return Case((), (draw(S.arrays(shape, dtype)),))


@st.composite
def _cross_entropy(draw: Any, dtype: Any) -> Case:
    n, c = draw(S.dims(2).filter(lambda s: s[1] >= 2))  # one class: the book's one-hot test is ambiguous
    y = _softmax_ref(draw(S.arrays((n, c), np.float64))).astype(dtype)
    labels = draw(S.labels(n, c))
    t = np.eye(c, dtype=np.int64)[labels] if draw(st.booleans()) else labels
    return Case((), (y, t), meta={"labels": labels})


FUNCTION_CASES: dict[str, Callable[[Any], st.SearchStrategy[Case]]] = {
    "sigmoid": _vector_or_matrix,
    "relu": _vector_or_matrix,
    "softmax": _vector_or_matrix,
    "log_softmax": _vector_or_matrix,
    "cross_entropy_error": _cross_entropy,
}


def _f64(a: Any) -> np.ndarray:
    return np.asarray(a, dtype=np.float64)


FUNCTION_REFERENCES: dict[str, Callable[[Case], Any]] = {
    "sigmoid": lambda c: 1.0 / (1.0 + np.exp(-_f64(c.inputs[0]))),
    "relu": lambda c: np.where(_f64(c.inputs[0]) > 0, _f64(c.inputs[0]), 0.0),
    "softmax": lambda c: _softmax_ref(_f64(c.inputs[0])),
    "log_softmax": lambda c: np.log(_softmax_ref(_f64(c.inputs[0]))),
    "cross_entropy_error": lambda c: _cross_entropy_ref(_f64(c.inputs[0]), c.meta["labels"]),
}


def _cross_entropy_ref(y: np.ndarray, labels: np.ndarray) -> float:
    """-mean log y[n, t_n]; the book's contract, when its 1e-7 was measured, adds it inside the log."""
    p = y[np.arange(y.shape[0]), labels]
    return float(-np.mean(np.log(p + LOG_EPS if current().book("log-1e-7") else p)))


def _as_function(spec: Any, impl: Any) -> Callable[..., Any]:
    if spec.kind == "function":
        return impl  # type: ignore[no-any-return]
    return lambda *args: impl().forward(*args)


def _copies(case: Case) -> list[Any]:
    return [np.array(a, copy=True) for a in case.inputs]


# --- function properties ---------------------------------------------------------------------

def fprop_forward(spec: Any, impl: Any, case: Case) -> None:
    """The function equals its definition."""
    got = impl(*_copies(case))
    _compare("결과", "result", got, FUNCTION_REFERENCES[spec.name](case), FORWARD_ATOL, FORWARD_RTOL)


def fprop_dtype(spec: Any, impl: Any, case: Case) -> None:
    """float32 in gives float32 out."""
    got = np.asarray(impl(*_copies(case)))
    if got.dtype != np.float32:
        raise SpecFailure(f"float32 입력에 결과가 {got.dtype}입니다", f"float32 input gave a {got.dtype} result")


def fprop_no_mutation(spec: Any, impl: Any, case: Case) -> None:
    """The inputs are left unchanged."""
    args = _copies(case)
    impl(*args)
    for i, (a, orig) in enumerate(zip(args, case.inputs)):
        _same(a, orig, f"함수가 입력 {i}를 바꿨습니다", f"the function changed input {i}")


def fprop_batch_mean(spec: Any, impl: Any, case: Case) -> None:
    """The loss is a batch mean: stacking the batch on itself leaves it unchanged."""
    y, t = case.inputs
    one = float(impl(y.copy(), t.copy()))
    two = float(impl(np.concatenate([y, y]), np.concatenate([t, t])))
    if not math.isclose(one, two, rel_tol=FORWARD_RTOL, abs_tol=FORWARD_ATOL):
        raise SpecFailure(
            f"배치를 두 번 이어 붙이면 손실이 {one!r}에서 {two!r}로 바뀝니다: 배치 평균이어야 합니다",
            f"stacking the batch twice changes the loss from {one!r} to {two!r}: it must be the batch mean",
        )


def fprop_onehot(spec: Any, impl: Any, case: Case) -> None:
    """Labels and one-hot give the same loss."""
    y, labels = case.inputs[0], case.meta["labels"]
    a = float(impl(y.copy(), labels.copy()))
    b = float(impl(y.copy(), np.eye(y.shape[1], dtype=np.int64)[labels]))
    if not math.isclose(a, b, rel_tol=FORWARD_RTOL, abs_tol=FORWARD_ATOL):
        raise SpecFailure(f"레이블로는 손실 {a!r}, 원-핫으로는 {b!r}입니다",
                          f"labels give loss {a!r}, one-hot gives {b!r}")


# --- identities shared by functions and layers ------------------------------------------------

def iprop_softmax_identities(spec: Any, impl: Any, case: Case) -> None:
    """Rows sum to 1 (for log_softmax: their exponentials) and adding a constant changes nothing."""
    f = _as_function(spec, impl)
    x = case.inputs[0]
    y = np.asarray(f(x.copy()), dtype=np.float64)
    probs = np.exp(y) if spec.name == "log_softmax" else y
    _compare("마지막 축의 합", "sum over the last axis", probs.sum(axis=-1), np.ones(probs.shape[:-1]),
             FORWARD_ATOL * probs.shape[-1], 0.0)
    for shift in (5.0, -7.5):
        shifted = np.asarray(f(x + x.dtype.type(shift)), dtype=np.float64)
        _compare(f"x + {shift}의 결과", f"result for x + {shift}", shifted, y, FORWARD_ATOL, FORWARD_RTOL)


def iprop_sigmoid_symmetry(spec: Any, impl: Any, case: Case) -> None:
    """sigmoid(-x) = 1 - sigmoid(x)."""
    f = _as_function(spec, impl)
    x = case.inputs[0]
    _compare("sigmoid(-x)", "sigmoid(-x)", f(-x), 1.0 - np.asarray(f(x.copy()), dtype=np.float64),
             FORWARD_ATOL, 0.0)


def iprop_stability(spec: Any, impl: Any, case: Case) -> None:
    """Inputs like ±1000 and ±1e6 give finite, correct results without warnings."""
    f = _as_function(spec, impl)
    extreme = np.array([[-1e6, -1000.0, 0.0, 1000.0, 1e6]], dtype=case.inputs[0].dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            y = np.asarray(f(extreme.copy()), dtype=np.float64)
        except RuntimeWarning as w:
            raise SpecFailure(f"극단적인 입력(±1000, ±1e6)에서 경고가 납니다: {w}",
                              f"extreme inputs (±1000, ±1e6) raise a warning: {w}") from None
    if not np.isfinite(y).all() and spec.name != "log_softmax":
        raise SpecFailure("극단적인 입력에서 결과가 유한하지 않습니다", "extreme inputs give non-finite results")
    if spec.name.lower() == "sigmoid":
        want = np.array([[0.0, 0.0, 0.5, 1.0, 1.0]])
    elif spec.name == "log_softmax":
        want = np.array([[-2e6, -1e6 - 1000.0, -1e6, -1e6 + 1000.0, 0.0]])
    else:
        want = np.array([[0.0, 0.0, 0.0, 0.0, 1.0]])
    _compare("극단적인 입력의 결과", "result for extreme inputs", y, want, FORWARD_ATOL, FORWARD_RTOL)


def iprop_nd(spec: Any, impl: Any, case: Case) -> None:
    """A 3-D input is normalised over its last axis, like each of its rows."""
    f = _as_function(spec, impl)
    x = case.inputs[0].reshape(1, -1, case.inputs[0].shape[-1])
    x3 = np.concatenate([x, x[:, ::-1]], axis=0)
    got = np.asarray(f(x3.copy()))
    want = np.stack([np.asarray(f(row.copy())) for row in x3])
    _compare("3차원 입력의 결과", "result for a 3-D input", got, want, FORWARD_ATOL, FORWARD_RTOL)


FUNCTION_PROPERTIES: dict[str, Callable[[Any, Any, Case], None]] = {
    "forward": fprop_forward,
    "dtype": fprop_dtype,
    "no_mutation": fprop_no_mutation,
    "batch_mean": fprop_batch_mean,
    "onehot": fprop_onehot,
}

IDENTITY_PROPERTIES: dict[str, Callable[[Any, Any, Case], None]] = {
    "softmax_identities": iprop_softmax_identities,
    "sigmoid_symmetry": iprop_sigmoid_symmetry,
    "stability": iprop_stability,
    "nd": iprop_nd,
}


# --- optimizers -------------------------------------------------------------------------------

OPTIMIZER_HYPER: dict[str, dict[str, tuple[float, float]]] = {
    "SGD": {"lr": (1e-3, 1.0)},
    "Momentum": {"lr": (1e-3, 1.0), "momentum": (0.0, 0.99)},
    "Nesterov": {"lr": (1e-3, 1.0), "momentum": (0.0, 0.99)},
    "AdaGrad": {"lr": (1e-3, 1.0)},
    "RMSprop": {"lr": (1e-3, 1.0), "decay_rate": (0.5, 0.999)},
    "Adam": {"lr": (1e-3, 1.0), "beta1": (0.0, 0.99), "beta2": (0.5, 0.9999)},
}


def optimizer_cases(name: str) -> Callable[[Any], st.SearchStrategy[Case]]:
    @st.composite
    def cases(draw: Any, dtype: Any) -> Case:
        hyper = {k: draw(st.floats(lo, hi)) for k, (lo, hi) in OPTIMIZER_HYPER[name].items()}
        k = draw(st.integers(1, 3))
        shapes = [draw(st.one_of(S.dims(1), S.dims(2))) for _ in range(k)]
        params = tuple(draw(S.arrays(s, dtype)) for s in shapes)
        steps = draw(st.integers(1, 3))
        grads = tuple(tuple(draw(S.arrays(s, dtype)) for s in shapes) for _ in range(steps))
        return Case((), (), meta={"hyper": hyper, "params": params, "grads": grads})

    return cases


def _denominator(v: np.ndarray, form: OptimizerForm, scale: float = 1.0) -> np.ndarray:
    """sqrt(v / scale) + eps, or sqrt(v / scale + eps) when eps sits inside the root."""
    return np.sqrt(v / scale + form.eps) if form.inside else np.sqrt(v / scale) + form.eps


def reference_steps(name: str, hyper: dict[str, float], params: tuple[np.ndarray, ...],
                    grads_seq: tuple[tuple[np.ndarray, ...], ...], form: OptimizerForm = REFNN_FORM,
                    nesterov_book: bool = False) -> list[np.ndarray]:
    """The parameters after the closed-form updates (float64).

    ``form`` places the eps of AdaGrad, RMSprop and Adam; ``nesterov_book`` gives the book's Nesterov,
    whose mu^2 term uses the velocity after the step instead of before it.
    """
    ps = [_f64(p).copy() for p in params]
    state = [[np.zeros_like(p), np.zeros_like(p)] for p in ps]
    lr = hyper["lr"]
    for t, grads in enumerate(grads_seq, start=1):
        for p, g, (a, b) in zip(ps, (_f64(g) for g in grads), state):
            if name == "SGD":
                p -= lr * g
            elif name == "Momentum":
                a[...] = hyper["momentum"] * a - lr * g
                p += a
            elif name == "Nesterov":
                mu = hyper["momentum"]
                v_old = a.copy()
                a[...] = mu * a - lr * g
                p += mu * mu * (a if nesterov_book else v_old) - (1 + mu) * lr * g
            elif name == "AdaGrad":
                a += g * g
                p -= lr * g / _denominator(a, form)
            elif name == "RMSprop":
                r = hyper["decay_rate"]
                a[...] = r * a + (1 - r) * g * g
                p -= lr * g / _denominator(a, form)
            elif name == "Adam":
                b1, b2 = hyper["beta1"], hyper["beta2"]
                a[...] = b1 * a + (1 - b1) * g
                b[...] = b2 * b + (1 - b2) * g * g
                if form.hat:  # m-hat / (sqrt(v-hat) + eps), the paper's form
                    p -= lr * (a / (1 - b1**t)) / _denominator(b, form, 1 - b2**t)
                else:
                    lr_t = lr * math.sqrt(1 - b2**t) / (1 - b1**t)
                    p -= lr_t * a / _denominator(b, form)
            else:  # pragma: no cover - guarded by the registry
                raise KeyError(name)
    return ps


def _reference(spec: Any, case: Case) -> list[np.ndarray]:
    contract = current()
    return reference_steps(spec.name, case.meta["hyper"], case.meta["params"], case.meta["grads"],
                           contract.optimizer_form, contract.book("nesterov"))


def _run_optimizer(impl: Any, case: Case) -> tuple[list[np.ndarray], list[np.ndarray]]:
    opt = impl(**case.meta["hyper"])
    params = [p.copy() for p in case.meta["params"]]
    alias = list(params)  # what a model holding the same arrays would see
    for grads in case.meta["grads"]:
        opt.update(params, [g.copy() for g in grads])
    return params, alias


def oprop_step(spec: Any, impl: Any, case: Case) -> None:
    """Each step equals the closed-form update written in the docstring."""
    params, _ = _run_optimizer(impl, case)
    want = _reference(spec, case)
    steps = len(case.meta["grads"])
    for i, (p, w) in enumerate(zip(params, want)):
        _compare(f"{steps}번 갱신한 params[{i}]", f"params[{i}] after {steps} step(s)", p, w, 1e-12, 1e-9)


def oprop_inplace(spec: Any, impl: Any, case: Case) -> None:
    """update changes the caller's arrays in place (a model sharing them sees the update)."""
    params, alias = _run_optimizer(impl, case)
    for i, (p, a) in enumerate(zip(params, alias)):
        if p is not a or not np.array_equal(p, a):
            raise SpecFailure(
                f"update가 params[{i}]를 새 배열로 바꿨습니다: 호출자(모델)의 배열이 갱신되지 않습니다 "
                "(params[i] -= ... 처럼 제자리에서 갱신해야 합니다)",
                f"update replaced params[{i}] with a new array: the caller's (model's) array is not updated "
                "(update in place, params[i] -= ...)",
            )
    want = _reference(spec, case)
    for i, (a, w) in enumerate(zip(alias, want)):
        _compare(f"호출자가 보는 params[{i}]", f"params[{i}] as the caller sees it", a, w, 1e-12, 1e-9)


def oprop_no_mutation(spec: Any, impl: Any, case: Case) -> None:
    """update leaves the gradients unchanged."""
    opt = impl(**case.meta["hyper"])
    params = [p.copy() for p in case.meta["params"]]
    for grads in case.meta["grads"]:
        gs = [g.copy() for g in grads]
        opt.update(params, gs)
        for i, (g, orig) in enumerate(zip(gs, grads)):
            _same(g, orig, f"update가 grads[{i}]를 바꿨습니다", f"update changed grads[{i}]")


def oprop_zero_grad(spec: Any, impl: Any, case: Case) -> None:
    """From a fresh state, zero gradients leave the parameters unchanged."""
    opt = impl(**case.meta["hyper"])
    params = [p.copy() for p in case.meta["params"]]
    opt.update(params, [np.zeros_like(p) for p in params])
    for i, (p, orig) in enumerate(zip(params, case.meta["params"])):
        _same(p, orig, f"기울기가 0인데 params[{i}]가 바뀌었습니다", f"zero gradients changed params[{i}]")


OPTIMIZER_PROPERTIES: dict[str, Callable[[Any, Any, Case], None]] = {
    "step": oprop_step,
    "inplace": oprop_inplace,
    "no_mutation": oprop_no_mutation,
    "zero_grad": oprop_zero_grad,
}
