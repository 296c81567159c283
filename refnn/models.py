r"""모델: 1장의 2층 신경망 `TwoLayerNet`."""

from __future__ import annotations

from typing import Any

import numpy as np

from refnn.layers import Affine, Sigmoid, SoftmaxWithLoss

__all__ = ["TwoLayerNet"]


def _generator(rng: np.random.Generator | int | None) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(rng)


def _positive(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"TwoLayerNet: {name} must be a positive integer, got {value!r}")
    return int(value)


class TwoLayerNet:
    r"""Affine → Sigmoid → Affine 구조의 2층 신경망과 Softmax-with-Loss (1.4.2절).

    Parameters
    ----------
    input_size, hidden_size, output_size : int
        입력 $D$, 은닉 $H$, 출력(클래스) $C$의 크기.
    rng : numpy.random.Generator or int or None
        가중치 초기화에 쓸 난수 생성기(또는 시드). 전역 난수 상태는 쓰지 않습니다.
    dtype : numpy dtype, default float64
        매개변수의 dtype.

    Attributes
    ----------
    layers : list
        `[Affine(W1, b1), Sigmoid(), Affine(W2, b2)]`.
    loss_layer : SoftmaxWithLoss
        손실 계층.
    params, grads : list of numpy.ndarray
        모든 계층의 매개변수와 기울기를 모은 리스트 `[W1, b1, W2, b2]`.
        계층의 배열을 그대로 가리키므로(같은 객체) 옵티마이저가 `params`를 제자리
        갱신하면 계층이 바로 그 값을 씁니다.

    Notes
    -----
    Shapes: `x: (N, D) → 점수: (N, C)`; `W1: (D, H)`, `b1: (H,)`, `W2: (H, C)`, `b2: (C,)`.

    가중치는 $0.01\,\mathcal N(0, 1)$, 편향은 0으로 초기화합니다(책과 같은 규칙).
    순전파 $L = \mathrm{SoftmaxWithLoss}(\sigma(xW_1 + b_1)W_2 + b_2,\ t)$,
    역전파는 각 계층의 `backward`를 거꾸로 부릅니다.
    시드 노트북의 `layer.parms`는 `AttributeError`를 내는 오타이며 올바른 것은 `layer.params`입니다.

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 1.4.2절 (신경망 구현).

    Examples
    --------
    >>> model = TwoLayerNet(2, 10, 3, rng=0)
    >>> model.predict(np.zeros((4, 2))).shape
    (4, 3)
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        output_size: int,
        rng: np.random.Generator | int | None = None,
        dtype: Any = np.float64,
    ) -> None:
        D = _positive("input_size", input_size)
        H = _positive("hidden_size", hidden_size)
        C = _positive("output_size", output_size)
        gen = _generator(rng)
        W1 = (0.01 * gen.standard_normal((D, H))).astype(dtype)
        b1 = np.zeros(H, dtype=dtype)
        W2 = (0.01 * gen.standard_normal((H, C))).astype(dtype)
        b2 = np.zeros(C, dtype=dtype)
        self.layers: list[Any] = [Affine(W1, b1), Sigmoid(), Affine(W2, b2)]
        self.loss_layer = SoftmaxWithLoss()
        self.params: list[np.ndarray] = []
        self.grads: list[np.ndarray] = []
        for layer in self.layers:
            self.params += layer.params
            self.grads += layer.grads

    def predict(self, x: Any) -> np.ndarray:
        """점수(소프트맥스 전) `(N, C)`를 돌려줍니다."""
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def forward(self, x: Any, t: Any) -> float:
        """미니배치 평균 손실을 돌려줍니다. `t`는 정수 레이블 또는 원-핫."""
        return self.loss_layer.forward(self.predict(x), t)

    def backward(self, dout: float = 1.0) -> np.ndarray:
        """모든 계층의 `grads`를 채우고 입력의 기울기 `dx`를 돌려줍니다."""
        dx = self.loss_layer.backward(dout)
        for layer in reversed(self.layers):
            dx = layer.backward(dx)
        return dx
