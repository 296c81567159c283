r"""4장의 교과서 기준선: 책의 방식 그대로 쓴 검증 없는 word2vec(CBOW + 네거티브 샘플링).

벤치마크의 비교 대상일 뿐 refnn의 일부가 아닙니다. 책의 코드를 복사하지 않고 같은 선택으로
새로 썼습니다. 책과 같은 점:

- 맥락 위치마다 `Embedding` 계층 하나(`2 * window_size`개), 각 계층의 `backward`가 조밀한
  `(V, H)` 기울기를 0으로 채운 뒤 `np.add.at`.
- 네거티브 샘플링은 `EmbeddingDot`·`SigmoidWithLoss`를 `k + 1`개 두어, 모델의 `params`에
  같은 가중치가 여러 번 들어가고 기울기도 그만큼의 조밀한 배열이 됩니다.
- 표본기는 행마다 확률 벡터를 복사해 타깃을 0으로 만들고
  `choice(V, size=k, replace=False, p=p)`를 부릅니다(여기서는 전역 상태 대신 지역
  `RandomState`의 같은 `choice`).
- 손실은 `log(y + 1e-7)`, 반복마다 `remove_duplicate`(쌍마다 `is`, 전치 모양이면 값 비교)로
  기울기를 합친 뒤, 임시 배열을 만드는 Adam으로 갱신.
- PPMI는 원소마다 도는 이중 루프.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Embedding", "EmbeddingDot", "SigmoidWithLoss", "UnigramSampler", "NegativeSamplingLoss", "CBOW",
           "remove_duplicate", "Adam", "ppmi_loop"]


class Embedding:
    def __init__(self, W):
        self.params = [W]
        self.grads = [np.zeros_like(W)]
        self.idx = None

    def forward(self, idx):
        (W,) = self.params
        self.idx = idx
        return W[idx]

    def backward(self, dout):
        (dW,) = self.grads
        dW[...] = 0
        np.add.at(dW, self.idx, dout)


class EmbeddingDot:
    def __init__(self, W):
        self.embed = Embedding(W)
        self.params, self.grads = self.embed.params, self.embed.grads
        self.cache = None

    def forward(self, h, idx):
        target_W = self.embed.forward(idx)
        self.cache = (h, target_W)
        return np.sum(target_W * h, axis=1)

    def backward(self, dout):
        h, target_W = self.cache
        dout = dout.reshape(dout.shape[0], 1)
        self.embed.backward(dout * h)
        return dout * target_W


class SigmoidWithLoss:
    def __init__(self):
        self.params, self.grads = [], []
        self.y = self.t = None

    def forward(self, x, t):
        self.t = t
        self.y = 1 / (1 + np.exp(-x))
        y2 = np.c_[1 - self.y, self.y]  # two-class probabilities, then the chapter-1 cross entropy
        n = y2.shape[0]
        return -np.sum(np.log(y2[np.arange(n), t] + 1e-7)) / n

    def backward(self, dout=1):
        return (self.y - self.t) * dout / self.t.shape[0]


class UnigramSampler:
    def __init__(self, corpus, power, sample_size, seed=0):
        self.sample_size = sample_size
        counts = np.bincount(corpus)  # the book counts with a Counter over ids 0..V-1
        self.vocab_size = len(counts)
        self.word_p = np.power(counts.astype(np.float64), power)
        self.word_p /= np.sum(self.word_p)
        self.rs = np.random.RandomState(seed)

    def get_negative_sample(self, target):
        n = target.shape[0]
        negative = np.zeros((n, self.sample_size), dtype=np.int32)
        for i in range(n):
            p = self.word_p.copy()
            p[target[i]] = 0
            p /= p.sum()
            negative[i, :] = self.rs.choice(self.vocab_size, size=self.sample_size, replace=False, p=p)
        return negative


class NegativeSamplingLoss:
    def __init__(self, W, corpus, power=0.75, sample_size=5, seed=0):
        self.sample_size = sample_size
        self.sampler = UnigramSampler(corpus, power, sample_size, seed)
        self.loss_layers = [SigmoidWithLoss() for _ in range(sample_size + 1)]
        self.embed_dot_layers = [EmbeddingDot(W) for _ in range(sample_size + 1)]
        self.params, self.grads = [], []
        for layer in self.embed_dot_layers:
            self.params += layer.params
            self.grads += layer.grads

    def forward(self, h, target):
        n = target.shape[0]
        negative = self.sampler.get_negative_sample(target)
        score = self.embed_dot_layers[0].forward(h, target)
        loss = self.loss_layers[0].forward(score, np.ones(n, dtype=np.int32))
        zeros = np.zeros(n, dtype=np.int32)
        for i in range(self.sample_size):
            score = self.embed_dot_layers[1 + i].forward(h, negative[:, i])
            loss += self.loss_layers[1 + i].forward(score, zeros)
        return loss

    def backward(self, dout=1):
        dh = 0
        for l0, l1 in zip(self.loss_layers, self.embed_dot_layers):
            dh += l1.backward(l0.backward(dout))
        return dh


class CBOW:
    def __init__(self, vocab_size, hidden_size, window_size, corpus, seed=0):
        rs = np.random.RandomState(seed)
        W_in = 0.01 * rs.randn(vocab_size, hidden_size).astype("f")
        W_out = 0.01 * rs.randn(vocab_size, hidden_size).astype("f")
        self.in_layers = [Embedding(W_in) for _ in range(2 * window_size)]
        self.ns_loss = NegativeSamplingLoss(W_out, corpus, power=0.75, sample_size=5, seed=seed)
        self.params, self.grads = [], []
        for layer in self.in_layers + [self.ns_loss]:
            self.params += layer.params
            self.grads += layer.grads
        self.word_vecs = W_in

    def forward(self, contexts, target):
        h = 0
        for i, layer in enumerate(self.in_layers):
            h += layer.forward(contexts[:, i])
        h *= 1 / len(self.in_layers)
        return self.ns_loss.forward(h, target)

    def backward(self, dout=1):
        dout = self.ns_loss.backward(dout)
        dout *= 1 / len(self.in_layers)
        for layer in self.in_layers:
            layer.backward(dout)


def remove_duplicate(params, grads):
    """Merge shared weights: the same object, or a transposed matrix **with equal values**."""
    params, grads = params[:], grads[:]
    while True:
        found = False
        L = len(params)
        for i in range(L - 1):
            for j in range(i + 1, L):
                if params[i] is params[j]:
                    grads[i] += grads[j]
                    found = True
                elif (params[i].ndim == 2 and params[j].ndim == 2 and params[i].T.shape == params[j].shape
                      and np.all(params[i].T == params[j])):
                    grads[i] += grads[j].T
                    found = True
                if found:
                    params.pop(j)
                    grads.pop(j)
                    break
            if found:
                break
        if not found:
            return params, grads


class Adam:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr, self.beta1, self.beta2 = lr, beta1, beta2
        self.iter = 0
        self.m = self.v = None

    def update(self, params, grads):
        if self.m is None:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
        self.iter += 1
        lr_t = self.lr * np.sqrt(1.0 - self.beta2**self.iter) / (1.0 - self.beta1**self.iter)
        for i in range(len(params)):
            self.m[i] += (1 - self.beta1) * (grads[i] - self.m[i])
            self.v[i] += (1 - self.beta2) * (grads[i] ** 2 - self.v[i])
            params[i] -= lr_t * self.m[i] / (np.sqrt(self.v[i]) + 1e-7)


def ppmi_loop(C, eps=1e-8, rows=None):
    """PPMI element by element (the book's double loop); ``rows`` limits it to the first rows."""
    M = np.zeros_like(C, dtype=np.float32)
    N = np.sum(C)
    S = np.sum(C, axis=0)
    for i in range(C.shape[0] if rows is None else rows):
        for j in range(C.shape[1]):
            pmi = np.log2(C[i, j] * N / (S[j] * S[i]) + eps)
            M[i, j] = max(0, pmi)
    return M
