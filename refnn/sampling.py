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

    **뽑는 방법(배치 전체를 한꺼번에)**: 행마다 $P$에서 복원 추출로 후보를 이어서 뽑고,
    타깃이거나 그 행에서 이미 나온 후보를 버린 뒤 앞에서부터 $k$개를 씁니다. 새 후보는
    아직 안 나온 단어들 사이에서 $P$에 비례하므로, 버리고 남은 열은 복원 없는 차례 추출과
    분포가 정확히 같습니다. 후보는 모든 행에 대해 $2k$개씩 한 번의 역CDF 탐색
    (`searchsorted`)으로 뽑고, $k$개를 못 채운 행만 후보를 더 이어 붙입니다(같은 열을
    계속하므로 정확함이 유지됩니다). 기대 비용은 $O(Nk \log V)$로, 어휘 전체에 키를 매기는
    Gumbel-top-$k$($O(NV)$)보다 작습니다.

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
        self._cdf = np.cumsum(p)
        self._cdf /= self._cdf[-1]

    def _draw(self, shape: tuple[int, int]) -> np.ndarray:
        """Independent draws from P (with replacement), by inverse CDF."""
        u = self.rng.random(shape)
        return self.word_ids[np.searchsorted(self._cdf, u, side="right")]  # type: ignore[no-any-return]

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
        k = self.sample_size
        negative = np.empty((t.size, k), dtype=np.int64)
        rows = np.arange(t.size)  # rows still short of k negatives
        stream = np.empty((t.size, 0), dtype=np.int64)  # each row's candidates, in the order drawn
        more = 2 * k
        while rows.size:
            stream = np.concatenate([stream, self._draw((rows.size, more))], axis=1)
            L = stream.shape[1]
            seen_before = ((stream[:, :, None] == stream[:, None, :]) & np.tri(L, L, -1, dtype=bool)).any(axis=2)
            keep = ~seen_before & (stream != t[rows, None])
            done = keep.sum(axis=1) >= k
            first_k = keep[done] & (np.cumsum(keep[done], axis=1) <= k)
            negative[rows[done]] = stream[done][first_k].reshape(-1, k)
            rows, stream = rows[~done], stream[~done]
            more = L  # double the stream of the rows left
        return negative
