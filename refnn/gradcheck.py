r"""수치 미분과 기울기 검사기 `check_layer` (공개 API).

역전파가 돌려준 기울기(해석적 기울기)를 중앙 차분으로 구한 수치 기울기와
원소별로 비교합니다. 책의 프로토콜(`params`, `grads`, `forward`, `backward`)을
따르는 계층이면 refnn의 것이든 독자가 직접 만든 것이든 검사할 수 있습니다.

Examples
--------
>>> from refnn.layers import Affine
>>> rng = np.random.default_rng(0)
>>> layer = Affine(rng.standard_normal((3, 2)), rng.standard_normal(2))
>>> errors = check_layer(layer, rng.standard_normal((4, 3)))
>>> sorted(errors)
['dx', 'grads[0]', 'grads[1]']
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = [
    "EPS", "ATOL", "RTOL", "GradientMismatch", "GradsRebound",
    "numerical_gradient", "check_layer", "assert_allclose_at",
]

#: 중앙 차분의 간격 $h$.
EPS = 1e-6
#: 절대 허용 오차. float64의 중앙 차분 오차(반올림 약 $10^{-16}|f|/h$)보다 충분히 큽니다.
ATOL = 1e-6
#: 상대 허용 오차.
RTOL = 1e-5


def numerical_gradient(f: Callable[[np.ndarray], Any], x: np.ndarray, eps: float = EPS) -> np.ndarray:
    r"""스칼라 함수 `f`의 `x`에 대한 기울기를 중앙 차분으로 구합니다.

    $$\frac{\partial f}{\partial x_i} \approx \frac{f(x + h e_i) - f(x - h e_i)}{2h}$$

    Parameters
    ----------
    f : callable
        `f(x)`가 스칼라를 돌려주는 함수. `x`를 인자로 받지만, 매개변수처럼
        `x`를 이미 알고 있는 함수라면 인자를 무시해도 됩니다.
    x : numpy.ndarray
        float64 배열. 한 원소씩 제자리에서 $\pm h$만큼 바꾼 뒤 **비트 그대로**
        되돌려 놓습니다(매개변수를 제자리에서 흔들어 보기 위함).
    eps : float, default 1e-6
        차분 간격 $h$.

    Returns
    -------
    numpy.ndarray
        `x`와 같은 형상의 float64 기울기.

    Raises
    ------
    TypeError
        `x`가 float64 배열이 아닐 때(float32의 차분은 너무 부정확합니다).

    Examples
    --------
    >>> numerical_gradient(lambda v: float((v ** 2).sum()), np.array([1.0, -2.0])).round(6)
    array([ 2., -4.])
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError(
            "numerical_gradient: x must be a float64 numpy array "
            f"(finite differences need float64), got {getattr(x, 'dtype', type(x).__name__)}"
        )
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        orig = x[idx]
        try:
            x[idx] = orig + eps
            f_plus = float(f(x))
            x[idx] = orig - eps
            f_minus = float(f(x))
        finally:
            x[idx] = orig
        grad[idx] = (f_plus - f_minus) / (2 * eps)
    return grad


def assert_allclose_at(
    where: str,
    tensor: str,
    analytic: np.ndarray,
    numerical: np.ndarray,
    atol: float = ATOL,
    rtol: float = RTOL,
) -> float:
    r"""원소별로 $|a - n| \le \text{atol} + \text{rtol}\,|n|$ 인지 확인합니다.

    어긋나면 계층 이름(`where`), 텐서 이름(`tensor`), 가장 나쁜 다중 인덱스,
    해석적·수치 값과 허용 오차를 담은 `AssertionError`를 냅니다.

    Returns
    -------
    float
        최대 절대 오차 $\max |a - n|$.
    """
    a = np.asarray(analytic, dtype=np.float64)
    n = np.asarray(numerical, dtype=np.float64)
    if a.shape != n.shape:
        raise AssertionError(f"{where}: {tensor} has shape {a.shape}, expected {n.shape}")
    err = np.abs(a - n)
    tol = atol + rtol * np.abs(n)
    bad = ~(err <= tol)  # NaN counts as bad
    if bad.any():
        ratio = np.where(np.isnan(err), np.inf, err / tol)
        idx = np.unravel_index(int(np.argmax(np.where(bad, ratio, -1.0))), a.shape)
        raise GradientMismatch(
            where, tensor, tuple(map(int, idx)), float(a[idx]), float(n[idx]),
            float(tol[idx]), int(bad.sum()), a.size, atol, rtol,
        )
    return float(err.max()) if err.size else 0.0


