"""Build and run a class the way the book's code expects, so refnn's properties can judge it.

책의 4–8장 코드는 refnn의 생성자와 두 군데가 다릅니다. 성질은 refnn의 서명으로 클래스를 만들므로,
책 기준(기본 모드)에서는 그 차이를 **측정한 뒤** 책의 방식으로 바꿔 부릅니다.

- `global-random`: 생성자가 `rng`를 받지 않고 NumPy의 전역 난수 상태(`np.random.choice`, `randn`,
  `rand`)를 씁니다. 성질이 주는 시드로 생성 직전에 `np.random.seed`를 부르므로, 같은 시드는 같은
  표본·마스크·초기 가중치를 냅니다. 전역 상태를 건드리지 않는다는 약속은 이때 검사하지 않습니다.
- `float32`: `dtype='f'`나 `np.float32`를 코드에 적어 float64 입력에도 float32로 계산합니다
  (책은 3장부터 float32를 씁니다). float64로 재는 성질(기울기, 순전파 값 …)은 독자의 모듈이 보는
  `np`를 잠시 float32 대신 float64를 만드는 NumPy로 바꿔 실행합니다. 생성자가 `dtype`을 받지 않는
  모델은 만든 뒤 매개변수를 float64 복사본으로 바꿉니다(같은 배열을 가리키던 모든 곳을 동일성으로).
  float32 입력의 dtype 성질은 바꾸지 않은 코드로 검사합니다.
- `tied-transpose`: 가중치 공유를 `params`에 `W`와 그 전치 뷰 `W.T`를 둘 다 두어 나타냅니다(책의
  `BetterRnnlm`). 그 둘을 한 매개변수로 보고(기울기는 전치해 더함) 검사합니다.
- `no-predict`: 모델에 `predict`가 없습니다(책의 `SimpleRnnlm`). 점수는 `layers`를 차례로 거쳐 구합니다.
- `dh-only`: `TimeLSTM`이 역전파 뒤 초기 상태의 기울기로 `dh`만 남깁니다(refnn은 `dc`도). 초기 기억
  셀의 기울기는 `--strict`에서만 검사합니다.

셋 다 실행해서 알아봅니다(`measure_traits`): 전역 상태가 실제로 바뀌는지, float64 사례를 실행하는
동안 코드가 float32를 청하는지(또는 넓힌 NumPy에서 결과의 dtype이나 값이 달라지는지), 역전파 뒤
`dh`만 남는지.
"""

from __future__ import annotations

import copy
import functools
import inspect
import os
import sys
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import import_module
from typing import Any

import numpy as np

from refnn.testing.family import CORE

__all__ = ["WIDE_NUMPY", "widened", "reader_namespaces", "book_built", "measure_traits",
           "seed_of", "tied_transposes", "lacks_predict"]

_F32 = np.dtype(np.float32)
#: NumPy functions whose dtype argument (positional or keyword) is widened.
_CREATORS = ("empty", "zeros", "ones", "full", "empty_like", "zeros_like", "ones_like", "full_like", "array",
             "asarray", "arange", "eye", "identity")


def _is_f32(value: Any) -> bool:
    if not isinstance(value, (str, type, np.dtype)):
        return False
    try:
        return np.dtype(value) == _F32
    except TypeError:
        return False


def _widen(value: Any) -> Any:
    return np.float64 if _is_f32(value) else value


