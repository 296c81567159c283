"""The strict build itself (no browser needed): it succeeds in reasonable time, stays
offline, documents each public object exactly once, generates its figures, and its
verification table says exactly what the test registry says."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from html import unescape
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD_SECONDS_LIMIT = 90  # target ~60 s on the 2-core CI machine; the margin absorbs a busy machine

REMOTE = re.compile(
    r"fonts\.googleapis\.com|fonts\.gstatic\.com|cdn\.jsdelivr\.net|unpkg\.com|cdnjs\.cloudflare\.com"
    r"|<script[^>]+src=\"https?://|<link[^>]+href=\"https?://[^\"]+\.css"
)
DOC_HEADING = re.compile(r'<h\d id="([\w.]+)" class="doc doc-heading"')


def _pages(site: Path) -> list[Path]:
    return [p for p in site.rglob("*.html") if "source" not in p.relative_to(site).parts]


def test_strict_build_succeeds_in_time(site_build: dict[str, Any], site_dir: Path) -> None:
    assert site_build["returncode"] == 0
    assert site_build["seconds"] < BUILD_SECONDS_LIMIT, f"mkdocs build took {site_build['seconds']:.0f} s"
    assert (site_dir / "index.html").exists()


def test_no_remote_fonts_scripts_or_styles(site_dir: Path) -> None:
    offenders = {}
    for page in _pages(site_dir):
        hits = REMOTE.findall(page.read_text(encoding="utf-8"))
        if hits:
            offenders[page.relative_to(site_dir).as_posix()] = sorted(set(hits))
    assert offenders == {}


def test_remote_check_sees_a_google_font_link() -> None:
    assert REMOTE.search('<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">')
    assert REMOTE.search('<script src="https://cdn.jsdelivr.net/npm/katex/dist/katex.min.js"></script>')
    assert not REMOTE.search('<script src="../assets/katex/katex.min.js"></script>')


def test_katex_is_vendored_with_its_licence(site_dir: Path) -> None:
    katex = ROOT / "docs" / "assets" / "katex"
    assert "MIT License" in (katex / "LICENSE").read_text(encoding="utf-8")
    for name in ("katex.min.js", "katex.min.css", "contrib/auto-render.min.js"):
        assert (site_dir / "assets" / "katex" / name).stat().st_size > 0
    assert len(list((site_dir / "assets" / "katex" / "fonts").glob("*.woff2"))) >= 20


def _is_module(name: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # a class path such as refnn.layers.Affine
        return False


def _documented(site: Path) -> Counter:
    ids: Counter = Counter()
    for page in _pages(site):
        for obj in set(DOC_HEADING.findall(page.read_text(encoding="utf-8"))):
            if _is_module(obj.rsplit(".", 1)[0]):  # objects of a module, not methods of a class
                ids[obj] += 1
    return ids


PUBLIC_MODULES = ("refnn.functions", "refnn.layers", "refnn.nodes", "refnn.models", "refnn.optim",
                  "refnn.trainer", "refnn.io", "refnn.gradcheck", "refnn.text", "refnn.sampling",
                  "dataset.spiral", "dataset.ptb", "dataset.sequence")


def test_each_public_object_is_documented_exactly_once(site_dir: Path) -> None:
    import importlib

    ids = _documented(site_dir)
    assert [k for k, n in ids.items() if n > 1] == []
    missing = []
    for m in PUBLIC_MODULES:
        module = importlib.import_module(m)
        for name in module.__all__:
            if not callable(getattr(module, name)):  # constants (file names, widths) are described in prose
                continue
            # documented under the package that exports it or under the module that defines it
            where = {f"{m}.{name}", f"{getattr(getattr(module, name), '__module__', m)}.{name}"}
            if sum(ids[w] for w in where) != 1:
                missing.append(f"{m}.{name}")
    assert missing == [], "public names (in __all__) without exactly one API entry on the site"


def test_documented_counts_an_object_on_two_pages_twice(tmp_path: Path) -> None:
    heading = '<h2 id="refnn.layers.Affine" class="doc doc-heading">Affine</h2>'
    for name in ("a.html", "b.html"):
        (tmp_path / name).write_text(heading)
    assert _documented(tmp_path)["refnn.layers.Affine"] == 2


def test_figures_are_generated_at_build_time(site_dir: Path) -> None:
    figures = site_dir / "figures"
    for name in ("spiral.svg", "loss.svg", "decision-boundary.png", "repeat-shapes.svg", "sum-shapes.svg",
                 "graph-affine.svg", "graph-softmax-with-loss.svg", "graph-two-layer-net.svg",
                 "spiral-lr.png", "spiral-hidden.png", "spiral-optimizers.png"):
        assert (figures / name).stat().st_size > 1000, name
    assert not (ROOT / "docs" / "figures").exists(), "figures are generated, never committed"
    svg = (figures / "graph-affine.svg").read_text(encoding="utf-8")
    assert re.search(r'<svg[^>]+width="\d+"[^>]+height="\d+"', svg), "an <img> needs a natural size"


def test_verification_table_is_the_registry(site_dir: Path) -> None:
    from refnn.testing import SPECS

    html = (site_dir / "verification" / "index.html").read_text(encoding="utf-8")
    rows = re.findall(r"<tr><td><code>([\w.]+)</code></td>(.*?)</tr>", html)
    # the registry's rows name the object in full (refnn.layers.Affine); other tables on the page
    # (the surviving mutants) name functions and methods without their package
    table = {name.rsplit(".", 1)[1]: (cells.count("✓⁺"), cells.count("✓"))
             for name, cells in rows if name.startswith(("refnn.", "dataset."))}
    want = {s.name: (len(s.extended), len(s.all_properties)) for s in SPECS.values()}
    assert table == want


def test_citation_matches_the_package_version() -> None:
    import refnn

    cff = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert cff.startswith("cff-version: 1.2.0")
    version = re.search(r'^version:\s*"?([^"\n]+)"?\s*$', cff, re.M)
    assert version and version.group(1) == refnn.__version__
    assert re.search(r"^title:", cff, re.M) and re.search(r"^authors:", cff, re.M)


def test_errata_lists_every_notebook_typo_and_book_difference(site_dir: Path) -> None:
    text = unescape(re.sub(r"<[^>]+>", "", (site_dir / "errata" / "index.html").read_text(encoding="utf-8")))
    for item in ("np.matmult", "self.W.T", "reshpae", "shpae", "layer.parms", "1e-7", "16.1", "Nesterov",
                 "3차원", "pickle", "np.random.seed", "np.int"):
        assert item in text, item
    assert text.count("지키는 테스트:") >= 11


def test_a_failing_example_fails_the_strict_build(tmp_path: Path) -> None:
    """Control for the build check: an example that raises must break ``mkdocs build --strict``."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text('# t\n\n```python exec="on"\nraise RuntimeError("planted")\n```\n')
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: t\nplugins:\n  - markdown-exec\nmarkdown_extensions:\n  - pymdownx.superfences\n"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
    )
    assert proc.returncode != 0
    assert "planted" in proc.stdout + proc.stderr


