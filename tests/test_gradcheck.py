"""The gradient checker pinned: its return value, the tolerance at its boundary, what a mismatch reports,
the forwarding of eps/atol/rtol, NaN, and the protocol errors it raises itself."""

import numpy as np
import pytest

from refnn.gradcheck import (
    ATOL,
    EPS,
    RTOL,
    GradientMismatch,
    GradsRebound,
    assert_allclose_at,
    check_layer,
    numerical_gradient,
)
from refnn.layers import Affine, SoftmaxWithLoss
from refnn.nodes import Branch


class Cube:
    """y = x**3 (elementwise) with dx = 3 x**2 + offset + scale * 3 x**2: a planted, known error."""

    def __init__(self, offset=0.0, scale=0.0):
        self.params, self.grads = [], []
        self.offset, self.scale = offset, scale

    def forward(self, x):
        self.x = x
        return x**3

    def backward(self, dout):
        g = 3 * self.x**2
        return dout * (g + self.offset + self.scale * g)


class Scaled:
    """y = x * w with one parameter w (shape (1,)); grads[0] off by ``offset``."""

    def __init__(self, w, offset=0.0):
        self.params, self.grads = [w], [np.zeros_like(w)]
        self.offset = offset

    def forward(self, x):
        self.x = x
        return x * self.params[0]

    def backward(self, dout):
        self.grads[0][...] = (dout * self.x).sum() + self.offset
        return dout * self.params[0]


def test_defaults_are_documented_values():
    assert (EPS, ATOL, RTOL) == (1e-6, 1e-6, 1e-5)


def test_return_value_is_the_max_abs_error_per_tensor():
    x = np.array([[0.5, -1.0, 2.0]])
    errors = check_layer(Cube(offset=3e-7), x, dout=np.ones((1, 3)))
    assert list(errors) == ["dx"]
    assert errors["dx"] == pytest.approx(3e-7, rel=1e-2)  # the planted error, not 0 and not the tolerance
    layer = Scaled(np.array([1.5]), offset=4e-7)
    errors = check_layer(layer, x, dout=np.array([[1.0, 2.0, -1.0]]))
    assert sorted(errors) == ["dx", "grads[0]"]
    assert errors["grads[0]"] == pytest.approx(4e-7, rel=1e-2) and errors["dx"] < 1e-8


def test_affine_reports_every_tensor():
    rng = np.random.default_rng(0)
    layer = Affine(rng.standard_normal((3, 2)), rng.standard_normal(2))
    errors = check_layer(layer, rng.standard_normal((4, 3)))
    assert sorted(errors) == ["dx", "grads[0]", "grads[1]"]
    assert all(0 <= e < 1e-7 for e in errors.values())


def test_tolerance_is_atol_plus_rtol_times_numerical_inclusive():
    # exactly representable: tol = 0.5 + 0.25 * 2 = 1.0 and |a - n| = 1.0 passes (<=), a hair more fails
    assert assert_allclose_at("L", "dx", np.array([3.0]), np.array([2.0]), atol=0.5, rtol=0.25) == 1.0
    with pytest.raises(GradientMismatch):
        assert_allclose_at("L", "dx", np.array([3.0 + 1e-12]), np.array([2.0]), atol=0.5, rtol=0.25)
    # rtol scales |n|: at n = 100, 1e-6 + 1e-5 * 100 = 1.001e-3 (not 1e-6 + 1e-5 / 100)
    assert assert_allclose_at("L", "dx", np.array([100.0009]), np.array([100.0])) == pytest.approx(9e-4)
    with pytest.raises(GradientMismatch):
        assert_allclose_at("L", "dx", np.array([100.0011]), np.array([100.0]))
    # the scale is |n|, the numerical value, not the analytic one (and it is |n| for negative n)
    assert_allclose_at("L", "dx", np.array([-100.0009]), np.array([-100.0]))
    with pytest.raises(GradientMismatch):
        assert_allclose_at("L", "dx", np.array([1e-3 + 2e-6]), np.array([0.0]), atol=1e-6, rtol=1.0)


