"""Which contract a property judges against: refnn's exact one, or the book's.

판정의 기준이 되는 계약입니다. refnn 자신의 테스트(`tests/test_spec.py`)와 `refnn check --strict`는
refnn의 엄격한 기준(`Contract()`, 기본값)으로, `refnn check`의 기본 모드는 **책 기준**으로
판정합니다. 책 기준에서는 구현에서 *측정한* 책의 동작(`Contract.traits`, 예: log 안의 1e-7)을
참값의 식에 반영하므로, 책을 그대로 옮긴 코드는 통과하고(참고로 알림) 그 밖의 버그는 여전히 실패합니다.

Notes
-----
성질 함수의 서명(`prop(spec, impl, case)`)을 바꾸지 않으려고, 지금 판정 중인 계약은
`contextvars`로 전달합니다(`using`). Hypothesis는 시험 함수를 같은 스레드에서 부르므로 안전합니다.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

__all__ = ["Contract", "OptimizerForm", "REFNN_FORM", "current", "using"]


@dataclass(frozen=True)
class OptimizerForm:
    """Where an adaptive optimizer adds its eps: value, inside or outside the square root, and (Adam)
    whether the bias correction goes into the step size (the book's ``lr_t``) or into m̂, v̂ (the paper's)."""

    eps: float = 1e-7
    inside: bool = False
    hat: bool = False


#: refnn's (and the book's) form: 1e-7 added outside the square root, bias correction in lr_t.
REFNN_FORM = OptimizerForm()


@dataclass(frozen=True)
class Contract:
    """The contract of one check.

    Attributes
    ----------
    strict : bool
        `True`: refnn의 엄격한 기준. `False`: 책 기준(측정한 책의 동작을 참값에 반영).
    traits : frozenset of str
        구현에서 측정한 책의 동작(`"log-1e-7"`, `"nesterov"`, `"softmax-3d"`, `"optimizer-eps"`).
    form : OptimizerForm
        측정한 옵티마이저의 eps 형태(`"optimizer-eps"`일 때).
    forward_only : bool
        `backward`가 아직 없는 1.2절 단계의 클래스.
    no_dout : bool
        `backward()`가 `dout`을 받지 않는 손실 계층·모델(`dout = 1`로만 부름).
    """

    strict: bool = True
    traits: frozenset[str] = field(default_factory=frozenset)
    form: OptimizerForm = REFNN_FORM
    forward_only: bool = False
    no_dout: bool = False

    def book(self, trait: str) -> bool:
        """Whether the reference values follow the book's behaviour ``trait`` (measured, default mode)."""
        return not self.strict and trait in self.traits

    def measured(self, trait: str) -> bool:
        """Whether ``trait`` was measured (a failure may then name it as its cause, in either mode)."""
        return trait in self.traits

    @property
    def optimizer_form(self) -> OptimizerForm:
        """The form the optimizer references follow."""
        return self.form if self.book("optimizer-eps") else REFNN_FORM


_EXACT = Contract()
_CURRENT: contextvars.ContextVar[Contract | None] = contextvars.ContextVar("refnn_contract", default=None)


def current() -> Contract:
    """The contract being judged now (refnn's exact one unless `using` says otherwise)."""
    return _CURRENT.get() or _EXACT


@contextmanager
def using(contract: Contract) -> Iterator[Contract]:
    """Judge against ``contract`` inside the ``with`` block."""
    token = _CURRENT.set(contract)
    try:
        yield contract
    finally:
        _CURRENT.reset(token)
