"""The specification as reusable properties: refnn's own suite and the conformance kit share it.

사양(specification)을 재사용 가능한 속성으로 모은 패키지입니다. refnn 자신의 테스트와
독자의 구현을 검사하는 `refnn check`가 같은 속성을 씁니다. Hypothesis가 필요합니다
(`pip install refnn[test]`).

Examples
--------
>>> from refnn.testing import SPECS, check_class
>>> SPECS["Affine"].properties[:3]
('forward', 'shapes', 'dtype')
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from refnn.testing.runner import (
        PropertyResult,
        Report,
        check_class,
        check_function,
        check_implementation,
        property_test,
        run_property,
    )
    from refnn.testing.spec import FAMILIES, KINDS, PROPERTIES, SPECS, Family, Spec

#: Where each exported name lives. They are imported on first use, so that ``refnn check``'s own process
#: (which hands the file to a worker) does not pay for Hypothesis and the registry.
_HOMES = {"PropertyResult": "runner", "Report": "runner", "check_class": "runner", "check_function": "runner",
          "check_implementation": "runner", "property_test": "runner", "run_property": "runner",
          "FAMILIES": "spec", "KINDS": "spec", "PROPERTIES": "spec", "SPECS": "spec", "Family": "spec",
          "Spec": "spec"}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'refnn.testing' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"refnn.testing.{home}"), name)
    globals()[name] = value
    return value


__all__ = [
    "SPECS",
    "PROPERTIES",
    "KINDS",
    "FAMILIES",
    "Spec",
    "Family",
    "PropertyResult",
    "Report",
    "check_class",
    "check_function",
    "check_implementation",
    "property_test",
    "run_property",
]