def test_mismatch_reports_the_worst_ratio_with_its_values():
    n = np.array([[100.0, 0.0, 1.0], [0.0, 5.0, 2.0]])
    a = n.copy()
    a[0, 0] += 0.01  # |diff| 0.01 against tol 1.001e-3: ratio about 10
    a[1, 0] += 1e-3  # |diff| 1e-3 against tol 1e-6: ratio 1000, the worst though not the largest diff
    with pytest.raises(GradientMismatch) as info:
        assert_allclose_at("MyLayer", "grads[1]", a, n)
    exc = info.value
    assert (exc.where, exc.tensor, exc.index) == ("MyLayer", "grads[1]", (1, 0))
    assert all(type(i) is int for i in exc.index)
    assert exc.analytic == a[1, 0] and exc.numerical == 0.0 and exc.tolerance == ATOL
    assert (exc.count, exc.size, exc.atol, exc.rtol) == (2, 6, ATOL, RTOL)
    text = str(exc)
    assert text.startswith("MyLayer: grads[1] differs") and "(1, 0)" in text and "2 of 6 elements" in text
    ko = exc.message("ko")
    assert ko.startswith("MyLayer: grads[1]가") and "6개 원소 중 2개" in ko and "(1, 0)" in ko
    assert str(exc) == exc.message() == exc.message("en")
    with pytest.raises(ValueError, match="lang must be 'en' or 'ko', got 'fr'"):
        exc.message("fr")


def test_nan_is_a_mismatch_and_is_the_worst():
    n = np.array([1.0, 2.0, 3.0])
    a = np.array([1.5, np.nan, 3.0])
    with pytest.raises(GradientMismatch) as info:
        assert_allclose_at("L", "dx", a, n)
    assert info.value.index == (1,) and info.value.count == 2
    with pytest.raises(GradientMismatch) as info:
        assert_allclose_at("L", "dx", n, np.array([1.0, 2.0, np.nan]))
    assert info.value.index == (2,) and info.value.count == 1


def test_shape_mismatch_and_empty_arrays():
    with pytest.raises(AssertionError, match=r"L: dx has shape \(2,\), expected \(3,\)"):
        assert_allclose_at("L", "dx", np.zeros(2), np.zeros(3))
    assert assert_allclose_at("L", "dx", np.zeros(0), np.zeros(0)) == 0.0


def test_eps_is_forwarded():
    x = np.array([[0.5, -1.0]])
    d = np.ones((1, 2))
    # central differences of x**3 are 3 x^2 + eps^2: invisible at the default eps, 1e-2 at eps = 0.1
    check_layer(Cube(), x, dout=d)
    with pytest.raises(GradientMismatch) as info:
        check_layer(Cube(), x, dout=d, eps=0.1)
    assert info.value.numerical - info.value.analytic == pytest.approx(0.01, rel=1e-6)
    g = numerical_gradient(lambda v: float((v**3).sum()), np.array([1.0]), eps=0.1)
    assert g[0] == pytest.approx(3.01, rel=1e-12)


def test_atol_and_rtol_are_forwarded():
    x = np.array([[0.5, -1.0]])
    d = np.ones((1, 2))
    with pytest.raises(GradientMismatch):
        check_layer(Cube(offset=1e-4), x, dout=d)
    assert check_layer(Cube(offset=1e-4), x, dout=d, atol=2e-4)["dx"] == pytest.approx(1e-4, rel=1e-3)
    with pytest.raises(GradientMismatch) as info:
        check_layer(Cube(offset=1e-4), x, dout=d, atol=2e-5, rtol=3e-7)
    assert (info.value.atol, info.value.rtol) == (2e-5, 3e-7)
    with pytest.raises(GradientMismatch):
        check_layer(Cube(scale=1e-3), x, dout=d)
    assert check_layer(Cube(scale=1e-3), x, dout=d, rtol=2e-3)["dx"] > 0
    layer = Scaled(np.array([2.0]), offset=1e-4)
    with pytest.raises(GradientMismatch, match=r"grads\[0\]"):
        check_layer(layer, x, dout=d, atol=1e-5)
    check_layer(Scaled(np.array([2.0]), offset=1e-4), x, dout=d, atol=1e-3)


def test_inputs_and_params_are_left_bit_for_bit():
    rng = np.random.default_rng(1)
    W, b, x = rng.standard_normal((3, 2)), rng.standard_normal(2), rng.standard_normal((4, 3))
    layer = Affine(W, b)
    before = [W.copy(), b.copy(), x.copy()]
    check_layer(layer, x)
    assert all(np.array_equal(p, q) for p, q in zip((W, b, x), before))
    assert layer.params[0] is W and layer.params[1] is b


