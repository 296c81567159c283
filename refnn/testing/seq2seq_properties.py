"""Properties of chapters 7–8 (attention layers, encoder–decoder models, generation).

Each property has chapter 1's signature ``prop(spec, impl, case)`` and raises
:class:`~refnn.testing.properties.SpecFailure`.  Chapter 1's layer properties (forward, shapes, dtype,
gradient, …) are reused as they are, with this module's references visible to them while they run.

The attention layers' own identities: the weights are a probability vector over the encoder steps; a
one-hot weight selects that step's hidden state; permuting the encoder steps permutes the weights and
leaves the context unchanged; the context is the weighted sum with the weights the layer keeps;
``TimeAttention`` equals ``Attention`` applied at each decoder step, forward and backward.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings

from refnn.layers.attention import Attention
from refnn.testing.cases import REFERENCES, Case
from refnn.testing.properties import LAYER_PROPERTIES, SpecFailure, _compare
from refnn.testing.seq2seq_cases import ATTENTION_CASES, ATTENTION_REFERENCES, weight_sum
from refnn.testing.spec import Spec

__all__ = ["SEQ2SEQ_PROPERTIES", "SEQ2SEQ_SPECS", "PROPERTY_TEXT", "seq2seq_test", "kept_weights"]

#: Tolerance of the structural identities (the same arithmetic in another order).
IDENTITY_ATOL, IDENTITY_RTOL = 1e-12, 1e-10


@contextmanager
def _references() -> Iterator[None]:
    missing = {k: v for k, v in ATTENTION_REFERENCES.items() if k not in REFERENCES}
    REFERENCES.update(missing)
    try:
        yield
    finally:
        for k in missing:
            REFERENCES.pop(k, None)


def _generic(prop: str) -> Callable[[Any, Any, Case], None]:
    chapter1 = LAYER_PROPERTIES[prop]

    def run(spec: Any, impl: Any, case: Case) -> None:
        with _references():
            chapter1(spec, impl, case)

    run.__name__ = f"prop_{prop}"
    run.__doc__ = chapter1.__doc__
    return run


def _close(ko: str, en: str, got: Any, want: Any) -> None:
    _compare(ko, en, got, want, IDENTITY_ATOL, IDENTITY_RTOL)


def _copies(case: Case) -> list[np.ndarray]:
    return [np.array(a, copy=True) for a in case.inputs]


def kept_weights(name: str, layer: Any, out: Any) -> np.ndarray | None:
    """The attention weights of a forward, as (N, T_dec, T_enc) (T_dec = 1 except for TimeAttention)."""
    if name == "AttentionWeight":
        return np.asarray(out)[:, None]
    if name == "Attention":
        kept = getattr(layer, "attention_weight", None)
        return None if kept is None else np.asarray(kept)[:, None]
    kept = getattr(layer, "attention_weights", None)
    return None if kept is None else np.asarray(kept).transpose(1, 0, 2)


def _weights_of(spec: Any, layer: Any, out: Any) -> np.ndarray:
    w = kept_weights(spec.name, layer, out)
    if w is None:
        what = "attention_weight" if spec.name == "Attention" else "attention_weights"
        raise SpecFailure(f"순전파 뒤 {what}가 없습니다", f"no {what} after forward")
    return w


def prop_weights_simplex(spec: Any, impl: Any, case: Case) -> None:
    """The attention weights lie in [0, 1] and sum to 1 over the encoder steps (for every decoder step)."""
    layer = impl()
    out = layer.forward(*_copies(case))
    w = _weights_of(spec, layer, out)
    N, T = case.inputs[0].shape[:2]
    if w.shape[0] != N or w.shape[2] != T:
        raise SpecFailure(f"가중치의 형상 {w.shape}이 (N, T_dec, T_enc) = ({N}, ·, {T})가 아닙니다",
                          f"the weights have shape {w.shape}, expected (N, T_dec, T_enc) = ({N}, ., {T})")
    if np.any(w < 0) or np.any(w > 1):
        raise SpecFailure(f"가중치가 [0, 1] 밖에 있습니다 (최소 {w.min()!r}, 최대 {w.max()!r})",
                          f"weights outside [0, 1] (min {w.min()!r}, max {w.max()!r})")
    _close("Encoder 시각 축으로 더한 가중치", "the weights summed over the encoder steps", w.sum(axis=2),
           np.ones(w.shape[:2]))


def prop_one_hot_selects(spec: Any, impl: Any, case: Case) -> None:
    """A one-hot weight on encoder step k gives exactly that step's hidden state hs[:, k]."""
    hs, a = _copies(case)
    k = case.meta["k"]
    onehot = np.zeros_like(a)
    onehot[:, k] = 1
    c = impl().forward(hs, onehot)
    if not np.array_equal(np.asarray(c), hs[:, k]):
        raise SpecFailure(f"원-핫 가중치(시각 {k})의 가중합이 hs[:, {k}]와 다릅니다",
                          f"the sum with a one-hot weight on step {k} differs from hs[:, {k}]")


def prop_permutation(spec: Any, impl: Any, case: Case) -> None:
    """Permuting the encoder steps permutes the weights and leaves the output (the context) unchanged
    (WeightSum: permuting hs and a together leaves c unchanged)."""
    perm = case.meta["perm"]
    inputs = _copies(case)
    moved = [inputs[0][:, perm], inputs[1][:, perm] if spec.name == "WeightSum" else inputs[1]]
    layer, other = impl(), impl()
    out, out_p = layer.forward(*inputs), other.forward(*[np.array(a, copy=True) for a in moved])
    order = f"perm {perm.tolist()}"
    if spec.name == "AttentionWeight":
        _close(f"시각을 바꾼 가중치 ({order})", f"the weights with permuted steps ({order})", out_p,
               np.asarray(out)[:, perm])
        return
    _close(f"시각을 바꾼 출력 ({order})", f"the output with permuted steps ({order})", out_p, out)
    if spec.name != "WeightSum":
        _close(f"시각을 바꾼 가중치 ({order})", f"the weights with permuted steps ({order})",
               _weights_of(spec, other, out_p), _weights_of(spec, layer, out)[:, :, perm])


