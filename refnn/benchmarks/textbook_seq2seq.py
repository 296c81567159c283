r"""7–8장의 교과서 기준선: 책의 방식 그대로 쓴 검증 없는 seq2seq 모델(`PeekySeq2seq`, `AttentionSeq2seq`).

벤치마크의 비교 대상일 뿐 refnn의 일부가 아닙니다. 책의 코드를 복사하지 않고 같은 선택으로 새로
썼습니다. 6장의 기준선(`textbook_rnnlm`)의 Time 계층 — 시각마다 `LSTM`·`Embedding` 객체, 시각마다의
입력 쪽 곱 — 을 그대로 쓰고, 책과 같이

- Peeky Decoder는 `h`를 `np.repeat`으로 복제해 이어 붙이고 역전파에서 앞쪽 $H$열을 나눠 더합니다.
- `TimeAttention`은 Decoder의 시각마다 `Attention` 객체(그 안에 `AttentionWeight`, `WeightSum`)를 새로
  만들고, `WeightSum`은 `a`를 `(N, T, H)`로 복제해 곱하며, 역전파에서 시각마다의 `dhs_enc`를 더합니다.
- 학습 한 반복은 책의 `Trainer`처럼 `remove_duplicate` → `clip_grads` → Adam 갱신입니다.
"""

from __future__ import annotations

import numpy as np

from refnn.benchmarks import textbook_rnnlm as ch6
from refnn.benchmarks.textbook_rnnlm import TimeAffine, TimeEmbedding, TimeSoftmaxWithLoss, clip_grads
from refnn.benchmarks.textbook_word2vec import Adam, remove_duplicate

__all__ = ["PeekySeq2seq", "AttentionSeq2seq", "Adam", "clip_grads", "remove_duplicate"]


class TimeLSTM(ch6.TimeLSTM):
    """Chapter 6's baseline, keeping dh (the initial state's gradient) as the book's TimeLSTM does."""

    def backward(self, dhs):
        N, T, H = dhs.shape
        D = self.params[0].shape[0]
        dxs = np.empty((N, T, D), dtype="f")
        dh, dc = 0, 0
        grads = [0, 0, 0]
        for t in reversed(range(T)):
            layer = self.layers[t]
            dx, dh, dc = layer.backward(dhs[:, t, :] + dh, dc)
            dxs[:, t, :] = dx
            for k, grad in enumerate(layer.grads):
                grads[k] += grad
        for k, grad in enumerate(grads):
            self.grads[k][...] = grad
        self.dh = dh
        return dxs


def _softmax(x):
    x = x - x.max(axis=1, keepdims=True)
    x = np.exp(x)
    return x / x.sum(axis=1, keepdims=True)


def _weights(rs, V, D, H, lstm_in, affine_in):
    embed_W = (rs.randn(V, D) / 100).astype("f")
    Wx = (rs.randn(lstm_in, 4 * H) / np.sqrt(lstm_in)).astype("f")
    Wh = (rs.randn(H, 4 * H) / np.sqrt(H)).astype("f")
    b = np.zeros(4 * H).astype("f")
    affine = ((rs.randn(affine_in, V) / np.sqrt(affine_in)).astype("f"), np.zeros(V).astype("f"))
    return embed_W, Wx, Wh, b, affine


class Encoder:
    def __init__(self, V, D, H, rs):
        embed_W, Wx, Wh, b, _ = _weights(rs, V, D, H, D, H)
        self.embed = TimeEmbedding(embed_W)
        self.lstm = TimeLSTM(Wx, Wh, b, stateful=False)
        self.params = self.embed.params + self.lstm.params
        self.grads = self.embed.grads + self.lstm.grads
        self.hs = None

    def forward(self, xs):
        self.hs = self.lstm.forward(self.embed.forward(xs))
        return self.hs[:, -1, :]

    def backward(self, dh):
        dhs = np.zeros_like(self.hs)
        dhs[:, -1, :] = dh
        self.embed.backward(self.lstm.backward(dhs))


class PeekyDecoder:
    def __init__(self, V, D, H, rs):
        embed_W, Wx, Wh, b, affine = _weights(rs, V, D, H, H + D, H + H)
        self.embed = TimeEmbedding(embed_W)
        self.lstm = TimeLSTM(Wx, Wh, b, stateful=True)
        self.affine = TimeAffine(*affine)
        self.params, self.grads = [], []
        for layer in (self.embed, self.lstm, self.affine):
            self.params += layer.params
            self.grads += layer.grads
        self.cache = None

    def forward(self, xs, h):
        N, T = xs.shape
        H = h.shape[1]
        self.lstm.h, self.lstm.c = h, None
        out = self.embed.forward(xs)
        hs = np.repeat(h, T, axis=0).reshape(N, T, H)
        out = self.lstm.forward(np.concatenate((hs, out), axis=2))
        self.cache = H
        return self.affine.forward(np.concatenate((hs, out), axis=2))

    def backward(self, dscore):
        H = self.cache
        dout = self.affine.backward(dscore)
        dout, dhs0 = dout[:, :, H:], dout[:, :, :H]
        dout = self.lstm.backward(dout)
        dembed, dhs1 = dout[:, :, H:], dout[:, :, :H]
        self.embed.backward(dembed)
        dhs = dhs0 + dhs1
        return self.lstm.dh + np.sum(dhs, axis=1)


