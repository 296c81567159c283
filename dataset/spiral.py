r"""스파이럴(나선형) 데이터셋 (1.4.1절).

세 갈래의 나선 위에 놓인 2차원 점 300개와 그 클래스(원-핫)를 만듭니다.
"""

from __future__ import annotations

import numpy as np

__all__ = ["load_data"]

N_PER_CLASS = 100
N_CLASSES = 3


def load_data(seed: int = 1984) -> tuple[np.ndarray, np.ndarray]:
    r"""스파이럴 데이터셋을 만듭니다.

    클래스 $j$의 $i$번째 점($r = i/100$)은 반지름 $r$, 각도
    $\theta = 4j + 4r + 0.2\,\varepsilon$ ($\varepsilon \sim \mathcal N(0, 1)$)에 놓입니다.

    $$x = (r \sin\theta,\; r\cos\theta)$$

    Parameters
    ----------
    seed : int, default 1984
        잡음의 시드. 책과 같은 시드면 책과 같은 배열을 돌려줍니다.

    Returns
    -------
    x : numpy.ndarray
        형상 `(300, 2)`, float64의 입력.
    t : numpy.ndarray
        형상 `(300, 3)`, 정수(int64)의 원-핫 정답.

    Notes
    -----
    책의 코드는 `np.random.seed(seed)`로 NumPy의 전역 난수 상태를 바꿉니다.
    refnn은 지역 `np.random.RandomState(seed)`에서 같은 순서(클래스 순, 점 순)로
    잡음을 뽑으므로 값은 책과 같고 전역 상태는 건드리지 않습니다.
    한국어판의 `dtype=np.int`는 NumPy 1.24 이상에서 오류이므로 `np.int64`를 씁니다.

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 1.4.1절 (스파이럴 데이터셋).

    Examples
    --------
    >>> x, t = load_data()
    >>> x.shape, t.shape
    ((300, 2), (300, 3))
    """
    noise = np.random.RandomState(seed).standard_normal(N_PER_CLASS * N_CLASSES)
    rate = np.tile(np.arange(N_PER_CLASS) / N_PER_CLASS, N_CLASSES)
    cls = np.repeat(np.arange(N_CLASSES), N_PER_CLASS)
    theta = cls * 4.0 + rate * 4.0 + noise * 0.2
    x = np.stack([rate * np.sin(theta), rate * np.cos(theta)], axis=1)
    t = np.zeros((N_PER_CLASS * N_CLASSES, N_CLASSES), dtype=np.int64)
    t[np.arange(t.shape[0]), cls] = 1
    return x, t
