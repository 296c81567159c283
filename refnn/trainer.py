r"""학습 루프 `Trainer`와 기울기 클리핑 `clip_grads` (1.4.4절).

`Trainer`는 책의 `Trainer`처럼 에폭마다 데이터를 섞고, 미니배치마다 순전파·역전파·갱신을
하며, 일정 반복마다 평균 손실을 `loss_list`에 기록합니다. 섞기에는 자신의
`np.random.Generator`를 쓰므로 시드를 주면 결과가 재현되고 NumPy의 전역 난수 상태는
건드리지 않습니다. tqdm과 matplotlib은 필요할 때에만(진행 막대, 그림) 불러옵니다.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

__all__ = ["Trainer", "clip_grads", "RnnlmTrainer", "eval_perplexity", "batch_offsets", "shared_params"]


class _Model(Protocol):
    params: list[np.ndarray]
    grads: list[np.ndarray]

    def forward(self, x: Any, t: Any) -> float: ...

    def backward(self, dout: float = 1.0) -> Any: ...


class _Optimizer(Protocol):
    def update(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None: ...


def clip_grads(grads: Sequence[np.ndarray], max_norm: float) -> float:
    r"""모든 기울기를 하나의 벡터로 본 전체 노름이 `max_norm`을 넘지 않도록 제자리에서 줄입니다.

    Parameters
    ----------
    grads : list of numpy.ndarray
        기울기 배열들. 노름이 `max_norm`을 넘으면 **제자리에서** 같은 비율로 곱해집니다
        (배열 객체는 그대로입니다).
    max_norm : float
        전체 노름의 상한(양수).

    Returns
    -------
    float
        클리핑하기 전의 전체 노름 $\lVert g \rVert$.

    Raises
    ------
    ValueError
        `max_norm`이 양의 유한한 수가 아닐 때.

    Notes
    -----
    $$\lVert g \rVert = \sqrt{\textstyle\sum_i \sum_j g_{ij}^2}, \qquad
    r = \frac{\text{max\_norm}}{\lVert g \rVert + 10^{-6}}, \qquad
    g_i \leftarrow r\, g_i \quad (\lVert g \rVert > \text{max\_norm} \text{일 때만})$$

    모든 배열에 같은 $r$을 곱하므로 방향은 그대로이고, 클리핑 뒤의 노름은
    $\text{max\_norm} \cdot \lVert g \rVert / (\lVert g \rVert + 10^{-6}) < \text{max\_norm}$ 입니다.
    노름이 상한 이하이면 배열은 전혀 바뀌지 않습니다.

    **책과 다른 점**: 책은 $r < 1$이면 줄이므로, 노름이 상한보다 $10^{-6}$ 이내로 작거나
    상한과 같을 때에도 기울기를 조금 줄입니다. refnn은 상한을 넘을 때에만 줄입니다.

    Examples
    --------
    >>> g = [np.array([3.0]), np.array([4.0])]
    >>> clip_grads(g, 1.0)
    5.0
    >>> np.round(np.hypot(g[0], g[1]), 6)
    array([1.])
    """
    if isinstance(max_norm, bool) or not isinstance(max_norm, (int, float, np.integer, np.floating)):
        raise ValueError(f"clip_grads: max_norm must be a positive number, got {max_norm!r}")
    if not (math.isfinite(max_norm) and max_norm > 0):
        raise ValueError(f"clip_grads: max_norm must be a positive finite number, got {max_norm!r}")
    total = math.sqrt(sum(float(np.vdot(g, g)) for g in grads))  # vdot(g, g) = sum of g's squares, in one pass
    if total > max_norm:
        rate = max_norm / (total + 1e-6)
        for g in grads:
            g *= rate
    return total


def _generator(rng: np.random.Generator | int | None) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is not None and (isinstance(rng, bool) or not isinstance(rng, (int, np.integer))):
        raise ValueError(f"Trainer: rng must be a numpy.random.Generator, an int seed or None, got {rng!r}")
    return np.random.default_rng(rng)


def _count(what: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        kind = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise ValueError(f"Trainer.fit: {what} must be {kind}, got {value!r}")
    return int(value)


def _stderr_is_tty() -> bool:
    try:
        return sys.stderr is not None and sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


class Trainer:
    r"""모델을 미니배치 경사 하강으로 학습시키는 루프 (1.4.4절).

    Parameters
    ----------
    model : object
        `params`, `grads` 리스트와 `forward(x, t) -> float`, `backward()`를 가진 모델
        (예: `TwoLayerNet`).
    optimizer : object
        `update(params, grads)`를 가진 옵티마이저 (예: `SGD`).
    rng : numpy.random.Generator or int or None
        에폭마다 데이터를 섞는 난수 생성기(또는 그 시드). 전역 난수 상태는 쓰지 않습니다.

    Attributes
    ----------
    loss_list : list of float
        `eval_interval`번의 반복마다 기록한 평균 손실.
    eval_interval : int or None
        마지막 `fit`의 기록 간격(`plot`의 가로축 단위).
    current_epoch : int
        지금까지 마친 에폭 수(여러 번 `fit`하면 이어서 셉니다).

    Notes
    -----
    한 에폭은 데이터 $N$개를 섞은 뒤 앞에서부터 `batch_size`개씩 $\lfloor N / B \rfloor$번
    반복합니다(남는 표본은 그 에폭에서 쓰지 않습니다. 책과 같습니다). 반복마다

    1. `loss = model.forward(x_batch, t_batch)`, `model.backward()`
    2. `max_grad`가 있으면 `clip_grads(model.grads, max_grad)`
    3. `optimizer.update(model.params, model.grads)`

    **책과 다른 점**: 책은 에폭 안의 반복 번호가 `eval_interval`의 배수일 때 기록하므로
    첫 기록이 미니배치 하나의 손실이고, 에폭의 반복 수가 `eval_interval`의 배수가 아니면
    평균을 내는 구간의 길이가 들쭉날쭉합니다. refnn은 전체 반복을 이어 세어 정확히
    `eval_interval`번마다 그 구간의 평균을 기록합니다. 따라서 `fit` 한 번이
    `loss_list`에 더하는 항목 수는 `(max_epoch * (N // batch_size)) // eval_interval` 입니다.
    같은 가중치가 `params`에 여러 번 있으면(여러 계층이 공유하는 3–4장의 모델) `shared_params`로
    **메모리**가 같은 것끼리 묶어 기울기를 합친 뒤 한 번만 갱신합니다. 책의 `remove_duplicate`는
    값으로도 비교하므로 서로 다른 두 영행렬을 하나로 합치고, 값이 달라진 다음 반복에서 `params`의
    길이가 바뀌어 Adam이 `IndexError`를 냅니다. 공유가 없는 모델(1장)에서는 그대로입니다.

    진행 막대(tqdm)는 `verbose=True`이고 표준 오류가 터미널일 때에만 나타납니다.

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 1.4.4절 (Trainer 클래스).

    Examples
    --------
    >>> from dataset import spiral
    >>> from refnn.models import TwoLayerNet
    >>> from refnn.optim import SGD
    >>> x, t = spiral.load_data()
    >>> trainer = Trainer(TwoLayerNet(2, 10, 3, rng=0), SGD(lr=1.0), rng=0)
    >>> trainer.fit(x, t, max_epoch=2, batch_size=30, eval_interval=10, verbose=False)
    >>> len(trainer.loss_list)
    2
    """

    def __init__(
        self, model: _Model, optimizer: _Optimizer, rng: np.random.Generator | int | None = None
    ) -> None:
        self.model = model
        self.optimizer = optimizer
        self.rng = _generator(rng)
        self.loss_list: list[float] = []
        self.eval_interval: int | None = None
        self.current_epoch = 0

    def fit(
        self,
        x: Any,
        t: Any,
        max_epoch: int = 10,
        batch_size: int = 32,
        max_grad: float | None = None,
        eval_interval: int | None = 20,
        verbose: bool = True,
    ) -> None:
        r"""`max_epoch` 에폭 동안 학습합니다.

        Parameters
        ----------
        x : array_like
            입력 `(N, ...)`. 바뀌지 않습니다(섞을 때 복사본을 씁니다).
        t : array_like
            정답 `(N, ...)` (레이블 또는 원-핫). `x`와 표본 수가 같아야 합니다.
        max_epoch : int, default 10
            에폭 수(0 이상).
        batch_size : int, default 32
            미니배치 크기, $1 \le B \le N$.
        max_grad : float or None, default None
            주어지면 갱신 전에 `clip_grads(model.grads, max_grad)`를 합니다.
        eval_interval : int or None, default 20
            평균 손실을 기록할 반복 간격(1 이상). `None`이면 기록하지 않습니다.
        verbose : bool, default True
            표준 오류가 터미널일 때 tqdm 진행 막대를 보일지.

        Raises
        ------
        ValueError
            인자가 범위를 벗어나거나 `x`와 `t`의 표본 수가 다를 때.
        """
        max_epoch = _count("max_epoch", max_epoch, 0)
        batch_size = _count("batch_size", batch_size, 1)
        if eval_interval is not None:
            eval_interval = _count("eval_interval", eval_interval, 1)
        if max_grad is not None:
            is_number = not isinstance(max_grad, bool) and isinstance(
                max_grad, (int, float, np.integer, np.floating)
            )
            if not (is_number and math.isfinite(max_grad) and max_grad > 0):
                raise ValueError(
                    f"Trainer.fit: max_grad must be a positive finite number or None, got {max_grad!r}"
                )
        x = np.asarray(x)
        t = np.asarray(t)
        if x.ndim == 0 or t.ndim == 0:
            raise ValueError(
                f"Trainer.fit: x and t must have a sample axis, got shapes {x.shape} and {t.shape}"
            )
        data_size = x.shape[0]
        if t.shape[0] != data_size:
            raise ValueError(
                f"Trainer.fit: x and t have different numbers of samples ({data_size} vs {t.shape[0]}); "
                f"shapes {x.shape} and {t.shape}"
            )
        if data_size == 0:
            raise ValueError("Trainer.fit: x is empty")
        if batch_size > data_size:
            raise ValueError(
                f"Trainer.fit: batch_size ({batch_size}) exceeds the number of samples ({data_size})"
            )
        self.eval_interval = eval_interval
        max_iters = data_size // batch_size
        model, optimizer, rng = self.model, self.optimizer, self.rng
        shared = shared_params(model.params)  # a weight listed several times: by memory, never by value
        params = [model.params[i] for i, _ in shared]
        grads = [model.grads[i] for i, _ in shared]

        bar = None
        if verbose and max_epoch > 0 and _stderr_is_tty():
            try:
                from tqdm.auto import tqdm
            except ImportError:  # the bar is a convenience, not a requirement
                tqdm = None
            if tqdm is not None:
                bar = tqdm(total=max_epoch, desc="train", unit="epoch", leave=True, file=sys.stderr)

        total_loss = 0.0
        loss_count = 0
        try:
            for _ in range(max_epoch):
                idx = rng.permutation(data_size)
                xs = x[idx]
                ts = t[idx]
                for it in range(max_iters):
                    lo = it * batch_size
                    hi = lo + batch_size
                    loss = model.forward(xs[lo:hi], ts[lo:hi])
                    model.backward()
                    for (_, others), g in zip(shared, grads):
                        for j, transposed in others:
                            g += model.grads[j].T if transposed else model.grads[j]
                    if max_grad is not None:
                        clip_grads(grads, max_grad)
                    optimizer.update(params, grads)
                    total_loss += loss
                    loss_count += 1
                    if eval_interval is not None and loss_count == eval_interval:
                        self.loss_list.append(float(total_loss / loss_count))
                        total_loss, loss_count = 0.0, 0
                self.current_epoch += 1
                if bar is not None:
                    if self.loss_list:
                        bar.set_postfix(loss=f"{self.loss_list[-1]:.4f}", refresh=False)
                    bar.update(1)
        finally:
            if bar is not None:
                bar.close()

    def plot(
        self, path: str | os.PathLike[str] | None = None, ylim: tuple[float, float] | None = None
    ) -> Any:
        """`loss_list`의 손실 곡선을 그립니다.

        Parameters
        ----------
        path : str or os.PathLike or None
            주어지면 그 파일(PNG 등, 확장자로 형식 결정)에 저장하고 화면에는 띄우지 않습니다.
            pyplot을 쓰지 않고 Agg 캔버스에 그리므로 디스플레이가 없어도 됩니다.
            `None`이면 pyplot 그림을 만들어 `plt.show()`합니다(디스플레이가 없으면
            matplotlib이 스스로 Agg를 고릅니다).
        ylim : (float, float) or None
            세로축 범위.

        Returns
        -------
        matplotlib.figure.Figure
            그린 그림.
        """
        if path is not None:
            from matplotlib.backends.backend_agg import FigureCanvasAgg
            from matplotlib.figure import Figure

            fig = Figure(figsize=(6, 4))
            FigureCanvasAgg(fig)
        else:
            import matplotlib.pyplot as plt

            fig = plt.figure(figsize=(6, 4))
        ax = fig.add_subplot()
        ax.plot(np.arange(1, len(self.loss_list) + 1), self.loss_list, label="train")
        ax.set_xlabel(f"iterations (x{self.eval_interval or 1})")
        ax.set_ylabel("loss")
        if ylim is not None:
            ax.set_ylim(*ylim)
        ax.legend()
        fig.tight_layout()
        if path is not None:
            fig.savefig(os.fspath(path))
        else:
            plt.show()
        return fig


# --- chapters 5-6: truncated BPTT ---------------------------------------------------------------

class _LanguageModel(Protocol):
    params: list[np.ndarray]
    grads: list[np.ndarray]

    def forward(self, xs: Any, ts: Any) -> float: ...

    def backward(self, dout: float = 1.0) -> Any: ...

    def reset_state(self) -> None: ...


def _rnnlm_count(who: str, what: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{who}: {what} must be a positive integer, got {value!r}")
    return int(value)


def batch_offsets(data_size: int, batch_size: int) -> np.ndarray:
    r"""미니배치의 행마다 읽기 시작할 위치: $i \cdot \lfloor \text{data\_size} / B \rfloor$ (5.5절).

    말뭉치를 `batch_size`개의 이어진 구간으로 나누고, 행 $i$는 자신의 구간을 처음부터 차례로 읽습니다.

    Examples
    --------
    >>> batch_offsets(10, 3).tolist()
    [0, 3, 6]
    """
    return np.arange(batch_size) * (data_size // batch_size)


def shared_params(params: Sequence[np.ndarray]) -> list[tuple[int, list[tuple[int, bool]]]]:
    r"""같은 가중치가 `params`에 여러 번 있으면 묶습니다: 같은 배열 객체이거나, 다른 매개변수의 전치 뷰일 때.

    Returns
    -------
    list of (int, list of (int, bool))
        서로 다른 가중치마다 `(처음 나온 번호 i, [(같은 가중치의 다른 번호 j, 전치인지), ...])`.
        `RnnlmTrainer`는 `grads[i] += grads[j]`(전치면 `grads[j].T`)로 합친 뒤 `params[i]`만 갱신합니다.

    Notes
    -----
    책의 `remove_duplicate`는 값이 같은 전치 행렬을 찾아 합칩니다(모양이 같은 서로 다른 가중치를
    값이 우연히 같다고 합칠 수도 있습니다). refnn은 **메모리**로 판단합니다: `p`가 `q`와 같은 객체이거나
    `p.T`가 `q`와 같은 주소·형상·보폭이면 같은 가중치입니다.

    Examples
    --------
    >>> W = np.zeros((2, 3))
    >>> shared_params([W, np.ones(3), W.T, W])
    [(0, [(2, True), (3, False)]), (1, [])]
    """
    def same_memory(a: np.ndarray, b: np.ndarray) -> bool:
        return bool(a.__array_interface__["data"][0] == b.__array_interface__["data"][0]
                    and a.shape == b.shape and a.strides == b.strides)

    groups: list[tuple[int, list[tuple[int, bool]]]] = []
    for j, p in enumerate(params):
        for i, others in groups:
            q = params[i]
            if p is q or same_memory(p, q):
                others.append((j, False))
                break
            if p.ndim == 2 and same_memory(p.T, q):
                others.append((j, True))
                break
        else:
            groups.append((j, []))
    return groups


class RnnlmTrainer:
    r"""RNN 언어 모델을 절단된 BPTT로 학습시키는 루프 (5.5절, 6.4절).

    Parameters
    ----------
    model : object
        `params`, `grads`, `forward(xs, ts) -> float`, `backward()`, `reset_state()`를 가진 모델
        (예: `Rnnlm`).
    optimizer : object
        `update(params, grads)`를 가진 옵티마이저 (예: `SGD(lr=20)`).

    Attributes
    ----------
    ppl_list : list of float
        `eval_interval`번의 반복마다 기록한 퍼플렉서티 $\exp(\text{평균 손실})$. `fit`을 여러 번
        불러도 이어서 쌓입니다.
    time_idx : int
        다음 미니배치가 각 구간에서 읽기 시작할 위치(반복마다 `time_size`씩 늘고, `fit` 사이에도 이어짐).
    eval_interval : int or None
        마지막 `fit`의 기록 간격.
    current_epoch : int
        지금까지 마친 에폭 수.

    Notes
    -----
    말뭉치 $w_0 \dots w_{L-1}$ 을 `batch_size` $B$개의 구간으로 나누어 행 $i$는 위치
    $o_i = i \lfloor L/B \rfloor$ 에서 읽기 시작합니다(`batch_offsets`). 반복 $k$의 미니배치는

    $$x_{i,t} = w_{(o_i + kT + t) \bmod L}, \qquad t_{i,t} = y_{(o_i + kT + t) \bmod L}$$

    이므로 각 행은 자신의 이어진 구간을 차례로 읽고, 모델의 은닉 상태(`stateful`)가 반복 사이에
    이어집니다. 한 에폭은 $\lfloor L / (BT) \rfloor$ 번의 반복이며 반복마다
    `forward`, `backward`, (있으면) `clip_grads(grads, max_grad)`, `optimizer.update`를 합니다.

    `params`에 같은 가중치가 여러 번 있으면(같은 배열이거나 전치 뷰, `shared_params`) 기울기를 합쳐
    한 번만 갱신합니다. refnn의 `BetterRnnlm`은 공유 가중치를 처음부터 한 번만 넣으므로 합칠 것이 없습니다.

    **책과 다른 점**: 책은 `fit`을 부를 때마다 `ppl_list`를 비웁니다. refnn은 기록을 이어서 쌓으므로
    `fit`을 나누어 불러도 전체 학습 곡선이 남습니다. 또 반복 번호를 전체로 이어 세어 정확히
    `eval_interval`번마다 그 구간의 평균으로 기록합니다(`Trainer`와 같음).

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 5.5절 (RNNLM의 Trainer 클래스).

    Examples
    --------
    >>> from refnn.models import SimpleRnnlm
    >>> from refnn.optim import SGD
    >>> corpus = np.array([0, 1, 2, 3] * 25)
    >>> trainer = RnnlmTrainer(SimpleRnnlm(4, 3, 5, rng=0), SGD(lr=0.1))
    >>> trainer.fit(corpus[:-1], corpus[1:], max_epoch=2, batch_size=3, time_size=5, eval_interval=3)
    >>> len(trainer.ppl_list)
    4
    """

    def __init__(self, model: _LanguageModel, optimizer: _Optimizer) -> None:
        self.model = model
        self.optimizer = optimizer
        self.ppl_list: list[float] = []
        self.time_idx = 0
        self.eval_interval: int | None = None
        self.current_epoch = 0
        self._total_loss, self._loss_count = 0.0, 0

    def get_batch(self, xs: np.ndarray, ts: np.ndarray, batch_size: int,
                  time_size: int) -> tuple[np.ndarray, np.ndarray]:
        """다음 미니배치 `(batch_x, batch_t)` 각각 `(B, T)`를 만들고 `time_idx`를 `T`만큼 옮깁니다."""
        data_size = xs.shape[0]
        idx = (batch_offsets(data_size, batch_size)[:, None] + self.time_idx + np.arange(time_size)) % data_size
        self.time_idx += time_size
        return xs[idx], ts[idx]

    def fit(self, xs: Any, ts: Any, max_epoch: int = 10, batch_size: int = 20, time_size: int = 35,
            max_grad: float | None = None, eval_interval: int | None = 20) -> None:
        r"""`max_epoch` 에폭 동안 학습합니다.

        Parameters
        ----------
        xs, ts : array_like of int
            입력 단어 ID와 정답(보통 `corpus[:-1]`, `corpus[1:]`), 같은 길이 $L$의 1차원 배열.
        max_epoch : int, default 10
            에폭 수(0 이상).
        batch_size, time_size : int, default 20, 35
            미니배치의 행 수 $B$와 시각 수 $T$ ($BT \le L$).
        max_grad : float or None
            주어지면 갱신 전에 `clip_grads(model.grads, max_grad)`.
        eval_interval : int or None, default 20
            퍼플렉서티를 기록할 반복 간격. `None`이면 기록하지 않습니다.

        Raises
        ------
        ValueError
            인자가 범위를 벗어나거나 `xs`와 `ts`의 길이가 다르거나 $BT > L$일 때.
        """
        who = "RnnlmTrainer.fit"
        if isinstance(max_epoch, bool) or not isinstance(max_epoch, (int, np.integer)) or max_epoch < 0:
            raise ValueError(f"{who}: max_epoch must be an integer >= 0, got {max_epoch!r}")
        batch_size = _rnnlm_count(who, "batch_size", batch_size)
        time_size = _rnnlm_count(who, "time_size", time_size)
        if eval_interval is not None:
            eval_interval = _rnnlm_count(who, "eval_interval", eval_interval)
        if max_grad is not None and not (isinstance(max_grad, (int, float, np.floating))
                                         and not isinstance(max_grad, bool)
                                         and math.isfinite(max_grad) and max_grad > 0):
            raise ValueError(f"{who}: max_grad must be a positive finite number or None, got {max_grad!r}")
        xs, ts = np.asarray(xs), np.asarray(ts)
        if xs.ndim != 1 or ts.shape != xs.shape:
            raise ValueError(f"{who}: xs and ts must be 1-D word ids of the same length, got {xs.shape} and {ts.shape}")
        data_size = xs.shape[0]
        max_iters = data_size // (batch_size * time_size)
        if max_iters == 0:
            raise ValueError(f"{who}: batch_size * time_size = {batch_size * time_size} exceeds the corpus "
                             f"length {data_size}")
        self.eval_interval = eval_interval
        model, optimizer = self.model, self.optimizer
        shared = shared_params(model.params)
        params = [model.params[i] for i, _ in shared]
        grads = [model.grads[i] for i, _ in shared]
        for _ in range(int(max_epoch)):
            for _ in range(max_iters):
                batch_x, batch_t = self.get_batch(xs, ts, batch_size, time_size)
                loss = model.forward(batch_x, batch_t)
                model.backward()
                for (_, others), g in zip(shared, grads):
                    for j, transposed in others:
                        g += model.grads[j].T if transposed else model.grads[j]
                if max_grad is not None:
                    clip_grads(grads, max_grad)
                optimizer.update(params, grads)
                self._total_loss += loss
                self._loss_count += 1
                if eval_interval is not None and self._loss_count == eval_interval:
                    self.ppl_list.append(math.exp(self._total_loss / self._loss_count))
                    self._total_loss, self._loss_count = 0.0, 0
            self.current_epoch += 1


def eval_perplexity(model: Any, corpus: Any, batch_size: int = 10, time_size: int = 35) -> float:
    r"""말뭉치에 대한 모델의 퍼플렉서티 $\exp(\text{평균 손실})$ 를 구합니다 (6.4절).

    Parameters
    ----------
    model : object
        `forward(xs, ts)`를 가진 언어 모델. `forward`가 `train_flg` 매개변수를 받으면(드롭아웃이 있는
        모델) `train_flg=False`로 부릅니다.
    corpus : array_like of int
        단어 ID의 1차원 배열 $w_0 \dots w_{L-1}$.
    batch_size, time_size : int, default 10, 35
        평가 미니배치의 $B$, $T$.

    Returns
    -------
    float
        $\exp\big(\frac{1}{K}\sum_k L_k\big)$, $K = \lfloor (L - 1) / (BT) \rfloor$.

    Raises
    ------
    ValueError
        말뭉치가 한 미니배치($BT + 1$개)보다 짧을 때.

    Notes
    -----
    행 $i$는 $o_i = i\lfloor (L-1)/B \rfloor$ 에서 읽기 시작하고, 미니배치 $k$는
    $x_{i,t} = w_{o_i + kT + t}$, 정답 $w_{o_i + kT + t + 1}$ 입니다. 모델의 상태는 미니배치 사이에
    이어지므로 필요하면 부르기 전후에 `model.reset_state()`를 부릅니다.

    **책과 다른 점**: 책은 `train_flg=False`로 부르다 `TypeError`가 나면 인자 없이 다시 부르므로,
    모델 안에서 난 다른 `TypeError`까지 삼켜 버립니다. refnn은 `forward`의 서명을 보고 한 번만 부릅니다.
    """
    import inspect

    who = "eval_perplexity"
    batch_size = _rnnlm_count(who, "batch_size", batch_size)
    time_size = _rnnlm_count(who, "time_size", time_size)
    corpus = np.asarray(corpus)
    if corpus.ndim != 1:
        raise ValueError(f"{who}: corpus must be 1-D word ids, got shape {corpus.shape}")
    max_iters = (corpus.shape[0] - 1) // (batch_size * time_size)
    if max_iters == 0:
        raise ValueError(f"{who}: the corpus ({corpus.shape[0]} words) is shorter than one batch "
                         f"(batch_size * time_size + 1 = {batch_size * time_size + 1})")
    try:
        takes_flag = "train_flg" in inspect.signature(model.forward).parameters
    except (TypeError, ValueError):  # a callable without a signature
        takes_flag = False
    offsets = batch_offsets(corpus.shape[0] - 1, batch_size)[:, None] + np.arange(time_size)
    total = 0.0
    for k in range(max_iters):
        idx = offsets + k * time_size
        xs, ts = corpus[idx], corpus[idx + 1]
        loss = model.forward(xs, ts, train_flg=False) if takes_flag else model.forward(xs, ts)
        total += float(loss)
    return math.exp(total / max_iters)


def eval_seq2seq(model: Any, question: Any, correct: Any, id_to_char: Any, verbose: bool = False,
                 is_reverse: bool = False) -> int:
    r"""seq2seq 모델이 질문 하나에 정답을 그대로 생성하는지 봅니다 (7.3.5절).

    Parameters
    ----------
    model : object
        `generate(xs, start_id, sample_size)`를 가진 모델(`Seq2seq` 등).
    question : array_like
        질문의 문자 ID `(1, T_enc)` (입력을 반전해 학습했다면 반전한 그대로).
    correct : array_like
        정답의 문자 ID `(1, T)`. 첫 ID(시작 기호 `_`)가 `start_id`가 되고, 나머지 $T - 1$개를 생성하게 합니다.
    id_to_char : mapping of int to str
        ID → 문자 (`dataset.sequence.get_vocab()[1]`).
    verbose : bool, default False
        `True`이면 질문(`Q`), 정답(`T`)과 맞힘(`O`)·틀림(`X`)을 출력합니다. 책은 이 인자를 `verbos`라고 씁니다.
    is_reverse : bool, default False
        출력할 때 질문을 다시 뒤집어 원래 순서로 보여 줍니다.

    Returns
    -------
    int
        생성한 문자열이 정답과 글자 하나까지 같으면 1, 아니면 0.

    Examples
    --------
    >>> class Echo:  # 언제나 '2', '1'을 생성하는 모델
    ...     def generate(self, xs, start_id, sample_size):
    ...         return [2, 1][:sample_size]
    >>> id_to_char = {0: "_", 1: "1", 2: "2", 3: "+"}
    >>> eval_seq2seq(Echo(), np.array([[1, 3, 1, 3]]), np.array([[0, 2, 1]]), id_to_char, verbose=True)
    Q 1+1+
    T 21
    O 21
    1
    """
    correct = np.asarray(correct).ravel()
    start_id, answer_ids = int(correct[0]), correct[1:]
    guess_ids = model.generate(question, start_id, len(answer_ids))
    question_text = "".join(id_to_char[int(c)] for c in np.asarray(question).ravel())
    answer = "".join(id_to_char[int(c)] for c in answer_ids)
    guess = "".join(id_to_char[int(c)] for c in guess_ids)
    if verbose:
        print("Q", question_text[::-1] if is_reverse else question_text)
        print("T", answer)
        print("O" if guess == answer else "X", guess)
    return 1 if guess == answer else 0


__all__ += ["eval_seq2seq"]