HREF = re.compile(r'<a\b[^>]*\bhref="([^"]+)"')
ID = re.compile(r'\bid="([^"]+)"')


def broken_links(site: Path, pages: list[Path]) -> list[str]:
    """Internal links of ``pages`` whose target file or anchor does not exist in ``site``."""
    from urllib.parse import unquote, urlsplit

    ids: dict[Path, set[str]] = {}
    broken = []
    for page in pages:
        for href in HREF.findall(page.read_text(encoding="utf-8")):
            parts = urlsplit(unescape(href))
            if parts.scheme or parts.netloc or href.startswith(("mailto:", "javascript:")):
                continue
            if not parts.path:
                target = page
            elif parts.path.startswith("/"):  # root-absolute (the 404 page without site_url)
                target = (site / unquote(parts.path).lstrip("/")).resolve()
            else:
                target = (page.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file() or site.resolve() not in target.resolve().parents:
                broken.append(f"{page.relative_to(site)}: {href} (no such file)")
                continue
            if parts.fragment and target.suffix == ".html":
                if target not in ids:
                    ids[target] = set(ID.findall(target.read_text(encoding="utf-8")))
                if unquote(parts.fragment) not in ids[target]:
                    broken.append(f"{page.relative_to(site)}: {href} (no such anchor)")
    return broken


def test_every_internal_link_resolves(site_dir: Path) -> None:
    """Also the links that markdown-exec output carries, which MkDocs itself does not validate."""
    assert broken_links(site_dir, _pages(site_dir)) == []


def test_link_check_sees_a_missing_page_and_a_missing_anchor(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text('<h2 id="x">x</h2>')
    page = tmp_path / "index.html"
    page.write_text('<a href="a/">ok</a> <a href="a/#x">ok</a> <a href="b/">bad</a> <a href="a/#y">bad</a>'
                    ' <a href="https://example.com/">external</a> <a href="#top">bad</a>')
    assert broken_links(tmp_path, [page]) == [
        "index.html: b/ (no such file)", "index.html: a/#y (no such anchor)", "index.html: #top (no such anchor)",
    ]


def _figure_warnings(font: str | None) -> list[str]:
    import warnings

    import matplotlib

    scripts = str(ROOT / "docs" / "scripts")
    if scripts not in sys.path:
        sys.path.insert(0, scripts)
    import hooks
    import sitefigures

    with matplotlib.rc_context():
        assert sitefigures.setup_matplotlib() is None, "no Hangul font: pip install -e .[docs]"
        if font is not None:
            matplotlib.rcParams["font.family"] = [font]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            sitefigures.spiral_figure()
    return hooks.glyph_problems(caught)


def test_hangul_renders_in_the_figures_and_the_check_sees_missing_glyphs() -> None:
    assert _figure_warnings(None) == []
    assert _figure_warnings("DejaVu Sans") != []  # control: a Latin-only font must be caught


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_no_project_internal_words_on_any_page(site_dir: Path) -> None:
    """Every page (the source pages too) and the search index speak to readers only."""
    from tests.site.pagecheck import internal_words

    found = {}
    for page in site_dir.rglob("*.html"):
        hits = internal_words(_visible_text(page.read_text(encoding="utf-8")))
        if hits:
            found[page.relative_to(site_dir).as_posix()] = hits[:3]
    index = (site_dir / "search" / "search_index.json").read_text(encoding="utf-8")
    found["search_index.json"] = internal_words(index)[:3]
    assert {k: v for k, v in found.items() if v} == {}


def _scripts() -> None:
    scripts = str(ROOT / "docs" / "scripts")
    if scripts not in sys.path:
        sys.path.insert(0, scripts)


def test_search_index_has_no_raw_tex(site_dir: Path) -> None:
    import json

    _scripts()
    import sitebuild

    docs = json.loads((site_dir / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    assert sitebuild.raw_tex(d.get(k, "") for d in docs for k in ("title", "text")) == []
    text = " ".join(d["text"] for d in docs if d["location"].startswith("layers/softmax-with-loss/"))
    assert "∂L/∂x" in text  # the formulas are there, in readable form


# (page, object): the API box shows the object's source as it is in the repository
SOURCE_BOXES = [
    ("layers/affine", "refnn.layers.Affine"), ("layers/softmax-with-loss", "refnn.layers.SoftmaxWithLoss"),
    ("nodes/add", "refnn.nodes.Add"), ("layers/matmul", "refnn.layers.MatMul"),
    ("functions", "refnn.functions.softmax"), ("optim", "refnn.optim.SGD"),
    ("two-layer-net", "refnn.models.TwoLayerNet"), ("spiral", "dataset.spiral.load_data"),
]


@pytest.mark.parametrize(("page", "name"), SOURCE_BOXES)
def test_api_box_shows_the_source_with_a_link_to_its_line(site_dir: Path, page: str, name: str) -> None:
    import importlib
    import inspect

    module, attr = name.rsplit(".", 1)
    obj = getattr(importlib.import_module(module), attr)
    lines, first = inspect.getsourcelines(obj)
    rel = Path(inspect.getsourcefile(obj) or "").resolve().relative_to(ROOT).as_posix()
    html = (site_dir / page / "index.html").read_text(encoding="utf-8")
    box = re.search(rf'<details class="mkdocstrings-source refnn-source"[^>]*>(.*?)</details>\s*'
                    rf'<p class="refnn-source-link"><a href="([^"]+)">소스: {re.escape(rel)}#L{first}</a>',
                    html.split(f'id="{name}"', 1)[-1], re.S)
    assert box, f"{page}: no source box with the link 소스: {rel}#L{first} after {name}"
    code = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", box.group(1))))
    missing = [ln.strip() for ln in lines if re.sub(r"\s+", " ", ln.strip()) not in code]
    assert missing[:3] == [], f"{page}: lines of {name} missing from its source box"
    target = (site_dir / page / box.group(2)).resolve()
    assert box.group(2).endswith(f"#__codelineno-0-{first}") and not box.group(2).startswith("/")
    assert (target.parent / "index.html").is_file() or target.is_dir(), box.group(2)


def test_graphs_carry_the_numbers_and_fit_a_phone(site_dir: Path) -> None:
    """Labels are 15 px; at most 480 px wide, a 358 px phone column still shows them at 11 px or more."""
    texts = {}
    for svg in (site_dir / "figures").glob("graph-*.svg"):
        content = svg.read_text(encoding="utf-8")
        width = int(re.search(r'<svg[^>]+width="(\d+)"', content).group(1))  # type: ignore[union-attr]
        assert width <= 480, f"{svg.name} is {width} px wide: its labels would be under 11 px on a phone"
        texts[svg.stem] = {unescape(t) for t in re.findall(r'data-text="([^"]*)"', content)}
    # by hand: x = [1, −2], y = [3, 0.5], dz = [1, 2] → dx = dz ⊙ y = [3, 1], dy = dz ⊙ x = [1, −4]
    assert {"∂L/∂x = [[3, 1]]", "∂L/∂y = [[1, −4]]", "z = [[3, −1]]"} <= texts["graph-mul"]
    # Branch adds the two upstream gradients: [1, 0] + [0.5, 2]
    assert "∂L/∂x = [[1.5, 2]]" in texts["graph-branch"]
    net = texts["graph-two-layer-net"]
    for p in ("W₁", "b₁", "W₂", "b₂"):
        assert any(t.startswith(f"{p} (") for t in net) and any(t.startswith(f"∂L/∂{p} (") for t in net), p


def hangul_missing(site: Path, font: Path) -> dict[str, list[str]]:
    """Hangul syllables on the site's pages (source pages included) that the web font has no glyph for."""
    from fontTools.ttLib import TTFont

    cmap = TTFont(str(font)).getBestCmap()
    missing: dict[str, list[str]] = {}
    for page in site.rglob("*.html"):
        chars = {c for c in page.read_text(encoding="utf-8") if "\uac00" <= c <= "\ud7a3" and ord(c) not in cmap}
        if chars:
            missing[page.relative_to(site).as_posix()] = sorted(chars)
    return missing


def test_the_web_font_has_every_hangul_syllable_of_the_site(site_dir: Path, tmp_path: Path) -> None:
    """The Hangul fallback font is cut down to the site's characters: none of them is missing from it (a reader
    without a Korean font would see empty boxes); control: a page with a syllable outside the cut is caught."""
    for name in ("NanumGothic.ttf", "NanumGothicBold.ttf"):
        assert hangul_missing(site_dir, site_dir / "assets" / "fonts" / name) == {}
    from fontTools.ttLib import TTFont

    font = site_dir / "assets" / "fonts" / "NanumGothic.ttf"
    cmap = TTFont(str(font)).getBestCmap()
    rare = next(chr(c) for c in range(0xAC00, 0xD7A4) if c not in cmap)  # a syllable the cut left out
    (tmp_path / "rare.html").write_text(f"<p>가 {rare}</p>", encoding="utf-8")
    assert hangul_missing(tmp_path, font) == {"rare.html": [rare]}
