"""Load one page in Chromium and report what a reader would see go wrong.

``inspect_page`` is the checker every page test uses; ``tests/site/test_checker.py``
runs it on deliberately broken pages (``tests/site/fixtures``) to prove that it
sees each kind of problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

LOCAL_HOSTS = {"127.0.0.1", "localhost"}
#: Every URL but those of LOCAL_HOSTS and the in-page schemes (``is_local``'s complement, as a pattern).
LEAVING = re.compile(r"^(?!(?:https?|wss?)://(?:127\.0\.0\.1|localhost)(?::\d+)?(?:/|$))(?!data:|blob:|about:)")

# Words that belong to how the project is made, not to what a reader learns: never on a page.
INTERNAL_WORDS = re.compile(r"이슈|다른 담당|담당자|세션|\bissues?\b|\bhelpers?\b|\bsessions?\b", re.I)


def internal_words(text: str) -> list[str]:
    """Each occurrence of a project-internal word in ``text``, with a little context."""
    return [text[max(0, m.start() - 25) : m.end() + 25].replace("\n", " ") for m in INTERNAL_WORDS.finditer(text)]

# After "load" (images and fonts are in), wait at most this long for KaTeX to render every
# formula, then this much more for late console errors.
MATH_TIMEOUT_MS = 3000
SETTLE_MS = 100
_MATH_DONE_JS = (
    "() => typeof renderMathInElement === 'undefined' ||"  # no KaTeX loaded: nothing will render
    " [...document.querySelectorAll('.arithmatex')].every(e => e.querySelector('.katex, .katex-error'))"
)

_PAGE_FACTS_JS = """() => {
  const imgs = [...document.querySelectorAll('article img, .md-content img')];
  const math = [...document.querySelectorAll('.arithmatex')];
  return {
    title: document.title,
    katex: document.querySelectorAll('.katex').length,
    katex_errors: document.querySelectorAll('.katex-error').length,
    // unsupported commands are drawn inside the formula in KaTeX's errorColor (#cc0000 = rgb(204, 0, 0))
    katex_unknown: [...document.querySelectorAll('.katex [style*="204, 0, 0"]')].map(e => e.textContent),
    unrendered_math: math.filter(el => !el.querySelector('.katex')).map(el => el.textContent.slice(0, 60)),
    images: imgs.length,
    broken_images: imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src')),
    api_headings: [...document.querySelectorAll('.two-col .api .doc-heading')].map(h => h.id),
    // the answer key: source boxes (with code lines) and their links to the published file and line
    source_blocks: [...document.querySelectorAll('details.refnn-source')]
      .filter(d => d.querySelector('pre code')).length,
    source_links: [...document.querySelectorAll('.refnn-source-link a')]
      .map(a => [a.getAttribute('href'), a.textContent]),
    footer: (document.querySelector('.md-footer .refnn-build') || {}).innerText || '',
    text: document.body.innerText,
  };
}"""


@dataclass
class PageReport:
    url: str
    status: int | None = None
    console_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)

    def problems(self, *, need_math: bool = True) -> list[str]:
        """Human-readable problems; empty when the page is fine."""
        out = []
        if self.status != 200:
            out.append(f"HTTP status {self.status}")
        out += [f"console error: {m}" for m in self.console_errors]
        out += [f"non-local request: {u}" for u in self.external_requests]
        f = self.facts
        if need_math and f.get("katex", 0) == 0:
            out.append("no KaTeX-rendered math (.katex) on the page")
        if f.get("katex_errors"):
            out.append(f"{f['katex_errors']} .katex-error element(s)")
        out += [f"unsupported TeX command: {t!r}" for t in f.get("katex_unknown", [])]
        out += [f"math left unrendered: {t!r}" for t in f.get("unrendered_math", [])]
        out += [f"image failed to load: {src}" for src in f.get("broken_images", [])]
        out += [f"project-internal word: {t!r}" for t in internal_words(f.get("text", ""))]
        return out

    def source_problems(self) -> list[str]:
        """A reference page must show its source and link to the published file at the line."""
        f = self.facts
        out = []
        if not f.get("source_blocks"):
            out.append("no source block (details.refnn-source with code)")
        links = f.get("source_links", [])
        if not links:
            out.append("no source link (소스: <file>#L<line>)")
        for href, text in links:
            if urlsplit(href).scheme or href.startswith("/") or "#__codelineno-0-" not in href:
                out.append(f"source link {text!r} is not a relative link to a line: {href}")
        return out

    def footer_commit(self) -> str | None:
        m = re.search(r"커밋 ([0-9a-f]{7,40})\b", self.facts.get("footer", ""))
        return m.group(1) if m else None

    def footer_problems(self, version: str, git_checkout: bool = True) -> list[str]:
        """The footer names this build: version, commit (a hash; "알 수 없음" outside git) and date."""
        footer = self.facts.get("footer", "")
        out = []
        if f"refnn {version}" not in footer:
            out.append(f"footer lacks the version {version!r}: {footer!r}")
        if git_checkout and self.footer_commit() is None:
            out.append(f"footer lacks the commit hash: {footer!r}")
        if not git_checkout and "커밋 알 수 없음" not in footer:
            out.append(f"footer should say the commit is unknown (not a git checkout): {footer!r}")
        if not re.search(r"빌드 \d{4}-\d{2}-\d{2}", footer):
            out.append(f"footer lacks the build date: {footer!r}")
        return out


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.hostname in LOCAL_HOSTS


def new_context(browser: Any, width: int = 1400, height: int = 900) -> tuple[Any, list[str]]:
    """A browser context that blocks and records every request leaving localhost."""
    context = browser.new_context(viewport={"width": width, "height": height}, service_workers="block")
    external: list[str] = []

    def route(r: Any) -> None:
        if is_local(r.request.url):
            r.continue_()
        else:
            external.append(r.request.url)
            r.abort()

    # only requests leaving localhost are routed through Python (the driver matches the pattern): a page's
    # own files load without a round trip each
    context.route(LEAVING, route)
    return context, external


def inspect_page(browser: Any, url: str, shared: tuple[Any, list[str]] | None = None) -> PageReport:
    """Load ``url`` in a fresh browser context, or in ``shared`` (a context of `new_context` and its list of
    blocked requests, kept open by the caller: pages then load as a reader's next page does, from the cache)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    context, external = shared if shared is not None else new_context(browser)
    external.clear()
    report = PageReport(url)
    page = context.new_page()
    page.on("console", lambda m: report.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: report.console_errors.append(f"uncaught: {e}"))
    try:
        response = page.goto(url, wait_until="load")
        report.status = response.status if response else None
        try:
            page.wait_for_function(_MATH_DONE_JS, timeout=MATH_TIMEOUT_MS)
        except PlaywrightTimeout:
            pass  # reported below as math left unrendered
        page.wait_for_timeout(SETTLE_MS)
        report.facts = page.evaluate(_PAGE_FACTS_JS)
        report.external_requests = list(external)
    finally:
        page.close() if shared is not None else context.close()
    return report
