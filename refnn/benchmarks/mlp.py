r"""경우 2: 큰 MLP의 학습 한 스텝과 행렬 곱의 바닥(floor).

배치 4096, 1024 → 2048 → 1024 → 10 (Affine → ReLU → Affine → ReLU → Affine →
SoftmaxWithLoss, SGD), float32와 float64. 이 크기에서는 시간이 거의 모두 행렬 곱이므로
refnn의 스텝을 같은 실행에서 잰 **바닥**과 비교합니다.

경쟁자
------
- `refnn`: `refnn.layers`(Affine, ReLU, SoftmaxWithLoss)와 `refnn.optim.SGD`로 만든 `MLP`.
- `floor`: 같은 모양의 행렬 곱만 `np.matmul`로: 순전파 3개
  ($xW_1$, $h_1W_2$, $h_2W_3$)와 역전파 6개(층마다 $\partial W = x^\top g$, $\partial x = g W^\top$).
  활성화 함수도 손실도 갱신도 없습니다. 목표(≤ 1.15배)는 이 바닥으로 판정합니다.
- `floor-prealloc`: 같은 곱을 미리 만든 버퍼에 씁니다(`out=`). 결과 배열을 새로 만드는
  비용(큰 배열의 페이지 할당)까지 뺀 더 낮은 바닥으로, 참고로만 보고합니다.
- `torch`: PyTorch eager, 같은 모델과 초기값, `F.cross_entropy`, `torch.optim.SGD`.
  refnn의 계층은 책의 프로토콜대로 첫 층의 `dx`도 계산하므로, 같은 일을 하도록 입력에
  `requires_grad=True`를 줍니다(바닥에도 그 곱이 들어 있습니다).

라운드마다 경쟁자별로 한 스텝씩 잽니다(스텝 하나가 이미 수백 ms입니다).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from refnn.benchmarks.config import Config
from refnn.benchmarks.timing import TORCH_MISSING, Contender, interleave, summarize
from refnn.layers import Affine, ReLU, SoftmaxWithLoss
from refnn.optim import SGD

__all__ = ["MLP", "make_params", "make_data", "floor_step", "contenders", "run"]

#: 큰 MLP의 학습률(값은 시간에 영향이 없고, 몇 스텝 동안 값이 유한하게 유지되면 됩니다).
LR = 0.01


class MLP:
    r"""refnn의 계층으로 쌓은 다층 퍼셉트론: (Affine → ReLU) × k → Affine → SoftmaxWithLoss.

    Parameters
    ----------
    params : list of numpy.ndarray
        `[W1, b1, W2, b2, ...]`. 복사하지 않고 계층의 매개변수가 됩니다.

    Attributes
    ----------
    layers, loss_layer, params, grads
        `TwoLayerNet`과 같은 프로토콜(`grads`는 계층의 배열을 그대로 가리킵니다).
    """

    def __init__(self, params: list[np.ndarray]) -> None:
        pairs = list(zip(params[0::2], params[1::2]))
        self.layers: list[Any] = []
        for i, (W, b) in enumerate(pairs):
            self.layers.append(Affine(W, b))
            if i < len(pairs) - 1:
                self.layers.append(ReLU())
        self.loss_layer = SoftmaxWithLoss()
        self.params: list[np.ndarray] = []
        self.grads: list[np.ndarray] = []
        for layer in self.layers:
            self.params += layer.params
            self.grads += layer.grads

    def forward(self, x: np.ndarray, t: np.ndarray) -> float:
        for layer in self.layers:
            x = layer.forward(x)
        return self.loss_layer.forward(x, t)

    def backward(self, dout: float = 1.0) -> np.ndarray:
        dx = self.loss_layer.backward(dout)
        for layer in reversed(self.layers):
            dx = layer.backward(dx)
        return dx


def make_params(sizes: tuple[int, ...], dtype: Any, rng: np.random.Generator) -> list[np.ndarray]:
    r"""He 초기화 $\mathcal N(0, 2/D_\text{in})$ 가중치와 0 편향 `[W1, b1, ...]`."""
    params = []
    for d_in, d_out in zip(sizes[:-1], sizes[1:]):
        params.append((rng.standard_normal((d_in, d_out)) * np.sqrt(2.0 / d_in)).astype(dtype))
        params.append(np.zeros(d_out, dtype=dtype))
    return params


def make_data(batch: int, sizes: tuple[int, ...], dtype: Any,
              rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """표준정규 입력 `(batch, D)`와 정수 레이블 `(batch,)`."""
    x = rng.standard_normal((batch, sizes[0])).astype(dtype)
    t = rng.integers(0, sizes[-1], size=batch)
    return x, t


def floor_step(x: np.ndarray, weights: list[np.ndarray],
               buffers: dict[str, list[np.ndarray]] | None = None) -> None:
    r"""행렬 곱만: 순전파 $h_{i+1} = h_i W_i$와 역전파 $\partial W_i = h_i^\top g_{i+1}$,
    $g_i = g_{i+1} W_i^\top$. 상류 기울기로는 순전파 결과를 그대로 씁니다(값은 시간과 무관).

    `buffers`(`"h"`, `"g"`, `"dW"` 목록)를 주면 결과를 그 배열에 쓰고(`out=`), 없으면
    `np.matmul`이 평소처럼 결과 배열을 새로 만듭니다.
    """
    n = len(weights)
    hs: list[Any] = buffers["h"] if buffers else [None] * n
    gs: list[Any] = buffers["g"] if buffers else [None] * n
    dWs: list[Any] = buffers["dW"] if buffers else [None] * n
    inputs = [x]
    for W, out in zip(weights, hs):
        inputs.append(np.matmul(inputs[-1], W, out=out))
    g = inputs.pop()
    for i in reversed(range(n)):
        np.matmul(inputs[i].T, g, out=dWs[i])
        g = np.matmul(g, weights[i].T, out=gs[i])


def _floor(x: np.ndarray, params: list[np.ndarray], preallocated: bool) -> Contender:
    weights = [w.copy() for w in params[0::2]]
    n = x.shape[0]
    buffers = {
        "h": [np.empty((n, w.shape[1]), dtype=x.dtype) for w in weights],
        "g": [np.empty((n, w.shape[0]), dtype=x.dtype) for w in weights],
        "dW": [np.empty_like(w) for w in weights],
    } if preallocated else None

    def run() -> float:
        start = time.perf_counter()
        floor_step(x, weights, buffers)
        return time.perf_counter() - start

    return run


def _refnn(x: np.ndarray, t: np.ndarray, params: list[np.ndarray]) -> Contender:
    model = MLP([p.copy() for p in params])
    optimizer = SGD(lr=LR)

    def run() -> float:
        start = time.perf_counter()
        model.forward(x, t)
        model.backward()
        optimizer.update(model.params, model.grads)
        return time.perf_counter() - start

    return run


def _torch(torch: Any, x: np.ndarray, t: np.ndarray, params: list[np.ndarray]) -> Contender:
    nn = torch.nn
    dtype = torch.float32 if x.dtype == np.float32 else torch.float64
    layers: list[Any] = []
    pairs = list(zip(params[0::2], params[1::2]))
    for i, (W, b) in enumerate(pairs):
        fc = nn.Linear(W.shape[0], W.shape[1], dtype=dtype)
        with torch.no_grad():
            fc.weight.copy_(torch.from_numpy(W.T))
            fc.bias.copy_(torch.from_numpy(b))
        layers.append(fc)
        if i < len(pairs) - 1:
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers)
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    cross_entropy = torch.nn.functional.cross_entropy
    xt = torch.from_numpy(x.copy()).requires_grad_(True)
    tt = torch.from_numpy(t)

    def run() -> float:
        start = time.perf_counter()
        optimizer.zero_grad()
        xt.grad = None
        loss = cross_entropy(model(xt), tt)
        loss.backward()
        optimizer.step()
        loss.item()
        return time.perf_counter() - start

    return run


def contenders(cfg: Config, dtype: str, torch: Any) -> dict[str, Contender]:
    """`dtype`(`"float32"` 또는 `"float64"`)의 경쟁자 사전."""
    rng = np.random.default_rng(cfg.seed)
    params = make_params(cfg.mlp_sizes, dtype, rng)
    x, t = make_data(cfg.mlp_batch, cfg.mlp_sizes, dtype, rng)
    found: dict[str, Contender] = {
        "refnn": _refnn(x, t, params),
        "floor": _floor(x, params, preallocated=False),
        "floor-prealloc": _floor(x, params, preallocated=True),
    }
    if torch is not None:
        found["torch"] = _torch(torch, x, t, params)
    return found


def run(cfg: Config, torch: Any) -> list[dict[str, object]]:
    """dtype마다 경우 2를 재고 요약 목록을 돌려줍니다(목표: refnn/floor ≤ 1.15)."""
    sizes = " → ".join(str(s) for s in cfg.mlp_sizes)
    results = []
    for dtype in cfg.mlp_dtypes:
        times = interleave(contenders(cfg, dtype, torch), cfg.rounds)
        results.append(
            summarize(
                f"mlp-{dtype}",
                f"Large MLP step, {dtype}: batch {cfg.mlp_batch}, {sizes}, ReLU, SoftmaxWithLoss, SGD "
                "(floor: the 3 forward + 6 backward products alone through np.matmul)",
                "ms",
                times,
                [("refnn", "floor", 1.15), ("refnn", "floor-prealloc", None), ("refnn", "torch", None),
                 ("torch", "floor", None)],
                skipped={} if torch is not None else {"torch": TORCH_MISSING},
            )
        )
    return results