def _language(lang: str) -> str:
    if lang not in ("en", "ko"):
        raise ValueError(f"message: lang must be 'en' or 'ko', got {lang!r}")
    return lang


class GradientMismatch(AssertionError):
    r"""해석적 기울기와 수치 기울기가 어긋남. 메시지와 함께 구조화된 속성을 가집니다.

    `str(exc)`는 영어 메시지이고, `exc.message("ko")`는 같은 내용의 한국어 메시지입니다.

    Attributes
    ----------
    where, tensor : str
        계층 이름과 텐서 이름(`dx`, `grads[0]`, …).
    index : tuple of int
        허용 오차를 가장 크게 넘은 다중 인덱스.
    analytic, numerical, tolerance : float
        그 위치의 해석적 값, 수치 값, 허용 오차 $\text{atol} + \text{rtol}\,|n|$.
    count, size : int
        어긋난 원소 수와 전체 원소 수.
    atol, rtol : float
        비교에 쓴 절대·상대 허용 오차.

    Examples
    --------
    >>> exc = GradientMismatch("Affine", "dx", (0, 1), 2.0, 1.0, 1e-5, 1, 6, 1e-6, 1e-5)
    >>> print(exc.message("ko"))  # doctest: +NORMALIZE_WHITESPACE
    Affine: dx가 수치 미분과 다릅니다: 인덱스 (0, 1)에서 해석적 값 2.0, 수치 값 1.0,
    |차이| 1 > atol 1e-06 + rtol 1e-05·|수치 값| = 1e-05 (6개 원소 중 1개가 다름)
    >>> str(exc) == exc.message("en")
    True
    """

    def __init__(
        self, where: str, tensor: str, index: tuple[int, ...], analytic: float, numerical: float,
        tolerance: float, count: int, size: int, atol: float, rtol: float,
    ) -> None:
        self.where, self.tensor, self.index = where, tensor, index
        self.analytic, self.numerical, self.tolerance = analytic, numerical, tolerance
        self.count, self.size = count, size
        self.atol, self.rtol = atol, rtol
        super().__init__(self.message("en"))

    def message(self, lang: str = "en") -> str:
        """오류 메시지를 `lang`(`"en"` 영어 또는 `"ko"` 한국어)으로 돌려줍니다.

        `"en"`은 `str(exc)`와 같습니다. 다른 값이면 `ValueError`입니다.
        """
        diff = abs(self.analytic - self.numerical)
        if _language(lang) == "ko":
            return (
                f"{self.where}: {self.tensor}가 수치 미분과 다릅니다: 인덱스 {self.index}에서 "
                f"해석적 값 {self.analytic!r}, 수치 값 {self.numerical!r}, |차이| {diff:.3g} > "
                f"atol {self.atol:g} + rtol {self.rtol:g}·|수치 값| = {self.tolerance:.3g} "
                f"({self.size}개 원소 중 {self.count}개가 다름)"
            )
        return (
            f"{self.where}: {self.tensor} differs from the numerical gradient at index {self.index}: "
            f"analytic {self.analytic!r}, numerical {self.numerical!r}, |diff| {diff:.3g} > "
            f"atol {self.atol:g} + rtol {self.rtol:g}·|numerical| = {self.tolerance:.3g} "
            f"({self.count} of {self.size} elements differ)"
        )