class WeightSum:
    def __init__(self):
        self.params, self.grads = [], []
        self.cache = None

    def forward(self, hs, a):
        N, T, H = hs.shape
        ar = a.reshape(N, T, 1).repeat(H, axis=2)
        self.cache = (hs, ar)
        return np.sum(hs * ar, axis=1)

    def backward(self, dc):
        hs, ar = self.cache
        N, T, H = hs.shape
        dt = dc.reshape(N, 1, H).repeat(T, axis=1)
        dar = dt * hs
        return dt * ar, np.sum(dar, axis=2)


class AttentionWeight:
    def __init__(self):
        self.params, self.grads = [], []
        self.cache = None

    def forward(self, hs, h):
        N, T, H = hs.shape
        hr = h.reshape(N, 1, H).repeat(T, axis=1)
        a = _softmax(np.sum(hs * hr, axis=2))
        self.cache = (hs, hr, a)
        return a

    def backward(self, da):
        hs, hr, a = self.cache
        N, T, H = hs.shape
        ds = a * da
        ds -= a * np.sum(ds, axis=1, keepdims=True)
        dt = ds.reshape(N, T, 1).repeat(H, axis=2)
        return dt * hr, np.sum(dt * hs, axis=1)


class Attention:
    def __init__(self):
        self.params, self.grads = [], []
        self.weight_layer, self.sum_layer = AttentionWeight(), WeightSum()

    def forward(self, hs, h):
        a = self.weight_layer.forward(hs, h)
        self.attention_weight = a
        return self.sum_layer.forward(hs, a)

    def backward(self, dout):
        dhs0, da = self.sum_layer.backward(dout)
        dhs1, dh = self.weight_layer.backward(da)
        return dhs0 + dhs1, dh


class TimeAttention:
    def __init__(self):
        self.params, self.grads = [], []
        self.layers = None

    def forward(self, hs_enc, hs_dec):
        N, T, H = hs_dec.shape
        out = np.empty_like(hs_dec)
        self.layers, self.attention_weights = [], []
        for t in range(T):
            layer = Attention()
            out[:, t, :] = layer.forward(hs_enc, hs_dec[:, t, :])
            self.layers.append(layer)
            self.attention_weights.append(layer.attention_weight)
        return out

    def backward(self, dout):
        N, T, H = dout.shape
        dhs_enc = 0
        dhs_dec = np.empty_like(dout)
        for t in range(T):
            dhs, dh = self.layers[t].backward(dout[:, t, :])
            dhs_enc += dhs
            dhs_dec[:, t, :] = dh
        return dhs_enc, dhs_dec


class AttentionEncoder(Encoder):
    def forward(self, xs):
        self.hs = self.lstm.forward(self.embed.forward(xs))
        return self.hs

    def backward(self, dhs):
        self.embed.backward(self.lstm.backward(dhs))


class AttentionDecoder:
    def __init__(self, V, D, H, rs):
        embed_W, Wx, Wh, b, affine = _weights(rs, V, D, H, D, 2 * H)
        self.embed = TimeEmbedding(embed_W)
        self.lstm = TimeLSTM(Wx, Wh, b, stateful=True)
        self.attention = TimeAttention()
        self.affine = TimeAffine(*affine)
        self.params, self.grads = [], []
        for layer in (self.embed, self.lstm, self.attention, self.affine):
            self.params += layer.params
            self.grads += layer.grads

    def forward(self, xs, enc_hs):
        self.lstm.h, self.lstm.c = enc_hs[:, -1], None
        dec_hs = self.lstm.forward(self.embed.forward(xs))
        c = self.attention.forward(enc_hs, dec_hs)
        return self.affine.forward(np.concatenate((c, dec_hs), axis=2))

    def backward(self, dscore):
        dout = self.affine.backward(dscore)
        N, T, H2 = dout.shape
        H = H2 // 2
        dc, ddec_hs0 = dout[:, :, :H], dout[:, :, H:]
        denc_hs, ddec_hs1 = self.attention.backward(dc)
        self.embed.backward(self.lstm.backward(ddec_hs0 + ddec_hs1))
        denc_hs[:, -1] += self.lstm.dh
        return denc_hs


class _Seq2seq:
    encoder_class: type = Encoder
    decoder_class: type = PeekyDecoder

    def __init__(self, vocab_size, wordvec_size, hidden_size, seed=0):
        rs = np.random.RandomState(seed)
        self.encoder = self.encoder_class(vocab_size, wordvec_size, hidden_size, rs)
        self.decoder = self.decoder_class(vocab_size, wordvec_size, hidden_size, rs)
        self.softmax = TimeSoftmaxWithLoss()
        self.params = self.encoder.params + self.decoder.params
        self.grads = self.encoder.grads + self.decoder.grads

    def forward(self, xs, ts):
        h = self.encoder.forward(xs)
        return self.softmax.forward(self.decoder.forward(ts[:, :-1], h), ts[:, 1:])

    def backward(self, dout=1):
        self.encoder.backward(self.decoder.backward(self.softmax.backward(dout)))


class PeekySeq2seq(_Seq2seq):
    pass


class AttentionSeq2seq(_Seq2seq):
    encoder_class = AttentionEncoder
    decoder_class = AttentionDecoder
