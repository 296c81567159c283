r"""1장의 모델: 2층 신경망 `TwoLayerNet` (1.4.2절)."""

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
    input_size : int
        입력의 크기 $D$: 한 샘플의 특징 수, 곧 `x`의 열 수이자 `W1`의 행 수입니다
        (스파이럴 데이터는 점의 좌표라서 2).
    hidden_size : int
        은닉층의 뉴런 수 $H$: `W1`의 열 수, `b1`의 길이, `W2`의 행 수입니다. 클수록 결정
        경계가 유연해지고 계산이 늘어납니다(책의 스파이럴 예는 10).
    output_size : int
        출력의 크기 $C$: 클래스 수, 곧 점수의 열 수이자 `W2`의 열 수와 `b2`의 길이입니다
        (스파이럴 데이터는 3).
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
    형상: 입력 `x`는 `(N, D)`, `predict`가 돌려주는 점수는 `(N, C)`, 정답 `t`는 정수 레이블
    `(N,)` 또는 원-핫 `(N, C)`이고 손실은 `float`입니다. 매개변수는 `W1` `(D, H)`, `b1` `(H,)`,
    `W2` `(H, C)`, `b2` `(C,)`이며 `grads`의 각 배열도 짝이 되는 매개변수와 같은 형상입니다.
    `backward`가 돌려주는 `dx`는 `x`와 같은 `(N, D)`입니다.

    가중치는 $0.01\,\mathcal N(0, 1)$, 편향은 0으로 초기화합니다(책과 같은 규칙).
    순전파

    $$h = \sigma(xW_1 + b_1), \qquad s = hW_2 + b_2, \qquad L = \mathrm{SoftmaxWithLoss}(s, t)$$

    역전파는 각 계층의 `backward`를 거꾸로 불러 연쇄 법칙을 따릅니다
    ($y = \mathrm{softmax}(s)$, $\delta$는 `dout`으로 기본값 1).

    $$\frac{\partial L}{\partial s} = \frac{\delta}{N}\big(y - \mathrm{onehot}(t)\big), \quad
    \frac{\partial L}{\partial W_2} = h^\top \frac{\partial L}{\partial s}, \quad
    \frac{\partial L}{\partial b_2} = \sum_n \frac{\partial L}{\partial s_n}, \quad
    \frac{\partial L}{\partial h} = \frac{\partial L}{\partial s} W_2^\top$$

    $$\frac{\partial L}{\partial a} = \frac{\partial L}{\partial h} \odot (1 - h) \odot h, \quad
    \frac{\partial L}{\partial W_1} = x^\top \frac{\partial L}{\partial a}, \quad
    \frac{\partial L}{\partial b_1} = \sum_n \frac{\partial L}{\partial a_n}, \quad
    \frac{\partial L}{\partial x} = \frac{\partial L}{\partial a} W_1^\top$$

    여기서 $a = xW_1 + b_1$은 시그모이드의 입력입니다.
    시드 노트북의 `layer.parms`는 `AttributeError`를 내는 오타이며 올바른 것은 `layer.params`입니다.

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 1.4.2절 (신경망 구현).

    Examples
    --------
    >>> model = TwoLayerNet(2, 10, 3, rng=0)
    >>> model.predict(np.zeros((4, 2))).shape
    (4, 3)
    >>> loss = model.forward(np.zeros((4, 2)), np.array([0, 1, 2, 0]))
    >>> model.backward().shape  # dx; model.grads도 채워집니다
    (4, 2)
    >>> [g.shape for g in model.grads]
    [(2, 10), (10,), (10, 3), (3,)]
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
        """모든 계층의 `grads`를 채우고 입력의 기울기 `dx`를 돌려줍니다.

        `dout`은 손실에 곱해지는 상류 기울기로 기본값은 1입니다(`backward()`와
        `backward(1.0)`은 같은 기울기를 냅니다).
        """
        dx = self.loss_layer.backward(dout)
        for layer in reversed(self.layers):
            dx = layer.backward(dx)
        return dx
