"""Test the tester: the page checker must see each planted problem (tests/site/fixtures)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.site.conftest import FIXTURES, ROOT, require_chromium
from tests.site.pagecheck import inspect_page, internal_words, is_local

PLANTED = {
    "console-error.html": "console error: planted console error",
    "external-request.html": "non-local request: https://cdn.example.com/planted.js",
    "katex-error.html": ".katex-error",
    "katex-unknown-macro.html": "unsupported TeX command",
    "unrendered-math.html": "math left unrendered",
    "broken-image.html": "image failed to load: /figures/planted-missing-figure.svg",
    "internal-word.html": "project-internal word: ",
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


def test_checker_sees_a_reference_page_without_its_source(browser: Any, server: str) -> None:
    report = inspect_page(browser, f"{server}__fixtures__/no-api.html")
    assert "no source block (details.refnn-source with code)" in report.source_problems()
    assert "no source link (소스: <file>#L<line>)" in report.source_problems()


def test_checker_sees_a_source_link_that_breaks_offline(browser: Any, server: str) -> None:
    problems = inspect_page(browser, f"{server}__fixtures__/source-absolute-link.html").source_problems()
    assert any("is not a relative link to a line: /source/" in p for p in problems), problems


def test_checker_sees_a_footer_without_the_build(browser: Any, server: str) -> None:
    assert any("footer lacks the version" in p for p in
               inspect_page(browser, f"{server}__fixtures__/no-api.html").footer_problems("9.9.9"))
    report = inspect_page(browser, f"{server}__fixtures__/footer-no-commit.html")
    assert report.footer_problems("9.9.9") == [f"footer lacks the commit hash: {report.facts['footer']!r}"]
    assert report.footer_problems("9.9.9", git_checkout=False) == []  # outside git, "알 수 없음" is right
    ok = inspect_page(browser, f"{server}__fixtures__/reference-ok.html")
    assert any("should say the commit is unknown" in p for p in ok.footer_problems("9.9.9", git_checkout=False))


def test_a_clean_reference_page_passes(browser: Any, server: str) -> None:
    """Control for the source and footer checks: a page that has both is accepted."""
    report = inspect_page(browser, f"{server}__fixtures__/reference-ok.html")
    assert report.problems() == []
    assert report.source_problems() == []
    assert report.footer_problems("9.9.9") == []
    assert report.footer_commit() == "abcdef1234"


@pytest.mark.parametrize(
    ("text", "found"),
    [("이슈 6의 목표", True), ("다른 담당이 씁니다", True), ("see issue 2", True), ("a helper wrote it", True),
     ("역전파와 기울기", False), ("tissue", False)],
)
def test_internal_words(text: str, found: bool) -> None:
    assert bool(internal_words(text)) is found


def _sitebuild() -> Any:
    scripts = str(ROOT / "docs" / "scripts")
    if scripts not in sys.path:
        sys.path.insert(0, scripts)
    import sitebuild

    return sitebuild


def test_raw_tex_check_sees_tex_in_a_search_index_and_the_hook_removes_it(tmp_path: Path) -> None:
    import json

    sitebuild = _sitebuild()
    index = tmp_path / "search_index.json"
    shutil.copy(FIXTURES / "search-index-tex.json", index)
    texts = [d[k] for d in json.loads(index.read_text(encoding="utf-8"))["docs"] for k in ("title", "text")]
    assert len(sitebuild.raw_tex(texts)) >= 4  # the planted \[ \frac \( \top … are seen
    assert sitebuild.clean_search_index(index) == 3
    docs = json.loads(index.read_text(encoding="utf-8"))["docs"]
    assert sitebuild.raw_tex(d[k] for d in docs for k in ("title", "text")) == []
    assert "L = −1/N Σ_n log y_(n, t_n)" in docs[0]["text"]
    assert "∂L/∂x = (y − t)/N" in docs[0]["text"]
    assert docs[1]["title"] == "순전파와 역전파 Wᵀ"


def test_footer_build_info_without_git_says_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    import refnn

    sitebuild = _sitebuild()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01 00:00 UTC
    info = sitebuild.build_info(git=lambda *args: None)
    assert info == {"version": refnn.__version__, "commit": "알 수 없음", "dirty": False, "date": "2026-01-01"}
    info = sitebuild.build_info(git=lambda *args: "abcdef1234" if args[0] == "rev-parse" else " M x.py")
    assert (info["commit"], info["dirty"]) == ("abcdef1234", True)
