"""Properties of chapters 7–8 (attention layers, encoder–decoder models, generation).

Each property has chapter 1's signature ``prop(spec, impl, case)`` and raises
:class:`~refnn.testing.properties.SpecFailure`.  Chapter 1's layer properties (forward, shapes, dtype,
gradient, …) are reused as they are, with this module's references visible to them while they run.

The attention layers' own identities: the weights are a probability vector over the encoder steps; a
one-hot weight selects that step's hidden state; permuting the encoder steps permutes the weights and
leaves the context unchanged; the context is the weighted sum with the weights the layer keeps;
``TimeAttention`` equals ``Attention`` applied at each decoder step, forward and backward.

The models': the whole model, the encoder alone and the decoder alone (with the gradient of the state it
receives: ``h``, or every ``hs_enc`` for attention) against float64 finite differences; teacher forcing
(the decoder reads ``ts[:, :-1]`` and is scored on ``ts[:, 1:]``); generation is greedy and agrees with
the decoder's own forward; float32 by default; the same seed gives the same model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from refnn.gradcheck import GradientMismatch, GradsRebound, check_layer
from refnn.layers.attention import Attention
from refnn.testing.cases import Case
from refnn.testing.family import Family, Spec
from refnn.testing.properties import SpecFailure, _compare, _gradcheck_text
from refnn.testing.rnn_cases import time_softmax_loss
from refnn.testing.seq2seq_cases import ATTENTION_CASES, ATTENTION_REFERENCES, MODEL_CASES, weight_sum
from refnn.testing.word2vec_properties import _Forwarding, _global_state, _named, _same_global, chapter1_properties

__all__ = ["FAMILY", "SEQ2SEQ_PROPERTIES", "SEQ2SEQ_SPECS", "PROPERTY_TEXT", "kept_weights"]

#: Tolerance of the structural identities (the same arithmetic in another order).
IDENTITY_ATOL, IDENTITY_RTOL = 1e-12, 1e-10


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
    **chapter1_properties(_LAYER, ATTENTION_REFERENCES, adapt=False),
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


# --- the encoder-decoder models --------------------------------------------------------------------

class NoInputGrads(_Forwarding):
    """A model (or encoder) seen as a function of its parameters only: backward returns no input gradients
    (the inputs are ids)."""

    def __init__(self, obj: Any) -> None:
        self._obj = obj
        self.params, self.grads = obj.params, obj.grads

    def forward(self, *args: Any) -> Any:
        return self._obj.forward(*args)

    def backward(self, *douts: Any) -> Any:
        self._obj.backward(*douts)
        return ()


def _gradient_check(obj: Any, *inputs: Any, dout: Any = None) -> None:
    try:
        check_layer(obj, *inputs, dout=dout)
    except (GradientMismatch, GradsRebound) as exc:
        raise SpecFailure(_gradcheck_text(exc, "ko"), _gradcheck_text(exc, "en")) from None


def _model(impl: Any, case: Case, dtype: Any = np.float64) -> Any:
    """The case's model, its weights redrawn from [-0.5, 0.5] by the case's seed (the initial embedding
    weights are tiny, which would make every gradient look alike)."""
    model = impl(*case.args, rng=case.meta["seed"], dtype=dtype)
    gen = np.random.default_rng(case.meta["seed"])
    for p in {id(p): p for p in model.params}.values():
        p[...] = gen.uniform(-0.5, 0.5, p.shape)
    return model


def mprop_gradient(spec: Any, impl: Any, case: Case) -> None:
    """The whole model in float64 against finite differences: every parameter of the encoder (reached only
    through the dh the decoder hands back) and of the decoder."""
    model = _model(impl, case)
    _gradient_check(_named(NoInputGrads, model)(model), *case.inputs, dout=case.dout)


def mprop_encoder_gradient(spec: Any, impl: Any, case: Case) -> None:
    """The encoder alone: the gradient of ⟨dout, encoder(xs)⟩ for every encoder parameter."""
    encoder = _model(impl, case).encoder
    _gradient_check(_named(NoInputGrads, encoder)(encoder), case.inputs[0])


def mprop_decoder_gradient(spec: Any, impl: Any, case: Case) -> None:
    """The decoder alone, as a function of ts[:, :-1] and the state it receives (h, or hs_enc for
    attention): every decoder parameter and the returned state gradient against finite differences."""
    model = _model(impl, case)
    state = np.array(model.encoder.forward(case.inputs[0].copy()), dtype=np.float64)
    _gradient_check(model.decoder, case.inputs[1][:, :-1], state)


def mprop_teacher_forcing(spec: Any, impl: Any, case: Case) -> None:
    """The loss is the decoder's on ts[:, :-1] (from the encoder's output) scored against ts[:, 1:]."""
    model = _model(impl, case)
    xs, ts = case.inputs
    loss = float(model.forward(xs.copy(), ts.copy()))
    scores = model.decoder.forward(ts[:, :-1].copy(), model.encoder.forward(xs.copy()))
    want = time_softmax_loss(scores, ts[:, 1:])
    if not np.isclose(loss, want, rtol=IDENTITY_RTOL, atol=IDENTITY_ATOL):
        raise SpecFailure(f"손실 {loss!r}이 Decoder에 ts[:, :-1]을 넣고 ts[:, 1:]로 잰 손실 {want!r}과 다릅니다",
                          f"the loss {loss!r} differs from the decoder's on ts[:, :-1] scored against "
                          f"ts[:, 1:] ({want!r})")


def mprop_generate_constant(spec: Any, impl: Any, case: Case) -> None:
    """A decoder whose affine always favours one id k (W = 0, b = onehot(k)) generates k sample_size times,
    whatever the start id; generating twice gives the same ids."""
    model = _model(impl, case)
    V = case.args[0]
    k = (case.meta["start"] + 1) % V
    W, b = model.decoder.params[-2], model.decoder.params[-1]
    W[...] = 0
    b[...] = 0
    b[k] = 1
    xs, size = case.inputs[0][:1], case.meta["size"]
    got = [int(i) for i in model.generate(xs.copy(), case.meta["start"], size)]
    if got != [k] * size:
        raise SpecFailure(f"언제나 {k}를 고르는 Decoder가 {got}를 생성했습니다 ({k}가 {size}개여야 함)",
                          f"a decoder that always picks {k} generated {got} (expected {size} times {k})")
    again = [int(i) for i in model.generate(xs.copy(), case.meta["start"], size)]
    if again != got:
        raise SpecFailure("같은 입력으로 두 번 생성한 결과가 다릅니다", "generating twice from the same input differs")


def mprop_generate_consistent(spec: Any, impl: Any, case: Case) -> None:
    """Generation is greedy and agrees with teacher forcing: feeding [start] + generated[:-1] to the
    decoder's forward gives scores whose argmax at each step is the generated id."""
    model = _model(impl, case)
    xs, start, size = case.inputs[0][:1], case.meta["start"], case.meta["size"]
    got = [int(i) for i in model.generate(xs.copy(), start, size)]
    if len(got) != size:
        raise SpecFailure(f"{size}개를 생성해야 하는데 {len(got)}개입니다",
                          f"generated {len(got)} ids, expected {size}")
    fed = np.array([[start] + got[:-1]], dtype=np.int64)
    scores = np.asarray(model.decoder.forward(fed, model.encoder.forward(xs.copy())))
    want = scores[0].argmax(axis=1).tolist()
    if got != want:
        raise SpecFailure(f"생성한 ID {got}가 같은 입력의 순전파 점수의 argmax {want}와 다릅니다",
                          f"the generated ids {got} differ from the argmax {want} of the decoder's forward "
                          "on the same inputs")