class GradsRebound(AssertionError):
    """`backward`가 `grads[index]`를 제자리에 쓰지 않고 새 배열로 바꿔 끼움.

    `str(exc)`는 영어 메시지이고, `exc.message("ko")`는 같은 내용의 한국어 메시지입니다.

    Attributes
    ----------
    where : str
        계층 이름.
    index : int
        바꿔 끼운 기울기의 번호 `i` (`grads[i]`).

    Examples
    --------
    >>> print(GradsRebound("MyAffine", 1).message("ko"))  # doctest: +NORMALIZE_WHITESPACE
    MyAffine: backward가 grads[1]을(를) 제자리에 쓰지 않고 새 배열로 바꿔 끼웠습니다
    (self.grads[1][...] = ... 처럼 쓰세요. 모델의 grads 리스트는 옛 배열을 계속 가리킵니다)
    """

    def __init__(self, where: str, index: int) -> None:
        self.where, self.index = where, index
        super().__init__(self.message("en"))

    def message(self, lang: str = "en") -> str:
        """오류 메시지를 `lang`(`"en"` 영어 또는 `"ko"` 한국어)으로 돌려줍니다.

        `"en"`은 `str(exc)`와 같습니다. 다른 값이면 `ValueError`입니다.
        """
        i = self.index
        if _language(lang) == "ko":
            return (
                f"{self.where}: backward가 grads[{i}]을(를) 제자리에 쓰지 않고 새 배열로 바꿔 끼웠습니다 "
                f"(self.grads[{i}][...] = ... 처럼 쓰세요. 모델의 grads 리스트는 옛 배열을 계속 가리킵니다)"
            )
        return (
            f"{self.where}: backward rebound grads[{i}] instead of writing it in place "
            f"(use self.grads[{i}][...] = ...; a model's grads list would keep the old array)"
        )


def _as_outputs(out: Any) -> list[np.ndarray]:
    if isinstance(out, (tuple, list)):
        return [np.array(o, dtype=np.float64, copy=True) for o in out]
    return [np.array(out, dtype=np.float64, copy=True)]


def _phi(out: Any, douts: Sequence[Any]) -> float:
    """The scalar <dout, forward(...)> whose gradient backward computes."""
    outs = _as_outputs(out)
    return float(sum(np.sum(o * d) for o, d in zip(outs, douts)))


