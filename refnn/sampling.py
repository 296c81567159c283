r"""네거티브 샘플링의 표본 추출기 `UnigramSampler` (4.2.6절).

말뭉치에서 단어가 나온 횟수의 `power` 제곱에 비례하는 확률로, 타깃마다 부정적 예
(negative sample)를 `sample_size`개씩 뽑습니다. 난수는 건네받은 `np.random.Generator`
하나에서만 나옵니다.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["UnigramSampler", "as_generator"]


def as_generator(rng: Any, name: str) -> np.random.Generator:
    """A ``np.random.Generator`` from a Generator, an int seed or ``None`` (fresh entropy).

    NumPy's global state and the legacy ``RandomState`` are refused, so results are reproducible
    from what the caller passed and nothing else.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, (int, np.integer)) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    raise TypeError(f"{name}: rng must be a numpy.random.Generator, an int seed or None, got {type(rng).__name__}")


class UnigramSampler:
    r"""단어 빈도의 `power` 제곱에 비례하는 분포에서 부정적 예를 뽑습니다 (4.2.6절).

    Parameters
    ----------
    corpus : array_like of int
        단어 ID의 말뭉치 `(T,)`. ID는 0 이상이면 되고 연속일 필요가 없습니다
        (말뭉치에 없는 ID는 뽑히지 않습니다).
    power : float
        빈도에 곱할 지수(책은 0.75). 0이면 나온 단어들 사이의 균등 분포.
    sample_size : int
        타깃 하나당 부정적 예의 수 $k$.
    rng : numpy.random.Generator or int or None, default None
        난수 생성기 또는 그 시드. `None`이면 새 엔트로피로 만듭니다.
        NumPy의 전역 난수 상태는 쓰지도 바꾸지도 않습니다.

    Attributes
    ----------
    word_ids : numpy.ndarray
        말뭉치에 나온 단어 ID(오름차순) $\{w\}$.
    word_p : numpy.ndarray
        ID로 인덱싱한 확률 $P(w)$, 길이는 (가장 큰 ID + 1). 말뭉치에 없는 ID는 0.
    sample_size : int
        $k$.
    rng : numpy.random.Generator
        쓰는 난수 생성기.

    Raises
    ------
    ValueError
        ID가 정수가 아니거나 음수일 때, 서로 다른 단어가 $k + 1$개보다 적을 때,
        `power`가 음수이거나 `sample_size`가 양의 정수가 아닐 때.

    Notes
    -----
    $$P(w) = \frac{c(w)^{\alpha}}{\sum_{v} c(v)^{\alpha}} \quad (c(w) = \text{말뭉치에서 } w \text{의 횟수})$$

    타깃 $t_n$의 행은 $P$에서 $t_n$을 빼고 다시 정규화한 분포에서 **복원 없이 차례로** 뽑은
    $k$개입니다(한 행에 같은 단어가 두 번 나오지 않고 타깃도 나오지 않음). 책이 행마다 부르는
    `np.random.choice(V, size=k, replace=False, p=p)`와 같은 분포입니다.

    **뽑는 방법(배치 전체를 한꺼번에, 정의 그대로)**: $k$번의 차례마다 모든 행이 한 단어씩
    뽑습니다. $j$번째 차례에서 행 $n$은 타깃과 이미 뽑은 $j$개를 뺀 단어들 사이에서 $P$에 비례해
    뽑아야 합니다. 단어 $w$는 누적분포(CDF)의 구간 $[F(w^-), F(w))$ 에 대응하므로, 뺄 단어들은
    구간 몇 개입니다. 남은 길이 $1 - \sum P(\text{뺀 단어})$ 위의 균등 난수 $u$를 뺀 구간들을
    건너뛰도록 옮긴 뒤(작은 구간부터, $u \ge F(w^-)$ 이면 $u \mathrel{+}= P(w)$) CDF에서
    `searchsorted`로 찾습니다. 이것이 복원 없는 가중 차례 추출의 정의 그대로이며, 행 방향으로는
    모두 벡터 연산입니다. 비용은 $O(Nk(k + \log V))$ 이고, 어휘 전체에 키를 매기는
    Gumbel-top-$k$($O(NV)$)나 중복을 버리고 다시 뽑는 방법(한 단어의 확률이 크면 오래 걸림)과
    달리 분포와 무관하게 일정합니다. 부동소수점 반올림으로 $u$가 뺀 구간의 경계에 떨어지는 경우
    (확률 $10^{-16}$ 정도)에만 그 행을 다시 뽑습니다(조건부 분포이므로 정확함이 유지됩니다).

    **책과 다른 점**: 책의 표본기는 ID가 $0, \dots, V-1$로 빈틈없다고 가정해, 말뭉치에 없는
    ID가 있으면 그 뒤의 단어를 잘못 셉니다. 또 행마다 `np.random.choice`를 부르고 전역 난수
    상태를 씁니다. refnn은 나온 ID만으로 분포를 만들고, 배치 전체를 한 번에 뽑으며,
    건네받은 `rng`만 씁니다.

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 4.2.6절 (네거티브 샘플링의 샘플링 기법).

    Examples
    --------
    >>> sampler = UnigramSampler(np.array([0, 1, 2, 3, 4, 1, 2, 3]), power=0.75, sample_size=2, rng=0)
    >>> negative = sampler.get_negative_sample(np.array([1, 3, 0]))
    >>> negative.shape
    (3, 2)
    >>> bool((negative != np.array([[1], [3], [0]])).all())
    True
    """

    def __init__(self, corpus: Any, power: float, sample_size: int, rng: Any = None) -> None:
        c = np.asarray(corpus)
        if c.dtype.kind not in "iu" or c.ndim != 1 or c.size == 0:
            raise ValueError(
                f"UnigramSampler: corpus must be a non-empty 1-D array of integer word ids, "
                f"got shape {c.shape} dtype {c.dtype}"
            )
        if c.min() < 0:
            raise ValueError(f"UnigramSampler: word ids must be >= 0, got {c.min()}")
        if not (isinstance(power, (int, float, np.number)) and not isinstance(power, bool)) or not power >= 0:
            raise ValueError(f"UnigramSampler: power must be a number >= 0, got {power!r}")
        if isinstance(sample_size, bool) or not isinstance(sample_size, (int, np.integer)) or sample_size < 1:
            raise ValueError(f"UnigramSampler: sample_size must be a positive integer, got {sample_size!r}")
        self.word_ids, counts = np.unique(c, return_counts=True)
        if self.word_ids.size < sample_size + 1:
            raise ValueError(
                f"UnigramSampler: {self.word_ids.size} distinct words cannot give {sample_size} negatives "
                f"that differ from the target (needs at least {sample_size + 1})"
            )
        self.sample_size = int(sample_size)
        self.rng = as_generator(rng, "UnigramSampler")
        p = counts.astype(np.float64) ** power
        p /= p.sum()
        self.word_p = np.zeros(int(self.word_ids[-1]) + 1)
        self.word_p[self.word_ids] = p
        self._cdf = np.cumsum(p)  # word i of the support owns the interval [_lo[i], _cdf[i])
        self._cdf /= self._cdf[-1]
        self._lo = np.concatenate([[0.0], self._cdf[:-1]])

    def _uniform(self, n: int) -> np.ndarray:
        """``n`` uniforms on [0, 1) from the sampler's Generator (its only source of randomness)."""
        return self.rng.random(n)

    def _draw_outside(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """One support position per row from P with the row's intervals [lo, hi) removed (P renormalised)."""
        order = np.argsort(lo, axis=1)
        lo, width = np.take_along_axis(lo, order, 1), np.take_along_axis(hi - lo, order, 1)
        u = self._uniform(lo.shape[0]) * (1.0 - width.sum(axis=1))
        for c in range(lo.shape[1]):  # skip the removed intervals, lowest first
            u += width[:, c] * (u >= lo[:, c])
        drawn = np.minimum(np.searchsorted(self._cdf, u, side="right"), self._cdf.size - 1)
        clash = ((self._lo[drawn][:, None] == lo) & (width > 0)).any(axis=1)  # only by rounding at an edge
        if clash.any():
            drawn[clash] = self._draw_outside(lo[clash], lo[clash] + width[clash])
        return drawn

    def get_negative_sample(self, target: Any) -> np.ndarray:
        """타깃마다 부정적 예 `sample_size`개를 뽑습니다.

        Parameters
        ----------
        target : array_like of int
            형상 `(N,)`의 타깃 단어 ID.

        Returns
        -------
        numpy.ndarray
            형상 `(N, sample_size)`, int64. 행 $n$에는 `target[n]`도, 같은 단어의 반복도 없습니다.

        Raises
        ------
        ValueError
            `target`이 1차원 정수 배열이 아닐 때.
        """
        t = np.asarray(target)
        if t.ndim != 1 or t.dtype.kind not in "iu":
            raise ValueError(
                f"UnigramSampler.get_negative_sample: target must be 1-D integer ids, "
                f"got shape {t.shape} dtype {t.dtype}"
            )
        N, k = t.size, self.sample_size
        at = np.minimum(np.searchsorted(self.word_ids, t), self.word_ids.size - 1)
        present = self.word_ids[at] == t  # a target absent from the corpus removes nothing
        lo, hi = np.zeros((N, k + 1)), np.zeros((N, k + 1))  # column 0: the target, then each word chosen
        lo[:, 0] = np.where(present, self._lo[at], 0.0)
        hi[:, 0] = np.where(present, self._cdf[at], 0.0)
        chosen = np.empty((N, k), dtype=np.intp)
        for j in range(k):
            chosen[:, j] = self._draw_outside(lo[:, : j + 1], hi[:, : j + 1])
            lo[:, j + 1], hi[:, j + 1] = self._lo[chosen[:, j]], self._cdf[chosen[:, j]]
        return self.word_ids[chosen].astype(np.int64)
