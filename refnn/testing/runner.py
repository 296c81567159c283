"""Run the specification's properties against an implementation, with Hypothesis.

``property_test`` gives a plain test function (for pytest); ``run_property``
runs it and turns the outcome into a :class:`PropertyResult` holding the
minimal counterexample Hypothesis found.
"""

from __future__ import annotations

import dataclasses
import sys
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hypothesis import HealthCheck, Phase, given, settings

from refnn.testing.book import TRAIT_PROPERTIES, hint
from refnn.testing.bookstyle import book_built, reader_namespaces, widened
from refnn.testing.cases import Case
from refnn.testing.contract import Contract, using
from refnn.testing.functional import FUNCTION_PROPERTIES, IDENTITY_PROPERTIES, OPTIMIZER_PROPERTIES
from refnn.testing.hints import exception_text
from refnn.testing.properties import LAYER_PROPERTIES, SpecFailure
from refnn.testing.protocol import PROTOCOL_PROPERTIES
from refnn.testing.spec import CORE, FAMILIES, SPECS, Spec

if sys.version_info >= (3, 11):
    from builtins import BaseExceptionGroup
else:  # pragma: no cover - Hypothesis depends on the backport there
    from exceptiongroup import BaseExceptionGroup

__all__ = ["PropertyResult", "Report", "property_test", "run_property", "check_class", "check_function",
           "check_implementation", "property_function", "describe_case", "contract_properties",
           "allowance_failures"]

#: Properties that call backward: a class of the §1.2 stage (forward only) is not checked on them.
NEEDS_BACKWARD = frozenset({"gradient", "grads_inplace", "backward_twice", "linearity", "adjoint", "onehot",
                            "grad_rows_zero", "layout", "dout_dtype", "nd", "default_dout", "fresh", "messages"})
#: Properties drawn in float32 (the others in float64).
FLOAT32_PROPERTIES = frozenset({"dtype", "dout_dtype", "model_dtype"})


def property_function(spec: Spec, prop: str) -> Callable[[Spec, Any, Case], None]:
    """The function that checks property ``prop`` for ``spec``: its family's, or chapter 1's for its kind."""
    if spec.family != CORE:
        table = FAMILIES[spec.family].properties
    elif spec.kind == "optimizer":
        table = OPTIMIZER_PROPERTIES
    elif spec.kind == "function":
        table = {**FUNCTION_PROPERTIES, **IDENTITY_PROPERTIES}
    else:
        table = {**LAYER_PROPERTIES, **IDENTITY_PROPERTIES, **PROTOCOL_PROPERTIES}
    if prop not in spec.all_properties or prop not in table:
        raise KeyError(f"{spec.name} has no property {prop!r}")
    return table[prop]


def property_test(
    spec_name: str,
    prop: str,
    impl: Any,
    on_failure: Callable[[Case], None] | None = None,
    hypothesis_settings: settings | None = None,
    contract: Contract | None = None,
) -> Callable[[], None]:
    """A Hypothesis test of one property for ``impl``.

    Settings default to the active Hypothesis profile (``dev`` or ``ci``); the contract defaults to
    refnn's exact one (`Contract()`).
    """
    spec = SPECS[spec_name]
    check = property_function(spec, prop)
    dtype = np.float32 if prop in FLOAT32_PROPERTIES else np.float64
    judged = contract if contract is not None else Contract()
    # the book's contract: built the book's way (no rng, no dtype), run widened where it hard-codes float32
    book_way = not judged.strict and spec.family != CORE
    built = book_built(spec, impl) if book_way else impl
    book_case = FAMILIES[spec.family].book_cases.get(spec.name) if book_way else None
    namespaces = reader_namespaces(impl) if judged.book("float32") and prop not in FLOAT32_PROPERTIES else []

    @given(case=spec.cases(dtype))
    @settings(
        parent=hypothesis_settings,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        report_multiple_bugs=False,
    )
    def test(case: Case) -> None:
        if judged.no_dout and spec.kind in ("loss", "model"):
            case = dataclasses.replace(case, dout=1.0, dout2=1.0)  # backward() is all there is
        if book_case is not None:
            case = book_case(case, judged)
        state = np.random.get_state()
        try:
            with using(judged), widened(namespaces):
                check(spec, built, case)
        except BaseException:
            if on_failure is not None:
                on_failure(case)
            raise
        finally:
            if built is not impl:  # built the book's way: seeded NumPy's global state
                np.random.set_state(state)

    test.__name__ = f"test_{spec_name}_{prop}"
    return test


