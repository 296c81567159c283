"""Optimizers: each update against the closed form of its docstring, from an arbitrary state.

The conformance kit (tests/test_spec.py) already checks several steps from a fresh state;
here the state (velocity, squared sums, moments, step count) is drawn by Hypothesis as well,
so every term of each formula is exercised. Broken optimizers are kept as fixtures and must
be rejected by the same checkers.
"""

from __future__ import annotations

import math
import tracemalloc
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refnn.optim import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop
from tests.strategies import arrays, dims

EPS = 1e-7
#: one step of the implementation vs the closed form: a few roundings apart in float64
ATOL, RTOL = 1e-12, 1e-9

OPTIMIZERS = {"SGD": SGD, "Momentum": Momentum, "Nesterov": Nesterov,
              "AdaGrad": AdaGrad, "RMSprop": RMSprop, "Adam": Adam}
STATE = {"SGD": (), "Momentum": ("v",), "Nesterov": ("v",), "AdaGrad": ("h",),
         "RMSprop": ("h",), "Adam": ("m", "v")}
#: states that are sums of squares are never negative
NONNEG = {("AdaGrad", "h"), ("RMSprop", "h"), ("Adam", "v")}
HYPER = {
    "SGD": {"lr": st.floats(1e-3, 2.0)},
    "Momentum": {"lr": st.floats(1e-3, 2.0), "momentum": st.floats(0.0, 0.99)},
    "Nesterov": {"lr": st.floats(1e-3, 2.0), "momentum": st.floats(0.0, 0.99)},
    "AdaGrad": {"lr": st.floats(1e-3, 2.0)},
    "RMSprop": {"lr": st.floats(1e-3, 2.0), "decay_rate": st.floats(0.0, 0.999)},
    "Adam": {"lr": st.floats(1e-3, 2.0), "beta1": st.floats(0.0, 0.99), "beta2": st.floats(0.0, 0.9999)},
}


