"""Test the tester: the page checker must see each planted problem (tests/site/fixtures)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.site.conftest import require_chromium
from tests.site.pagecheck import inspect_page, is_local

PLANTED = {
    "console-error.html": "console error: planted console error",
    "external-request.html": "non-local request: https://cdn.example.com/planted.js",
    "katex-error.html": ".katex-error",
    "katex-unknown-macro.html": "unsupported TeX command",
    "unrendered-math.html": "math left unrendered",
    "broken-image.html": "image failed to load: /figures/planted-missing-figure.svg",
}


@pytest.mark.parametrize("fixture", list(PLANTED))
def test_checker_sees_the_planted_problem(browser: Any, server: str, fixture: str) -> None:
    report = inspect_page(browser, f"{server}__fixtures__/{fixture}")
    problems = report.problems()
    assert any(PLANTED[fixture] in p for p in problems), f"{fixture}: checker missed it; saw {problems}"


def test_checker_sees_a_missing_api_reference(browser: Any, server: str) -> None:
    report = inspect_page(browser, f"{server}__fixtures__/no-api.html")
    assert report.problems() == []  # the page itself is clean ...
    assert "refnn.layers.Affine" not in report.facts["api_headings"]  # ... but has no API column


def test_a_clean_fixture_passes(browser: Any, server: str) -> None:
    """Control: the checker is not simply failing everything."""
    assert inspect_page(browser, f"{server}__fixtures__/no-api.html").problems() == []


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("http://127.0.0.1:8000/x", True),
        ("http://localhost/x", True),
        ("data:image/png;base64,AAAA", True),
        ("https://fonts.googleapis.com/css", False),
        ("https://cdn.jsdelivr.net/npm/katex", False),
        ("http://127.0.0.1.example.com/x", False),
    ],
)
def test_is_local(url: str, local: bool) -> None:
    assert is_local(url) is local


def test_missing_chromium_skips_locally_but_fails_under_ci(tmp_path: Any) -> None:
    missing = tmp_path / "no-chromium"
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        require_chromium(missing, ci=False)
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        require_chromium(missing, ci=True)
