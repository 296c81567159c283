"""Test cases and references for chapters 5–6: the recurrent cells, the Time layers, the RNN language models.

The same :class:`~refnn.testing.cases.Case` as chapter 1.  Sizes run from 1 to 5 (T included) with a
"distinct dims" variant, so that a transposed weight or a swapped axis changes a shape.  Weights are drawn
from [-0.5, 0.5] and inputs and states from [-1, 1], so that tanh and the sigmoids stay away from saturation
(where every gradient looks alike) without any loosened tolerance.  The references compute each result from
its definition, one time step at a time, in float64 and independently of refnn's code.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from refnn.testing import strategies as S
from refnn.testing.cases import Case
from refnn.testing.word2vec_cases import _bce_ref

__all__ = ["RNN_CASES", "RNN_REFERENCES", "MODEL_CASES", "MAX_T", "WEIGHT_BOUND", "INPUT_BOUND",
           "rnn_steps", "lstm_steps", "gru_steps", "steps", "second_order_chain", "sample_chain",
           "time_softmax_loss", "IGNORE"]

Strategy = Callable[[Any], st.SearchStrategy[Case]]

#: Longest sequence drawn.
MAX_T = 5
#: Largest size drawn for N, D, H, V.
MAX_SIZE = 5
#: Largest N, D, H of the recurrent Time layers (their finite differences run T steps per element).
TIME_SIZE = 4
#: Weights lie in [-WEIGHT_BOUND, WEIGHT_BOUND], inputs and states in [-INPUT_BOUND, INPUT_BOUND].
WEIGHT_BOUND = 0.5
INPUT_BOUND = 1.0
#: The ignore label of the loss cases.
IGNORE = -1


def _w(draw: Any, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
    return draw(S.uniform_arrays(shape, dtype, WEIGHT_BOUND))  # type: ignore[no-any-return]


def _x(draw: Any, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
    return draw(S.uniform_arrays(shape, dtype, INPUT_BOUND))  # type: ignore[no-any-return]


def _dout(draw: Any, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
    return draw(S.uniform_douts(shape, dtype))  # type: ignore[no-any-return]


def _ids(shape: tuple[int, ...], vocab: int) -> st.SearchStrategy[np.ndarray]:
    return hnp.arrays(np.int64, shape, elements=st.integers(0, vocab - 1), fill=st.nothing())


def _cell(gates: int) -> Strategy:
    """RNN (gates = 1), GRU (3) or LSTM (4): args (Wx, Wh, b), inputs (x, h_prev[, c_prev])."""

    @st.composite
    def cases(draw: Any, dtype: Any) -> Case:
        n, d, h = draw(S.dims(3, hi=MAX_SIZE))
        args = (_w(draw, (d, gates * h), dtype), _w(draw, (h, gates * h), dtype), _w(draw, (gates * h,), dtype))
        inputs = (_x(draw, (n, d), dtype),) + tuple(_x(draw, (n, h), dtype) for _ in range(2 if gates == 4 else 1))
        if gates != 4:
            return Case(args, inputs, _dout(draw, (n, h), dtype), _dout(draw, (n, h), dtype))
        douts = [(_dout(draw, (n, h), dtype), _dout(draw, (n, h), dtype)) for _ in range(2)]
        return Case(args, inputs, douts[0], douts[1])

    return cases


def _time(gates: int) -> Strategy:
    """TimeRNN / TimeGRU / TimeLSTM: args (Wx, Wh, b), inputs (xs,), meta h0 (and c0) for the stateful properties."""

    @st.composite
    def cases(draw: Any, dtype: Any) -> Case:
        n, d, h = draw(S.dims(3, hi=TIME_SIZE))
        t = draw(st.integers(1, MAX_T))
        args = (_w(draw, (d, gates * h), dtype), _w(draw, (h, gates * h), dtype), _w(draw, (gates * h,), dtype))
        meta = {"h0": _x(draw, (n, h), dtype), "c0": _x(draw, (n, h), dtype), "split": draw(st.integers(1, t))}
        return Case(args, (_x(draw, (n, t, d), dtype),), _dout(draw, (n, t, h), dtype),
                    _dout(draw, (n, t, h), dtype), meta)

    return cases


@st.composite
def _time_embedding(draw: Any, dtype: Any) -> Case:
    v, d, n, t = draw(S.dims(4, hi=MAX_SIZE))
    return Case((draw(S.arrays((v, d), dtype)),), (draw(_ids((n, t), v)),),
                _dout(draw, (n, t, d), dtype), _dout(draw, (n, t, d), dtype))


@st.composite
def _time_affine(draw: Any, dtype: Any) -> Case:
    n, t, d, h = draw(S.dims(4, hi=MAX_SIZE))
    return Case((draw(S.arrays((d, h), dtype)), draw(S.arrays((h,), dtype))), (draw(S.arrays((n, t, d), dtype)),),
                _dout(draw, (n, t, h), dtype), _dout(draw, (n, t, h), dtype))


@st.composite
def _time_softmax(draw: Any, dtype: Any) -> Case:
    """Scores (N, T, V) and labels (N, T) with some entries ignored, never all of them."""
    n, t, v = draw(S.dims(3, hi=MAX_SIZE))
    xs = draw(S.arrays((n, t, v), dtype))
    labels = draw(_ids((n, t), v))
    ignored = draw(hnp.arrays(np.bool_, (n, t), elements=st.booleans(), fill=st.nothing()))
    ignored.flat[draw(st.integers(0, n * t - 1))] = False  # at least one entry counts
    ts = np.where(ignored, IGNORE, labels)
    return Case((), (xs, ts), draw(st.floats(0.5, 2.0)), draw(st.floats(0.5, 2.0)), {"labels": ts})


@st.composite
def _time_bilstm(draw: Any, dtype: Any) -> Case:
    n, d, h = draw(S.dims(3, hi=TIME_SIZE))
    t = draw(st.integers(1, MAX_T - 1))  # two LSTMs: one step shorter keeps the gradient check quick
    args = tuple(_w(draw, shape, dtype) for _ in range(2) for shape in ((d, 4 * h), (h, 4 * h), (4 * h,)))
    return Case(args, (_x(draw, (n, t, d), dtype),), _dout(draw, (n, t, 2 * h), dtype),
                _dout(draw, (n, t, 2 * h), dtype))


@st.composite
def _time_dropout(draw: Any, dtype: Any) -> Case:
    """args (dropout_ratio, seed): a fresh layer from the same seed draws the same mask."""
    n, t, d = draw(S.dims(3, hi=MAX_SIZE))
    ratio = draw(st.sampled_from([0.0, 0.1, 0.5, 0.8]))
    xs = draw(S.arrays_away_from_zero((n, t, d), dtype))
    return Case((ratio, draw(st.integers(0, 2**32 - 1))), (xs,), _dout(draw, (n, t, d), dtype),
                _dout(draw, (n, t, d), dtype))


@st.composite
def _time_sigmoid(draw: Any, dtype: Any) -> Case:
    n, t = draw(S.dims(2, hi=MAX_SIZE))
    ts = draw(_ids((n, t), 2))
    return Case((), (draw(S.arrays((n, t), dtype)), ts), draw(st.floats(0.5, 2.0)), draw(st.floats(0.5, 2.0)),
                {"labels": ts})


RNN_CASES: dict[str, Strategy] = {
    "RNN": _cell(1),
    "TimeRNN": _time(1),
    "GRU": _cell(3),
    "TimeGRU": _time(3),
    "TimeBiLSTM": _time_bilstm,
    "TimeDropout": _time_dropout,
    "TimeSigmoidWithLoss": _time_sigmoid,
    "LSTM": _cell(4),
    "TimeLSTM": _time(4),
    "TimeEmbedding": _time_embedding,
    "TimeAffine": _time_affine,
    "TimeSoftmaxWithLoss": _time_softmax,
}


# --- references: one step at a time, float64 ------------------------------------------------------

def _f64(a: Any) -> np.ndarray:
    return np.asarray(a, dtype=np.float64)


def _sig(a: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-a))  # type: ignore[no-any-return]  # bounded inputs


def rnn_steps(Wx: Any, Wh: Any, b: Any, xs: Any, h0: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """h_t = tanh(h_{t-1} Wh + x_t Wx + b) step by step: (hs (N, T, H), h_T)."""
    Wx, Wh, b, xs = _f64(Wx), _f64(Wh), _f64(b), _f64(xs)
    h = np.zeros((xs.shape[0], Wh.shape[0])) if h0 is None else _f64(h0)
    hs = []
    for t in range(xs.shape[1]):
        h = np.tanh(h @ Wh + xs[:, t] @ Wx + b)
        hs.append(h)
    return np.stack(hs, axis=1), h


def lstm_steps(Wx: Any, Wh: Any, b: Any, xs: Any, h0: Any = None,
               c0: Any = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The LSTM recurrence with the gates f, g, i, o packed in that order: (hs, h_T, c_T)."""
    Wx, Wh, b, xs = _f64(Wx), _f64(Wh), _f64(b), _f64(xs)
    N, H = xs.shape[0], Wh.shape[0]
    h = np.zeros((N, H)) if h0 is None else _f64(h0)
    c = np.zeros((N, H)) if c0 is None else _f64(c0)
    hs = []
    for t in range(xs.shape[1]):
        a = xs[:, t] @ Wx + h @ Wh + b
        f, g, i, o = _sig(a[:, :H]), np.tanh(a[:, H:2 * H]), _sig(a[:, 2 * H:3 * H]), _sig(a[:, 3 * H:])
        c = f * c + g * i
        h = o * np.tanh(c)
        hs.append(h)
    return np.stack(hs, axis=1), h, c


