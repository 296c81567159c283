r"""상태가 없는 수학 함수: sigmoid, relu, softmax, log_softmax, cross_entropy_error.

모든 함수는 입력 배열을 변경하지 않고, 실수(float) 입력의 dtype을 유지합니다
(정수 입력은 float64로 바꿉니다). NaN 입력은 NaN으로 전파됩니다.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from refnn._validation import as_float_array, labels_from

__all__ = ["sigmoid", "relu", "softmax", "log_softmax", "cross_entropy_error"]


@np.errstate(over="ignore")  # e^{-x} = inf gives the exact limit 1 / (1 + inf) = 0
def sigmoid(x: Any) -> np.ndarray:
    r"""시그모이드 함수를 원소별로 계산합니다.

    $$\sigma(x) = \frac{1}{1 + e^{-x}}$$

    Parameters
    ----------
    x : array_like
        임의 형상의 입력.

    Returns
    -------
    numpy.ndarray
        `x`와 같은 형상, 같은 실수 dtype의 배열. 값은 $[0, 1]$ 범위.

    Notes
    -----
    $x$가 매우 작으면 $e^{-x}$가 무한대로 넘치지만(overflow),
    $1/(1+\infty) = 0$은 정확한 극한값이므로 그 경고만 끕니다(함수 전체에 씌운
    `np.errstate(over="ignore")`).
    따라서 $\pm 1000$, $\pm 10^6$ 같은 입력에도 경고 없이 유한한 값을 냅니다.
    모든 $x$에서 상대 오차가 작은 공식입니다. NaN은 NaN으로 전파됩니다.

    Examples
    --------
    >>> sigmoid(np.array([0.0, 1000.0, -1000.0]))
    array([0.5, 1. , 0. ])
    """
    x = as_float_array(x, "sigmoid")
    return 1 / (1 + np.exp(-x))


def relu(x: Any) -> np.ndarray:
    r"""ReLU 함수 $\max(0, x)$를 원소별로 계산합니다.

    Parameters
    ----------
    x : array_like
        임의 형상의 입력.

    Returns
    -------
    numpy.ndarray
        `x`와 같은 형상과 dtype. NaN은 NaN으로 전파됩니다.

    Examples
    --------
    >>> relu(np.array([-1.0, 0.0, 2.0]))
    array([0., 0., 2.])
    """
    x = as_float_array(x, "relu")
    return np.maximum(x, 0)


def softmax(x: Any) -> np.ndarray:
    r"""마지막 축을 따라 소프트맥스를 계산합니다.

    $$y_k = \frac{e^{x_k - m}}{\sum_j e^{x_j - m}}, \quad m = \max_j x_j$$

    Parameters
    ----------
    x : array_like
        형상 `(..., C)`의 점수(score). 앞쪽 축은 몇 개든 됩니다.

    Returns
    -------
    numpy.ndarray
        `x`와 같은 형상과 dtype. 마지막 축의 합이 1입니다.

    Notes
    -----
    최댓값 $m$을 빼도 결과는 같으므로(이동 불변성) 지수가 넘치지 않습니다.
    책의 `softmax`는 1차원·2차원만 처리하고 3차원 입력은 그대로 돌려주지만,
    refnn은 앞쪽 축이 몇 개든 마지막 축을 정규화합니다(정오표 참고).
    한 행에 NaN이나 $+\infty$가 있으면 그 행은 NaN이 됩니다.

    Examples
    --------
    >>> softmax(np.array([1.0, 1.0])).tolist()
    [0.5, 0.5]
    """
    x = as_float_array(x, "softmax")
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def log_softmax(x: Any) -> np.ndarray:
    r"""마지막 축을 따라 소프트맥스의 로그를 안정적으로 계산합니다.

    $$\log y_k = (x_k - m) - \log \sum_j e^{x_j - m}$$

    Parameters
    ----------
    x : array_like
        형상 `(..., C)`의 점수.

    Returns
    -------
    numpy.ndarray
        `x`와 같은 형상과 dtype. $\log 0$을 거치지 않으므로 확률이 아주 작은
        클래스에도 유한한 값을 냅니다.

    Examples
    --------
    >>> float(log_softmax(np.array([0.0, 1000.0]))[0])
    -1000.0
    """
    x = as_float_array(x, "log_softmax")
    z = x - x.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def cross_entropy_error(y: Any, t: Any) -> float:
    r"""확률 `y`와 정답 `t`의 교차 엔트로피 오차를 미니배치 평균으로 계산합니다.

    $$L = -\frac{1}{N}\sum_{n} \log y_{n, t_n}$$

    Parameters
    ----------
    y : array_like
        형상 `(N, C)`(또는 한 샘플 `(C,)`)의 확률. 보통 `softmax`의 출력.
    t : array_like
        정답 레이블. 정수 클래스 번호 `(N,)`(한 샘플이면 스칼라) 또는
        원-핫 정수 배열 `(N, C)`.

    Returns
    -------
    float
        손실(배치 평균). 정답 클래스의 확률이 0이면 `inf`입니다.

    Raises
    ------
    ValueError
        레이블이 범위 밖이거나 음수, 실수형이거나, 원-핫의 형상이 `y`와 다를 때.

    Notes
    -----
    책의 코드는 `log(y + 1e-7)`로 $\log 0$을 피하지만, 그 때문에 손실이
    $-\log 10^{-7} \approx 16.1$에서 멈추고 기울기와도 어긋납니다. refnn은
    정확한 값을 계산합니다. 점수(로짓)에서 손실을 구할 때는 `log_softmax`를 거치는
    `SoftmaxWithLoss`가 수치적으로 더 정확합니다.

    Examples
    --------
    >>> round(cross_entropy_error(np.array([[0.5, 0.5]]), np.array([0])), 6)
    0.693147
    """
    y = as_float_array(y, "cross_entropy_error")
    t = np.asarray(t)
    if y.ndim == 1:  # one sample: a scalar label or a one-hot row
        if t.ndim == 0:
            t = t.reshape(1)
        elif t.shape == y.shape:
            t = t.reshape(1, -1)
        else:
            raise ValueError(
                f"cross_entropy_error: labels t shape {t.shape} does not fit one sample of shape {y.shape}"
            )
        y = y.reshape(1, -1)
    if y.ndim != 2:
        raise ValueError(f"cross_entropy_error: y must be (N, C) or (C,), got shape {y.shape}")
    labels = labels_from("cross_entropy_error", t, y.shape)
    n = y.shape[0]
    with np.errstate(divide="ignore"):
        return float(-np.log(y[np.arange(n), labels]).sum() / n)
