"""MkDocs hooks of the refnn site (loaded through ``hooks:`` in mkdocs.yml).

* ``on_config``: pages written by other parts of the project (``performance.md``,
  ``check.md``) join the navigation only when the file exists, so the strict
  build never points at a missing page.
* ``on_files``: every figure under ``figures/`` is generated here, at build time,
  from the real refnn code (matplotlib charts and computational-graph SVGs); none
  is committed. The specification and test sources are published under
  ``source/`` so that pages can link to the exact line that checks a property.
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

import sitedocs  # noqa: E402  (needs the sys.path entry above)
import sitefigures  # noqa: E402

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
    return config


def on_files(files: Files, config) -> Files:
    start = time.perf_counter()
    problem = sitefigures.setup_matplotlib()
    if problem:
        log.warning(problem)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figures = sitefigures.all_figures()
    for message in glyph_problems(caught):
        log.warning("refnn figures: %s", message)
    for name, content in figures.items():
        files.append(File.generated(config, f"figures/{name}", content=content))
    for path in sitedocs.source_files():
        rel = path.relative_to(sitedocs.ROOT).as_posix()
        files.append(File.generated(config, f"source/{rel}.md", content=sitedocs.source_page(path)))
    log.info("refnn: figures generated in %.1f s", time.perf_counter() - start)
    return files
