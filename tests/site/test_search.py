"""The site's own search (offline lunr index) finds Korean words and code names."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.site.pagecheck import new_context

# query -> (page that must come first, or None, pages that must appear in the results)
QUERIES = {
    "역전파": ("graph/", ()),
    "소프트맥스": ("layers/softmax/", ()),
    "기울기 확인": ("gradcheck/", ()),
    "GPU": ("speed/", ()),
    "CuPy": ("speed/", ()),
    "SoftmaxWithLoss": ("layers/softmax-with-loss/", ()),
    "zeros_like": (None, ("protocol/",)),
    "정오표": ("errata/", ()),
    "Repeat": ("nodes/repeat/", ()),
}


def search(page: Any, query: str) -> list[str]:
    """Type a query the way a reader does and return the result pages, best first."""
    box = page.locator(".md-search__input")
    box.fill(query)
    box.dispatch_event("keyup")  # Material reads the query on keyup
    page.wait_for_selector(".md-search-result__item", timeout=10_000)
    page.wait_for_timeout(150)
    hrefs = page.eval_on_selector_all(
        ".md-search-result__item > a", "els => els.map(e => e.getAttribute('href'))"
    )
    paths: list[str] = []
    for href in hrefs:
        path = urlsplit(href).path.lstrip("/")
        if path not in paths:
            paths.append(path)
    return paths


@pytest.fixture(scope="module")
def search_page(browser: Any, server: str) -> Any:
    context, external = new_context(browser)
    page = context.new_page()
    page.goto(server)
    yield page
    context.close()
    assert external == [], f"search made non-local requests: {external}"


@pytest.mark.parametrize("query", list(QUERIES))
def test_search_finds_the_page(search_page: Any, query: str) -> None:
    first, anywhere = QUERIES[query]
    results = search(search_page, query)
    if first is not None:
        assert results and results[0] == first, f"{query!r}: expected {first} first, got {results[:5]}"
    for page in anywhere:
        assert page in results, f"{query!r}: expected {page} among the results, got {results}"


@pytest.mark.parametrize("query", ["SoftmaxWithLoss", "기울기", "Affine"])
def test_search_previews_show_no_tex_source(search_page: Any, query: str) -> None:
    """Formulas in the previews read as text (∂L/∂x), not as TeX source (\\frac{∂L}{∂x})."""
    import sys

    from tests.site.conftest import ROOT

    sys.path.insert(0, str(ROOT / "docs" / "scripts"))
    import sitebuild

    search(search_page, query)
    previews = search_page.eval_on_selector_all(".md-search-result__article", "els => els.map(e => e.innerText)")
    assert previews, f"{query!r}: no previews"
    assert sitebuild.raw_tex(previews) == []


def test_search_reports_no_result_for_nonsense(search_page: Any) -> None:
    box = search_page.locator(".md-search__input")
    box.fill("qzxjvkw")
    box.dispatch_event("keyup")
    search_page.wait_for_timeout(500)
    assert search_page.locator(".md-search-result__item").count() == 0