def test_the_rng_draws_dout_reproducibly():
    rng = np.random.default_rng(2)
    layer = Affine(rng.standard_normal((3, 2)), rng.standard_normal(2))
    x = rng.standard_normal((4, 3))
    assert check_layer(layer, x, rng=5) == check_layer(layer, x, rng=np.random.default_rng(5))
    assert check_layer(layer, x, rng=5) != check_layer(layer, x, rng=6)


def test_a_loss_gets_a_scalar_dout_in_half_to_two():
    seen = []

    class Spy(SoftmaxWithLoss):
        def backward(self, dout=1.0):
            seen.append(dout)
            return super().backward(dout)

    for seed in range(20):
        check_layer(Spy(), np.random.default_rng(seed).standard_normal((3, 4)), np.array([0, 3, 1]), rng=seed)
    assert all(np.ndim(d) == 0 and 0.5 <= d < 2.0 for d in seen) and len({float(d) for d in seen}) == 20
    assert min(seen) < 1.0 and max(seen) > 1.5  # the whole interval is drawn from


def test_the_default_rng_is_seed_zero():
    rng = np.random.default_rng(3)
    layer = Affine(rng.standard_normal((3, 2)), rng.standard_normal(2))
    x = rng.standard_normal((4, 3))
    assert check_layer(layer, x) == check_layer(layer, x, rng=0)


class CubeParam:
    """y = x * w**3 with one parameter w (shape (1,)): nonlinear in the parameter."""

    def __init__(self, w, scale=1.0):
        self.params, self.grads = [w], [np.zeros_like(w)]
        self.scale = scale

    def forward(self, x):
        self.x = x
        return x * self.params[0] ** 3

    def backward(self, dout):
        w = self.params[0]
        self.grads[0][...] = self.scale * (dout * self.x).sum() * 3 * w**2
        return dout * w**3


def test_eps_atol_rtol_reach_the_parameters():
    x, d = np.array([[1.0, 2.0]]), np.array([[1.0, 1.0]])
    check_layer(CubeParam(np.array([1.0])), x, dout=d)
    with pytest.raises(GradientMismatch) as info:  # (w+h)^3 - (w-h)^3 over 2h = 3w^2 + h^2: 0.03 off at h = 0.1
        check_layer(CubeParam(np.array([1.0])), x, dout=d, eps=0.1)
    assert (info.value.where, info.value.tensor) == ("CubeParam", "grads[0]")
    assert info.value.numerical - info.value.analytic == pytest.approx(0.03, rel=1e-6)
    with pytest.raises(GradientMismatch):
        check_layer(CubeParam(np.array([1.0]), scale=1.001), x, dout=d)  # 9.009 against 9: 1e-3 relative
    check_layer(CubeParam(np.array([1.0]), scale=1.001), x, dout=d, rtol=2e-3)
    check_layer(CubeParam(np.array([1.0]), scale=1.001), x, dout=d, atol=1e-2)


class Bare:
    """No params or grads attributes at all: y = 2x."""

    def forward(self, x):
        return 2 * x

    def backward(self, dout):
        return 2 * dout


def test_a_layer_without_params_or_grads_attributes():
    assert list(check_layer(Bare(), np.ones((2, 2)))) == ["dx"]


class ZeroesDout(Scaled):
    """Correct, but clears dout in place after using it (the checker's own dout must not change)."""

    def backward(self, dout):
        dx = super().backward(dout)
        dout[...] = 0.0
        return dx


class ResetsInForward(Scaled):
    """Correct, but forward zeroes grads and the buffer backward returns dx in (the analytic values must be
    copied before the finite differences run forward again)."""

    def forward(self, x):
        self.grads[0][...] = 0.0
        if getattr(self, "buf", None) is None or self.buf.shape != x.shape:
            self.buf = np.zeros_like(x)
        self.buf[...] = 0.0  # in place: the dx returned last time is overwritten
        return super().forward(x)

    def backward(self, dout):
        self.buf[...] = super().backward(dout)
        return self.buf


@pytest.mark.parametrize("make", [ZeroesDout, ResetsInForward], ids=lambda c: c.__name__)
def test_the_checker_copies_what_the_layer_may_overwrite(make):
    check_layer(make(np.array([1.5])), np.array([[1.0, -2.0]]), dout=np.array([[0.5, 2.0]]))