@dataclass
class PropertyResult:
    """성질 하나의 검사 결과: 통과했는지, 아니면 실패 메시지와 Hypothesis가 줄인 최소 반례.

    Attributes
    ----------
    spec, property : str
        사양 이름(`"Affine"`)과 성질 이름(`"gradient"`).
    passed : bool
        통과 여부.
    message_ko, message_en : str
        실패를 설명하는 한국어·영어 메시지(통과하면 빈 문자열).
    counterexample : str
        최소 반례의 형상과 값.
    error : BaseException or None
        실패를 일으킨 예외(구현이 직접 낸 예외일 수도 있음).
    traceback : list of traceback.FrameSummary
        그 예외의 트레이스백. 독자의 파일과 줄을 찾는 데 씁니다.
    """

    spec: str
    property: str
    passed: bool
    message_ko: str = ""
    message_en: str = ""
    counterexample: str = ""
    error: BaseException | None = field(default=None, repr=False)
    traceback: list[traceback.FrameSummary] = field(default_factory=list, repr=False)

    def message(self, lang: str = "ko") -> str:
        """`lang`(`"ko"` 또는 `"en"`)의 실패 메시지."""
        return self.message_ko if lang == "ko" else self.message_en


@dataclass
class Report:
    """한 이름(사양)에 대한 모든 성질의 결과.

    Attributes
    ----------
    spec : str
        사양 이름.
    results : list of PropertyResult
        성질마다 하나씩, 사양에 적힌 순서대로.
    """

    spec: str
    results: list[PropertyResult]

    @property
    def passed(self) -> bool:
        """모든 성질을 통과했는지."""
        return all(r.passed for r in self.results)

    @property
    def failures(self) -> list[PropertyResult]:
        """통과하지 못한 성질의 결과."""
        return [r for r in self.results if not r.passed]


def describe_case(case: Case) -> str:
    """The case's shapes and values, with what lives in ``meta`` (model parameters, optimizer
    hyperparameters and gradient steps) that ``Case.describe`` leaves out."""
    parts = [case.describe()] if case.args or case.inputs else []
    with np.printoptions(precision=4, suppress=True, threshold=40, linewidth=100):
        if "hyper" in case.meta:
            parts.append("hyper = " + ", ".join(f"{k}={v!r}" for k, v in case.meta["hyper"].items()))
        for i, p in enumerate(case.meta.get("params", ())):
            parts.append(f"params[{i}] {p.dtype}{p.shape} = {np.array2string(p)}")
        for step, grads in enumerate(case.meta.get("grads", ()), start=1):
            for i, g in enumerate(grads):
                parts.append(f"step {step}: grads[{i}] = {np.array2string(g)}")
    return "\n".join(p for p in parts if p)


def _first_leaf(exc: BaseException) -> BaseException:
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc


def run_property(
    spec_name: str, prop: str, impl: Any, hypothesis_settings: settings | None = None,
    contract: Contract | None = None,
) -> PropertyResult:
    """Run one property and report it, with the minimal failing case when it fails.

    Under a strict ``contract``, a failure that a measured book behaviour explains names it.
    """
    failing: list[Case] = []
    # no "explain" phase: it reruns a failing test many times (seconds) for notes a report does not use
    parent = hypothesis_settings if hypothesis_settings is not None else settings()  # the active profile
    quiet = settings(parent, phases=[p for p in parent.phases if p is not Phase.explain], print_blob=False)
    test = property_test(spec_name, prop, impl, failing.append, quiet, contract)
    try:
        test()
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as raised:  # the implementation may raise anything
        exc = _first_leaf(raised)
        if isinstance(exc, SpecFailure):
            ko, en = exc.ko, exc.en
            judged = contract if contract is not None else Contract()
            for trait in sorted(judged.traits) if judged.strict else ():
                if prop in TRAIT_PROPERTIES[trait]:
                    ko, en = ko + hint(trait, "ko", judged.form), en + hint(trait, "en", judged.form)
        else:
            text = exception_text(exc)
            ko, en = f"예외 발생 — {text}", f"raised {text}"
        return PropertyResult(
            spec_name, prop, False, ko, en,
            describe_case(failing[-1]) if failing else "",
            exc, traceback.extract_tb(exc.__traceback__),
        )
    return PropertyResult(spec_name, prop, True)


def contract_properties(spec: Spec, contract: Contract) -> list[str]:
    """The properties a check under ``contract`` runs: the book's (default) or refnn's whole contract
    (strict), without those that need a backward the class does not have yet, or a dout it does not take."""
    names = list(spec.all_properties if contract.strict else spec.properties)
    if contract.forward_only:  # a family's own properties are taken to need backward
        chapter1 = {**LAYER_PROPERTIES, **IDENTITY_PROPERTIES, **PROTOCOL_PROPERTIES}
        names = [p for p in names if p not in NEEDS_BACKWARD and (spec.family == CORE or p in chapter1)]
    if contract.no_dout:
        names = [p for p in names if p != "linearity"]
    return names


