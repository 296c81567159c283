"""Figures of the refnn site, generated at build time from the real code.

``all_figures()`` returns ``{file name: bytes}``; the MkDocs hook adds each one to
the build as ``figures/<name>``. The training run is cached (``spiral_run``) so a
page can quote its numbers (markdown-exec) without training twice.
"""

from __future__ import annotations

import functools
import importlib.util
import io
import time
from dataclasses import dataclass
from pathlib import Path

import graphs
import numpy as np

CLASS_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c")
CLASS_MARKERS = ("o", "x", "^")
# The Hangul font of the figures comes with the Python install (the docs extra's
# koreanize-matplotlib wheel ships NanumGothic, SIL OFL): no system font, no download.
FONT_PACKAGE = "koreanize_matplotlib"
FONT_FILES = ("NanumGothic.ttf", "NanumGothicBold.ttf")
FONT_FAMILY = "NanumGothic"


def font_paths() -> list[Path]:
    """The NanumGothic files inside the installed font package (found without importing it)."""
    spec = importlib.util.find_spec(FONT_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return []
    folder = Path(next(iter(spec.submodule_search_locations))) / "fonts"
    return [folder / name for name in FONT_FILES if (folder / name).is_file()]


def site_hangul() -> set[int]:
    """The code points the web font must cover: every Hangul syllable of KS X 1001 (the 2,350 in common use),
    the compatibility jamo, and every Hangul character in the project's text (pages, docstrings, messages,
    the theme's Korean interface strings), plus printable ASCII."""
    import material

    points = set(range(0x20, 0x7F)) | set(range(0x3131, 0x318F))
    # EUC-KR writes KS X 1001's syllables in two bytes (any other syllable as an 8-byte jamo sequence)
    points |= {code for code in range(0xAC00, 0xD7A4) if len(chr(code).encode("euc-kr")) == 2}
    root = Path(__file__).resolve().parents[2]
    texts = [root / "README.md", root / "mkdocs.yml",
             Path(material.__file__).parent / "templates" / "partials" / "languages" / "ko.html"]
    for folder in ("docs", "refnn", "dataset", "tests"):
        texts += [p for p in (root / folder).rglob("*") if p.suffix in (".md", ".py", ".html", ".js", ".css")]
    for path in texts:
        points |= {ord(c) for c in path.read_text(encoding="utf-8", errors="ignore") if "\uac00" <= c <= "\ud7a3"}
    return points


def web_fonts() -> dict[str, bytes]:
    """The NanumGothic files for the browser: ``{file name: bytes}``.

    Browsers refuse the files as shipped (an empty ``TSI3`` table: the hinting tool's
    source tables, which rendering never reads), so the ``TSI*`` tables are dropped. The fonts are cut
    down to the characters of `site_hangul` (from 4.3 MB each to about 1.3 MB): a reader without a Korean
    font downloads and decodes far less on every page.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont  # a matplotlib dependency

    points = site_hangul()
    fonts = {}
    for path in font_paths():
        font = TTFont(str(path))
        for tag in [t for t in font.keys() if t.startswith("TSI")]:
            del font[tag]
        subsetter = subset.Subsetter(subset.Options(layout_features=["*"], name_IDs=["*"], notdef_outline=True))
        subsetter.populate(unicodes=points)
        subsetter.subset(font)
        buf = io.BytesIO()
        font.save(buf)
        fonts[path.name] = buf.getvalue()
    return fonts


def setup_matplotlib() -> str | None:
    """Use the Agg backend and the packaged NanumGothic for Hangul; return a problem message or None.

    The font files are registered with matplotlib by path, so neither a system font
    nor matplotlib's font cache matters.
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager, rcParams

    rcParams["svg.fonttype"] = "path"  # glyphs as paths: the browser needs no font
    rcParams["svg.hashsalt"] = "refnn"  # reproducible SVG ids
    rcParams["axes.unicode_minus"] = False
    paths = font_paths()
    if not paths:
        return (
            f"refnn docs: the Hangul font of the figures is missing ({FONT_PACKAGE} not installed): "
            "pip install -e '.[docs]'"
        )
    for path in paths:
        font_manager.fontManager.addfont(str(path))
    rcParams["font.family"] = [FONT_FAMILY, "DejaVu Sans"]
    return None


def _save(fig, fmt: str) -> bytes:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    meta = {"Date": None} if fmt == "svg" else {}
    fig.savefig(buf, format=fmt, bbox_inches="tight", dpi=110, metadata=meta)
    plt.close(fig)
    return buf.getvalue()


@dataclass(frozen=True)
class SpiralRun:
    """The numbers of the build-time training run shown on the 학습 page."""

    epochs: int
    batch_size: int
    hidden: int
    lr: float
    seed: int
    losses: tuple[float, ...]
    eval_interval: int
    accuracy: float
    seconds: float
    trainer: str
    params: tuple[np.ndarray, ...]


@functools.lru_cache(maxsize=1)
def spiral_run(epochs: int = 300, batch_size: int = 30, hidden: int = 10, lr: float = 1.0, seed: int = 0):
    """Train TwoLayerNet on the spiral with the book's settings (SGD, lr 1.0)."""
    from dataset import spiral
    from refnn.models import TwoLayerNet
    from refnn.optim import SGD

    x, t = spiral.load_data()
    model = TwoLayerNet(2, hidden, 3, rng=seed)
    optimizer = SGD(lr=lr)
    eval_interval = 10
    start = time.perf_counter()
    losses, used = _fit(model, optimizer, x, t, epochs, batch_size, eval_interval, seed)
    seconds = time.perf_counter() - start
    accuracy = float((model.predict(x).argmax(axis=1) == t.argmax(axis=1)).mean())
    return SpiralRun(
        epochs, batch_size, hidden, lr, seed, tuple(losses), eval_interval, accuracy, seconds, used,
        tuple(p.copy() for p in model.params),
    )


def _fit(model, optimizer, x, t, epochs, batch_size, eval_interval, seed):
    """Train with refnn.trainer.Trainer when it exists, else with the same loop by hand."""
    try:
        from refnn.trainer import Trainer
    except ImportError:
        Trainer = None
    if Trainer is not None:
        import inspect

        kwargs = {}
        params = inspect.signature(Trainer).parameters
        for name in ("rng", "seed"):
            if name in params:
                kwargs[name] = seed
                break
        trainer = Trainer(model, optimizer, **kwargs)
        fit_params = inspect.signature(trainer.fit).parameters
        extra = {"verbose": False} if "verbose" in fit_params else {}
        trainer.fit(x, t, max_epoch=epochs, batch_size=batch_size, eval_interval=eval_interval, **extra)
        return [float(v) for v in trainer.loss_list], "refnn.trainer.Trainer"
    rng = np.random.default_rng(seed)
    n = len(x)
    losses, total, count = [], 0.0, 0
    for _ in range(epochs):
        order = rng.permutation(n)
        for i in range(n // batch_size):
            idx = order[i * batch_size : (i + 1) * batch_size]
            total += model.forward(x[idx], t[idx])
            model.backward()
            optimizer.update(model.params, model.grads)
            count += 1
            if count % eval_interval == 0:
                losses.append(total / eval_interval)
                total = 0.0
    return losses, "a hand-written mini-batch loop"


def spiral_figure() -> bytes:
    import matplotlib.pyplot as plt

    from dataset import spiral

    x, t = spiral.load_data()
    labels = t.argmax(axis=1)
    fig, ax = plt.subplots(figsize=(4.6, 4.4))
    for c in range(3):
        pts = x[labels == c]
        ax.scatter(pts[:, 0], pts[:, 1], s=22, marker=CLASS_MARKERS[c], color=CLASS_COLORS[c],
                   label=f"클래스 {c}")
    ax.set_title("스파이럴 데이터셋 (300개, 3 클래스)")
    ax.set_xlabel("x[:, 0]")
    ax.set_ylabel("x[:, 1]")
    ax.set_aspect("equal")
    ax.legend(loc="upper right", fontsize=8)
    return _save(fig, "svg")


def loss_figure() -> bytes:
    import matplotlib.pyplot as plt

    run = spiral_run()
    it = np.arange(1, len(run.losses) + 1) * run.eval_interval
    fig, ax = plt.subplots(figsize=(5.2, 3.4))
    ax.plot(it, run.losses, color="#3f51b5")
    ax.set_xlabel(f"반복 (미니배치 {run.batch_size}개씩)")
    ax.set_ylabel(f"손실 ({run.eval_interval}회 평균)")
    ax.set_title(f"학습 중 손실의 변화 (SGD, lr = {run.lr})")
    ax.grid(alpha=0.3)
    return _save(fig, "svg")


def boundary_figure() -> bytes:
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    from dataset import spiral
    from refnn.models import TwoLayerNet

    run = spiral_run()
    model = TwoLayerNet(2, run.hidden, 3, rng=run.seed)
    for p, q in zip(model.params, run.params):
        p[...] = q
    x, t = spiral.load_data()
    labels = t.argmax(axis=1)
    h = 0.01
    xx, yy = np.meshgrid(np.arange(-1.1, 1.1, h), np.arange(-1.1, 1.1, h))
    pred = model.predict(np.c_[xx.ravel(), yy.ravel()]).argmax(axis=1).reshape(xx.shape)
    fig, ax = plt.subplots(figsize=(4.6, 4.4))
    ax.contourf(xx, yy, pred, levels=[-0.5, 0.5, 1.5, 2.5], cmap=ListedColormap(["#c6dbef", "#fdd0a2", "#c7e9c0"]))
    for c in range(3):
        pts = x[labels == c]
        ax.scatter(pts[:, 0], pts[:, 1], s=18, marker=CLASS_MARKERS[c], color=CLASS_COLORS[c])
    ax.set_title(f"학습된 결정 경계 (정확도 {run.accuracy:.3f})")
    ax.set_aspect("equal")
    ax.set_xlim(-1.1, 1.1)
    ax.set_ylim(-1.1, 1.1)
    return _save(fig, "png")


def _grid(ax, x0, y0, rows, cols, color, label, values=None):
    from matplotlib.patches import Rectangle

    for r in range(rows):
        for c in range(cols):
            ax.add_patch(Rectangle((x0 + c, y0 - r - 1), 1, 1, facecolor=color, edgecolor="#333", lw=0.8))
            if values is not None:
                ax.text(x0 + c + 0.5, y0 - r - 0.5, values[r][c], ha="center", va="center", fontsize=8)
    ax.text(x0 + cols / 2, y0 + 0.35, label, ha="center", va="bottom", fontsize=10)


def shapes_figure(kind: str) -> bytes:
    """Repeat/Sum shape diagram computed by the real nodes: (1, D) ↔ (N, D)."""
    import matplotlib.pyplot as plt

    from refnn.nodes import Repeat, Sum

    N, D = 4, 3
    small = np.arange(1.0, D + 1).reshape(1, D)
    big = np.arange(1.0, N * D + 1).reshape(N, D)
    fig, axes = plt.subplots(1, 2, figsize=(7.4, 2.9))
    if kind == "repeat":
        node = Repeat(N)
        y = node.forward(small)
        dx = node.backward(big)
        panels = [
            ("순전파: 복제", small, "x (1, D)", y, "y (N, D)", "#c6dbef", "#9ecae1"),
            ("역전파: 배치 축의 합", big, "∂L/∂y (N, D)", dx, "∂L/∂x (1, D)", "#fdd0a2", "#fdae6b"),
        ]
    else:
        node = Sum()
        y = node.forward(big)
        dx = node.backward(small)
        panels = [
            ("순전파: 배치 축의 합", big, "x (N, D)", y, "y (1, D)", "#c6dbef", "#9ecae1"),
            ("역전파: 복제", small, "∂L/∂y (1, D)", dx, "∂L/∂x (N, D)", "#fdd0a2", "#fdae6b"),
        ]
    for ax, (title, a, la, b, lb, ca, cb) in zip(axes, panels):
        fmt = [[f"{v:g}" for v in row] for row in a]
        fmb = [[f"{v:g}" for v in row] for row in b]
        _grid(ax, 0, N, a.shape[0], D, ca, la, fmt)
        _grid(ax, D + 2, N, b.shape[0], D, cb, lb, fmb)
        ax.annotate("", xy=(D + 1.8, N - 1), xytext=(D + 0.2, N - 1),
                    arrowprops={"arrowstyle": "->", "lw": 1.5})
        ax.set_title(title, fontsize=11)
        ax.set_xlim(-0.3, 2 * D + 2.3)
        ax.set_ylim(-0.3, N + 1.2)
        ax.set_aspect("equal")
        ax.axis("off")
    fig.suptitle(f"{'Repeat' if kind == 'repeat' else 'Sum'} 노드의 형상 (N = {N}, D = {D})", fontsize=12)
    return _save(fig, "svg")


def all_figures() -> dict[str, bytes]:
    figures = graphs.all_graphs()
    figures["spiral.svg"] = spiral_figure()
    figures["loss.svg"] = loss_figure()
    figures["decision-boundary.png"] = boundary_figure()
    figures["repeat-shapes.svg"] = shapes_figure("repeat")
    figures["sum-shapes.svg"] = shapes_figure("sum")
    return figures