def check_layer(
    layer: Any,
    *inputs: Any,
    dout: Any = None,
    rng: np.random.Generator | int | None = 0,
    eps: float = EPS,
    atol: float = ATOL,
    rtol: float = RTOL,
) -> dict[str, float]:
    r"""계층의 역전파를 수치 미분과 비교합니다.

    스칼라 $\phi = \sum \text{dout} \odot \text{forward}(\dots)$ (손실 계층이면
    $\text{dout} \cdot L$)를 만들고, `backward(dout)`가 돌려준 모든 배열(실수형
    입력마다 하나)과 `layer.grads`의 모든 원소를 $\phi$의 중앙 차분과 비교합니다.

    Parameters
    ----------
    layer : object
        `params`, `grads`, `forward(*inputs)`, `backward(dout)`를 가진 계층.
    *inputs : numpy.ndarray
        순전파 입력. 실수형 입력은 미분 대상이고(float64여야 함), 정수형 입력(레이블
        등)은 그대로 전달됩니다. 원본은 바뀌지 않습니다(매번 복사본을 넘깁니다).
    dout : array_like or tuple, optional
        상류 기울기. 없으면 `rng`에서 표준정규로 뽑습니다(모두 1인 `dout`은
        Softmax의 역전파를 0으로 만들어 버그를 숨기므로 쓰지 않습니다). 손실 계층이면
        $[0.5, 2)$의 스칼라, 출력이 여러 개면 출력마다 하나.
    rng : numpy.random.Generator or int or None, default 0
        `dout`을 뽑을 난수 생성기(또는 시드).
    eps, atol, rtol : float
        차분 간격과 허용 오차 $|a - n| \le \text{atol} + \text{rtol}|n|$.

    Returns
    -------
    dict of str to float
        텐서 이름(`"dx"`, `"dx[1]"`, `"grads[0]"`, …)별 최대 절대 오차.

    Raises
    ------
    AssertionError
        기울기가 어긋날 때(계층, 텐서, 가장 나쁜 인덱스, 해석적·수치 값을 알려 줍니다),
        또는 `backward`가 `grads`의 배열을 제자리에 쓰지 않고 새 배열로 바꿔 끼웠을 때.
    TypeError
        실수형 입력이나 매개변수가 float64가 아닐 때.

    Notes
    -----
    순전파는 언제나 입력의 새 복사본으로 실행하고(계층이 입력을 참조로 저장하므로),
    해석적 기울기는 수치 미분을 시작하기 전에 복사해 둡니다(다음 `backward`가
    `grads`를 덮어쓰기 때문). 매개변수는 제자리에서 흔든 뒤 비트 그대로 되돌립니다.
    """
    name = type(layer).__name__
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    base = [np.array(a, copy=True) for a in inputs]
    diff_idx = [i for i, a in enumerate(base) if a.dtype.kind == "f"]
    for i in diff_idx:
        if base[i].dtype != np.float64:
            raise TypeError(f"check_layer({name}): input {i} must be float64, got {base[i].dtype}")
    params = list(getattr(layer, "params", []))
    grads = list(getattr(layer, "grads", []))
    for j, p in enumerate(params):
        if not isinstance(p, np.ndarray) or p.dtype != np.float64:
            raise TypeError(
                f"check_layer({name}): params[{j}] must be a float64 numpy array, "
                f"got {getattr(p, 'dtype', type(p).__name__)}"
            )
    if len(grads) != len(params):
        raise AssertionError(
            f"{name}: grads has {len(grads)} arrays but params has {len(params)}"
        )

    grads_before = [id(g) for g in grads]
    out = layer.forward(*[a.copy() for a in base])
    outs = _as_outputs(out)
    is_loss = not isinstance(out, (tuple, list)) and outs[0].ndim == 0
    if dout is None:
        if is_loss:
            douts: list[Any] = [float(gen.uniform(0.5, 2.0))]
        else:
            douts = [gen.standard_normal(o.shape) for o in outs]
    else:
        douts = list(dout) if isinstance(out, (tuple, list)) else [dout]
    back = layer.backward(*[np.array(d, copy=True) for d in douts])
    for j, g in enumerate(getattr(layer, "grads", [])):
        if j < len(grads_before) and id(g) != grads_before[j]:
            raise GradsRebound(name, j)
    returned = list(back) if isinstance(back, (tuple, list)) else [back]
    if len(returned) != len(diff_idx):
        raise AssertionError(
            f"{name}: backward returned {len(returned)} array(s) for "
            f"{len(diff_idx)} differentiable input(s)"
        )
    analytic = {
        ("dx" if len(diff_idx) == 1 else f"dx[{k}]"): np.array(r, dtype=np.float64, copy=True)
        for k, r in enumerate(returned)
    }
    for j, g in enumerate(grads):
        analytic[f"grads[{j}]"] = np.array(g, dtype=np.float64, copy=True)

    def phi_fresh() -> float:
        return _phi(layer.forward(*[a.copy() for a in base]), douts)

    errors: dict[str, float] = {}
    for k, i in enumerate(diff_idx):
        tensor = "dx" if len(diff_idx) == 1 else f"dx[{k}]"
        xi = base[i]

        def phi_input(v: np.ndarray, i: int = i) -> float:
            args = [a.copy() for a in base]
            args[i] = v.copy()
            return _phi(layer.forward(*args), douts)

        numerical = numerical_gradient(phi_input, xi.copy(), eps)
        errors[tensor] = assert_allclose_at(name, tensor, analytic[tensor], numerical, atol, rtol)
    for j, p in enumerate(params):
        tensor = f"grads[{j}]"
        numerical = numerical_gradient(lambda _v: phi_fresh(), p, eps)
        errors[tensor] = assert_allclose_at(name, tensor, analytic[tensor], numerical, atol, rtol)
    return errors
