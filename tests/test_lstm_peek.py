"""TimeLSTM's peek input (the Peeky decoder's h at every step) equals feeding the concatenation [peek, x_t]."""

import numpy as np
import pytest

from refnn.layers.gated import TimeLSTM


def _weights(rng, P, D, H, dtype):
    return [rng.standard_normal(s).astype(dtype) for s in [(P + D, 4 * H), (H, 4 * H), (4 * H,)]]


def _mismatches(layer_class, N=3, T=4, P=2, D=3, H=5, dtype=np.float64, seed=0):
    """Names of the results where layer_class(...).forward(xs, peek) differs from TimeLSTM on [peek, x_t]."""
    rng = np.random.default_rng(seed)
    weights = _weights(rng, P, D, H, dtype)
    xs, peek = rng.standard_normal((N, T, D)).astype(dtype), rng.standard_normal((N, P)).astype(dtype)
    h0, dhs = rng.standard_normal((N, H)).astype(dtype), rng.standard_normal((N, T, H)).astype(dtype)
    peeky = layer_class(*[w.copy() for w in weights], stateful=True)
    joined = TimeLSTM(*[w.copy() for w in weights], stateful=True)
    peeky.set_state(h0)
    joined.set_state(h0)
    hs = peeky.forward(xs, peek=peek)
    hs_joined = joined.forward(np.concatenate([np.repeat(peek[:, None], T, axis=1), xs], axis=2))
    dxs, dxs_joined = peeky.backward(dhs), joined.backward(dhs)
    pairs = {"hs": (hs, hs_joined), "h": (peeky.h, joined.h), "c": (peeky.c, joined.c),
             "dxs": (dxs, dxs_joined[:, :, P:]), "dpeek": (peeky.dpeek, dxs_joined[:, :, :P].sum(axis=1)),
             "dh": (peeky.dh, joined.dh), "dc": (peeky.dc, joined.dc)}
    pairs.update({f"grads[{k}]": (a, b) for k, (a, b) in enumerate(zip(peeky.grads, joined.grads))})
    tol = 1e-12 if dtype == np.float64 else 1e-4
    return [name for name, (a, b) in pairs.items()
            if a is None or a.dtype != np.dtype(dtype) or not np.allclose(a, b, rtol=tol, atol=tol)]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("sizes", [dict(), dict(N=1, T=1, P=1, D=1, H=1), dict(N=4, T=6, P=5, D=2, H=3)])
def test_peek_equals_the_concatenated_input(dtype, sizes):
    assert _mismatches(TimeLSTM, dtype=dtype, **sizes) == []


class _PeekMeanOverSteps(TimeLSTM):
    """dpeek and dWx[:P] as the mean over the steps instead of the sum."""

    def backward(self, dhs):
        dxs = super().backward(dhs)
        T, P = dhs.shape[1], self.dpeek.shape[1]
        self.dpeek = self.dpeek / T
        self.grads[0][:P] /= T
        return dxs


class _PeekIgnored(TimeLSTM):
    """forward drops the peek's product (peek treated as zeros)."""

    def forward(self, xs, peek=None):
        return super().forward(xs, peek=np.zeros_like(peek))


@pytest.mark.parametrize("broken", [_PeekMeanOverSteps, _PeekIgnored])
def test_the_comparison_catches_a_broken_peek(broken):
    assert _mismatches(broken) != []


def test_peek_of_the_wrong_shape_names_the_layer():
    rng = np.random.default_rng(0)
    layer = TimeLSTM(*_weights(rng, 2, 3, 4, np.float64))
    with pytest.raises(ValueError, match=r"TimeLSTM.forward: peek must have shape \(N, P\) = \(5, 2\)"):
        layer.forward(np.zeros((5, 2, 3)), peek=np.zeros((4, 2)))
