"""Properties of layers, nodes, loss layers and models, written against the book's protocol.

Each property is a function ``prop(spec, impl, case)`` that builds a fresh
instance of ``impl`` (refnn's class or a reader's), runs it on ``case`` and
raises :class:`SpecFailure` (an ``AssertionError`` with a Korean and an English
message) when the implementation breaks the contract.  Exceptions raised by the
implementation itself propagate unchanged, so a report can point at its line.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from refnn.gradcheck import GradientMismatch, GradsRebound, check_layer
from refnn.testing.cases import BOOK_LOG_EPS, REFERENCES, Case, book_loss, exact_loss, net_scores
from refnn.testing.contract import current
from refnn.testing.hints import suggest

__all__ = ["SpecFailure", "LAYER_PROPERTIES", "LOG_EPS_CORRECTIONS", "build", "FORWARD_ATOL", "FORWARD_RTOL"]

#: Forward values are compared with the definition at this tolerance (float64).
FORWARD_ATOL = 1e-12
FORWARD_RTOL = 1e-9
#: Linearity in dout: two float64 evaluations of the same linear map.
LINEAR_ATOL = 1e-10
LINEAR_RTOL = 1e-9


class SpecFailure(AssertionError):
    """A contract violation, described in Korean (``ko``) and English (``en``)."""

    def __init__(self, ko: str, en: str) -> None:
        self.ko, self.en = ko, en
        super().__init__(en)


def _copy(a: Any) -> Any:
    return np.array(a, copy=True) if isinstance(a, np.ndarray) else a


class _View:
    """The reader's object seen through the contract: every attribute is the object's own, except
    ``backward`` when it takes no dout (called as ``backward()``, the way the book's Trainer calls it)
    and ``forward`` when a ``correction`` is subtracted from the loss (see `prop_gradient`)."""

    def __init__(self, obj: Any, no_dout: bool, correction: Callable[..., float] | None = None) -> None:
        object.__setattr__(self, "_obj", obj)
        object.__setattr__(self, "_no_dout", no_dout)
        object.__setattr__(self, "_correction", correction)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._obj, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._obj, name, value)

    def forward(self, *args: Any) -> Any:
        out = self._obj.forward(*args)
        return out if self._correction is None else out - self._correction(*args)

    def backward(self, *douts: Any) -> Any:
        if not self._no_dout:
            return self._obj.backward(*douts)
        if any(np.ndim(d) != 0 or float(d) != 1.0 for d in douts):
            raise SpecFailure("backward()가 dout을 받지 않아 dout = 1로만 부를 수 있습니다",
                              "backward() takes no dout: it can only be called with dout = 1")
        return self._obj.backward()


def _view(obj: Any, correction: Callable[..., float] | None = None) -> Any:
    """``obj`` itself, or a `_View` of it named like its class (for messages)."""
    no_dout = current().no_dout
    if not no_dout and correction is None:
        return obj
    target = obj._obj if isinstance(obj, _View) else obj
    cls = type(type(target).__name__, (_View,), {})
    return cls(target, no_dout, correction)


_LAYER_KINDS = ("layer", "loss", "node", "model")


def _check_protocol(spec: Any, obj: Any) -> None:
    """The book's protocol: forward, backward (not yet in the §1.2 stage), params and grads."""
    if spec.kind not in _LAYER_KINDS:
        return
    forward_only = current().forward_only
    wanted = ["forward"] + ([] if forward_only else ["backward"]) + ["params"]
    wanted += [] if forward_only else ["grads"]
    missing = [name for name in wanted if not hasattr(obj, name)]
    if not missing:
        return
    have = [a for a in dir(obj) if not a.startswith("__")]
    close = {name: suggest(name, have) for name in missing}
    ko_hint = "".join(f" ('{c}'은(는) '{n}'의 오타?)" for n, c in close.items() if c)
    en_hint = "".join(f" (is '{c}' a typo for '{n}'?)" for n, c in close.items() if c)
    names = ", ".join(missing)
    cls = type(obj).__name__
    raise SpecFailure(f"{cls}에 책의 프로토콜에 있는 {names}이(가) 없습니다{ko_hint}",
                      f"{cls} lacks {names} of the book's protocol{en_hint}")


def build(spec: Any, impl: Any, case: Case) -> Any:
    """A fresh instance of ``impl`` for ``case`` (models get the case's parameters).

    The instance must have the book's protocol (`_check_protocol`); a ``backward()`` without
    ``dout`` is wrapped so that the properties call it as the book's Trainer does.
    """
    obj = impl(*[_copy(a) for a in case.args])
    _check_protocol(spec, obj)
    if "params" in case.meta:
        params = getattr(obj, "params", None)
        want = case.meta["params"]
        if params is None or len(params) != len(want):
            raise SpecFailure(
                f"params가 {len(want)}개의 배열이어야 하는데 "
                f"{None if params is None else len(params)}개입니다",
                f"params must hold {len(want)} arrays, got {None if params is None else len(params)}",
            )
        for i, (p, v) in enumerate(zip(params, want)):
            if np.shape(p) != v.shape:
                raise SpecFailure(
                    f"params[{i}]의 형상이 {np.shape(p)}인데 {v.shape}이어야 합니다",
                    f"params[{i}] has shape {np.shape(p)}, expected {v.shape}",
                )
            p[...] = v
    return _view(obj)


def _forward(obj: Any, case: Case, inputs: tuple[Any, ...] | None = None) -> Any:
    return obj.forward(*[_copy(a) for a in (case.inputs if inputs is None else inputs)])


def _backward(obj: Any, dout: Any) -> list[np.ndarray]:
    if isinstance(dout, tuple):
        out = obj.backward(*[_copy(d) for d in dout])
    else:
        out = obj.backward(_copy(dout))
    return [np.asarray(o) for o in out] if isinstance(out, (tuple, list)) else [np.asarray(out)]


def _snapshot(arrays: Any) -> list[np.ndarray]:
    return [np.array(a, copy=True) for a in arrays]


def _grads(obj: Any) -> list[np.ndarray]:
    return _snapshot(getattr(obj, "grads", []))


def _diff_inputs(case: Case) -> list[np.ndarray]:
    return [a for a in case.inputs if isinstance(a, np.ndarray) and a.dtype.kind == "f"]


def _compare(what_ko: str, what_en: str, got: Any, want: Any, atol: float, rtol: float) -> None:
    g = np.asarray(got, dtype=np.float64)
    w = np.asarray(want, dtype=np.float64)
    if g.shape != w.shape:
        raise SpecFailure(
            f"{what_ko}의 형상이 {g.shape}인데 {w.shape}이어야 합니다",
            f"{what_en} has shape {g.shape}, expected {w.shape}",
        )
    err = np.abs(g - w)
    bad = ~(err <= atol + rtol * np.abs(w))
    if bad.any():
        worst = int(np.argmax(np.where(bad, np.nan_to_num(err, nan=np.inf), -1)))
        idx = tuple(int(i) for i in np.unravel_index(worst, g.shape))
        raise SpecFailure(
            f"{what_ko}가 인덱스 {idx}에서 {float(g[idx])!r}인데 {float(w[idx])!r}이어야 합니다 "
            f"({int(bad.sum())}/{g.size}개 원소가 다름)",
            f"{what_en} is {float(g[idx])!r} at index {idx}, expected {float(w[idx])!r} "
            f"({int(bad.sum())} of {g.size} elements differ)",
        )


def _outputs(out: Any) -> list[Any]:
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _names(returned: list[np.ndarray]) -> list[str]:
    return ["dx"] if len(returned) == 1 else [f"dx[{k}]" for k in range(len(returned))]


# --- properties ---------------------------------------------------------------------------

def prop_forward(spec: Any, impl: Any, case: Case) -> None:
    """Forward equals the definition (an independent formula)."""
    obj = build(spec, impl, case)
    out = _forward(obj, case)
    want = REFERENCES[spec.name](case)
    outs, wants = _outputs(out), _outputs(want)
    if len(outs) != len(wants):
        raise SpecFailure(f"순전파 출력이 {len(outs)}개인데 {len(wants)}개여야 합니다",
                          f"forward returned {len(outs)} outputs, expected {len(wants)}")
    for k, (o, w) in enumerate(zip(outs, wants)):
        label = "out" if len(outs) == 1 else f"out[{k}]"
        _compare(f"순전파 {label}", f"forward {label}", o, w, FORWARD_ATOL, FORWARD_RTOL)


def prop_shapes(spec: Any, impl: Any, case: Case) -> None:
    """Output, dx and grads have the documented shapes; params and grads line up."""
    obj = build(spec, impl, case)
    out = _forward(obj, case)
    for k, (o, w) in enumerate(zip(_outputs(out), _outputs(REFERENCES[spec.name](case)))):
        if np.shape(o) != np.shape(w):
            raise SpecFailure(f"순전파 출력 {k}의 형상이 {np.shape(o)}인데 {np.shape(w)}이어야 합니다",
                              f"forward output {k} has shape {np.shape(o)}, expected {np.shape(w)}")
    if current().forward_only:
        return
    returned = _backward(obj, case.dout)
    inputs = _diff_inputs(case)
    if len(returned) != len(inputs):
        raise SpecFailure(f"backward가 배열 {len(returned)}개를 돌려줬는데 입력 기울기 {len(inputs)}개여야 합니다",
                          f"backward returned {len(returned)} arrays, expected {len(inputs)} input gradients")
    for name, r, x in zip(_names(returned), returned, inputs):
        if r.shape != x.shape:
            raise SpecFailure(f"{name}의 형상이 {r.shape}인데 입력과 같은 {x.shape}이어야 합니다",
                              f"{name} has shape {r.shape}, expected the input's {x.shape}")
    _check_params_grads(obj)


def _check_params_grads(obj: Any) -> None:
    params, grads = list(getattr(obj, "params", [])), list(getattr(obj, "grads", []))
    if len(params) != len(grads):
        raise SpecFailure(f"params({len(params)}개)와 grads({len(grads)}개)의 길이가 다릅니다",
                          f"params ({len(params)}) and grads ({len(grads)}) differ in length")
    for i, (p, g) in enumerate(zip(params, grads)):
        if np.shape(p) != np.shape(g) or np.asarray(p).dtype != np.asarray(g).dtype:
            raise SpecFailure(
                f"grads[{i}] {np.asarray(g).dtype}{np.shape(g)}가 params[{i}] "
                f"{np.asarray(p).dtype}{np.shape(p)}와 형상·dtype이 다릅니다",
                f"grads[{i}] {np.asarray(g).dtype}{np.shape(g)} does not match params[{i}] "
                f"{np.asarray(p).dtype}{np.shape(p)} in shape and dtype",
            )


def prop_dtype(spec: Any, impl: Any, case: Case) -> None:
    """float32 in (inputs and params) gives float32 out, dx and grads."""
    obj = build(spec, impl, case)
    out = _forward(obj, case)
    if spec.kind != "loss":
        for k, o in enumerate(_outputs(out)):
            if np.asarray(o).dtype != np.float32:
                raise SpecFailure(f"float32 입력에 순전파 출력 {k}가 {np.asarray(o).dtype}입니다",
                                  f"float32 input gave forward output {k} of dtype {np.asarray(o).dtype}")
    if current().forward_only:
        return
    returned = _backward(obj, case.dout)
    for name, r in zip(_names(returned), returned):
        if r.dtype != np.float32:
            raise SpecFailure(f"float32 입력에 {name}가 {r.dtype}입니다",
                              f"float32 input gave {name} of dtype {r.dtype}")
    _check_params_grads(obj)


def prop_gradient(spec: Any, impl: Any, case: Case) -> None:
    """dx and every grads[i] equal central finite differences (check_layer).

    Under the book's contract, when the reader's loss was measured to add the book's 1e-7 inside the
    log, the finite differences are taken of that loss minus (book − exact), i.e. of the exact loss:
    the book's backward computes the exact gradient, which is what this still checks.
    """
    obj = build(spec, impl, case)
    if spec.name in LOG_EPS_CORRECTIONS and current().book("log-1e-7"):
        obj = _view(obj, LOG_EPS_CORRECTIONS[spec.name](obj, case))
    try:
        check_layer(obj, *case.inputs, dout=case.dout)
    except GradientMismatch as exc:
        raise SpecFailure(_gradcheck_text(exc, "ko"), _gradcheck_text(exc, "en")) from None
    except GradsRebound as exc:
        raise SpecFailure(_gradcheck_text(exc, "ko"), _gradcheck_text(exc, "en")) from None


def _gradcheck_text(exc: GradientMismatch | GradsRebound, lang: str) -> str:
    """The gradient checker's own text in ``lang`` when it offers one, else the kit's Korean text."""
    own = getattr(exc, "message", None)
    if callable(own):
        return str(own(lang))
    if lang == "en":
        return str(exc)
    if isinstance(exc, GradsRebound):
        return (f"backward가 grads[{exc.index}]를 새 배열로 바꿔 끼웠습니다: "
                f"self.grads[{exc.index}][...] = ... 처럼 제자리에 써야 합니다 "
                "(모델의 grads 리스트는 옛 배열을 계속 봅니다)")
    return (f"{exc.tensor}가 수치 미분과 다릅니다: 인덱스 {exc.index}에서 해석적 {exc.analytic!r}, "
            f"수치 {exc.numerical!r} (허용 오차 {exc.tolerance:.3g}, {exc.count}/{exc.size}개 원소가 다름)")


def _softmax_loss_correction(obj: Any, case: Case, model: bool = False) -> Callable[..., float]:
    """(book − exact) loss at the current inputs and parameters (params are perturbed in place)."""
    labels = case.meta["labels"]

    def correction(x: Any, t: Any) -> float:
        scores = net_scores(obj.params, x) if model else np.asarray(x, dtype=np.float64)
        return book_loss(scores, labels) - exact_loss(scores, labels)

    return correction


#: Loss name → (object, case) → the (book − exact) loss as a function of forward's arguments: what
#: `prop_gradient` subtracts under the book's contract when the 1e-7 inside the log was measured.
LOG_EPS_CORRECTIONS: dict[str, Callable[[Any, Case], Callable[..., float]]] = {
    "SoftmaxWithLoss": _softmax_loss_correction,
    "TwoLayerNet": lambda obj, case: _softmax_loss_correction(obj, case, model=True),
}


def prop_no_mutation(spec: Any, impl: Any, case: Case) -> None:
    """forward/backward leave inputs, dout and params unchanged."""
    obj = build(spec, impl, case)
    inputs = tuple(_copy(a) for a in case.inputs)
    dout = tuple(_copy(d) for d in case.dout) if isinstance(case.dout, tuple) else _copy(case.dout)
    params_before = _snapshot(getattr(obj, "params", []))
    obj.forward(*inputs)
    for stage in ("forward",) if current().forward_only else ("forward", "backward"):
        if stage == "backward":
            obj.backward(*dout) if isinstance(dout, tuple) else obj.backward(dout)
        for i, (a, orig) in enumerate(zip(inputs, case.inputs)):
            _same(a, orig, f"{stage}가 입력 {i}를 바꿨습니다", f"{stage} changed input {i}")
    douts = dout if isinstance(dout, tuple) else (dout,)
    origs = case.dout if isinstance(case.dout, tuple) else (case.dout,)
    for d, orig in zip(douts, origs) if not current().forward_only else ():
        _same(d, orig, "backward가 dout을 바꿨습니다", "backward changed dout")
    for i, (p, orig) in enumerate(zip(getattr(obj, "params", []), params_before)):
        _same(p, orig, f"forward/backward가 params[{i}]를 바꿨습니다", f"forward/backward changed params[{i}]")


def _same(a: Any, b: Any, ko: str, en: str) -> None:
    if not np.array_equal(np.asarray(a), np.asarray(b)):
        raise SpecFailure(ko, en)


def prop_grads_inplace(spec: Any, impl: Any, case: Case) -> None:
    """backward writes grads in place: the list and its arrays keep their identity."""
    obj = build(spec, impl, case)
    params_ids = [id(p) for p in obj.params]
    grads_list = obj.grads
    grads_ids = [id(g) for g in obj.grads]
    _forward(obj, case)
    _backward(obj, case.dout)
    if obj.grads is not grads_list or [id(g) for g in obj.grads] != grads_ids:
        raise SpecFailure(
            "backward가 grads의 배열을 새로 바꿔 끼웠습니다: self.grads[i][...] = ... 처럼 제자리에 써야 합니다",
            "backward rebound the grads arrays: write them in place, self.grads[i][...] = ...",
        )
    if [id(p) for p in obj.params] != params_ids:
        raise SpecFailure("forward/backward가 params의 배열을 바꿔 끼웠습니다",
                          "forward/backward rebound the params arrays")
    if spec.kind == "model":
        inner = {id(g) for layer in getattr(obj, "layers", []) for g in getattr(layer, "grads", [])}
        if not all(id(g) in inner for g in obj.grads):
            raise SpecFailure("모델의 grads가 계층의 grads 배열을 가리키지 않습니다",
                              "the model's grads do not alias its layers' grads arrays")


def prop_backward_twice(spec: Any, impl: Any, case: Case) -> None:
    """A second backward with the same dout gives the same gradients, not their sum."""
    obj = build(spec, impl, case)
    _forward(obj, case)
    first = _backward(obj, case.dout)
    first = [np.array(r, copy=True) for r in first]
    first_grads = _grads(obj)
    second = _backward(obj, case.dout)
    for name, a, b in zip(_names(first), first, second):
        _same(a, b, f"backward를 두 번 부르면 {name}가 달라집니다", f"a second backward changes {name}")
    for i, (a, b) in enumerate(zip(first_grads, _grads(obj))):
        _same(a, b, f"backward를 두 번 부르면 grads[{i}]가 달라집니다 (누적하면 안 됩니다)",
              f"a second backward changes grads[{i}] (gradients must not accumulate)")


def prop_linearity(spec: Any, impl: Any, case: Case) -> None:
    """backward is linear in dout: b(α d1 + β d2) = α b(d1) + β b(d2)."""
    alpha, beta = 2.0, -0.5

    def combine(d1: Any, d2: Any) -> Any:
        if isinstance(d1, tuple):
            return tuple(alpha * a + beta * b for a, b in zip(d1, d2))
        return alpha * d1 + beta * d2

    obj = build(spec, impl, case)
    _forward(obj, case)
    g1, p1 = [r.copy() for r in _backward(obj, case.dout)], _grads(obj)
    g2, p2 = [r.copy() for r in _backward(obj, case.dout2)], _grads(obj)
    g12, p12 = _backward(obj, combine(case.dout, case.dout2)), _grads(obj)
    for name, a, b, c in zip(_names(g1), g1, g2, g12):
        _compare(f"{name}(α·d1 + β·d2)", f"{name}(α·d1 + β·d2)", c, alpha * a + beta * b, LINEAR_ATOL, LINEAR_RTOL)
    for i, (a, b, c) in enumerate(zip(p1, p2, p12)):
        _compare(f"grads[{i}](α·d1 + β·d2)", f"grads[{i}](α·d1 + β·d2)", c, alpha * a + beta * b,
                 LINEAR_ATOL, LINEAR_RTOL)


def prop_adjoint(spec: Any, impl: Any, case: Case) -> None:
    """Linear maps: <f(x), y> = <x, backward(y)> (and <W, dW>) exactly on small integers."""
    ints = Case(
        tuple(np.round(2 * a) for a in case.args) if spec.name == "MatMul" else
        (np.round(2 * case.args[0]), np.zeros_like(case.args[1])) if spec.name == "Affine" else case.args,
        tuple(np.round(2 * a) for a in case.inputs),
        np.round(2 * case.dout),
    )
    obj = build(spec, impl, ints)
    out = np.asarray(_forward(obj, ints))
    lhs = float(np.sum(out * ints.dout))
    (dx,) = _backward(obj, ints.dout)
    rhs = float(np.sum(ints.inputs[0] * dx))
    if lhs != rhs:
        raise SpecFailure(f"정수 데이터에서 ⟨f(x), dout⟩ = {lhs!r}인데 ⟨x, dx⟩ = {rhs!r}입니다 (정확히 같아야 함)",
                          f"on integer data <f(x), dout> = {lhs!r} but <x, dx> = {rhs!r} (must be equal exactly)")
    if spec.name in ("MatMul", "Affine"):
        rhs_w = float(np.sum(ints.args[0] * obj.grads[0]))
        if lhs != rhs_w:
            raise SpecFailure(f"정수 데이터에서 ⟨xW, dout⟩ = {lhs!r}인데 ⟨W, dW⟩ = {rhs_w!r}입니다",
                              f"on integer data <xW, dout> = {lhs!r} but <W, dW> = {rhs_w!r}")


def _loss(obj: Any, x: np.ndarray, t: np.ndarray) -> float:
    return float(obj.forward(x.copy(), t.copy()))


def prop_batch_mean(spec: Any, impl: Any, case: Case) -> None:
    """The loss is a batch mean: stacking the batch on itself leaves it unchanged."""
    x, t = case.inputs[0], case.meta["labels"]
    one = _loss(build(spec, impl, case), x, t)
    two = _loss(build(spec, impl, case), np.concatenate([x, x]), np.concatenate([t, t]))
    if not math.isclose(one, two, rel_tol=FORWARD_RTOL, abs_tol=FORWARD_ATOL):
        raise SpecFailure(
            f"배치를 두 번 이어 붙이면 손실이 {one!r}에서 {two!r}로 바뀝니다: 합이 아니라 배치 평균이어야 합니다",
            f"stacking the batch twice changes the loss from {one!r} to {two!r}: "
            "it must be the batch mean, not the sum",
        )


def prop_onehot(spec: Any, impl: Any, case: Case) -> None:
    """Labels and their one-hot encoding give the same loss and the same dx."""
    x, labels = case.inputs[0], case.meta["labels"]
    onehot = np.eye(x.shape[1], dtype=np.int64)[labels]
    results = []
    for t in (labels, onehot):
        obj = build(spec, impl, case)
        loss = _loss(obj, x, t)
        results.append((loss, _backward(obj, case.dout)[0].copy()))
    (l1, d1), (l2, d2) = results
    if not math.isclose(l1, l2, rel_tol=FORWARD_RTOL, abs_tol=FORWARD_ATOL):
        raise SpecFailure(f"레이블로는 손실 {l1!r}, 원-핫으로는 {l2!r}입니다",
                          f"labels give loss {l1!r}, one-hot gives {l2!r}")
    _compare("원-핫 정답의 dx", "dx for one-hot labels", d2, d1, FORWARD_ATOL, FORWARD_RTOL)


def prop_uniform_loss(spec: Any, impl: Any, case: Case) -> None:
    """Equal scores give loss ln C, whatever the labels; dx rows then sum to 0."""
    x, t = case.inputs[0], case.meta["labels"]
    c = x.shape[1]
    obj = build(spec, impl, case)
    loss = _loss(obj, np.full_like(x, x.flat[0]), t)
    if current().book("log-1e-7"):  # the book's formula, measured: -log(1/C + 1e-7)
        want, text = -math.log(1 / c + BOOK_LOG_EPS), f"-ln(1/{c} + 1e-7)"
    else:
        want, text = math.log(c), f"ln {c}"
    if not math.isclose(loss, want, rel_tol=FORWARD_RTOL, abs_tol=FORWARD_ATOL):
        raise SpecFailure(f"모든 점수가 같으면 손실은 {text} = {want!r}이어야 하는데 {loss!r}입니다",
                          f"equal scores must give {text} = {want!r}, got {loss!r}")


def prop_grad_rows_zero(spec: Any, impl: Any, case: Case) -> None:
    """Each row of dx sums to 0 (softmax outputs and one-hot rows both sum to 1)."""
    obj = build(spec, impl, case)
    _forward(obj, case)
    (dx,) = _backward(obj, case.dout)
    _compare("dx의 행 합", "row sums of dx", dx.sum(axis=1), np.zeros(dx.shape[0]), FORWARD_ATOL, 0.0)


LAYER_PROPERTIES: dict[str, Callable[[Any, Any, Case], None]] = {
    "forward": prop_forward,
    "shapes": prop_shapes,
    "dtype": prop_dtype,
    "gradient": prop_gradient,
    "no_mutation": prop_no_mutation,
    "grads_inplace": prop_grads_inplace,
    "backward_twice": prop_backward_twice,
    "linearity": prop_linearity,
    "adjoint": prop_adjoint,
    "batch_mean": prop_batch_mean,
    "onehot": prop_onehot,
    "uniform_loss": prop_uniform_loss,
    "grad_rows_zero": prop_grad_rows_zero,
}