def allowance_failures(spec: Spec, contract: Contract) -> list[PropertyResult]:
    """Under a strict contract, what the book's contract allows is a failure: no backward yet, or a
    backward() that takes no dout (refnn's contract is backward(dout=1.0))."""
    if not contract.strict:
        return []
    out = []
    if contract.forward_only:
        out.append(PropertyResult(spec.name, "backward", False, "backward가 없습니다(순전파만 있는 1.2절 단계)",
                                  "there is no backward (forward only, the §1.2 stage)"))
    if contract.no_dout:
        out.append(PropertyResult(spec.name, "linearity", False,
                                  "backward()가 dout을 받지 않습니다 (refnn의 계약: backward(dout=1.0))",
                                  "backward() takes no dout (refnn's contract: backward(dout=1.0))"))
    return out


def check_implementation(
    impl: Any,
    spec: str,
    properties: Iterable[str] | None = None,
    extended: bool = False,
    hypothesis_settings: settings | None = None,
    contract: Contract | None = None,
) -> Report:
    """Run every property of ``spec`` (or those named) against ``impl`` under ``contract``
    (default: refnn's exact contract)."""
    s = SPECS[spec]
    names = list(properties) if properties is not None else list(s.all_properties if extended else s.properties)
    return Report(spec, [run_property(spec, p, impl, hypothesis_settings, contract) for p in names])


def check_class(cls: type, spec: str | None = None, **kwargs: Any) -> Report:
    """클래스 `cls`를 사양 `spec`(기본값: 클래스 이름)의 성질로 검사합니다.

    독자가 직접 쓴 계층·노드·모델·옵티마이저를 refnn 자신의 테스트와 같은 성질로, 현재
    프로세스에서 검사합니다(파일 전체를 하위 프로세스에서 검사하려면
    `refnn.testing.checkfile.check_file`).

    Parameters
    ----------
    cls : type
        검사할 클래스. 책의 프로토콜(`params`, `grads`, `forward`, `backward` 또는 `update`)을 따릅니다.
    spec : str, optional
        사양의 이름(`SPECS`의 키). 생략하면 `cls.__name__`.
    **kwargs
        `check_implementation`에 그대로 전달: `properties`(성질 이름의 목록), `extended`
        (refnn만의 추가 성질도 검사), `hypothesis_settings`(예제 수 등; 기본값은 활성 프로필),
        `contract`(기본값은 refnn의 정확한 계약; 책의 계약으로 판정하려면
        `refnn.testing.book.measure(SPECS[name], cls, strict=False)`).

    Returns
    -------
    Report
        성질마다 `PropertyResult`(통과 여부, 한국어·영어 메시지, 최소 반례, 예외).

    Examples
    --------
    >>> from hypothesis import settings
    >>> from refnn.layers import Affine
    >>> report = check_class(Affine, properties=["gradient", "grads_inplace"],
    ...                      hypothesis_settings=settings(max_examples=10, deadline=None, derandomize=True))
    >>> report.passed, [r.property for r in report.results]
    (True, ['gradient', 'grads_inplace'])
    """
    return check_implementation(cls, spec or cls.__name__, **kwargs)


def check_function(fn: Callable[..., Any], spec: str | None = None, **kwargs: Any) -> Report:
    """함수 `fn`을 사양 `spec`(기본값: 함수 이름)의 성질로 검사합니다.

    Parameters
    ----------
    fn : callable
        검사할 함수(`sigmoid`, `relu`, `softmax`, `log_softmax`, `cross_entropy_error`).
    spec : str, optional
        사양의 이름. 생략하면 `fn.__name__`.
    **kwargs
        `check_class`와 같습니다.

    Returns
    -------
    Report
        성질마다의 결과.

    Examples
    --------
    >>> import numpy as np
    >>> from hypothesis import settings
    >>> def softmax(x):  # 마지막 축이 아니라 전체에 대해 정규화하는 흔한 실수
    ...     e = np.exp(x - x.max())
    ...     return e / e.sum()
    >>> report = check_function(softmax, hypothesis_settings=settings(max_examples=10, deadline=None, derandomize=True))
    >>> [r.property for r in report.failures]
    ['forward', 'softmax_identities']
    """
    return check_implementation(fn, spec or fn.__name__, **kwargs)
