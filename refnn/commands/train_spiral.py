r"""`python -m refnn train-spiral`: 스파이럴 데이터셋으로 `TwoLayerNet`을 학습합니다 (1.4절).

기본값은 책의 설정(300 에폭, 배치 30, 은닉 10, SGD 학습률 1.0)입니다. 마지막 손실과
학습 정확도(`accuracy: 0.9xx`)를 출력하고, `--out DIR`을 주면 그 디렉터리에
`loss.png`(손실 곡선), `decision_boundary.png`(세 클래스와 학습된 결정 영역),
`params.npz`(학습된 매개변수)를 씁니다.

`--lr`을 생략하면 옵티마이저마다 아래 기본 학습률을 씁니다(`sgd`는 책의 1.0).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

from refnn.commands._args import int_at_least, positive_float

__all__ = ["register", "run", "DEFAULT_LR", "plot_decision_boundary"]

#: `--lr`을 주지 않았을 때의 옵티마이저별 학습률. sgd는 책의 값이고, 나머지는 책의 설정
#: (300 에폭, 배치 30, 은닉 10)에서 격자 {0.003, 0.01, 0.03, 0.1, 0.3, 1.0} 중 시드 0–9 모두
#: 학습 정확도 0.96 이상이 된 값입니다(그보다 작은 값은 300 에폭 안에 수렴하지 못합니다).
DEFAULT_LR: dict[str, float] = {
    "sgd": 1.0,
    "momentum": 0.3,
    "nesterov": 0.3,
    "adagrad": 1.0,
    "rmsprop": 0.03,
    "adam": 0.03,
}


PROG = "refnn train-spiral"


def _fail(message: str) -> int:
    """One line on stderr and exit status 2 (argparse's convention for bad arguments)."""
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return 2


class KoreanHelpFormatter(argparse.HelpFormatter):
    """argparse의 도움말 틀에서 영어로 남는 머리말(`usage:`)을 한국어로 바꿉니다."""

    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "사용법: " if prefix is None else prefix)


def register(subparsers: Any) -> argparse.ArgumentParser:
    """`train-spiral` 하위 명령을 등록합니다(무거운 import는 실행할 때 합니다).

    도움말(`--help`)은 한국어입니다. 옵션 이름은 그대로입니다.
    """
    lr_help = ", ".join(f"{k} {v:g}" for k, v in DEFAULT_LR.items())
    p = subparsers.add_parser(
        "train-spiral",
        help="스파이럴 데이터셋으로 TwoLayerNet을 학습합니다(기본값은 책의 설정)",
        description="스파이럴 데이터셋으로 TwoLayerNet을 학습합니다. 기본값은 책의 설정"
        "(300 에폭, 배치 30, 은닉 10, SGD 학습률 1.0)입니다. 마지막 손실과 학습 정확도를 "
        "출력하고, --out을 주면 loss.png, decision_boundary.png, params.npz를 씁니다.",
        formatter_class=KoreanHelpFormatter,
        add_help=False,
    )
    p._optionals.title = "옵션"
    p.add_argument("-h", "--help", action="help", help="이 도움말을 보여 주고 끝냅니다")
    p.add_argument("--epochs", type=int_at_least(0, "epochs"), default=300, help="에폭 수 (기본 300)")
    p.add_argument("--batch-size", type=int_at_least(1, "batch size"), default=30,
                   help="미니배치 크기, 1..300 (기본 30)")
    p.add_argument("--hidden", type=int_at_least(1, "hidden size"), default=10,
                   help="은닉층의 뉴런 수 (기본 10)")
    p.add_argument("--lr", type=positive_float("learning rate"), default=None,
                   help=f"학습률 (기본값은 옵티마이저마다 다릅니다: {lr_help})")
    p.add_argument("--optimizer", choices=sorted(DEFAULT_LR), default="sgd", help="옵티마이저 (기본 sgd)")
    p.add_argument("--seed", type=int_at_least(0, "seed"), default=0,
                   help="가중치 초기화와 미니배치 섞기에 쓰는 시드 (기본 0)")
    p.add_argument("--out", metavar="DIR", default=None,
                   help="loss.png, decision_boundary.png, params.npz를 쓸 디렉터리 (없으면 만듭니다. "
                   "주지 않으면 아무 파일도 쓰지 않습니다)")
    p.add_argument("--quiet", action="store_true", help="진행 막대를 표시하지 않습니다")

    def error(message: str) -> None:  # one line, no usage block
        print(f"{PROG}: error: {message}", file=sys.stderr)
        raise SystemExit(2)

    p.error = error  # type: ignore[method-assign]
    p.set_defaults(run=run)
    return p