def mprop_dtype(spec: Any, impl: Any, case: Case) -> None:
    """float32 by default (as the book): params and grads stay float32 and the loss is finite."""
    model = impl(*case.args, rng=case.meta["seed"])
    loss = model.forward(*[np.array(a, copy=True) for a in case.inputs])
    model.backward()
    if not np.isfinite(float(loss)):
        raise SpecFailure(f"손실이 유한하지 않습니다: {loss!r}", f"the loss is not finite: {loss!r}")
    for what, arrays in (("params", model.params), ("grads", model.grads)):
        for i, a in enumerate(arrays):
            if np.asarray(a).dtype != np.float32:
                raise SpecFailure(f"기본 dtype에서 {what}[{i}]가 {np.asarray(a).dtype}입니다 (float32여야 함)",
                                  f"with the default dtype {what}[{i}] is {np.asarray(a).dtype} (expected float32)")


def mprop_reproducible(spec: Any, impl: Any, case: Case) -> None:
    """The same seed gives the same weights, loss, gradients and generated ids; NumPy's global random state
    is untouched."""
    before = _global_state()
    runs = []
    for _ in range(2):
        model = impl(*case.args, rng=case.meta["seed"])
        loss = float(model.forward(*[np.array(a, copy=True) for a in case.inputs]))
        model.backward()
        ids = [int(i) for i in model.generate(case.inputs[0][:1].copy(), case.meta["start"], case.meta["size"])]
        runs.append((loss, ids, [np.array(a, copy=True) for a in model.params + model.grads]))
    _same_global(before, "the model")
    (la, ia, a), (lb, ib, b) = runs
    if la != lb or ia != ib or not all(np.array_equal(x, y) for x, y in zip(a, b)):
        raise SpecFailure("같은 시드로 만든 두 모델의 가중치·손실·기울기·생성 결과가 다릅니다",
                          "two models built with the same seed differ in weights, loss, gradients or generation")


