"""The registry: every specified name, its kind, and the properties that define it.

``properties`` is the book's contract: a faithful, correct transcription of the
book passes it.  ``extended`` adds what refnn promises beyond the book
(numerical stability, N-D softmax); refnn's own suite runs both.

Chapter 1's rows are written here; chapters 2–8 bring theirs as families (`refnn.testing.family.Family`),
each in its own module with its cases and properties, registered once in `FAMILIES`.  A new chapter adds
its modules and one entry there.
"""

from __future__ import annotations

from refnn.testing import book, properties
from refnn.testing.family import CORE, Family, Spec
from refnn.testing.functional import OPTIMIZER_HYPER
from refnn.testing.rnn_properties import FAMILY as RNNLM
from refnn.testing.seq2seq_properties import FAMILY as SEQ2SEQ
from refnn.testing.word2vec_properties import FAMILY as WORD2VEC

__all__ = ["Spec", "Family", "SPECS", "PROPERTIES", "KINDS", "FAMILIES", "CORE"]

#: Property name → (Korean description, English description).
PROPERTIES: dict[str, tuple[str, str]] = {
    "forward": ("순전파 값이 정의(독립된 수식)와 같다", "forward equals the definition"),
    "shapes": ("출력·dx·grads의 형상이 문서와 같고 params와 grads가 짝을 이룬다",
               "output, dx and grads shapes as documented; params and grads line up"),
    "dtype": ("float32 입력이면 출력·dx·grads도 float32", "float32 in gives float32 out, dx and grads"),
    "gradient": ("dx와 모든 grads[i]가 수치 미분(float64 중앙 차분)과 같다",
                 "dx and every grads[i] match central finite differences in float64"),
    "no_mutation": ("입력·dout·params를 바꾸지 않는다", "inputs, dout and params are not mutated"),
    "grads_inplace": ("grads를 제자리에 쓴다(배열의 동일성 유지, 모델은 계층의 grads를 가리킴)",
                      "grads written in place (array identity kept; a model aliases its layers' grads)"),
    "backward_twice": ("backward를 두 번 불러도 같은 기울기(누적 없음)",
                       "a second backward gives the same gradients (no accumulation)"),
    "linearity": ("backward가 dout에 대해 선형", "backward is linear in dout"),
    "adjoint": ("정수 데이터에서 ⟨f(x), y⟩ = ⟨x, backward(y)⟩가 정확히 성립",
                "<f(x), y> = <x, backward(y)> exactly on integer data"),
    "batch_mean": ("손실이 배치 평균(배치를 두 번 이어 붙여도 같음)", "the loss is a batch mean"),
    "onehot": ("정수 레이블과 원-핫이 같은 손실·기울기", "labels and one-hot give the same loss and gradient"),
    "uniform_loss": ("모든 점수가 같으면 손실 = ln C", "equal scores give loss ln C"),
    "grad_rows_zero": ("dx의 각 행의 합이 0", "each row of dx sums to 0"),
    "softmax_identities": ("행의 합이 1이고 상수를 더해도 그대로", "rows sum to 1 and are shift-invariant"),
    "sigmoid_symmetry": ("σ(−x) = 1 − σ(x)", "sigmoid(-x) = 1 - sigmoid(x)"),
    "stability": ("±1000, ±1e6 입력에도 경고 없이 유한하고 정확", "finite and exact for ±1000 and ±1e6"),
    "nd": ("앞쪽 축이 여러 개인 입력도 2차원처럼 처리(소프트맥스는 마지막 축으로 정규화)",
           "N-D input handled like 2-D (softmax normalises over the last axis)"),
    "step": ("한 번·여러 번의 갱신이 닫힌 꼴의 식과 같다", "each step equals the closed form"),
    "inplace": ("호출자의 배열을 제자리에서 갱신(모델이 갱신을 봄)", "the caller's arrays are updated in place"),
    "zero_grad": ("기울기가 0이면 매개변수가 그대로", "zero gradients leave the parameters unchanged"),
    "layout": ("매개변수·입력·dout이 Fortran 순서이거나 연속이 아닌 뷰여도 같은 결과",
               "Fortran-ordered and non-contiguous params, inputs and dout give the same results"),
    "dout_dtype": ("float32 계층에 float64 dout을 주어도 dx·grads는 float32",
                   "a float64 dout into a float32 layer still gives float32 dx and grads"),
    "default_dout": ("backward()가 backward(1.0)과 같다", "backward() equals backward(1.0)"),
    "fresh": ("backward가 돌려준 배열은 쓰기 가능하고 dout·입력·grads와 메모리를 공유하지 않음",
              "backward returns writeable arrays sharing memory with neither dout, the inputs nor grads"),
    "messages": ("잘못된 호출의 오류 메시지가 계층 이름으로 시작하고 비교한 형상을 말함",
                 "errors for wrong calls start with the layer's name and name the shapes compared"),
}