def closed_form(name: str, hp: dict[str, float], p: np.ndarray, g: np.ndarray,
                state: dict[str, np.ndarray], t: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """One update as the docstring writes it; ``t`` is the step number (Adam), from 1."""
    lr = hp["lr"]
    if name == "SGD":
        return p - lr * g, {}
    if name == "Momentum":
        v = hp["momentum"] * state["v"] - lr * g
        return p + v, {"v": v}
    if name == "Nesterov":
        mu, v_old = hp["momentum"], state["v"]
        return p + mu**2 * v_old - (1 + mu) * lr * g, {"v": mu * v_old - lr * g}
    if name == "AdaGrad":
        h = state["h"] + g * g
        return p - lr * g / (np.sqrt(h) + EPS), {"h": h}
    if name == "RMSprop":
        r = hp["decay_rate"]
        h = r * state["h"] + (1 - r) * g * g
        return p - lr * g / (np.sqrt(h) + EPS), {"h": h}
    if name == "Adam":
        b1, b2 = hp["beta1"], hp["beta2"]
        m = b1 * state["m"] + (1 - b1) * g
        v = b2 * state["v"] + (1 - b2) * g * g
        lr_t = lr * math.sqrt(1 - b2**t) / (1 - b1**t)
        return p - lr_t * m / (np.sqrt(v) + EPS), {"m": m, "v": v}
    raise KeyError(name)


def _close(what: str, got: np.ndarray, want: np.ndarray) -> None:
    err = np.abs(got - want)
    bad = err > ATOL + RTOL * np.abs(want)
    if bad.any():
        i = np.unravel_index(np.argmax(np.where(bad, err, -1)), got.shape)
        raise AssertionError(f"{what}: worst index {i}: got {got[i]!r}, closed form {want[i]!r} "
                             f"(atol {ATOL}, rtol {RTOL})")


def check_one_step(cls: type, name: str, hp: dict[str, float], params: list[np.ndarray],
                   grads: list[np.ndarray], state: dict[str, list[np.ndarray]], t: int) -> None:
    """Put ``opt`` in the given state (step ``t - 1`` done), update once, compare with the closed form."""
    opt = cls(**hp)
    ps = [p.copy() for p in params]
    opt.update(ps, [np.zeros_like(p) for p in ps])  # creates the state lazily
    for s in STATE[name]:
        for arr, val in zip(getattr(opt, s), state[s], strict=True):
            arr[...] = val
    for p, orig in zip(ps, params, strict=True):
        p[...] = orig
    if hasattr(opt, "iter"):
        opt.iter = t - 1
    gs = [g.copy() for g in grads]
    opt.update(ps, gs)
    for i, (g, g0) in enumerate(zip(gs, grads, strict=True)):
        if not np.array_equal(g, g0):
            raise AssertionError(f"{name}.update mutated grads[{i}]")
    for i, (p0, g, p) in enumerate(zip(params, grads, ps, strict=True)):
        want_p, want_s = closed_form(name, hp, p0, g, {s: state[s][i] for s in STATE[name]}, t)
        _close(f"{name} params[{i}]", p, want_p)
        for s in STATE[name]:
            _close(f"{name} {s}[{i}]", getattr(opt, s)[i], want_s[s])


@st.composite
def step_cases(draw: Any, name: str) -> tuple[dict[str, float], list, list, dict, int]:
    hp = {k: draw(s) for k, s in HYPER[name].items()}
    shapes = draw(st.lists(st.one_of(dims(1), dims(2)), min_size=1, max_size=3))
    params = [draw(arrays(s)) for s in shapes]
    grads = [draw(arrays(s)) for s in shapes]
    state = {}
    for s in STATE[name]:
        vals = [draw(arrays(sh)) for sh in shapes]
        state[s] = [np.abs(v) if (name, s) in NONNEG else v for v in vals]
    t = draw(st.integers(1, 50))
    return hp, params, grads, state, t


@pytest.mark.parametrize("name", OPTIMIZERS)
@given(data=st.data())
def test_one_step_matches_the_docstring_closed_form(name: str, data: st.DataObject) -> None:
    hp, params, grads, state, t = data.draw(step_cases(name))
    check_one_step(OPTIMIZERS[name], name, hp, params, grads, state, t)


# --- deliberately broken optimizers: the checkers above must reject each ------------------------

class BookNesterov(Nesterov):
    """The book's Nesterov: the mu^2 term uses the velocity *after* this step's update."""

    def update(self, params: list, grads: list) -> None:
        self._prepare(params, grads)
        for p, g, v in zip(params, grads, self.v, strict=True):
            v *= self.momentum
            v -= self.lr * g
            p += self.momentum * self.momentum * v
            p -= (1 + self.momentum) * self.lr * g


class AdamWithoutBiasCorrection(Adam):
    def update(self, params: list, grads: list) -> None:
        self._prepare(params, grads)
        self.iter += 1
        for p, g, m, v in zip(params, grads, self.m, self.v, strict=True):
            m[...] = self.beta1 * m + (1 - self.beta1) * g
            v[...] = self.beta2 * v + (1 - self.beta2) * g * g
            p -= self.lr * m / (np.sqrt(v) + self.eps)


class RMSpropForgetsDecay(RMSprop):
    """Accumulates like AdaGrad (the (1 - rho) factor and the decay of h are missing)."""

    def update(self, params: list, grads: list) -> None:
        self._prepare(params, grads)
        for p, g, h in zip(params, grads, self.h, strict=True):
            h += g * g
            p -= self.lr * g / (np.sqrt(h) + self.eps)


class MomentumRebinds(Momentum):
    """Rebinds the list entries instead of updating the arrays: the model never sees it."""

    def update(self, params: list, grads: list) -> None:
        self._prepare(params, grads)
        for i, (g, v) in enumerate(zip(grads, self.v, strict=True)):
            v[...] = self.momentum * v - self.lr * g
            params[i] = params[i] + v


class SGDMutatesGrads(SGD):
    """Right parameters, but it scales the caller's gradients in place."""

    def update(self, params: list, grads: list) -> None:
        for p, g in zip(params, grads, strict=True):
            g *= self.lr
            p -= g


def _fixed_example(name: str) -> tuple[dict[str, float], list, list, dict, int]:
    rng = np.random.default_rng(7)
    shapes = [(3, 2), (2,)]
    hp = {"SGD": {"lr": 0.1}, "Momentum": {"lr": 0.1, "momentum": 0.9},
          "Nesterov": {"lr": 0.1, "momentum": 0.9}, "RMSprop": {"lr": 0.1, "decay_rate": 0.9},
          "Adam": {"lr": 0.1, "beta1": 0.9, "beta2": 0.999}}[name]
    params = [rng.standard_normal(s) for s in shapes]
    grads = [rng.standard_normal(s) for s in shapes]
    state = {s: [np.abs(rng.standard_normal(sh)) + 0.1 for sh in shapes] for s in STATE[name]}
    return hp, params, grads, state, 3


@pytest.mark.parametrize("name, broken", [
    ("Nesterov", BookNesterov), ("Adam", AdamWithoutBiasCorrection), ("RMSprop", RMSpropForgetsDecay),
    ("SGD", SGDMutatesGrads),
])
def test_closed_form_check_rejects_broken_optimizers(name: str, broken: type) -> None:
    hp, params, grads, state, t = _fixed_example(name)
    check_one_step(OPTIMIZERS[name], name, hp, params, grads, state, t)  # the right one passes
    with pytest.raises(AssertionError, match=name):
        check_one_step(broken, name, hp, params, grads, state, t)


def test_book_nesterov_differs_measurably_after_a_few_steps() -> None:
    """The book's variant is a different update: after 3 steps the parameters differ by far
    more than rounding (here more than 10% of the distance travelled)."""
    rng = np.random.default_rng(0)
    p0 = rng.standard_normal((4, 3))
    ours, book = p0.copy(), p0.copy()
    opt_ours, opt_book = Nesterov(lr=0.1, momentum=0.9), BookNesterov(lr=0.1, momentum=0.9)
    for _ in range(3):
        g = rng.standard_normal((4, 3))
        opt_ours.update([ours], [g])
        opt_book.update([book], [g])
    travelled = np.linalg.norm(ours - p0)
    assert np.linalg.norm(book - ours) > 0.1 * travelled
    # and the first step alone already differs: -(1 + mu + mu^2) lr g instead of -(1 + mu) lr g
    p, q, g = np.ones(2), np.ones(2), np.array([1.0, -2.0])
    Nesterov(lr=0.1, momentum=0.5).update([p], [g])
    BookNesterov(lr=0.1, momentum=0.5).update([q], [g])
    np.testing.assert_allclose(p, 1 - 1.5 * 0.1 * g, rtol=0, atol=1e-15)
    np.testing.assert_allclose(q, 1 - 1.75 * 0.1 * g, rtol=0, atol=1e-15)


# --- identity, zero gradient, state ------------------------------------------------------------

@st.composite
def param_lists(draw: Any, dtype: Any = np.float64) -> tuple[list[np.ndarray], list[np.ndarray]]:
    shapes = draw(st.lists(st.one_of(dims(1), dims(2), dims(3, hi=3)), min_size=1, max_size=4))
    return [draw(arrays(s, dtype)) for s in shapes], [draw(arrays(s, dtype)) for s in shapes]


def check_updates_in_place(cls: type, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
    """The caller's arrays (a model's params) receive the update; the list keeps its objects."""
    ps = [p.copy() for p in params]
    seen_by_model = list(ps)
    expected = [p.copy() for p in params]
    cls(lr=0.5).update(expected, [g.copy() for g in grads])  # a second, independent optimizer
    opt = cls(lr=0.5)
    opt.update(ps, grads)
    for i, (p, m, e) in enumerate(zip(ps, seen_by_model, expected, strict=True)):
        assert p is m, f"{cls.__name__} rebound params[{i}]"
        np.testing.assert_array_equal(m, e, err_msg=f"{cls.__name__}: the model does not see params[{i}]")


@pytest.mark.parametrize("name", OPTIMIZERS)
@settings(max_examples=50)
@given(pg=param_lists())
def test_update_keeps_identity_of_params(name: str, pg: tuple[list, list]) -> None:
    params, grads = pg
    check_updates_in_place(OPTIMIZERS[name], params, grads)


def test_identity_check_rejects_rebinding() -> None:
    params, grads = [np.ones((2, 2))], [np.full((2, 2), 0.5)]
    with pytest.raises(AssertionError, match="rebound"):
        check_updates_in_place(MomentumRebinds, params, grads)


@pytest.mark.parametrize("name", ["SGD", "Adam"])
@given(pg=param_lists(), steps=st.integers(1, 4), lr=st.floats(1e-3, 2.0))
def test_zero_gradient_leaves_params_unchanged(
    name: str, pg: tuple[list, list], steps: int, lr: float
) -> None:
    params, _ = pg
    ps = [p.copy() for p in params]
    opt = OPTIMIZERS[name](lr=lr)
    for _ in range(steps):
        opt.update(ps, [np.zeros_like(p) for p in ps])
    for p, p0 in zip(ps, params, strict=True):
        np.testing.assert_array_equal(p, p0)


@pytest.mark.parametrize("name", OPTIMIZERS)
@settings(max_examples=50)  # a structural property: 50 lists per optimizer suffice
@given(data=st.data())
def test_state_follows_params_and_is_reused(name: str, data: st.DataObject) -> None:
    dtype = data.draw(st.sampled_from([np.float64, np.float32]))
    params, grads = data.draw(param_lists(dtype))
    opt = OPTIMIZERS[name](lr=0.01)
    for s in STATE[name]:
        assert getattr(opt, s) is None  # created lazily
    opt.update(params, grads)
    first = {s: list(getattr(opt, s)) for s in STATE[name]}
    for s in STATE[name]:
        state = getattr(opt, s)
        assert len(state) == len(params)
        for i, (a, p) in enumerate(zip(state, params, strict=True)):
            assert a.shape == p.shape and a.dtype == p.dtype, (s, i, a.shape, p.shape, a.dtype, p.dtype)
    opt.update(params, grads)
    for s in STATE[name]:
        assert all(a is b for a, b in zip(getattr(opt, s), first[s], strict=True)), f"{s} reallocated"
    for p in params:
        assert p.dtype == dtype


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_float32_update_stays_float32_and_close_to_float64(name: str) -> None:
    rng = np.random.default_rng(3)
    p64, g64 = rng.standard_normal((5, 4)), rng.standard_normal((5, 4))
    p32, g32 = p64.astype(np.float32), g64.astype(np.float32)
    o64, o32 = OPTIMIZERS[name](lr=0.1), OPTIMIZERS[name](lr=0.1)
    for _ in range(3):
        o64.update([p64], [g64])
        o32.update([p32], [g32])
    assert p32.dtype == np.float32
    np.testing.assert_allclose(p32, p64, rtol=1e-5, atol=1e-5)  # float32 rounding over 3 steps


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_update_allocates_no_temporaries(name: str) -> None:
    """After the first update (which creates the state), an update allocates no array of the
    parameters' size: state and work buffers are reused in place."""
    p = np.zeros(100_000)
    g = np.full(100_000, 0.5)
    opt = OPTIMIZERS[name](lr=0.01)
    opt.update([p], [g])
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        for _ in range(5):
            opt.update([p], [g])
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert peak < p.nbytes // 10, f"{name}.update allocated {peak} bytes (one array is {p.nbytes})"


def test_allocation_check_sees_a_temporary() -> None:
    class Textbook(SGD):  # p -= lr * g builds a temporary the size of p
        def update(self, params: list, grads: list) -> None:
            for q, h in zip(params, grads, strict=True):
                q -= self.lr * h

    p, g = np.zeros(100_000), np.full(100_000, 0.5)
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        Textbook(lr=0.01).update([p], [g])
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert peak >= p.nbytes


# --- a convex quadratic: every optimizer decreases the loss --------------------------------------

#: learning rates small enough for a quadratic with curvature in [0.5, 2]
QUAD_LR = {"SGD": 0.1, "Momentum": 0.05, "Nesterov": 0.05, "AdaGrad": 0.1, "RMSprop": 0.01, "Adam": 0.01}


@st.composite
def quadratics(draw: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """L(p) = 1/2 sum a (p - c)^2 with a in [0.5, 2], started at distance |p - c| in [0.5, 3]
    from the minimum in every coordinate (adaptive methods take steps of about lr whatever
    the gradient, so a start right at the minimum may be overshot: that is not a descent failure)."""
    shape = draw(st.one_of(dims(1), dims(2)))
    a = draw(arrays(shape).map(lambda z: 0.5 + np.abs(z) / 2))
    c = draw(arrays(shape))
    dist = draw(arrays(shape).map(lambda z: 0.5 + np.abs(z) * (2.5 / 3)))
    sign = draw(arrays(shape).map(lambda z: np.where(z >= 0, 1.0, -1.0)))
    return a, c, c + sign * dist


@pytest.mark.parametrize("name", OPTIMIZERS)
@settings(max_examples=100)
@given(q=quadratics(), steps=st.integers(1, 20))
def test_convex_quadratic_loss_decreases(name: str, q: tuple, steps: int) -> None:
    a, c, p = q

    def loss(x: np.ndarray) -> float:
        return float(0.5 * np.sum(a * (x - c) ** 2))

    start = loss(p)
    opt = OPTIMIZERS[name](lr=QUAD_LR[name])
    g = np.empty_like(p)
    for _ in range(steps):
        np.multiply(a, p - c, out=g)
        opt.update([p], [g])
    assert loss(p) < start, (name, steps, start, loss(p))


def test_descent_check_rejects_gradient_ascent() -> None:
    class Ascent(SGD):
        def update(self, params: list, grads: list) -> None:
            for q, h in zip(params, grads, strict=True):
                q += self.lr * h

    a, c, p = np.ones(3), np.zeros(3), np.ones(3)
    start = float(0.5 * np.sum(a * (p - c) ** 2))
    Ascent(lr=0.1).update([p], [a * (p - c)])
    assert not float(0.5 * np.sum(a * (p - c) ** 2)) < start


# --- bad input ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", OPTIMIZERS)
def test_bad_params_and_grads_raise_value_error(name: str) -> None:
    opt = OPTIMIZERS[name](lr=0.1)
    p = [np.zeros((2, 3)), np.zeros(3)]
    with pytest.raises(ValueError, match="different lengths"):
        opt.update(p, [np.zeros((2, 3))])
    with pytest.raises(ValueError, match=r"params\[1\] shape \(3,\) does not match grads\[1\] shape \(1, 3"):
        opt.update(p, [np.zeros((2, 3)), np.zeros((1, 3))])
    with pytest.raises(ValueError, match=r"params\[0\] shape \(2, 3\) does not match grads\[0\] shape \(3"):
        opt.update(p, [np.zeros((3, 2)), np.zeros(3)])
    np.testing.assert_array_equal(p[0], 0)  # nothing was updated by the refused calls
    with pytest.raises(TypeError, match=r"params\[0\] must be a numpy.ndarray"):
        opt.update([[0.0, 1.0]], [np.zeros(2)])


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_state_built_for_other_params_is_refused(name: str) -> None:
    opt = OPTIMIZERS[name](lr=0.1)
    opt.update([np.zeros((2, 3))], [np.ones((2, 3))])
    with pytest.raises(ValueError, match="state was created for"):
        opt.update([np.zeros((3, 2))], [np.ones((3, 2))])
    with pytest.raises(ValueError, match="state was created for 1"):
        opt.update([np.zeros((2, 3)), np.zeros(2)], [np.ones((2, 3)), np.ones(2)])


@pytest.mark.parametrize("name, kwargs", [
    ("SGD", {"lr": 0.0}), ("SGD", {"lr": -1.0}), ("SGD", {"lr": float("nan")}), ("SGD", {"lr": "0.1"}),
    ("Momentum", {"momentum": 1.0}), ("Nesterov", {"momentum": -0.1}), ("AdaGrad", {"eps": 0.0}),
    ("RMSprop", {"decay_rate": 1.5}), ("Adam", {"beta1": 1.0}), ("Adam", {"beta2": -0.5}),
    ("Adam", {"lr": float("inf")}), ("Momentum", {"lr": True}),
])
def test_bad_hyperparameters_raise_value_error(name: str, kwargs: dict) -> None:
    with pytest.raises(ValueError, match=name):
        OPTIMIZERS[name](**kwargs)

