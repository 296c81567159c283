"""Properties of the protocol beyond the values: memory layout, dout dtype, N-D input, default dout,
fresh results, error messages.

계층이 **어떤 배열을 받아도** 같은 답을 내고, 돌려주는 배열이 안전하며, 잘못된 호출에는 무엇이 왜
틀렸는지 말하는지 확인하는 성질입니다. 값의 성질(`refnn.testing.properties`)과 같은 서명
`prop(spec, impl, case)`를 쓰고, 같은 사례(`Case`)를 변형해서 씁니다.

- `layout`: 매개변수·입력·`dout`이 Fortran 순서이거나 연속이 아닌 뷰여도 C 순서와 같은 결과.
- `dout_dtype`: float32 계층에 float64 `dout`을 주어도 `dx`와 `grads`는 float32.
- `nd`: 임의 차원(`(..., C)`)으로 문서화된 계층에 3차원 입력을 주어도 순전파와 기울기가 맞음.
- `default_dout`: 손실 계층과 모델의 `backward()`가 `backward(1.0)`과 같음.
- `fresh`: `backward`가 돌려준 배열은 쓰기 가능하고 `dout`·입력·`grads`·서로와 메모리를 공유하지 않음.
- `messages`: 형상·dtype이 틀린 호출의 `ValueError`·`TypeError` 메시지가 계층 이름으로 시작하고
  비교한 형상을 모두 말함.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from refnn.gradcheck import GradientMismatch, check_layer
from refnn.testing.cases import REFERENCES, Case
from refnn.testing.properties import (
    FORWARD_ATOL,
    FORWARD_RTOL,
    SpecFailure,
    _backward,
    _check_protocol,
    _compare,
    _copy,
    _forward,
    _gradcheck_text,
    _grads,
    _names,
    _outputs,
    _view,
    build,
)

__all__ = ["LAYOUTS", "PROTOCOL_PROPERTIES", "LAYOUT_ATOL", "LAYOUT_RTOL"]

#: The same products summed in another order (BLAS kernels differ by layout): a few ulps apart.
LAYOUT_ATOL = 1e-12
LAYOUT_RTOL = 1e-12


def _fortran(a: np.ndarray) -> np.ndarray:
    return np.asfortranarray(a)


def _strided(a: np.ndarray) -> np.ndarray:
    """A non-contiguous view holding the values of ``a`` (every other element of a wider buffer)."""
    buf = np.zeros(a.shape[:-1] + (2 * a.shape[-1],), dtype=a.dtype)
    buf[..., ::2] = a
    return buf[..., ::2]


#: Layout name → a copy of an array in that memory layout (same values, same dtype).
LAYOUTS: dict[str, Callable[[np.ndarray], np.ndarray]] = {"Fortran": _fortran, "strided": _strided}


def _arranged(a: Any, layout: Callable[[np.ndarray], np.ndarray]) -> Any:
    if isinstance(a, np.ndarray) and a.dtype.kind == "f" and a.ndim > 0:
        return layout(a)
    return _copy(a)


def _arranged_dout(d: Any, layout: Callable[[np.ndarray], np.ndarray]) -> Any:
    if isinstance(d, tuple):
        return tuple(_arranged(x, layout) for x in d)
    return _arranged(d, layout)


def _build_arranged(spec: Any, impl: Any, case: Case, layout: Callable[[np.ndarray], np.ndarray]) -> Any:
    """Like `build`, but the constructor receives the parameters in ``layout`` (a model allocates its own)."""
    if spec.kind == "model":
        return build(spec, impl, case)
    obj = impl(*[_arranged(a, layout) for a in case.args])
    _check_protocol(spec, obj)
    return _view(obj)


def _run(obj: Any, inputs: tuple[Any, ...], dout: Any) -> list[list[np.ndarray]]:
    out = [np.array(o, dtype=np.float64, copy=True) for o in _outputs(obj.forward(*inputs))]
    returned = [np.array(r, copy=True) for r in _backward(obj, dout)]
    return [out, returned, _grads(obj)]


def prop_layout(spec: Any, impl: Any, case: Case) -> None:
    """Fortran-ordered and non-contiguous params, inputs and dout give the C-ordered results."""
    want = _run(build(spec, impl, case), tuple(_copy(a) for a in case.inputs), case.dout)
    for label, layout in LAYOUTS.items():
        obj = _build_arranged(spec, impl, case, layout)
        got = _run(obj, tuple(_arranged(a, layout) for a in case.inputs), _arranged_dout(case.dout, layout))
        for kind, g_list, w_list in zip(("out", "dx", "grads"), got, want):
            names = _names(w_list) if kind == "dx" else [f"{kind}[{i}]" for i in range(len(w_list))]
            for name, g, w in zip(names, g_list, w_list):
                _compare(f"{label} 배열을 넣었을 때 {name}", f"{name} with {label} arrays", g, w,
                         LAYOUT_ATOL, LAYOUT_RTOL)


def _as_float64_dout(dout: Any) -> Any:
    if isinstance(dout, tuple):
        return tuple(np.asarray(d, dtype=np.float64) for d in dout)
    if np.ndim(dout) == 0:
        return np.float64(dout)  # not a Python float, which NumPy treats as weak (keeping float32)
    return np.asarray(dout, dtype=np.float64)


def prop_dout_dtype(spec: Any, impl: Any, case: Case) -> None:
    """float32 inputs and params with a float64 dout still give float32 dx and grads."""
    obj = build(spec, impl, case)
    _forward(obj, case)
    returned = _backward(obj, _as_float64_dout(case.dout))
    for name, r in zip(_names(returned), returned):
        if r.dtype != np.float32:
            raise SpecFailure(f"float32 계층에 float64 dout을 주면 {name}가 {r.dtype}입니다 (입력의 dtype이어야 함)",
                              f"a float64 dout into a float32 layer gave {name} of dtype {r.dtype} "
                              "(the input's dtype expected)")
    for i, g in enumerate(getattr(obj, "grads", [])):
        if np.asarray(g).dtype != np.float32:
            raise SpecFailure(f"float64 dout을 주면 grads[{i}]가 {np.asarray(g).dtype}입니다",
                              f"a float64 dout gave grads[{i}] of dtype {np.asarray(g).dtype}")


def _three_d(a: np.ndarray) -> np.ndarray:
    """(N, C) → (N, 2, C): the rows beside their reversal, scaled (a middle axis of length 2)."""
    return np.stack([a, -0.5 * a[::-1]], axis=1)


def prop_nd(spec: Any, impl: Any, case: Case) -> None:
    """A layer documented for any number of leading axes takes a 3-D input: forward and gradients."""
    (x,) = case.inputs
    cube = Case(case.args, (_three_d(x),), _three_d(case.dout), _three_d(case.dout2))
    obj = build(spec, impl, cube)
    _compare("3차원 입력의 순전파", "forward of a 3-D input", _forward(obj, cube), REFERENCES[spec.name](cube),
             FORWARD_ATOL, FORWARD_RTOL)
    try:
        check_layer(build(spec, impl, cube), *cube.inputs, dout=cube.dout)
    except GradientMismatch as exc:
        raise SpecFailure("3차원 입력: " + _gradcheck_text(exc, "ko"),
                          "3-D input: " + _gradcheck_text(exc, "en")) from None


def prop_default_dout(spec: Any, impl: Any, case: Case) -> None:
    """A loss or a model: backward() equals backward(1.0), dx and every grads[i], bit for bit."""
    obj = build(spec, impl, case)
    _forward(obj, case)
    dx_one, grads_one = [r.copy() for r in _backward(obj, 1.0)], _grads(obj)
    _forward(obj, case)
    dx_default = np.asarray(obj.backward())
    if not np.array_equal(dx_default, dx_one[0]):
        raise SpecFailure("backward()의 dx가 backward(1.0)과 다릅니다 (dout의 기본값은 1이어야 함)",
                          "backward() gives another dx than backward(1.0) (dout must default to 1)")
    for i, (a, b) in enumerate(zip(_grads(obj), grads_one)):
        if not np.array_equal(a, b):
            raise SpecFailure(f"backward()의 grads[{i}]가 backward(1.0)과 다릅니다",
                              f"backward() gives another grads[{i}] than backward(1.0)")


def prop_fresh(spec: Any, impl: Any, case: Case) -> None:
    """backward returns writeable arrays that share memory with neither dout, the inputs, grads, nor each other."""
    obj = build(spec, impl, case)
    inputs = tuple(_copy(a) for a in case.inputs)
    obj.forward(*inputs)
    douts = tuple(_copy(d) for d in case.dout) if isinstance(case.dout, tuple) else (_copy(case.dout),)
    out = obj.backward(*douts)
    returned = list(out) if isinstance(out, (tuple, list)) else [out]
    names = _names(returned)
    others: list[tuple[str, str, Any]] = [("dout", "dout", d) for d in douts]
    others += [(f"입력 {i}", f"input {i}", a) for i, a in enumerate(inputs)]
    others += [(f"grads[{i}]", f"grads[{i}]", g) for i, g in enumerate(getattr(obj, "grads", []))]
    for k, (name, r) in enumerate(zip(names, returned)):
        if not isinstance(r, np.ndarray) or not r.flags.writeable:
            raise SpecFailure(f"backward가 돌려준 {name}가 쓰기 가능한 배열이 아닙니다",
                              f"backward returned {name} that is not a writeable array")
        later = [(n, n, o) for n, o in zip(names[k + 1:], returned[k + 1:])]
        for ko, en, o in others + later:
            if isinstance(o, np.ndarray) and np.shares_memory(r, o):
                raise SpecFailure(f"backward가 돌려준 {name}가 {ko}와 메모리를 공유합니다 (새 배열이어야 함)",
                                  f"backward returned {name} sharing memory with {en} (a new array expected)")


# --- messages ----------------------------------------------------------------------------------

def _wider(a: np.ndarray) -> np.ndarray:
    return np.zeros(a.shape[:-1] + (a.shape[-1] + 1,), dtype=a.dtype)


def _bad_calls(
    spec: Any, obj: Any, case: Case
) -> Iterator[tuple[str, type[Exception], Callable[[], Any], tuple[str, ...]]]:
    """(what, exception type, call, the texts its message must hold) for the refused calls of ``spec``."""
    inputs = tuple(_copy(a) for a in case.inputs)
    x = inputs[0]
    cube = np.zeros((1,) + x.shape, dtype=x.dtype)
    if spec.name in ("MatMul", "Affine"):
        wide = _wider(x)
        yield "x", ValueError, lambda: obj.forward(wide), (str(wide.shape), str(case.args[0].shape))
        yield "x (3-D)", ValueError, lambda: obj.forward(cube), (str(cube.shape),)
    if spec.name in ("Add", "Mul"):
        wide = _wider(inputs[1])
        yield "y", ValueError, lambda: obj.forward(x, wide), (str(x.shape), str(wide.shape))
    if spec.kind == "loss":
        t = case.meta["labels"]
        longer = np.concatenate([t, t[:1]])
        yield "t", ValueError, lambda: obj.forward(x, longer), (str(longer.shape), str(x.shape))
        yield "x (3-D)", ValueError, lambda: obj.forward(cube, t), (str(cube.shape),)
    complex_x = np.zeros(x.shape, dtype=complex)
    yield "dtype of x", TypeError, lambda: obj.forward(complex_x, *inputs[1:]), ("complex",)
    if spec.kind == "loss":
        def matrix_dout() -> Any:
            obj.forward(*[_copy(a) for a in case.inputs])
            return obj.backward(np.ones((2, 2)))

        yield "dout", ValueError, matrix_dout, ("(2, 2)",)
        return
    douts = [_copy(d) for d in (case.dout if isinstance(case.dout, tuple) else (case.dout,))]
    douts[0] = _wider(douts[0])
    out_shape = np.shape(_outputs(REFERENCES[spec.name](case))[0])

    def wide_dout() -> Any:
        obj.forward(*[_copy(a) for a in case.inputs])
        return obj.backward(*douts)

    yield "dout", ValueError, wide_dout, (str(douts[0].shape), str(out_shape))


#: A layer whose input check is its function's: the message may name the function instead.
WRAPPED_FUNCTION = {"Sigmoid": "sigmoid", "ReLU": "relu", "Softmax": "softmax"}


def prop_messages(spec: Any, impl: Any, case: Case) -> None:
    """Every refused call raises a ValueError or TypeError whose message starts with the layer's name
    (or the name of the function the layer calls) and names the shapes it compared."""
    name = spec.name
    names = (name, WRAPPED_FUNCTION[name]) if name in WRAPPED_FUNCTION else (name,)
    obj = build(spec, impl, case)
    for what, kind, call, texts in _bad_calls(spec, obj, case):
        try:
            call()
        except kind as exc:
            message = str(exc)
            missing = [t for t in texts if t not in message]
            if not message.startswith(names) or missing:
                raise SpecFailure(
                    f"잘못된 {what}에 대한 {kind.__name__} 메시지는 '{name}'으로 시작하고 {list(texts)}를 "
                    f"말해야 하는데 {message!r}입니다",
                    f"the {kind.__name__} for a wrong {what} must start with '{name}' and name {list(texts)}, "
                    f"got {message!r}",
                ) from None
        else:
            raise SpecFailure(f"잘못된 {what}를 받아들였습니다 ({kind.__name__}여야 함)",
                              f"a wrong {what} was accepted ({kind.__name__} expected)")


PROTOCOL_PROPERTIES: dict[str, Callable[[Any, Any, Case], None]] = {
    "layout": prop_layout,
    "dout_dtype": prop_dout_dtype,
    "nd": prop_nd,
    "default_dout": prop_default_dout,
    "fresh": prop_fresh,
    "messages": prop_messages,
}