def _prepare_out(out: str) -> str | None:
    """Create DIR and prove it is writable before training; return an error message or None."""
    try:
        os.makedirs(out, exist_ok=True)
        probe = os.path.join(out, f".refnn-write-test-{os.getpid()}")
        with open(probe, "wb"):
            pass
        os.unlink(probe)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return f"cannot write to --out {out!r}: {reason}"
    return None


def _make_optimizer(name: str, lr: float) -> Any:
    from refnn import optim

    classes = {
        "sgd": optim.SGD,
        "momentum": optim.Momentum,
        "nesterov": optim.Nesterov,
        "adagrad": optim.AdaGrad,
        "rmsprop": optim.RMSprop,
        "adam": optim.Adam,
    }
    return classes[name](lr=lr)


def plot_decision_boundary(model: Any, x: Any, t: Any, path: str) -> None:
    """세 클래스의 점과 모델이 학습한 결정 영역을 그려 `path`에 저장합니다 (책의 그림 1-33)."""
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure

    labels = t.argmax(axis=1) if t.ndim == 2 else t
    n_classes = int(labels.max()) + 1
    pad = 0.1
    x_min, x_max = x[:, 0].min() - pad, x[:, 0].max() + pad
    y_min, y_max = x[:, 1].min() - pad, x[:, 1].max() + pad
    xx, yy = np.meshgrid(np.linspace(x_min, x_max, 300), np.linspace(y_min, y_max, 300))
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    zz = model.predict(grid).argmax(axis=1).reshape(xx.shape)

    colors = ["#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3"][:n_classes]
    fig = Figure(figsize=(5.5, 5))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.imshow(zz, origin="lower", extent=(x_min, x_max, y_min, y_max), cmap=ListedColormap(colors),
              vmin=-0.5, vmax=n_classes - 0.5, alpha=0.3, interpolation="nearest", aspect="auto")
    markers = ["o", "x", "^", "s", "v"]
    for c in range(n_classes):
        pts = x[labels == c]
        ax.scatter(pts[:, 0], pts[:, 1], s=28, marker=markers[c % len(markers)], color=colors[c],
                   label=f"class {c}")
    ax.set_xlim(x_min, x_max)
    ax.set_ylim(y_min, y_max)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title("spiral: learned decision regions")
    ax.legend(loc="upper right", fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def run(args: argparse.Namespace) -> int:
    """학습을 실행하고 결과를 출력합니다. 잘못된 인자는 한 줄 오류와 종료 코드 2."""
    lr = args.lr if args.lr is not None else DEFAULT_LR[args.optimizer]
    if args.batch_size > 300:
        return _fail(f"batch size must not exceed the 300 samples of the spiral dataset, "
                     f"got {args.batch_size}")
    if args.out is not None:
        problem = _prepare_out(args.out)
        if problem is not None:
            return _fail(problem)

    import numpy as np

    from dataset import spiral
    from refnn.models import TwoLayerNet
    from refnn.trainer import Trainer

    model_seed, shuffle_seed = np.random.SeedSequence(args.seed).spawn(2)
    x, t = spiral.load_data()
    model = TwoLayerNet(x.shape[1], args.hidden, t.shape[1], rng=np.random.default_rng(model_seed))
    trainer = Trainer(model, _make_optimizer(args.optimizer, lr), rng=np.random.default_rng(shuffle_seed))

    start = time.perf_counter()
    # eval_interval=10 with batch 30 records one average loss per epoch, as the book's figure
    trainer.fit(x, t, max_epoch=args.epochs, batch_size=args.batch_size, eval_interval=10,
                verbose=not args.quiet)
    seconds = time.perf_counter() - start

    final_loss = model.forward(x, t)
    accuracy = float(np.mean(model.predict(x).argmax(axis=1) == t.argmax(axis=1)))
    print(f"optimizer: {args.optimizer} (lr {lr:g}), epochs: {args.epochs}, "
          f"batch size: {args.batch_size}, hidden: {args.hidden}, seed: {args.seed}")
    print(f"training time: {seconds:.2f} s")
    print(f"final loss: {final_loss:.4f}")
    print(f"accuracy: {accuracy:.3f}")

    if args.out is not None:
        from refnn.io import save_params

        try:
            loss_png = os.path.join(args.out, "loss.png")
            boundary_png = os.path.join(args.out, "decision_boundary.png")
            params_npz = os.path.join(args.out, "params.npz")
            trainer.plot(loss_png)
            plot_decision_boundary(model, x, t, boundary_png)
            save_params(params_npz, model.params)
        except OSError as exc:
            return _fail(f"cannot write to --out {args.out!r}: {exc.strerror or exc}")
        for path in (loss_png, boundary_png, params_npz):
            print(f"wrote {path}")
    return 0