def _creator(fn: Callable[..., Any], asked: list[int]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wide(*args: Any, **kwargs: Any) -> Any:
        if any(map(_is_f32, (*args, *kwargs.values()))):
            asked[0] += 1
        return fn(*map(_widen, args), **{k: _widen(v) for k, v in kwargs.items()})

    return wide


class _WideNumpy(types.ModuleType):
    """NumPy, except that float32 is float64: `np.float32`, and `dtype='f'` in the array creators.
    ``asked`` counts how often the code asked for float32 (what `measure_traits` measures)."""

    def __init__(self) -> None:
        super().__init__("numpy")
        self.asked = [0]
        self.__dict__.update({name: _creator(getattr(np, name), self.asked) for name in _CREATORS})

    def __getattr__(self, name: str) -> Any:
        if name in ("float32", "single"):
            self.asked[0] += 1
            return np.float64
        return getattr(np, name)


#: The NumPy a float32 book class sees while a float64 property runs.
WIDE_NUMPY = _WideNumpy()


def reader_namespaces(impl: Any) -> list[dict[str, Any]]:
    """The global namespaces of the reader's code: the module defining `impl` and every loaded module that
    lives outside refnn, the standard library and the environment's packages."""
    from refnn.testing.loader import _library_roots

    libraries = _library_roots()
    spaces: dict[int, dict[str, Any]] = {}
    home = sys.modules.get(getattr(impl, "__module__", "") or "")
    if home is not None:
        spaces[id(home.__dict__)] = home.__dict__
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if path and not os.path.abspath(path).startswith(libraries):
            spaces[id(module.__dict__)] = module.__dict__
    return list(spaces.values())


@contextmanager
def widened(namespaces: list[dict[str, Any]]) -> Iterator[None]:
    """Inside the block, the name `np` (or `numpy`) bound to NumPy in `namespaces` is `WIDE_NUMPY`."""
    swapped = [(space, key) for space in namespaces for key in ("np", "numpy") if space.get(key) is np]
    for space, key in swapped:
        space[key] = WIDE_NUMPY
    try:
        yield
    finally:
        for space, key in swapped:
            space[key] = np


def seed_of(rng: Any) -> int:
    """An integer seed for NumPy's global state from an int seed or a Generator (the caller's is copied,
    so it does not advance); the same for `s` and `np.random.default_rng(s)`."""
    gen = copy.deepcopy(rng) if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    return int(gen.integers(2**32))


def _accepts(impl: Any, name: str) -> bool:
    try:
        params = inspect.signature(impl).parameters
    except (TypeError, ValueError):
        return True
    return name in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def _reference(spec: Any) -> Any:
    return getattr(import_module(spec.module), spec.name)


def _upcast(obj: Any, dtype: Any) -> None:
    """Replace the arrays of `obj.params` and `obj.grads` by `dtype` copies wherever `obj` (and the objects,
    lists and dicts it holds) refers to them; a transposed view of a parameter becomes the same view of
    its copy."""
    new: dict[int, np.ndarray] = {}
    for a in list(obj.params) + list(obj.grads):
        if isinstance(a, np.ndarray) and a.dtype != dtype and id(a) not in new:
            new[id(a)] = a.astype(dtype)
    for a in list(obj.params) + list(obj.grads):  # a view (the tied weight's transpose) follows its base
        base = getattr(a, "base", None)
        if isinstance(a, np.ndarray) and base is not None and id(base) in new and a.shape == base.shape[::-1]:
            new[id(a)] = new[id(base)].T

    seen: set[int] = set()

    def swap(value: Any) -> Any:
        return new.get(id(value), value) if isinstance(value, np.ndarray) else value

    def walk(x: Any) -> None:
        if id(x) in seen or isinstance(x, (np.ndarray, str, bytes, int, float, type, types.ModuleType)):
            return
        seen.add(id(x))
        if isinstance(x, list):
            x[:] = [swap(v) for v in x]
            children: list[Any] = list(x)
        elif isinstance(x, dict):
            for k in list(x):
                x[k] = swap(x[k])
            children = list(x.values())
        elif isinstance(x, tuple):
            children = list(x)
        elif hasattr(x, "__dict__") and not callable(x):
            for k, v in list(vars(x).items()):
                vars(x)[k] = swap(v)
            children = list(vars(x).values())
        else:
            return
        for child in children:
            walk(child)

    walk(obj)


def book_built(spec: Any, impl: Any, traits: frozenset[str] | set[str] = frozenset()) -> Callable[..., Any]:
    """`impl` called with refnn's signature of `spec`: an `rng` it does not take seeds NumPy's global state
    just before construction; a `dtype` it does not take upcasts the built object's parameters."""
    try:
        reference = inspect.signature(_reference(spec))
    except (AttributeError, ImportError, TypeError, ValueError):
        return impl
    takes_rng, takes_dtype = _accepts(impl, "rng"), _accepts(impl, "dtype")
    needs_predict = lacks_predict(spec, impl)
    if ((takes_rng or "rng" not in reference.parameters) and (takes_dtype or "dtype" not in reference.parameters)
            and not needs_predict):
        return impl

    def build(*args: Any, **kwargs: Any) -> Any:
        bound = reference.bind_partial(*args, **kwargs)
        rng = bound.arguments.pop("rng", None)
        dtype = bound.arguments.pop("dtype", None)
        extra = {}
        if takes_rng and rng is not None:
            extra["rng"] = rng
        if takes_dtype and dtype is not None:
            extra["dtype"] = dtype
        positional = [v for k, v in bound.arguments.items()
                      if reference.parameters[k].kind is not inspect.Parameter.KEYWORD_ONLY]
        keywords = {k: v for k, v in bound.arguments.items()
                    if reference.parameters[k].kind is inspect.Parameter.KEYWORD_ONLY}
        if not takes_rng:
            np.random.seed(seed_of(rng))
            build.seeded = np.random.get_state()  # type: ignore[attr-defined]
        obj = impl(*positional, **keywords, **extra)
        if not takes_dtype and dtype is not None and hasattr(obj, "params") and hasattr(obj, "grads"):
            _upcast(obj, np.dtype(dtype))
        if needs_predict and isinstance(getattr(obj, "layers", None), list):
            obj.predict = functools.partial(_through_layers, obj.layers)  # the book's SimpleRnnlm has none
        return obj

    build.__name__ = build.__qualname__ = getattr(impl, "__name__", spec.name)
    build.__wrapped__ = impl  # type: ignore[attr-defined]
    return build


def _through_layers(layers: list[Any], xs: Any) -> Any:
    for layer in layers:
        xs = layer.forward(xs)
    return xs


def lacks_predict(spec: Any, impl: Any) -> bool:
    """A model class without the `predict` refnn's has (the book's SimpleRnnlm): its scores are then its
    `layers` applied in order."""
    try:
        reference = _reference(spec)
    except (AttributeError, ImportError):
        return False
    return spec.kind == "model" and isinstance(impl, type) and hasattr(reference, "predict") and not hasattr(
        impl, "predict")


def tied_transposes(params: list[Any]) -> list[tuple[int, int]]:
    """Pairs (i, j), i < j, where one of params[i], params[j] is the other's transposed view (the book's tied
    weight: the embedding W and the Affine's W.T, both in params)."""
    pairs = []
    for j, b in enumerate(params):
        for i, a in enumerate(params[:j]):
            if (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.ndim == b.ndim == 2
                    and (b.base is a or a.base is b or (a.base is not None and a.base is b.base))
                    and a.shape == b.shape[::-1] and np.shares_memory(a, b)):
                pairs.append((i, j))
    return pairs


def _run_once(spec: Any, build: Callable[..., Any], case: Any, float64: bool) -> tuple[Any, list[np.ndarray]]:
    """The object built and every array one forward and backward of the case gives (outputs, input
    gradients, grads)."""
    kwargs = {}
    if spec.kind == "model" and "seed" in case.meta:
        kwargs["rng"] = case.meta["seed"]
    if spec.kind == "model" and float64:
        kwargs["dtype"] = np.float64
    obj = build(*[np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in case.args], **kwargs)
    inputs = [np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in case.inputs]
    if spec.kind == "sampler":
        return obj, [np.asarray(obj.get_negative_sample(*inputs))]
    out = [np.asarray(obj.forward(*inputs))]
    dout = case.dout if spec.kind != "model" else 1
    back = obj.backward(np.array(dout, copy=True) if isinstance(dout, np.ndarray) else dout)
    out += [np.asarray(b) for b in (back if isinstance(back, tuple) else (back,)) if b is not None]
    return obj, out + [np.array(g, copy=True) for g in obj.grads]


def _first_cases(spec: Any, dtype: Any, count: int = 5) -> list[Any]:
    from hypothesis import HealthCheck, Phase, given, settings

    found: list[Any] = []

    @settings(max_examples=count, database=None, derandomize=True, phases=[Phase.generate], deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(spec.cases(dtype))
    def first(case: Any) -> None:
        found.append(case)

    first()
    return found


def measure_traits(spec: Any, impl: Any, known: frozenset[str] = frozenset()) -> set[str]:
    """The book-style traits `impl` shows when run as `spec` on a few float64 cases (nothing when it fails);
    the cases as the book's precondition needs them when a probe measured `known` traits."""
    from refnn.testing.contract import Contract
    from refnn.testing.spec import FAMILIES

    if spec.family == CORE or spec.kind not in ("layer", "loss", "model", "sampler") or not isinstance(impl, type):
        return set()  # chapter 1's properties build their classes the book's way already
    traits: set[str] = set()
    build = book_built(spec, impl)
    before = np.random.get_state()
    try:
        transform = FAMILIES[spec.family].book_cases.get(spec.name)
        for case in _first_cases(spec, np.float64):
            if transform is not None:
                case = transform(case, Contract(strict=False, traits=known))
            obj, plain = _run_once(spec, build, case, float64=True)
            seeded: Any = getattr(build, "seeded", None)
            if seeded is not None:  # built without its rng: did it draw from the global state it was seeded with?
                after: Any = np.random.get_state()
                if not (np.array_equal(seeded[1], after[1]) and seeded[2:] == after[2:]):
                    traits.add("global-random")
            if spec.name == "TimeLSTM" and hasattr(obj, "dh") and not hasattr(obj, "dc"):
                traits.add("dh-only")
            if spec.kind == "model" and tied_transposes(list(obj.params)):
                traits.add("tied-transpose")
            if lacks_predict(spec, impl):
                traits.add("no-predict")
            asked = WIDE_NUMPY.asked[0]
            with widened(reader_namespaces(impl)):
                _, wide = _run_once(spec, build, case, float64=True)
            differs = len(wide) != len(plain) or any(a.dtype != b.dtype or not np.array_equal(a, b)
                                                     for a, b in zip(plain, wide))
            if WIDE_NUMPY.asked[0] > asked or differs or any(a.dtype == _F32 for a in plain):
                traits.add("float32")
    except Exception:  # the reader's code fails on the case: the properties report it where it happens
        return set()
    finally:
        np.random.set_state(before)
    return traits
