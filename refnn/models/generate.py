r"""7장의 문장 생성: RnnlmGen, BetterRnnlmGen (7.1절).

학습한 언어 모델에 단어 하나를 넣고, 다음 단어의 확률분포 $p = \operatorname{softmax}(s)$ 에서 단어 하나를
**표본으로 뽑아** 다시 넣는 일을 되풀이합니다. 가장 확률이 큰 단어만 고르면(결정적) 언제나 같은 문장이
나오므로, 책처럼 확률적으로 고릅니다. 난수는 모델을 만들 때 준 `rng`(또는 `generate`에 준 `rng`)에서만
나옵니다. 같은 시드면 같은 문장이 나오고 NumPy의 전역 난수 상태는 건드리지 않습니다.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from refnn.functions import softmax
from refnn.models.rnnlm import BetterRnnlm, Rnnlm
from refnn.sampling import as_generator

__all__ = ["RnnlmGen", "BetterRnnlmGen"]


class _Generator:
    """What the two generators share: the sampling loop over a stateful language model's predict."""

    _gen: np.random.Generator
    predict: Any

    def generate(self, start_id: int, skip_ids: Iterable[int] | None = None, sample_size: int = 100,
                 rng: Any = None) -> list[int]:
        r"""`start_id`에서 시작해 단어 ID `sample_size`개(첫 ID 포함)를 확률적으로 생성합니다.

        Parameters
        ----------
        start_id : int
            첫 단어의 ID.
        skip_ids : iterable of int, optional
            뽑지 않을 ID(예: `<unk>`, `N`). 그 확률을 0으로 두고 나머지를 다시 정규화해서 뽑습니다.
        sample_size : int, default 100
            돌려줄 ID의 수(`start_id` 포함).
        rng : numpy.random.Generator or int, optional
            이번 생성의 난수. 없으면 모델의 생성기(만들 때 준 `rng`에서 이어지는 것)를 씁니다.

        Returns
        -------
        list of int
            `[start_id, w_1, ..., w_{sample_size-1}]`.

        Raises
        ------
        ValueError
            `sample_size`가 1보다 작거나, `skip_ids`가 모든 단어를 막을 때.

        Notes
        -----
        순환 계층의 상태는 이어 받습니다. 새 문장에서 시작하려면 먼저 `reset_state()`를 부릅니다.

        **책과 다른 점**: 책은 `int(x)`로 크기 1인 배열을 정수로 바꾸는데 NumPy 2.4부터는 이것이
        `TypeError`라서 책의 생성 코드가 돌지 않습니다. 또 책은 막은 ID가 뽑히면 같은 단어를 다시 넣어
        상태를 한 번 더 진행시킨 뒤 다시 뽑습니다. refnn은 같은 분포에서 막은 ID를 빼고 한 번에 뽑으므로
        (거부 표본 추출과 같은 분포) 상태가 진행되지 않습니다.
        """
        name = type(self).__name__
        if isinstance(sample_size, bool) or not isinstance(sample_size, (int, np.integer)) or sample_size < 1:
            raise ValueError(f"{name}.generate: sample_size must be a positive integer, got {sample_size!r}")
        gen = self._gen if rng is None else as_generator(rng, name)
        skip = np.array(sorted(set(int(i) for i in skip_ids or ())), dtype=np.int64)
        word_ids = [int(start_id)]
        while len(word_ids) < sample_size:
            score = self.predict(np.array([[word_ids[-1]]], dtype=np.int64))
            p = softmax(np.asarray(score[0, -1], dtype=np.float64))
            p[skip] = 0.0
            total = p.sum()
            if not total > 0:
                raise ValueError(f"{name}.generate: skip_ids leave no word to sample")
            word_ids.append(int(gen.choice(p.shape[0], p=p / total)))
        return word_ids


class RnnlmGen(_Generator, Rnnlm):
    r"""문장을 생성하는 `Rnnlm` (7.1.2절).

    `Rnnlm`과 같은 모델이고(같은 매개변수, 같은 `load_params`), `generate`가 더해졌습니다.

    Parameters
    ----------
    vocab_size, wordvec_size, hidden_size : int, default 10000, 100, 100
        $V$, $D$, $H$.
    rng : numpy.random.Generator or int or None
        초기화의 난수(또는 시드). 초기화 뒤 같은 생성기가 표본 추출에 이어 쓰입니다.
    dtype : numpy dtype, default float32
        가중치와 계산의 dtype.

    Notes
    -----
    한 걸음: $x$를 넣어 점수 $s$를 얻고, $p = \operatorname{softmax}(s)$ 에서 $w \sim p$ 를 뽑아 다음 입력으로
    넣습니다. 학습하지 않은 모델의 $p$는 거의 균등하므로 무작위에 가까운 단어열이 나옵니다.

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 7.1.2절 (문장 생성 구현).

    Examples
    --------
    >>> model = RnnlmGen(10, 4, 4, rng=0)
    >>> ids = model.generate(3, skip_ids=[0, 1], sample_size=6)
    >>> len(ids), ids[0], 0 in ids[1:] or 1 in ids[1:]
    (6, 3, False)
    >>> model.reset_state()
    >>> RnnlmGen(10, 4, 4, rng=0).generate(3, sample_size=6, rng=5) == model.generate(3, sample_size=6, rng=5)
    True
    """

    def __init__(self, vocab_size: int = 10000, wordvec_size: int = 100, hidden_size: int = 100,
                 rng: Any = None, dtype: Any = np.float32) -> None:
        self._gen = as_generator(rng, "RnnlmGen")
        super().__init__(vocab_size, wordvec_size, hidden_size, rng=self._gen, dtype=dtype)


class BetterRnnlmGen(_Generator, BetterRnnlm):
    r"""문장을 생성하는 `BetterRnnlm` (7.1.3절).

    `BetterRnnlm`과 같은 모델이고 `generate`가 더해졌습니다. 생성할 때 드롭아웃은 꺼져 있습니다
    (`predict`의 `train_flg=False`).

    Parameters
    ----------
    vocab_size, wordvec_size, hidden_size : int, default 10000, 650, 650
        $V$, $D$, $H$ ($D = H$).
    dropout_ratio : float, default 0.5
        학습 때의 드롭아웃 비율.
    rng : numpy.random.Generator or int or None
        초기화(와 드롭아웃)의 난수. 같은 생성기가 표본 추출에 이어 쓰입니다.
    dtype : numpy dtype, default float32
        가중치와 계산의 dtype.

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 7.1.3절 (더 좋은 문장으로).

    Examples
    --------
    >>> model = BetterRnnlmGen(10, 4, 4, rng=0)
    >>> len(model.generate(2, sample_size=5))
    5
    """

    def __init__(self, vocab_size: int = 10000, wordvec_size: int = 650, hidden_size: int = 650,
                 dropout_ratio: float = 0.5, rng: Any = None, dtype: Any = np.float32) -> None:
        self._gen = as_generator(rng, "BetterRnnlmGen")
        super().__init__(vocab_size, wordvec_size, hidden_size, dropout_ratio, rng=self._gen, dtype=dtype)
