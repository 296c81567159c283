"""A registry row (`Spec`) and a family of rows with its own cases and properties (`Family`).

사양의 한 행(`Spec`)과, 장(章)의 묶음 하나가 가져오는 사례·성질·설명(`Family`)입니다.
1장의 행(`family="mlp"`)은 `refnn.testing.cases`·`functional`·`properties`·`protocol`의 표를 쓰고,
2–8장의 묶음은 저마다의 모듈(`word2vec_*`, `rnn_*`, `seq2seq_*`)에 자기 표를 둡니다.
`refnn.testing.spec`이 모든 묶음을 한곳(`FAMILIES`)에 등록해 `SPECS`와 `PROPERTIES`를 만듭니다.

This module imports nothing from the family modules, so each of them can import `Spec` from here while
`refnn.testing.spec` imports them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hypothesis import strategies as st

__all__ = ["Spec", "Family", "CORE"]

#: The family of chapter 1's rows (their cases and properties live in the chapter 1 modules).
CORE = "mlp"


@dataclass(frozen=True)
class Spec:
    """One specified name: a layer, node, loss, model, function, optimizer or sampler.

    ``family`` names where its case strategies and property functions live (`refnn.testing.spec.FAMILIES`).
    """

    name: str
    kind: str
    properties: tuple[str, ...]
    extended: tuple[str, ...] = ()
    module: str = ""
    family: str = CORE

    @property
    def all_properties(self) -> tuple[str, ...]:
        return self.properties + self.extended

    def cases(self, dtype: Any = np.float64) -> st.SearchStrategy[Any]:
        """Hypothesis strategy of cases in ``dtype``."""
        if self.family == CORE:
            from refnn.testing.cases import LAYER_CASES
            from refnn.testing.functional import FUNCTION_CASES, optimizer_cases

            make: Callable[[Any], st.SearchStrategy[Any]]
            if self.kind == "function":
                make = FUNCTION_CASES[self.name]
            elif self.kind == "optimizer":
                make = optimizer_cases(self.name)
            else:
                make = LAYER_CASES[self.name]
        else:
            from refnn.testing.spec import FAMILIES

            make = FAMILIES[self.family].cases[self.name]
        return make(np.dtype(dtype))


@dataclass(frozen=True)
class Family:
    """The rows one group of chapters adds to the registry, with everything needed to run them.

    Attributes
    ----------
    name : str
        묶음의 이름(`"word2vec"`, `"rnnlm"`, `"seq2seq"`); 각 행의 `Spec.family`.
    chapters : str
        책의 장(`"2–4"`).
    specs : dict of str to Spec
        이 묶음의 행(`family`가 `name`으로 채워짐).
    properties : dict of str to callable
        성질 이름 → `prop(spec, impl, case)`.
    cases : dict of str to callable
        이름 → dtype을 받아 사례의 Hypothesis 전략을 돌려주는 함수.
    text : dict of str to (str, str)
        새 성질의 한국어·영어 설명(`PROPERTIES`에 합쳐짐).
    probes : dict
        책 기준에서 측정할 책의 동작(`refnn.testing.book.PROBES`의 행).
    log_eps_corrections : dict
        log 안의 1e-7을 기울기 검사에서 보정하는 식(`refnn.testing.properties.LOG_EPS_CORRECTIONS`의 행).
    book_cases : dict
        이름 → `(case, contract)`를 받아 책 기준에서 책의 전제에 맞춘 사례를 돌려주는 함수(측정한 동작이
        없으면 사례를 그대로 돌려줌).
    """

    name: str
    chapters: str
    specs: Mapping[str, Spec]
    properties: Mapping[str, Callable[[Any, Any, Any], None]]
    cases: Mapping[str, Callable[[Any], st.SearchStrategy[Any]]]
    text: Mapping[str, tuple[str, str]]
    probes: Mapping[str, Callable[[Any], set[str]]] = field(default_factory=dict)
    log_eps_corrections: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    book_cases: Mapping[str, Callable[[Any, Any], Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        rows = {n: dataclasses.replace(s, family=self.name) for n, s in self.specs.items()}
        object.__setattr__(self, "specs", rows)
        for spec in rows.values():
            missing = [p for p in spec.all_properties if p not in self.properties]
            if missing or spec.name not in self.cases:
                raise ValueError(f"family {self.name!r}: {spec.name} lacks cases or properties {missing}")
