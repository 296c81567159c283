"""MkDocs hooks of the refnn site (loaded through ``hooks:`` in mkdocs.yml).

* ``on_config``: pages written by other parts of the project (``performance.md``,
  ``check.md``) join the navigation only when the file exists, so the strict
  build never points at a missing page.
* ``on_files``: every figure under ``figures/`` is generated here, at build time,
  from the real refnn code (matplotlib charts and computational-graph SVGs); none
  is committed. The reference code, the specification and the tests are
  published under ``source/`` so that pages can link to the exact line of the
  code that implements or checks something.
* ``on_config`` also records the build (version, commit, date) in
  ``config.extra.refnn_build`` for the footer (``docs/overrides``).
* ``on_page_content``: the API boxes' source links become relative links.
* ``on_post_build``: formulas in the search index are turned into readable text.
"""

from __future__ import annotations

import logging
import sys
import time
import warnings
from pathlib import Path

from mkdocs.structure.files import File, Files

SCRIPTS = Path(__file__).resolve().parent
if str(SCRIPTS) not in sys.path:
    sys.path.insert(0, str(SCRIPTS))

import rnnfigures  # noqa: E402
import seqfigures  # noqa: E402
import sitebuild  # noqa: E402  (needs the sys.path entry above)
import sitedocs  # noqa: E402
import sitefigures  # noqa: E402
import spiralfigures  # noqa: E402
import wordfigures  # noqa: E402

log = logging.getLogger("mkdocs.plugins.refnn")

OPTIONAL_PAGES = (
    # (file, nav title, title of the section it joins or None for top level)
    ("check.md", "내 구현 검사하기 (refnn check)", "검증"),
    ("performance.md", "성능", None),
)


def glyph_problems(caught: list[warnings.WarningMessage]) -> list[str]:
    """matplotlib's "Glyph ... missing from font(s)" warnings: Hangul would come out as boxes."""
    return sorted({str(w.message) for w in caught if "missing from" in str(w.message)})


def on_config(config):
    docs = Path(config["docs_dir"])
    nav = config["nav"]
    for name, title, section in OPTIONAL_PAGES:
        if not (docs / name).exists():
            continue
        entry = {title: name}
        if section is None:
            nav.insert(len(nav) - 2, entry)  # before 정오표 and 용어
            continue
        for item in nav:
            if isinstance(item, dict) and section in item:
                item[section].append(entry)
                break
        else:
            nav.append(entry)
    config["extra"]["refnn_build"] = sitebuild.build_info()
    return config


def on_files(files: Files, config) -> Files:
    start = time.perf_counter()
    problem = sitefigures.setup_matplotlib()
    if problem:
        log.warning(problem)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figures = sitefigures.all_figures()
        figures.update(spiralfigures.all_figures())
        figures.update(wordfigures.all_figures())
        figures.update(rnnfigures.all_figures())
        figures.update(seqfigures.all_figures())
    for message in glyph_problems(caught):
        log.warning("refnn figures: %s", message)
    for name, content in figures.items():
        files.append(File.generated(config, f"figures/{name}", content=content))
    # The same NanumGothic as the figures, as the page text's last Hangul fallback (refnn.css):
    # a browser downloads it only when no installed font has Hangul.
    for name, content in sitefigures.web_fonts().items():
        files.append(File.generated(config, f"assets/fonts/{name}", content=content))
    PUBLISHED.clear()
    for path in sitedocs.source_files():
        rel = path.relative_to(sitedocs.ROOT).as_posix()
        PUBLISHED.add(rel)
        files.append(File.generated(config, f"source/{rel}.md", content=sitedocs.source_page(path)))
    log.info("refnn: figures generated in %.1f s", time.perf_counter() - start)
    return files


PUBLISHED: set[str] = set()  # repository paths published under source/ (filled by on_files)


def on_page_content(html: str, page, config, files) -> str:
    return sitebuild.link_sources(html, page.url, PUBLISHED, log.warning)


def on_post_build(config) -> None:
    index = Path(config["site_dir"]) / "search" / "search_index.json"
    if index.exists():
        changed = sitebuild.clean_search_index(index)
        log.info("refnn: formulas of %d search entries written as plain text", changed)
