r"""경우 1: 1장의 학습 한 스텝(순전파 + 역전파 + 갱신), 책의 설정 그대로.

`TwoLayerNet`(입력 2, 은닉 10, 출력 3)을 스파이럴 데이터로 300 에폭, 배치 30,
SGD 학습률 1.0으로 학습합니다. 미니배치 순서는 시드 하나로 미리 만들어 모든
경쟁자가 같은 배치를 같은 순서로 받고, 초기 매개변수도 같습니다. 한 라운드는
경쟁자마다 학습 전체(3000 스텝)이고, 잰 시간을 스텝 수로 나눈 값이 스텝당 시간입니다.
모델 생성과 배치 준비는 재는 구간 밖입니다.

경쟁자
------
- `refnn`: `refnn.models.TwoLayerNet` + `refnn.optim.SGD` (검증을 모두 하는 참조 구현).
- `textbook`: `refnn.benchmarks.textbook` (책의 방식, 검증 없음).
- `torch`: PyTorch eager, float64, `nn.Linear` → `nn.Sigmoid` → `nn.Linear`,
  `F.cross_entropy`, `torch.optim.SGD`. 정답은 PyTorch의 관례대로 클래스 번호 텐서로
  미리 바꿔 둡니다(refnn과 기준선은 책처럼 원-핫을 받습니다). 연산 스레드는 1개입니다
  (이 크기에서는 스레드가 도움이 되지 않고, 코어를 나눠 쓰는 기계에서 2 스레드는 대기 때문에
  스텝이 수십 배 느려지기도 했습니다).

세 경쟁자 모두 스텝마다 손실을 파이썬 수로 받아 더합니다(책의 학습 루프처럼).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from dataset.spiral import load_data
from refnn.benchmarks import textbook
from refnn.benchmarks.config import Config
from refnn.benchmarks.timing import TORCH_MISSING, Contender, interleave, summarize, torch_threads
from refnn.models import TwoLayerNet
from refnn.optim import SGD

__all__ = ["spiral_batches", "initial_params", "contenders", "run"]

Batch = tuple[np.ndarray, np.ndarray]


def spiral_batches(epochs: int, batch_size: int, seed: int) -> list[Batch]:
    """책의 학습 루프처럼 에폭마다 섞은 미니배치 `(x, t)` 목록(원-핫 `t`)."""
    x, t = load_data()
    rng = np.random.default_rng(seed)
    n = x.shape[0]
    iters = n // batch_size
    batches = []
    for _ in range(epochs):
        idx = rng.permutation(n)
        for i in range(iters):
            sel = idx[i * batch_size:(i + 1) * batch_size]
            batches.append((x[sel], t[sel]))
    return batches


def initial_params(hidden: int, seed: int) -> list[np.ndarray]:
    """모든 경쟁자가 복사해 쓰는 초기 매개변수 `[W1, b1, W2, b2]` (refnn의 초기화 규칙)."""
    return [p.copy() for p in TwoLayerNet(2, hidden, 3, rng=seed).params]


def _train(model: Any, optimizer: Any, batches: list[Batch]) -> tuple[float, float]:
    """책의 학습 루프 한 번: 잰 초와 스텝 평균 손실. refnn과 기준선이 같이 씁니다."""
    params, grads = model.params, model.grads
    total = 0.0
    start = time.perf_counter()
    for x, t in batches:
        total += model.forward(x, t)
        model.backward()
        optimizer.update(params, grads)
    elapsed = time.perf_counter() - start
    return elapsed, float(total) / len(batches)


def _refnn(init: list[np.ndarray], batches: list[Batch], lr: float, notes: dict[str, float]) -> Contender:
    hidden = init[0].shape[1]

    def run() -> float:
        model = TwoLayerNet(2, hidden, 3)
        for p, q in zip(model.params, init):
            p[...] = q
        elapsed, notes["refnn"] = _train(model, SGD(lr=lr), batches)
        return elapsed / len(batches)

    return run


def _textbook(init: list[np.ndarray], batches: list[Batch], lr: float, notes: dict[str, float]) -> Contender:
    def run() -> float:
        model = textbook.TwoLayerNet(*[p.copy() for p in init])
        elapsed, notes["textbook"] = _train(model, textbook.SGD(lr=lr), batches)
        return elapsed / len(batches)

    return run


def _torch(torch: Any, init: list[np.ndarray], batches: list[Batch], lr: float,
           notes: dict[str, float]) -> Contender:
    nn = torch.nn
    cross_entropy = torch.nn.functional.cross_entropy
    data = [(torch.from_numpy(x), torch.from_numpy(t.argmax(axis=1))) for x, t in batches]
    W1, b1, W2, b2 = init

    def run() -> float:
        fc1 = nn.Linear(W1.shape[0], W1.shape[1], dtype=torch.float64)
        fc2 = nn.Linear(W2.shape[0], W2.shape[1], dtype=torch.float64)
        with torch.no_grad():
            fc1.weight.copy_(torch.from_numpy(W1.T))
            fc1.bias.copy_(torch.from_numpy(b1))
            fc2.weight.copy_(torch.from_numpy(W2.T))
            fc2.bias.copy_(torch.from_numpy(b2))
        model = nn.Sequential(fc1, nn.Sigmoid(), fc2)
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
        total = 0.0
        start = time.perf_counter()
        for x, t in data:
            optimizer.zero_grad()
            loss = cross_entropy(model(x), t)
            loss.backward()
            optimizer.step()
            total += loss.item()
        elapsed = time.perf_counter() - start
        notes["torch"] = total / len(data)
        return elapsed / len(data)

    return run


def contenders(cfg: Config, torch: Any, notes: dict[str, float]) -> dict[str, Contender]:
    """경쟁자 사전(`torch`가 `None`이면 PyTorch는 빠집니다)."""
    batches = spiral_batches(cfg.epochs, cfg.batch_size, cfg.seed)
    init = initial_params(cfg.hidden, cfg.seed)
    found: dict[str, Contender] = {
        "refnn": _refnn(init, batches, cfg.lr, notes),
        "textbook": _textbook(init, batches, cfg.lr, notes),
    }
    if torch is not None:
        found["torch"] = _torch(torch, init, batches, cfg.lr, notes)
    return found


def run(cfg: Config, torch: Any) -> dict[str, object]:
    """경우 1을 재고 요약을 돌려줍니다(목표: refnn/textbook ≤ 1.0, refnn/torch ≤ 0.5)."""
    mean_loss: dict[str, float] = {}
    with torch_threads(torch, 1):
        times = interleave(contenders(cfg, torch, mean_loss), cfg.rounds)
    steps = cfg.epochs * (300 // cfg.batch_size)
    return summarize(
        "chapter1",
        f"Chapter-1 training step: TwoLayerNet(2, {cfg.hidden}, 3) on the spiral, batch {cfg.batch_size}, "
        f"SGD lr {cfg.lr:g}, {cfg.epochs} epochs = {steps} steps per round (forward + backward + update)",
        "us",
        times,
        [("refnn", "textbook", 1.0), ("refnn", "torch", 0.5)],
        skipped={} if torch is not None else {"torch": TORCH_MISSING},
        notes={"mean_loss_per_contender": mean_loss, "steps_per_round": steps, "torch_threads": 1},
    )