def test_a_non_array_parameter_is_named():
    layer = Scaled(np.ones(1))
    layer.params = [[1.0]]
    with pytest.raises(TypeError, match=r"check_layer\(Scaled\): params\[0\] must be a float64 numpy array, got list"):
        check_layer(layer, np.ones((1, 1)))


class GrowsGrads(Scaled):
    """backward appends an extra array to grads: only the declared ones are compared."""

    def backward(self, dout):
        dx = super().backward(dout)
        self.grads.append(np.zeros(1))
        return dx


def test_arrays_appended_to_grads_are_not_compared():
    assert sorted(check_layer(GrowsGrads(np.array([2.0])), np.ones((1, 2)))) == ["dx", "grads[0]"]


def test_several_outputs_take_a_dout_each():
    x = np.array([[1.0, -2.0]])
    errors = check_layer(Branch(3), x, dout=(np.ones((1, 2)), 2 * np.ones((1, 2)), np.array([[0.5, -1.0]])))
    assert list(errors) == ["dx"]
    two = check_layer(Branch(2), x)
    assert list(two) == ["dx"] and two["dx"] < 1e-8


def test_protocol_errors():
    x = np.ones((2, 2))
    with pytest.raises(TypeError, match=r"check_layer\(Cube\): input 0 must be float64, got float32"):
        check_layer(Cube(), x.astype(np.float32))
    with pytest.raises(TypeError, match=r"check_layer\(Scaled\): params\[0\] must be a float64 numpy array, "
                                        r"got float32"):
        check_layer(Scaled(np.ones(1, dtype=np.float32)), x)
    broken = Scaled(np.ones(1))
    broken.grads = []
    with pytest.raises(AssertionError, match="Scaled: grads has 0 arrays but params has 1"):
        check_layer(broken, x)

    class TwoBack(Cube):
        def backward(self, dout):
            return super().backward(dout), dout

    with pytest.raises(AssertionError, match=r"TwoBack: backward returned 2 array\(s\) for 1 differentiable"):
        check_layer(TwoBack(), x)

    class Rebinds(Scaled):
        def backward(self, dout):
            dx = super().backward(dout)
            self.grads[0] = self.grads[0].copy()
            return dx

    with pytest.raises(GradsRebound) as info:
        check_layer(Rebinds(np.ones(1)), x)
    assert (info.value.where, info.value.index) == ("Rebinds", 0)
    assert str(info.value).startswith("Rebinds: backward rebound grads[0]")
    assert info.value.message("ko").startswith("Rebinds: backward가 grads[0]")


def test_numerical_gradient_refuses_what_it_cannot_difference():
    with pytest.raises(TypeError) as info:
        numerical_gradient(lambda v: 0.0, np.zeros(2, dtype=np.float32))
    assert str(info.value) == ("numerical_gradient: x must be a float64 numpy array "
                               "(finite differences need float64), got float32")
    with pytest.raises(TypeError, match="got list"):
        numerical_gradient(lambda v: 0.0, [0.0])
    x = np.array([1.0, 2.0])
    seen = []

    def f(v):
        seen.append(v.copy())
        raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        numerical_gradient(f, x)
    assert np.array_equal(x, [1.0, 2.0]) and seen[0][0] == 1.0 + EPS  # restored even when f raises


def test_messages_word_for_word():
    exc = GradientMismatch("Affine", "dx", (0, 1), 2.0, 1.5, 1e-5, 1, 6, 1e-6, 1e-5)
    assert str(exc) == ("Affine: dx differs from the numerical gradient at index (0, 1): analytic 2.0, "
                        "numerical 1.5, |diff| 0.5 > atol 1e-06 + rtol 1e-05·|numerical| = 1e-05 "
                        "(1 of 6 elements differ)")
    assert exc.message("ko") == ("Affine: dx가 수치 미분과 다릅니다: 인덱스 (0, 1)에서 해석적 값 2.0, 수치 값 1.5, "
                                 "|차이| 0.5 > atol 1e-06 + rtol 1e-05·|수치 값| = 1e-05 (6개 원소 중 1개가 다름)")
    rebound = GradsRebound("MyAffine", 1)
    assert str(rebound) == rebound.message() == rebound.message("en") == (
        "MyAffine: backward rebound grads[1] instead of writing it in place "
        "(use self.grads[1][...] = ...; a model's grads list would keep the old array)")
    with pytest.raises(ValueError, match="lang must be 'en' or 'ko', got 'EN'"):
        rebound.message("EN")