def prop_context_weighted_sum(spec: Any, impl: Any, case: Case) -> None:
    """The output is the weighted sum Σ_t a_t hs_t with the weights the layer keeps."""
    layer = impl()
    hs, h = _copies(case)
    out = np.asarray(layer.forward(hs, h))
    w = _weights_of(spec, layer, out)
    want = np.stack([weight_sum(hs, w[:, t]) for t in range(w.shape[1])], axis=1)
    _close("출력 (보관한 가중치의 가중합과 비교)", "output (against the sum with the kept weights)",
           out if spec.name == "TimeAttention" else out[:, None], want)


def prop_per_step(spec: Any, impl: Any, case: Case) -> None:
    """TimeAttention equals refnn's Attention at each decoder step: the output, dhs_dec step by step and
    dhs_enc summed over the steps."""
    hs_enc, hs_dec = case.inputs
    layer = impl()
    out = np.asarray(layer.forward(hs_enc.copy(), hs_dec.copy()))
    back = layer.backward(case.dout.copy())
    steps = [Attention() for _ in range(hs_dec.shape[1])]
    want = np.stack([a.forward(hs_enc.copy(), hs_dec[:, t].copy()) for t, a in enumerate(steps)], axis=1)
    _close("출력 (시각별 Attention과 비교)", "output (against an Attention per step)", out, want)
    if not isinstance(back, (tuple, list)) or len(back) != 2:
        raise SpecFailure("backward가 (dhs_enc, dhs_dec)를 돌려주지 않습니다",
                          "backward does not return (dhs_enc, dhs_dec)")
    grads = [a.backward(case.dout[:, t].copy()) for t, a in enumerate(steps)]
    _close("dhs_enc (시각별 기울기의 합과 비교)", "dhs_enc (against the sum over the steps)", back[0],
           sum((g[0] for g in grads), np.zeros_like(hs_enc)))
    _close("dhs_dec (시각별 Attention과 비교)", "dhs_dec (against an Attention per step)", back[1],
           np.stack([g[1] for g in grads], axis=1))


_LAYER = ("forward", "shapes", "dtype", "gradient", "no_mutation", "backward_twice", "linearity")

SEQ2SEQ_PROPERTIES: dict[str, Callable[[Any, Any, Case], None]] = {
    **{p: _generic(p) for p in _LAYER},
    "weights_simplex": prop_weights_simplex,
    "one_hot_selects": prop_one_hot_selects,
    "permutation": prop_permutation,
    "context_weighted_sum": prop_context_weighted_sum,
    "per_step_attention": prop_per_step,
}

#: New property name → (Korean, English) description, for the registry's PROPERTIES.
PROPERTY_TEXT: dict[str, tuple[str, str]] = {
    "weights_simplex": ("어텐션 가중치가 [0, 1]에 있고 Encoder 시각 축의 합이 1",
                        "attention weights lie in [0, 1] and sum to 1 over the encoder steps"),
    "one_hot_selects": ("원-핫 가중치는 그 시각의 은닉 상태를 그대로 고른다",
                        "a one-hot weight selects that step's hidden state exactly"),
    "permutation": ("Encoder 시각의 순서를 바꾸면 가중치도 같이 바뀌고 맥락 벡터는 그대로",
                    "permuting the encoder steps permutes the weights; the context is unchanged"),
    "context_weighted_sum": ("출력이 보관한 가중치로 낸 가중합과 같다",
                             "the output is the weighted sum with the weights the layer keeps"),
    "per_step_attention": ("Decoder의 시각마다 Attention을 적용한 것과 순전파·역전파가 같다",
                           "equals an Attention per decoder step, forward and backward"),
}


def _rows() -> dict[str, Spec]:
    rows = [
        Spec("WeightSum", "layer", _LAYER + ("one_hot_selects", "permutation"), module="refnn.layers"),
        Spec("AttentionWeight", "layer", _LAYER + ("weights_simplex", "permutation"), module="refnn.layers"),
        Spec("Attention", "layer", _LAYER + ("weights_simplex", "permutation", "context_weighted_sum"),
             module="refnn.layers"),
        Spec("TimeAttention", "layer", _LAYER + ("weights_simplex", "permutation", "context_weighted_sum",
                                                 "per_step_attention"), module="refnn.layers"),
    ]
    return {s.name: s for s in rows}


#: The rows chapters 7–8 add to ``refnn.testing.SPECS``.
SEQ2SEQ_SPECS: dict[str, Spec] = _rows()

_STRATEGIES = dict(ATTENTION_CASES)


def seq2seq_test(name: str, prop: str, impl: Any,
                 hypothesis_settings: settings | None = None) -> Callable[[], None]:
    """A Hypothesis test of property ``prop`` of ``name`` for ``impl`` (as ``rnn_test``)."""
    spec = SEQ2SEQ_SPECS[name]
    if prop not in spec.all_properties:
        raise KeyError(f"{name} has no property {prop!r}")
    check = SEQ2SEQ_PROPERTIES[prop]
    dtype = np.dtype(np.float32 if prop in ("dtype", "model_dtype") else np.float64)

    @given(case=_STRATEGIES[name](dtype))
    @settings(parent=hypothesis_settings, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
              report_multiple_bugs=False)
    def test(case: Case) -> None:
        check(spec, impl, case)

    test.__name__ = f"test_{name}_{prop}"
    return test
