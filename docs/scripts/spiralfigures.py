"""Spiral training runs that differ in one setting, drawn side by side (the 학습 page).

Every curve and boundary comes from a real run at build time: TwoLayerNet on the
spiral dataset with ``refnn.trainer.Trainer``, the book's settings (300 epochs,
mini-batches of 30, hidden size 10, SGD with lr 1.0, seed 0) except the one that
varies. A full run takes about 0.2 s, so the ten runs cost about 2–3 s of build time.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from sitefigures import CLASS_COLORS, CLASS_MARKERS, _save, spiral_run

EPOCHS, BATCH, HIDDEN, SEED = 300, 30, 10, 0
REGION_COLORS = ("#c6dbef", "#fdd0a2", "#c7e9c0")
CURVE_COLORS = ("#3f51b5", "#e65100", "#2e7d32", "#8e24aa")


@dataclass(frozen=True)
class Run:
    label: str
    losses: tuple[float, ...]
    accuracy: float
    params: tuple[np.ndarray, ...]
    hidden: int


@functools.cache
def run(hidden: int = HIDDEN, optimizer: str = "SGD", lr: float = 1.0, label: str = "") -> Run:
    """One training run (cached: the default run is the 학습 page's ``spiral_run``)."""
    if (hidden, optimizer, lr) == (HIDDEN, "SGD", 1.0):
        r = spiral_run()
        return Run(label, r.losses, r.accuracy, r.params, hidden)
    from dataset import spiral
    from refnn import optim
    from refnn.models import TwoLayerNet
    from refnn.trainer import Trainer

    x, t = spiral.load_data()
    model = TwoLayerNet(2, hidden, 3, rng=SEED)
    trainer = Trainer(model, getattr(optim, optimizer)(lr=lr), rng=SEED)
    with np.errstate(over="ignore", invalid="ignore"):  # a too-large lr may overflow: shown as such
        trainer.fit(x, t, max_epoch=EPOCHS, batch_size=BATCH, eval_interval=10, verbose=False)
        accuracy = float((model.predict(x).argmax(axis=1) == t.argmax(axis=1)).mean())
    return Run(label, tuple(float(v) for v in trainer.loss_list), accuracy,
               tuple(p.copy() for p in model.params), hidden)


def _boundary(ax, r: Run) -> None:
    from matplotlib.colors import ListedColormap

    from dataset import spiral
    from refnn.models import TwoLayerNet

    model = TwoLayerNet(2, r.hidden, 3, rng=SEED)
    for p, q in zip(model.params, r.params):
        p[...] = q
    x, t = spiral.load_data()
    labels = t.argmax(axis=1)
    xx, yy = np.meshgrid(np.linspace(-1.1, 1.1, 160), np.linspace(-1.1, 1.1, 160))
    with np.errstate(over="ignore", invalid="ignore"):
        pred = model.predict(np.c_[xx.ravel(), yy.ravel()]).argmax(axis=1).reshape(xx.shape)
    ax.contourf(xx, yy, pred, levels=[-0.5, 0.5, 1.5, 2.5], cmap=ListedColormap(REGION_COLORS))
    for c in range(3):
        pts = x[labels == c]
        ax.scatter(pts[:, 0], pts[:, 1], s=6, marker=CLASS_MARKERS[c], color=CLASS_COLORS[c], linewidths=0.8)
    ax.set_title(f"{r.label}\n정확도 {r.accuracy:.2f}", fontsize=12)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])


def comparison(title: str, runs: list[Run]) -> bytes:
    """Loss curves of ``runs`` on top, the decision boundary of each below (three or two per row)."""
    import matplotlib.pyplot as plt

    cols = 3 if len(runs) == 3 else 2
    grid_rows = (len(runs) + cols - 1) // cols
    fig = plt.figure(figsize=(5.0, 3.1 + 5.0 / cols * 1.05 * grid_rows), layout="constrained")
    gs = fig.add_gridspec(1 + grid_rows, cols, height_ratios=[1.25] + [1] * grid_rows)
    ax = fig.add_subplot(gs[0, :])
    for r, color in zip(runs, CURVE_COLORS):
        it = np.arange(1, len(r.losses) + 1) * 10
        ax.plot(it, r.losses, color=color, lw=1.4, label=r.label)
    ax.set_title(title, fontsize=13)
    ax.set_xlabel("반복 (미니배치 30개씩)", fontsize=12)
    ax.set_ylabel("손실 (10회 평균)", fontsize=12)
    ax.tick_params(labelsize=11)
    ax.set_ylim(0, None)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=11, loc="upper right")
    for i, r in enumerate(runs):
        _boundary(fig.add_subplot(gs[1 + i // cols, i % cols]), r)
    return _save(fig, "png")


def lr_figure() -> bytes:
    runs = [run(lr=lr, label=f"lr = {lr:g}") for lr in (0.1, 1.0, 10.0)]
    return comparison("학습률에 따른 손실 (SGD, 은닉 10)", runs)


def hidden_figure() -> bytes:
    runs = [run(hidden=h, label=f"은닉 {h}") for h in (3, 10, 100)]
    return comparison("은닉층 크기에 따른 손실 (SGD, lr = 1)", runs)


OPTIMIZERS = (("SGD", 1.0), ("Momentum", 0.1), ("AdaGrad", 0.1), ("Adam", 0.01))


def optimizer_figure() -> bytes:
    runs = [run(optimizer=name, lr=lr, label=f"{name} (lr = {lr:g})") for name, lr in OPTIMIZERS]
    return comparison("최적화 기법에 따른 손실 (은닉 10)", runs)


def all_figures() -> dict[str, bytes]:
    return {"spiral-lr.png": lr_figure(), "spiral-hidden.png": hidden_figure(),
            "spiral-optimizers.png": optimizer_figure()}
