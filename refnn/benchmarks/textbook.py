r"""교과서 기준선(textbook baseline): 책의 방식 그대로 쓴 검증 없는 NumPy 구현.

벤치마크의 비교 대상일 뿐 refnn의 일부가 아닙니다. 책의 `common/` 코드처럼
계층마다 `params`와 `grads` 리스트를 두고, 기울기를 `[...]`로 제자리에 씁니다.
입력 검증, dtype 보존, 입력 보호 같은 안전장치는 하나도 없습니다 — refnn이
그 안전장치를 갖추고도 이 기준선보다 느리지 않은지 재는 것이 목적입니다.

책의 코드를 복사하지 않고 같은 방식으로 새로 썼습니다. 책과 같은 점:
`np.dot`, 시그모이드 `1 / (1 + exp(-x))`, 원-핫 정답을 매번 `argmax`로 바꾸는
손실 계층, `log(y + 1e-7)`, `dx = y.copy()` 뒤 제자리 연산, 기울기를 새 배열로
계산한 뒤 `[...]`로 복사, `p -= lr * g`로 갱신하는 SGD.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Affine", "Sigmoid", "ReLU", "SoftmaxWithLoss", "TwoLayerNet", "SGD"]


class Affine:
    """$y = xW + b$; 검증 없음."""

    def __init__(self, W, b):
        self.params = [W, b]
        self.grads = [np.zeros_like(W), np.zeros_like(b)]
        self.x = None

    def forward(self, x):
        W, b = self.params
        self.x = x
        return np.dot(x, W) + b

    def backward(self, dout):
        W, b = self.params
        dx = np.dot(dout, W.T)
        dW = np.dot(self.x.T, dout)
        db = np.sum(dout, axis=0)
        self.grads[0][...] = dW
        self.grads[1][...] = db
        return dx


class Sigmoid:
    """$y = 1/(1 + e^{-x})$; 큰 음수에서는 overflow 경고가 날 수 있습니다."""

    def __init__(self):
        self.params, self.grads = [], []
        self.out = None

    def forward(self, x):
        self.out = 1 / (1 + np.exp(-x))
        return self.out

    def backward(self, dout):
        return dout * (1.0 - self.out) * self.out


class ReLU:
    r"""$y = \max(0, x)$."""

    def __init__(self):
        self.params, self.grads = [], []
        self.mask = None

    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dout = dout.copy()
        dout[self.mask] = 0
        return dout


def _softmax(x):
    x = x - x.max(axis=1, keepdims=True)
    x = np.exp(x)
    x /= x.sum(axis=1, keepdims=True)
    return x


def _cross_entropy_error(y, t):
    if t.size == y.size:  # one-hot -> class indices
        t = t.argmax(axis=1)
    batch_size = y.shape[0]
    return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size


class SoftmaxWithLoss:
    """소프트맥스 + 교차 엔트로피; 손실은 `log(y + 1e-7)`로 계산합니다(책과 같음)."""

    def __init__(self):
        self.params, self.grads = [], []
        self.y = None
        self.t = None

    def forward(self, x, t):
        self.t = t
        self.y = _softmax(x)
        if self.t.size == self.y.size:
            self.t = self.t.argmax(axis=1)
        return _cross_entropy_error(self.y, self.t)

    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        dx = self.y.copy()
        dx[np.arange(batch_size), self.t] -= 1
        dx *= dout
        dx = dx / batch_size
        return dx


class TwoLayerNet:
    """Affine → Sigmoid → Affine → SoftmaxWithLoss. 초기 매개변수를 받아 씁니다."""

    def __init__(self, W1, b1, W2, b2):
        self.layers = [Affine(W1, b1), Sigmoid(), Affine(W2, b2)]
        self.loss_layer = SoftmaxWithLoss()
        self.params, self.grads = [], []
        for layer in self.layers:
            self.params += layer.params
            self.grads += layer.grads

    def predict(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def forward(self, x, t):
        score = self.predict(x)
        return self.loss_layer.forward(score, t)

    def backward(self, dout=1):
        dout = self.loss_layer.backward(dout)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout


class SGD:
    r"""$W \leftarrow W - \eta\, \partial L/\partial W$."""

    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        for i in range(len(params)):
            params[i] -= self.lr * grads[i]