def gru_steps(Wx: Any, Wh: Any, b: Any, xs: Any, h0: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """The GRU recurrence with the blocks z, r, h̃ packed in that order: (hs, h_T)."""
    Wx, Wh, b, xs = _f64(Wx), _f64(Wh), _f64(b), _f64(xs)
    H = Wh.shape[0]
    h = np.zeros((xs.shape[0], H)) if h0 is None else _f64(h0)
    hs = []
    for t in range(xs.shape[1]):
        x = xs[:, t]
        z = _sig(x @ Wx[:, :H] + h @ Wh[:, :H] + b[:H])
        r = _sig(x @ Wx[:, H:2 * H] + h @ Wh[:, H:2 * H] + b[H:2 * H])
        h_hat = np.tanh(x @ Wx[:, 2 * H:] + (r * h) @ Wh[:, 2 * H:] + b[2 * H:])
        h = (1 - z) * h + z * h_hat
        hs.append(h)
    return np.stack(hs, axis=1), h


def bidirectional(args: tuple[Any, ...], xs: Any) -> np.ndarray:
    """[LSTM_1 over x_1..x_T, reverse(LSTM_2 over x_T..x_1)] concatenated on the last axis."""
    Wx1, Wh1, b1, Wx2, Wh2, b2 = args
    xs = _f64(xs)
    return np.concatenate([lstm_steps(Wx1, Wh1, b1, xs)[0], lstm_steps(Wx2, Wh2, b2, xs[:, ::-1])[0][:, ::-1]],
                          axis=2)


def time_softmax_loss(xs: Any, ts: Any, ignore: int = IGNORE) -> float:
    """Mean over the counted entries of -log softmax(x_{n,t})[t_{n,t}], one entry at a time (math.fsum)."""
    xs = _f64(xs)
    terms = []
    for n in range(xs.shape[0]):
        for t in range(xs.shape[1]):
            label = int(ts[n, t])
            if label == ignore:
                continue
            row = xs[n, t]
            m = float(row.max())
            terms.append(m + math.log(math.fsum(math.exp(v - m) for v in row)) - float(row[label]))
    return math.fsum(terms) / len(terms)


def steps(c: Case, xs: Any, *state: Any) -> tuple[np.ndarray, ...]:
    Wx, Wh, b = c.args
    """The reference recurrence of a case's layer (RNN, GRU or LSTM, told apart by Wh's width)."""
    run = {1: rnn_steps, 3: gru_steps, 4: lstm_steps}[Wh.shape[1] // Wh.shape[0]]
    return run(Wx, Wh, b, xs, *state)  # type: ignore[no-any-return,operator]


RNN_REFERENCES: dict[str, Callable[[Case], Any]] = {
    "RNN": lambda c: steps(c, c.inputs[0][:, None], c.inputs[1])[1],
    "TimeRNN": lambda c: steps(c, c.inputs[0])[0],
    "LSTM": lambda c: steps(c, c.inputs[0][:, None], c.inputs[1], c.inputs[2])[1:],
    "TimeLSTM": lambda c: steps(c, c.inputs[0])[0],
    "TimeEmbedding": lambda c: _f64(c.args[0])[c.inputs[0]],
    "TimeAffine": lambda c: np.einsum("ntd,dh->nth", _f64(c.inputs[0]), _f64(c.args[0])) + _f64(c.args[1]),
    "TimeSoftmaxWithLoss": lambda c: time_softmax_loss(*c.inputs),
    "GRU": lambda c: steps(c, c.inputs[0][:, None], c.inputs[1])[1],
    "TimeGRU": lambda c: steps(c, c.inputs[0])[0],
    "TimeBiLSTM": lambda c: bidirectional(c.args, c.inputs[0]),
    "TimeSigmoidWithLoss": _bce_ref,
}


# --- models: args (V, D, H), inputs (xs, ts) of word ids ----------------------------------------------

@st.composite
def _model(draw: Any, dtype: Any = np.float64) -> Case:
    v, d, h, n, t = draw(S.dims(5, lo=1, hi=4))
    v += 1  # at least two words
    return Case((v, d, h), (draw(_ids((n, t), v)), draw(_ids((n, t), v))), draw(st.floats(0.5, 2.0)),
                draw(st.floats(0.5, 2.0)), {"seed": draw(st.integers(0, 2**32 - 1))})


@st.composite
def _tied_model(draw: Any, dtype: Any = np.float64) -> Case:
    """BetterRnnlm ties the Affine to the embedding: D = H; args (V, D, H, dropout_ratio)."""
    v, h, n, t = draw(S.dims(4, lo=1, hi=4))
    v += 1
    ratio = draw(st.sampled_from([0.0, 0.5]))
    return Case((v, h, h, ratio), (draw(_ids((n, t), v)), draw(_ids((n, t), v))), draw(st.floats(0.5, 2.0)),
                draw(st.floats(0.5, 2.0)), {"seed": draw(st.integers(0, 2**32 - 1))})


MODEL_CASES: dict[str, Strategy] = {"SimpleRnnlm": _model, "Rnnlm": _model, "BetterRnnlm": _tied_model}


# --- a corpus with a known optimum: a second-order Markov chain ----------------------------------------

def second_order_chain(vocab_size: int, seed: int, alpha: float = 0.3) -> tuple[np.ndarray, float, float]:
    """A random second-order Markov chain P[a, b, c] = P(w_t = c | w_{t-2} = a, w_{t-1} = b) (rows drawn
    from Dirichlet(alpha)), its exact entropy rate H (nats; exp(H) is the best perplexity any model can
    reach) and the entropy rate H1 of its best first-order approximation (a model that remembers one word).

    H = −Σ_{a,b} π(a, b) Σ_c P[a, b, c] log P[a, b, c], with π the stationary distribution of the pair chain
    (a, b) → (b, c), computed from its transition matrix.
    """
    V = vocab_size
    P = np.random.default_rng(seed).dirichlet(np.full(V, alpha), size=(V, V))
    M = np.zeros((V * V, V * V))
    for a in range(V):
        for b in range(V):
            M[a * V + b, b * V + np.arange(V)] = P[a, b]
    w, vecs = np.linalg.eig(M.T)
    pi = np.real(vecs[:, np.argmin(np.abs(w - 1))])
    pair = (pi / pi.sum()).reshape(V, V)
    H = -float(np.sum(pair[..., None] * P * np.log(P)))
    bigram = np.einsum("ab,abc->bc", pair, P)  # π(b, c), then P(c | b)
    p1 = bigram / bigram.sum(axis=1, keepdims=True)
    H1 = -float(np.sum(bigram * np.log(p1)))
    return P, H, H1


def sample_chain(P: np.ndarray, size: int, seed: int) -> np.ndarray:
    """``size`` words of the chain ``P`` (as from `second_order_chain`), starting from (0, 0)."""
    rng = np.random.default_rng(seed)
    cdf = P.cumsum(axis=2)
    u = rng.random(size)
    x = np.zeros(size, dtype=np.int64)
    last = P.shape[0] - 1
    for i in range(2, size):
        x[i] = min(int(np.searchsorted(cdf[x[i - 2], x[i - 1]], u[i])), last)
    return x
