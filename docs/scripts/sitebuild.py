"""Build-time facts and post-processing of the refnn site (used by ``hooks.py``).

* ``build_info``: version, commit and date shown in every page's footer
  (``docs/overrides/partials/copyright.html``), so a page can be cited as a fixed build.
* ``link_sources``: the API boxes' ``refnn-source:<file>#L<n>`` links (written by
  ``docs/templates/python/material/refnn_source.html.jinja``) become relative links to
  the published source pages, so they work offline and under any base URL.
* ``readable_math`` / ``clean_search_index``: the search index holds the pages' text,
  formulas included as TeX source (``\\[L = -\\frac{1}{N}…``); search previews show them
  in a readable plain-text form instead (``L = −1/N Σ…``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
UNKNOWN_COMMIT = "알 수 없음"


def _git(*args: str) -> str | None:
    try:
        proc = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


def build_info(git: Callable[..., str | None] = _git, now: dt.datetime | None = None) -> dict[str, object]:
    """``{"version", "commit", "dirty", "date"}`` of this build.

    The commit is ``git rev-parse --short`` of the checkout; outside a git checkout (an
    unpacked archive, no git installed) it is ``UNKNOWN_COMMIT``. The date honours
    ``SOURCE_DATE_EPOCH`` (reproducible builds), else it is today's date in UTC.
    """
    import refnn

    commit = git("rev-parse", "--short=10", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no") if commit else None
    if now is None:
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        now = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch else dt.datetime.now(dt.timezone.utc)
    return {
        "version": refnn.__version__,
        "commit": commit or UNKNOWN_COMMIT,
        "dirty": bool(status),
        "date": now.strftime("%Y-%m-%d"),
    }


SOURCE_LINK = re.compile(r'href="refnn-source:([^"#]+)#L(\d+)"')


def link_sources(html: str, page_url: str, published: set[str], warn: Callable[[str], None]) -> str:
    """Rewrite ``refnn-source:`` links relative to ``page_url``; ``warn`` about unpublished files."""
    import sitedocs
    from mkdocs.utils import get_relative_url

    def repl(m: re.Match[str]) -> str:
        rel, line = m.group(1), int(m.group(2))
        if rel not in published:
            warn(f"refnn: {page_url}: source link to {rel}, which is not published under source/")
        return f'href="{get_relative_url(sitedocs.source_url(rel, line), page_url)}"'

    return SOURCE_LINK.sub(repl, html)


# ---- TeX → plain text for the search previews ------------------------------------------------

_SYMBOLS = {
    "partial": "∂", "sum": "Σ", "prod": "Π", "cdot": "·", "times": "×", "odot": "⊙", "oslash": "⊘",
    "circ": "∘", "infty": "∞", "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "neq": "≠", "ne": "≠",
    "approx": "≈", "equiv": "≡", "to": "→", "rightarrow": "→", "leftarrow": "←", "mapsto": "↦",
    "Rightarrow": "⇒", "in": "∈", "nabla": "∇", "ldots": "…", "dots": "…", "cdots": "⋯", "vdots": "⋮",
    "pm": "±", "mid": "|", "lVert": "‖", "rVert": "‖", "|": "‖", "langle": "⟨", "rangle": "⟩",
    "top": "ᵀ", "prime": "′", "quad": " ", "qquad": " ", ",": " ", ";": " ", ":": " ", "!": "",
    " ": " ", "{": "{", "}": "}", "_": "_", "%": "%", "&": "&", "#": "#", "\\": "; ",
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "eta": "η", "theta": "θ", "lambda": "λ", "mu": "μ", "rho": "ρ", "sigma": "σ", "tau": "τ",
    "phi": "φ", "psi": "ψ", "omega": "ω", "Delta": "Δ", "Sigma": "Σ", "Omega": "Ω",
    "exp": "exp", "log": "log", "ln": "ln", "max": "max", "min": "min", "arg": "arg", "sqrt": "√",
}
# commands that only change the look of their argument (or of nothing): dropped, argument kept
_STYLE = {"mathrm", "text", "textrm", "operatorname", "mathbf", "boldsymbol", "mathit", "mathsf",
          "mathtt", "mathbb", "mathcal", "bm", "hat", "bar", "tilde", "vec", "widehat", "overline",
          "left", "right", "big", "Big", "bigl", "bigr", "Bigl",
          "Bigr", "displaystyle", "limits", "begin", "end", "tag", "label", "color"}
_COMMAND = re.compile(r"\\([A-Za-z]+|.)")
_TRANSPOSE = re.compile(r"\^(?:\\top(?![A-Za-z])|\{\\top\}|T(?![A-Za-z])|\{T\})")


def _group(tex: str, i: int) -> tuple[str, int]:
    """The argument starting at ``tex[i]``: a ``{…}`` group (balanced) or one character."""
    while i < len(tex) and tex[i] == " ":
        i += 1
    if i >= len(tex):
        return "", i
    if tex[i] != "{":
        m = _COMMAND.match(tex, i)
        return (m.group(0), m.end()) if m else (tex[i], i + 1)
    depth = 0
    for j in range(i, len(tex)):
        depth += {"{": 1, "}": -1}.get(tex[j], 0)
        if depth == 0:
            return tex[i + 1 : j], j + 1
    return tex[i + 1 :], len(tex)


def _wrap(s: str) -> str:
    return s if re.fullmatch(r"[\w.′ᵀ∂]+", s) else f"({s})"


def readable_math(tex: str) -> str:
    """A plain-text reading of a TeX formula: ``\\frac{1}{N}\\sum_n`` → ``1/N Σ_n``."""
    out: list[str] = []
    i = 0
    while i < len(tex):
        ch = tex[i]
        if ch == "\\":
            m = _COMMAND.match(tex, i)
            assert m is not None  # a backslash always matches (the last alternative is any char)
            name, i = m.group(1), m.end()
            if name in ("frac", "dfrac", "tfrac"):
                num, i = _group(tex, i)
                den, i = _group(tex, i)
                out.append(f"{_wrap(readable_math(num))}/{_wrap(readable_math(den))} ")
            elif name == "sqrt":
                arg, i = _group(tex, i)
                out.append(f"√{_wrap(readable_math(arg))}")
            elif name in ("begin", "end"):
                _, i = _group(tex, i)  # the environment's name
            elif name in _STYLE:
                continue
            else:
                word = _SYMBOLS.get(name, name)
                spaced = word in ("Σ", "Π") or (len(word) > 1 and word.isalpha())
                out.append(f" {word} " if spaced else word)
        elif ch in "{}":
            i += 1
        elif ch == "^" and (m := _TRANSPOSE.match(tex, i)):
            out.append("ᵀ")
            i = m.end()
        elif ch in "^_":
            arg, i = _group(tex, i + 1)
            out.append(ch + _wrap(readable_math(arg)))
        elif ch == "&":
            i += 1
        elif ch == "-":
            out.append("−")
            i += 1
        else:
            out.append(ch)
            i += 1
    text = re.sub(r"∂\s+", "∂", "".join(out))
    text = re.sub(r"\s+([_^),.;])", r"\1", text)
    text = re.sub(r"\b(exp|log|ln|max|min|softmax|sigmoid) +\(", r"\1(", text)
    return re.sub(r"\s+", " ", text).strip()


# \( … \) and \[ … \] as pymdownx.arithmatex (generic mode) leaves them in the page text
MATH_SPAN = re.compile(r"\\\((.+?)\\\)|\\\[(.+?)\\\]", re.S)
# what must not reach a search preview: math delimiters or a TeX command
RAW_TEX = re.compile(r"\\[()\[\]]|\\(?:frac|sum|partial|mathrm|top|cdot|left|right|begin|odot|sqrt)\b")


def plain_text(text: str) -> str:
    """``text`` with every math span replaced by its readable form."""
    return MATH_SPAN.sub(lambda m: readable_math(m.group(1) or m.group(2)), text)


def clean_search_index(path: Path) -> int:
    """Rewrite Material's ``search/search_index.json`` in place; return the entries changed."""
    index = json.loads(path.read_text(encoding="utf-8"))
    changed = 0
    for doc in index.get("docs", []):
        for key in ("title", "text"):
            value = doc.get(key)
            if isinstance(value, str) and MATH_SPAN.search(value):
                doc[key] = plain_text(value)
                changed += 1
    path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return changed


def raw_tex(texts: Iterable[str]) -> list[str]:
    """The snippets of ``texts`` that still contain TeX source (for the site tests)."""
    hits = []
    for text in texts:
        for m in RAW_TEX.finditer(text):
            hits.append(text[max(0, m.start() - 30) : m.end() + 30])
    return hits
