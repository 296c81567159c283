"""Every page of the built site, loaded in Chromium: no console errors, nothing fetched
from outside localhost, math rendered by KaTeX, figures loaded, no project-internal words,
a footer naming the build (version, commit, date), and on the layer and node pages the
API reference beside the explanation with the source and a link to its file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.site.pagecheck import inspect_page, new_context

ROOT = Path(__file__).resolve().parents[2]

# page (URL path) -> the object whose API reference the page holds (None: no API column)
PAGES: dict[str, str | None] = {
    "": None,
    "inference/": None,
    "protocol/": "refnn.layers.Layer",
    "graph/": None,
    "nodes/add/": "refnn.nodes.Add",
    "nodes/mul/": "refnn.nodes.Mul",
    "nodes/branch/": "refnn.nodes.Branch",
    "nodes/repeat/": "refnn.nodes.Repeat",
    "nodes/sum/": "refnn.nodes.Sum",
    "layers/matmul/": "refnn.layers.MatMul",
    "layers/sigmoid/": "refnn.layers.Sigmoid",
    "layers/relu/": "refnn.layers.ReLU",
    "layers/affine/": "refnn.layers.Affine",
    "layers/softmax/": "refnn.layers.Softmax",
    "layers/softmax-with-loss/": "refnn.layers.SoftmaxWithLoss",
    "functions/": "refnn.functions",
    "optim/": "refnn.optim.SGD",
    "spiral/": "dataset.spiral.load_data",
    "two-layer-net/": "refnn.models.TwoLayerNet",
    "training/": "refnn.trainer.Trainer",
    "verification/": None,
    "gradcheck/": "refnn.gradcheck",
    "errata/": None,
    "glossary/": None,
    "math/": None,
    "speed/": None,
    "ch2/nlp/": None,
    "ch2/thesaurus/": None,
    "ch2/count-based/": "refnn.text.preprocess",
    "ch2/improving/": "refnn.text.ppmi",
    "ch3/inference-based/": None,
    "ch3/simple-word2vec/": None,
    "ch3/training-data/": "refnn.text.create_contexts_target",
    "ch3/cbow/": "refnn.models.word2vec.SimpleCBOW",
    "ch3/word2vec-supplement/": "refnn.models.word2vec.SimpleSkipGram",
    "ch4/embedding/": "refnn.layers.Embedding",
    "ch4/sigmoid-with-loss/": "refnn.layers.SigmoidWithLoss",
    "ch4/embedding-dot/": "refnn.layers.EmbeddingDot",
    "ch4/unigram-sampler/": "refnn.sampling.UnigramSampler",
    "ch4/negative-sampling-loss/": "refnn.layers.NegativeSamplingLoss",
    "ch4/cbow/": "refnn.models.word2vec.CBOW",
    "ch4/analogy/": "refnn.text.analogy",
    "ch5/language-model/": "refnn.trainer.eval_perplexity",
    "ch5/rnn/": "refnn.trainer.batch_offsets",
    "ch5/rnn-layer/": "refnn.layers.recurrent.TimeRNN",
    "ch5/time-layers/": "refnn.layers.time_layers.TimeSoftmaxWithLoss",
    "ch5/rnnlm/": "refnn.models.rnnlm.SimpleRnnlm",
    "ch6/rnn-problems/": None,
    "ch6/lstm-idea/": None,
    "ch6/lstm/": "refnn.layers.gated.LSTM",
    "ch6/rnnlm/": "refnn.models.rnnlm.Rnnlm",
    "ch6/better-rnnlm/": "refnn.models.rnnlm.BetterRnnlm",
    "ch6/gru/": "refnn.layers.gated.GRU",
    "ch7/generation/": "refnn.models.generate.RnnlmGen",
    "ch7/seq2seq/": "refnn.models.seq2seq.Seq2seq",
    "ch7/toy-data/": "dataset.sequence.load_data",
    "ch7/seq2seq-impl/": "refnn.models.seq2seq.Decoder",
    "ch7/improvements/": "refnn.models.seq2seq.PeekyDecoder",
    "ch7/applications/": None,
    "ch8/attention/": "refnn.layers.attention.Attention",
    "ch8/attention-seq2seq/": "refnn.models.attention_seq2seq.AttentionDecoder",
    "ch8/evaluation/": "dataset.sequence.format_date",
    "ch8/remaining/": "refnn.layers.gated.TimeBiLSTM",
    "ch8/applications/": None,
}
# Pages other parts of the project write; they join the build (and these tests) when their
# source file exists (see docs/scripts/hooks.py), so nothing is skipped.
DOCS = Path(__file__).resolve().parents[2] / "docs"
OPTIONAL_PAGES = tuple(p for p in ("performance/", "check/") if (DOCS / f"{p[:-1]}.md").exists())
# Pages without any formula.
NO_MATH = {"", "protocol/", *OPTIONAL_PAGES}
# Pages whose figures are generated at build time (at least this many images each).
FIGURES = {"spiral/": 1, "training/": 5, "two-layer-net/": 1, "nodes/repeat/": 2, "nodes/sum/": 2, "layers/affine/": 1,
           "ch2/improving/": 1, "ch3/simple-word2vec/": 1, "ch3/cbow/": 1, "ch4/embedding/": 1,
           "ch4/sigmoid-with-loss/": 1, "ch4/embedding-dot/": 1, "ch4/unigram-sampler/": 1,
           "ch4/negative-sampling-loss/": 1, "ch4/cbow/": 1,
           "ch5/rnn/": 1, "ch5/rnnlm/": 1, "ch6/rnn-problems/": 1, "ch6/lstm/": 1, "ch7/seq2seq/": 1,
           "ch8/attention/": 1, "ch8/evaluation/": 1}


def _built_pages(site: Path) -> set[str]:
    pages = set()
    for html in site.rglob("index.html"):
        rel = html.parent.relative_to(site).as_posix()
        if rel.split("/")[0] in ("source", "assets", "search"):
            continue
        pages.add("" if rel == "." else rel + "/")
    return pages


def test_every_built_page_is_checked(site_dir: Path) -> None:
    built = _built_pages(site_dir)
    assert built - set(PAGES) - set(OPTIONAL_PAGES) == set(), "pages built but not listed in PAGES"
    assert (set(PAGES) | set(OPTIONAL_PAGES)) - built == set(), "pages listed but not built"


@pytest.fixture(scope="module")
def reader_context(browser: Any) -> Any:
    """One browser context for the page tour below, as a reader going from page to page (the cache warm after
    the first page; every page still gets its own tab, console and list of blocked requests)."""
    context, external = new_context(browser)
    yield context, external
    context.close()


@pytest.mark.parametrize("path", list(PAGES) + list(OPTIONAL_PAGES))
def test_page_loads_cleanly(browser: Any, server: str, path: str, reader_context: Any) -> None:
    report = inspect_page(browser, server + path, reader_context)
    problems = report.problems(need_math=path not in NO_MATH)
    assert problems == [], f"{path or 'home'}:\n  " + "\n  ".join(problems)
    assert report.facts["images"] >= FIGURES.get(path, 0)
    import refnn

    checkout = is_commit("HEAD")
    assert report.footer_problems(refnn.__version__, git_checkout=checkout) == []
    if checkout:
        commit = report.footer_commit() or ""
        assert is_commit(commit), f"footer commit {commit!r} is not a commit of this repository"
    api = PAGES.get(path)
    if api is not None:
        assert api in report.facts["api_headings"], (
            f"{path}: API reference {api} missing beside the explanation; found {report.facts['api_headings']}"
        )
        assert report.source_problems() == [], f"{path}: the answer key is not shown"


def is_commit(rev: str) -> bool:
    """Whether ``rev`` names a commit of this checkout (the footer's commit is real, not made up)."""
    import subprocess

    proc = subprocess.run(["git", "-C", str(ROOT), "cat-file", "-e", f"{rev}^{{commit}}"], capture_output=True)
    return bool(rev) and proc.returncode == 0


# The graph figures draw their labels at 15 px; shown narrower than drawn, they shrink.
LABEL_PX, MIN_LABEL_PX = 15, 11
GRAPH_PAGES = ("two-layer-net/", "layers/affine/", "nodes/add/", "nodes/branch/", "layers/softmax-with-loss/")


def shown_label_px(natural_width: float, shown_width: float) -> float:
    return LABEL_PX * shown_width / natural_width


def test_label_size_check_flags_the_old_two_layer_net_figure() -> None:
    """Control: the old 1112 px graph shown at 525 px had labels of about 7 px."""
    assert shown_label_px(1112, 525) < MIN_LABEL_PX <= shown_label_px(468, 358)


@pytest.mark.parametrize("width", [1440, 390])
def test_graph_labels_are_legible_on_desktop_and_phone(browser: Any, server: str, width: int) -> None:
    context, external = new_context(browser, width=width)
    small = []
    try:
        page = context.new_page()
        for path in GRAPH_PAGES:
            page.goto(server + path, wait_until="load")
            sizes = page.eval_on_selector_all(
                "article img[src*='graph-']",
                "els => els.map(i => [i.getAttribute('src'), i.naturalWidth, i.getBoundingClientRect().width])",
            )
            assert sizes, f"{path}: no graph figure"
            small += [f"{path} {src}: {shown_label_px(n, w):.1f} px" for src, n, w in sizes
                      if shown_label_px(n, w) < MIN_LABEL_PX]
    finally:
        context.close()
    assert small == [] and external == []


def layout(page: Any) -> str:
    """"side by side" when the API column sits right of the explanation, "stacked" when below."""
    explain = page.locator(".two-col > .explain").bounding_box()
    api = page.locator(".two-col > .api").bounding_box()
    assert explain and api
    if api["x"] >= explain["x"] + explain["width"] - 1 and abs(api["y"] - explain["y"]) < 60:
        return "side by side"
    if api["y"] >= explain["y"] + explain["height"] - 1:
        return "stacked"
    return f"overlapping: explain {explain}, api {api}"


def test_two_columns_on_wide_screens_stacked_on_narrow(browser: Any, server: str) -> None:
    context, external = new_context(browser, width=1600)
    try:
        page = context.new_page()
        page.goto(server + "layers/affine/")
        assert layout(page) == "side by side"
        page.set_viewport_size({"width": 700, "height": 900})  # the media query applies on resize
        assert layout(page) == "stacked"
        page.goto(server + "__fixtures__/two-col-unstyled.html")  # control: without the site's CSS
        page.set_viewport_size({"width": 1600, "height": 900})
        assert layout(page) == "stacked"
    finally:
        context.close()
    assert external == []


def test_home_page_shows_the_version_and_the_citation(browser: Any, server: str) -> None:
    import refnn

    context, _ = new_context(browser)
    try:
        page = context.new_page()
        page.goto(server)
        text = page.inner_text("article")
    finally:
        context.close()
    assert f"refnn {refnn.__version__}" in text
    assert "cff-version" in text


HANGUL_FACE = "refnn Hangul"
HANGUL_PROBE = """async () => {
  const faces = await document.fonts.load('16px "refnn Hangul"', '한글');
  const bold = await document.fonts.load('bold 16px "refnn Hangul"', '한글');
  return [faces.length, bold.length, [...document.fonts].filter(f => f.family.replace(/"/g, '') === 'refnn Hangul')
          .map(f => f.status)];
}"""


def hangul_font_problems(page: Any) -> list[str]:
    """The page's Hangul fallback face (refnn.css) must load and decode in the browser."""
    try:
        regular, bold, statuses = page.evaluate(HANGUL_PROBE)
    except Exception as exc:  # a face that fails to decode rejects the load promise
        return [f"the {HANGUL_FACE} font failed to load: {str(exc).splitlines()[0]}"]
    problems = []
    if regular == 0 or bold == 0:
        problems.append(f"no {HANGUL_FACE} face for regular/bold text ({regular}, {bold})")
    problems += [f"a {HANGUL_FACE} face has status {s!r}" for s in statuses if s == "error"]
    return problems


def test_the_hangul_fallback_font_loads_in_the_browser(browser: Any, server: str) -> None:
    """A reader without a Korean system font gets NanumGothic from the site itself (offline)."""
    context, external = new_context(browser)
    try:
        page = context.new_page()
        page.goto(server + "layers/affine/", wait_until="load")
        assert hangul_font_problems(page) == []
        page.goto(server + "__fixtures__/broken-font.html", wait_until="load")  # control: an undecodable face
        assert hangul_font_problems(page) != []
    finally:
        context.close()
    assert external == []