SEQ2SEQ_PROPERTIES.update({
    "model_gradient": mprop_gradient, "encoder_gradient": mprop_encoder_gradient,
    "decoder_gradient": mprop_decoder_gradient, "teacher_forcing": mprop_teacher_forcing,
    "generate_constant": mprop_generate_constant, "generate_consistent": mprop_generate_consistent,
    "model_dtype": mprop_dtype, "model_reproducible": mprop_reproducible,
})
PROPERTY_TEXT.update({
    "model_gradient": ("모델 전체의 모든 매개변수가 float64 수치 미분과 같다(Encoder는 Decoder가 돌려준 dh로만 닿음)",
                       "every parameter of the whole model matches float64 finite differences"),
    "encoder_gradient": ("Encoder만의 매개변수 기울기가 수치 미분과 같다",
                         "the encoder's parameter gradients alone match finite differences"),
    "decoder_gradient": ("Decoder만의 매개변수와 받은 상태(h 또는 hs_enc)의 기울기가 수치 미분과 같다",
                         "the decoder's parameter and received-state gradients match finite differences"),
    "teacher_forcing": ("Decoder의 입력은 ts[:, :-1], 정답은 ts[:, 1:]",
                        "the decoder reads ts[:, :-1] and is scored against ts[:, 1:]"),
    "generate_constant": ("언제나 한 ID를 고르는 Decoder는 그 ID를 sample_size번 생성한다",
                          "a decoder that always picks one id generates it sample_size times"),
    "generate_consistent": ("생성은 탐욕적이고 같은 입력의 순전파 점수의 argmax와 같다",
                            "generation is greedy and agrees with the decoder's forward"),
    "model_dtype": ("기본 dtype은 float32(params, grads)", "float32 by default (params, grads)"),
    "model_reproducible": ("같은 시드면 같은 가중치·손실·기울기·생성, 전역 난수 상태는 그대로",
                           "the same seed gives the same weights, loss, gradients and generation"),
})
_MODEL = ("model_gradient", "encoder_gradient", "decoder_gradient", "teacher_forcing", "generate_constant",
          "generate_consistent", "model_dtype", "model_reproducible")
_MODULES = {"Seq2seq": "refnn.models.seq2seq", "PeekySeq2seq": "refnn.models.seq2seq",
            "AttentionSeq2seq": "refnn.models.attention_seq2seq"}


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


_ROWS = _rows()
_ROWS.update({name: Spec(name, "model", _MODEL, module=module) for name, module in _MODULES.items()})

#: Chapters 7–8 as registered in ``refnn.testing.spec.FAMILIES``.
FAMILY = Family("seq2seq", "7–8", _ROWS, SEQ2SEQ_PROPERTIES, {**ATTENTION_CASES, **MODEL_CASES}, PROPERTY_TEXT)
#: The rows chapters 7–8 add to ``refnn.testing.SPECS`` (``family="seq2seq"``).
SEQ2SEQ_SPECS: dict[str, Spec] = dict(FAMILY.specs)