#: Properties several families define, each for its own models: the general description (each family's own
#: wording stays in its ``Family.text``).
_SHARED: dict[str, tuple[str, str]] = {
    "model_gradient": ("모델 전체의 모든 매개변수 기울기가 float64 수치 미분과 같다",
                       "every parameter gradient of the whole model matches float64 finite differences"),
    "model_dtype": ("기본 dtype은 float32(params, grads와 모델이 내는 배열)",
                    "float32 by default (params, grads and the arrays the model returns)"),
    "model_reproducible": ("같은 시드면 같은 가중치·손실·기울기(·생성), 전역 난수 상태는 그대로",
                           "the same seed gives the same weights, loss and gradients (and generations); "
                           "the global random state is untouched"),
}
PROPERTIES.update(_SHARED)

#: Kind → Korean label.
KINDS = {"layer": "계층", "loss": "손실 계층", "node": "노드", "model": "모델",
         "function": "함수", "optimizer": "옵티마이저", "sampler": "샘플러"}

_BACKPROP = ("forward", "shapes", "dtype", "gradient", "no_mutation", "backward_twice", "linearity")
_WITH_PARAMS = _BACKPROP + ("grads_inplace",)
_LOSS = ("forward", "shapes", "dtype", "gradient", "no_mutation", "backward_twice", "linearity",
         "batch_mean", "onehot", "uniform_loss", "grad_rows_zero")
#: refnn's promises about arrays and errors that the book's code does not make (``--strict`` only).
_STRICT = ("dout_dtype", "fresh", "messages")


def _specs() -> dict[str, Spec]:
    rows = [
        Spec("MatMul", "layer", _WITH_PARAMS + ("adjoint", "layout"), _STRICT, module="refnn.layers"),
        Spec("Affine", "layer", _WITH_PARAMS + ("adjoint", "layout"), _STRICT, module="refnn.layers"),
        Spec("Sigmoid", "layer", _BACKPROP + ("sigmoid_symmetry", "layout", "nd"), ("stability",) + _STRICT,
             module="refnn.layers"),
        Spec("ReLU", "layer", _BACKPROP + ("layout", "nd"), _STRICT, module="refnn.layers"),
        Spec("Softmax", "layer", _BACKPROP + ("softmax_identities", "layout"), ("stability", "nd") + _STRICT,
             module="refnn.layers"),
        Spec("SoftmaxWithLoss", "loss", _LOSS + ("layout", "default_dout"), _STRICT, module="refnn.layers"),
        Spec("Add", "node", _BACKPROP + ("layout",), _STRICT, module="refnn.nodes"),
        Spec("Mul", "node", _BACKPROP + ("layout",), _STRICT, module="refnn.nodes"),
        Spec("Branch", "node", _BACKPROP + ("layout",), _STRICT, module="refnn.nodes"),
        Spec("Repeat", "node", _BACKPROP + ("adjoint", "layout"), _STRICT, module="refnn.nodes"),
        Spec("Sum", "node", _BACKPROP + ("adjoint", "layout"), _STRICT, module="refnn.nodes"),
        Spec("TwoLayerNet", "model", ("forward", "shapes", "gradient", "no_mutation", "grads_inplace",
                                      "backward_twice", "linearity", "layout", "default_dout"), ("fresh",),
             module="refnn.models"),
        Spec("sigmoid", "function", ("forward", "dtype", "no_mutation", "sigmoid_symmetry"), ("stability",),
             module="refnn.functions"),
        Spec("relu", "function", ("forward", "dtype", "no_mutation"), module="refnn.functions"),
        Spec("softmax", "function", ("forward", "dtype", "no_mutation", "softmax_identities"),
             ("stability", "nd"), module="refnn.functions"),
        Spec("log_softmax", "function", ("forward", "dtype", "no_mutation", "softmax_identities"),
             ("stability", "nd"), module="refnn.functions"),
        Spec("cross_entropy_error", "function", ("forward", "no_mutation", "batch_mean", "onehot"),
             module="refnn.functions"),
    ]
    rows += [Spec(name, "optimizer", ("step", "inplace", "no_mutation", "zero_grad"), module="refnn.optim")
             for name in OPTIMIZER_HYPER]
    return {s.name: s for s in rows}


#: Chapters 2–8, in the book's order: family name → its rows, cases and properties.
FAMILIES: dict[str, Family] = {f.name: f for f in (WORD2VEC, RNNLM, SEQ2SEQ)}


def _merged() -> dict[str, Spec]:
    rows = _specs()
    for family in FAMILIES.values():
        twice = set(rows) & set(family.specs)
        if twice:
            raise ValueError(f"family {family.name!r} registers names already registered: {sorted(twice)}")
        rows.update(family.specs)
        for prop, text in family.text.items():
            if PROPERTIES.setdefault(prop, text) != text and prop not in _SHARED:
                raise ValueError(f"family {family.name!r} describes {prop!r} differently: {text}")
        # the book's behaviours its names may show, measured in the default mode
        book.PROBES.update(family.probes)
        properties.LOG_EPS_CORRECTIONS.update(family.log_eps_corrections)
    return rows


#: Every specified name → its :class:`Spec` (chapter 1's rows, then each family's).
SPECS: dict[str, Spec] = _merged()
