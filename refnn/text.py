r"""2장의 통계 기반 기법: 말뭉치 전처리, 동시발생 행렬, 코사인 유사도, PPMI, 유추.

3장의 맥락·타깃 만들기(`create_contexts_target`)와 원-핫 변환(`convert_one_hot`)도
여기에 있습니다. 모든 함수는 입력 배열을 바꾸지 않으며, 출력하지 않고 값을 돌려줍니다
(출력은 호출하는 쪽이 정합니다).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = [
    "preprocess",
    "create_co_matrix",
    "cos_similarity",
    "most_similar",
    "ppmi",
    "create_contexts_target",
    "convert_one_hot",
    "analogy",
]


def _corpus(name: str, corpus: Any, vocab_size: int | None = None) -> np.ndarray:
    """Validate a corpus of word ids: integer array, ids in [0, vocab_size)."""
    c = np.asarray(corpus)
    if c.dtype.kind not in "iu":
        raise ValueError(f"{name}: corpus must hold integer word ids, got dtype {c.dtype}")
    if c.size and c.min() < 0:
        raise ValueError(f"{name}: word ids must be >= 0, got {c.min()}")
    if vocab_size is not None:
        if isinstance(vocab_size, bool) or not isinstance(vocab_size, (int, np.integer)) or vocab_size < 1:
            raise ValueError(f"{name}: vocab_size must be a positive integer, got {vocab_size!r}")
        if c.size and c.max() >= vocab_size:
            raise ValueError(f"{name}: word id {c.max()} is out of range for vocab_size {vocab_size}")
    return c


def _window(name: str, window_size: Any) -> int:
    if isinstance(window_size, bool) or not isinstance(window_size, (int, np.integer)) or window_size < 1:
        raise ValueError(f"{name}: window_size must be a positive integer, got {window_size!r}")
    return int(window_size)


def _top(name: str, top: Any) -> int:
    if isinstance(top, bool) or not isinstance(top, (int, np.integer)) or top < 1:
        raise ValueError(f"{name}: top must be a positive integer, got {top!r}")
    return int(top)


def preprocess(text: str) -> tuple[np.ndarray, dict[str, int], dict[int, str]]:
    """문장을 단어 ID의 말뭉치와 두 사전으로 바꿉니다 (2.3.1절).

    소문자로 바꾸고 마침표 앞에 공백을 넣은 뒤 **모든 공백 문자**(스페이스 여러 개, 탭,
    줄바꿈)를 기준으로 나눕니다. 단어 ID는 처음 나온 순서대로 0부터 매깁니다.

    Parameters
    ----------
    text : str
        영어 문장(들).

    Returns
    -------
    corpus : numpy.ndarray
        형상 `(T,)`, int64의 단어 ID 열. `T`는 단어 수.
    word_to_id : dict of str to int
        단어 → ID.
    id_to_word : dict of int to str
        ID → 단어. `[id_to_word[i] for i in corpus]`가 단어 열입니다.

    Raises
    ------
    TypeError
        `text`가 문자열이 아닐 때.
    ValueError
        단어가 하나도 없을 때(빈 문자열, 공백뿐인 문자열).

    Notes
    -----
    **책과 다른 점**: 책은 `split(' ')`로 나누므로 공백이 두 개 이어지거나 줄바꿈이 있으면
    빈 문자열 `''`이 단어로 들어갑니다. refnn은 `split()`을 써서 빈 단어가 생기지 않습니다.
    공백이 하나씩인 문장에서는 책과 같은 결과입니다.

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 2.3.1절 (파이썬으로 말뭉치 전처리하기).

    Examples
    --------
    >>> corpus, word_to_id, id_to_word = preprocess("You say goodbye and I say hello.")
    >>> corpus
    array([0, 1, 2, 3, 4, 1, 5, 6])
    >>> id_to_word[6], word_to_id["say"]
    ('.', 1)
    """
    if not isinstance(text, str):
        raise TypeError(f"preprocess: text must be a str, got {type(text).__name__}")
    words = text.lower().replace(".", " .").split()
    if not words:
        raise ValueError("preprocess: text contains no words (empty or only whitespace)")
    word_to_id: dict[str, int] = {}
    for word in words:
        word_to_id.setdefault(word, len(word_to_id))
    id_to_word = {i: w for w, i in word_to_id.items()}
    corpus = np.array([word_to_id[w] for w in words], dtype=np.int64)
    return corpus, word_to_id, id_to_word


def create_co_matrix(corpus: Any, vocab_size: int, window_size: int = 1) -> np.ndarray:
    r"""동시발생 행렬을 만듭니다 (2.3.4절).

    $C_{ij}$는 단어 $i$의 좌우 `window_size` 안에 단어 $j$가 나온 횟수입니다.

    Parameters
    ----------
    corpus : array_like of int
        형상 `(T,)`의 단어 ID 열.
    vocab_size : int
        어휘 수 $V$. 모든 ID는 $[0, V)$에 있어야 합니다.
    window_size : int, default 1
        맥락의 크기 $w \ge 1$ (한쪽 방향의 단어 수).

    Returns
    -------
    numpy.ndarray
        형상 `(V, V)`, int32의 대칭 행렬.

    Raises
    ------
    ValueError
        ID가 정수가 아니거나 범위를 벗어날 때, `window_size`가 양의 정수가 아닐 때.

    Notes
    -----
    $$C_{ij} = \#\{(t, d) : 1 \le |d| \le w,\; 0 \le t + d < T,\; x_t = i,\; x_{t+d} = j\}$$

    말뭉치의 양 끝에서는 창이 잘립니다(감싸지 않음): 첫 단어는 오른쪽 맥락만 셉니다.
    그래서 $\sum_{ij} C_{ij} = \sum_{d=1}^{w} 2\max(T - d, 0)$ 입니다. 거리 $d$마다
    `np.add.at` 한 번으로 셉니다(책은 단어마다 도는 이중 루프).

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 2.3.4절 (동시발생 행렬).

    Examples
    --------
    >>> create_co_matrix(np.array([0, 1, 2, 1]), vocab_size=3)
    array([[0, 1, 0],
           [1, 0, 2],
           [0, 2, 0]], dtype=int32)
    """
    c = _corpus("create_co_matrix", corpus, vocab_size)
    if c.ndim != 1:
        raise ValueError(f"create_co_matrix: corpus must be 1-D, got shape {c.shape}")
    w = _window("create_co_matrix", window_size)
    co_matrix = np.zeros((vocab_size, vocab_size), dtype=np.int32)
    for d in range(1, min(w, c.size - 1) + 1):
        np.add.at(co_matrix, (c[:-d], c[d:]), 1)  # right neighbour at distance d
        np.add.at(co_matrix, (c[d:], c[:-d]), 1)  # left neighbour at distance d
    return co_matrix


def cos_similarity(x: Any, y: Any, eps: float = 1e-8) -> float:
    r"""두 벡터의 코사인 유사도 (2.3.5절).

    Parameters
    ----------
    x, y : array_like
        형상 `(D,)`의 벡터(같은 형상).
    eps : float, default 1e-8
        영벡터에서 0으로 나누지 않게 노름에 더하는 작은 수.

    Returns
    -------
    float
        $[-1, 1]$ 안의 유사도. 영벡터가 끼면 0.

    Raises
    ------
    ValueError
        두 벡터의 형상이 다르거나 1차원이 아닐 때.

    Notes
    -----
    $$\operatorname{sim}(x, y) = \frac{x}{\lVert x\rVert + \epsilon} \cdot \frac{y}{\lVert y\rVert + \epsilon}$$

    분모가 노름보다 크므로 절댓값은 1을 넘지 않습니다. 노름이 $\epsilon$보다 충분히 크면
    $x$, $y$의 크기를 바꿔도(양수배) 값은 그대로입니다.

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 2.3.5절 (벡터 간 유사도).

    Examples
    --------
    >>> round(cos_similarity(np.array([1.0, 0.0]), np.array([1.0, 1.0])), 6)
    0.707107
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.ndim != 1 or x.shape != y.shape:
        raise ValueError(f"cos_similarity: x and y must be 1-D of the same shape, got {x.shape} and {y.shape}")
    nx = x / (np.sqrt(np.sum(x**2)) + eps)
    ny = y / (np.sqrt(np.sum(y**2)) + eps)
    return float(np.dot(nx, ny))


def _word_matrix(name: str, word_matrix: Any, id_to_word: Mapping[int, str]) -> np.ndarray:
    m = np.asarray(word_matrix)
    if m.ndim != 2 or m.dtype.kind not in "iuf":
        raise ValueError(f"{name}: word_matrix must be a 2-D numeric array (V, D), got shape {m.shape}")
    if m.shape[0] < len(id_to_word):
        raise ValueError(f"{name}: word_matrix has {m.shape[0]} rows for {len(id_to_word)} words")
    return m


def _word_id(name: str, word: str, word_to_id: Mapping[str, int]) -> int:
    if word not in word_to_id:
        raise ValueError(f"{name}: {word!r} is not in the vocabulary (word_to_id)")
    return int(word_to_id[word])


def _ranked(sims: np.ndarray, exclude: Sequence[int], id_to_word: Mapping[int, str],
            top: int) -> list[tuple[str, float]]:
    """The ``top`` ids by descending similarity (ties: smaller id first), without ``exclude``."""
    order = np.argsort(-sims, kind="stable")
    skip = set(exclude)
    out = [(id_to_word[int(i)], float(sims[i])) for i in order[: top + len(skip)] if int(i) not in skip]
    return out[:top]


def _row_cosines(m: np.ndarray, q: np.ndarray, eps: float) -> np.ndarray:
    """cos_similarity(m[i], q) for every row i, in one product."""
    m = m.astype(np.float64, copy=False)
    q = q.astype(np.float64, copy=False)
    norms = np.sqrt(np.sum(m**2, axis=1)) + eps
    return (m @ q) / (norms * (np.sqrt(np.sum(q**2)) + eps))  # type: ignore[no-any-return]


def most_similar(query: str, word_to_id: Mapping[str, int], id_to_word: Mapping[int, str],
                 word_matrix: Any, top: int = 5) -> list[tuple[str, float]]:
    """`query`와 코사인 유사도가 가장 큰 단어 `top`개 (2.3.6절).

    Parameters
    ----------
    query : str
        검색할 단어.
    word_to_id, id_to_word : dict
        `preprocess`가 돌려준 사전.
    word_matrix : array_like
        형상 `(V, D)`, 행 $i$가 단어 $i$의 벡터.
    top : int, default 5
        돌려줄 단어 수.

    Returns
    -------
    list of (str, float)
        `(단어, 유사도)`를 유사도의 내림차순으로(같으면 ID가 작은 것 먼저). `query` 자신은
        빠집니다. 어휘가 `top + 1`개보다 적으면 있는 만큼입니다.

    Raises
    ------
    ValueError
        `query`가 어휘에 없을 때, `top`이 양의 정수가 아닐 때.

    Notes
    -----
    모든 단어의 유사도를 행렬-벡터 곱 한 번으로 구합니다. 값은 `cos_similarity`와 같습니다.
    **책과 다른 점**: 책의 함수는 결과를 출력하고 `None`을 돌려줍니다. refnn은 목록을
    돌려주고 출력은 호출하는 쪽에 맡깁니다.

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 2.3.6절 (유사 단어의 랭킹 표시).

    Examples
    --------
    >>> corpus, w2i, i2w = preprocess("You say goodbye and I say hello.")
    >>> C = create_co_matrix(corpus, len(w2i))
    >>> [(w, round(s, 3)) for w, s in most_similar("you", w2i, i2w, C, top=3)]
    [('goodbye', 0.707), ('i', 0.707), ('hello', 0.707)]
    """
    top = _top("most_similar", top)
    m = _word_matrix("most_similar", word_matrix, id_to_word)
    q = _word_id("most_similar", query, word_to_id)
    sims = _row_cosines(m[: len(id_to_word)], m[q], 1e-8)
    return _ranked(sims, [q], id_to_word, top)


def ppmi(C: Any, eps: float = 1e-8) -> np.ndarray:
    r"""양의 상호정보량(PPMI) 행렬 (2.4.1절).

    Parameters
    ----------
    C : array_like
        형상 `(V, V)`의 동시발생 행렬(음이 아닌 수, 대칭).
    eps : float, default 1e-8
        $\log_2 0$을 피하려고 로그 안에 더하는 작은 수(책과 같음).

    Returns
    -------
    numpy.ndarray
        형상 `(V, V)`, float32, 모든 원소 $\ge 0$.

    Raises
    ------
    ValueError
        `C`가 정사각 2차원이 아니거나 음수를 담았을 때, 모든 원소가 0일 때.

    Notes
    -----
    $N = \sum_{ij} C_{ij}$, $S_j = \sum_i C_{ij}$ 일 때

    $$\text{PPMI}_{ij} = \max\Big(0,\; \log_2\Big(\frac{C_{ij}\, N}{S_i\, S_j} + \epsilon\Big)\Big)$$

    float64로 한꺼번에 계산한 뒤 float32로 돌려줍니다(책의 이중 루프와 같은 값).
    한 번도 나오지 않은 단어($S_i = 0$)의 행과 열은 0입니다(책은 0/0 경고를 낸 뒤 같은 0).

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 2.4.1절 (상호정보량).

    Examples
    --------
    >>> ppmi(np.array([[0, 2], [2, 0]]))
    array([[0., 1.],
           [1., 0.]], dtype=float32)
    """
    c = np.asarray(C)
    if c.ndim != 2 or c.shape[0] != c.shape[1] or c.dtype.kind not in "iuf":
        raise ValueError(f"ppmi: C must be a square 2-D numeric matrix, got shape {c.shape} dtype {c.dtype}")
    if c.size and c.min() < 0:
        raise ValueError("ppmi: C must not hold negative counts")
    N = float(np.sum(c, dtype=np.float64))
    if N == 0:
        raise ValueError("ppmi: C is all zeros (no co-occurrences)")
    S: np.ndarray = np.asarray(np.sum(c, axis=0, dtype=np.float64))
    S[S == 0] = 1.0  # words never seen: their C_ij are 0, so PPMI is 0 there
    M = c.astype(np.float64)  # a fresh array: the in-place steps below never touch C
    M *= N
    M /= S[:, None]
    M /= S[None, :]
    M += eps
    np.log2(M, out=M)
    np.maximum(M, 0.0, out=M)
    return M.astype(np.float32)


def create_contexts_target(corpus: Any, window_size: int = 1) -> tuple[np.ndarray, np.ndarray]:
    r"""말뭉치에서 맥락과 타깃을 만듭니다 (3.3.1절).

    Parameters
    ----------
    corpus : array_like of int
        형상 `(T,)`의 단어 ID 열.
    window_size : int, default 1
        한쪽 맥락의 크기 $w$.

    Returns
    -------
    contexts : numpy.ndarray
        형상 `(T - 2w, 2w)`. 행 $n$은 타깃의 왼쪽 $w$개(먼 것부터), 오른쪽 $w$개(가까운 것부터).
    target : numpy.ndarray
        형상 `(T - 2w,)`, `corpus[w:T - w]`.

    Raises
    ------
    ValueError
        말뭉치가 $2w + 1$개보다 짧을 때, ID가 정수가 아닐 때, `window_size`가 양의 정수가 아닐 때.

    Notes
    -----
    $$\text{contexts}_{n} = (x_{n}, \dots, x_{n+w-1}, x_{n+w+1}, \dots, x_{n+2w}), \qquad
    \text{target}_n = x_{n+w}$$

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 3.3.1절 (맥락과 타깃).

    Examples
    --------
    >>> contexts, target = create_contexts_target(np.array([0, 1, 2, 3, 4]))
    >>> contexts
    array([[0, 2],
           [1, 3],
           [2, 4]])
    >>> target
    array([1, 2, 3])
    """
    c = _corpus("create_contexts_target", corpus)
    if c.ndim != 1:
        raise ValueError(f"create_contexts_target: corpus must be 1-D, got shape {c.shape}")
    w = _window("create_contexts_target", window_size)
    if c.size < 2 * w + 1:
        raise ValueError(
            f"create_contexts_target: a corpus of {c.size} words is too short for window_size {w} "
            f"(needs at least {2 * w + 1})"
        )
    centres = np.arange(w, c.size - w)
    offsets = np.concatenate([np.arange(-w, 0), np.arange(1, w + 1)])
    contexts = c[centres[:, None] + offsets]
    return contexts, c[centres]


def convert_one_hot(corpus: Any, vocab_size: int) -> np.ndarray:
    """단어 ID를 원-핫 표현으로 바꿉니다 (3.3.1절).

    Parameters
    ----------
    corpus : array_like of int
        형상 `(N,)` (타깃) 또는 `(N, C)` (맥락)의 단어 ID.
    vocab_size : int
        어휘 수 $V$.

    Returns
    -------
    numpy.ndarray
        형상 `corpus.shape + (V,)`, int32 (책과 같음).

    Raises
    ------
    ValueError
        ID가 정수가 아니거나 $[0, V)$ 밖일 때.

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 3.3.1절 (원핫 표현으로 변환).

    Examples
    --------
    >>> convert_one_hot(np.array([0, 2]), 3)
    array([[1, 0, 0],
           [0, 0, 1]], dtype=int32)
    """
    c = _corpus("convert_one_hot", corpus, vocab_size)
    return np.eye(vocab_size, dtype=np.int32)[c]


def analogy(a: str, b: str, c: str, word_to_id: Mapping[str, int], id_to_word: Mapping[int, str],
            word_matrix: Any, top: int = 5) -> list[tuple[str, float]]:
    r"""유추 문제 "a : b = c : ?"를 벡터의 덧셈·뺄셈으로 풉니다 (4.4.2절).

    Parameters
    ----------
    a, b, c : str
        `"man" : "king" = "woman" : ?` 의 세 단어.
    word_to_id, id_to_word : dict
        어휘 사전.
    word_matrix : array_like
        형상 `(V, D)`의 단어 벡터.
    top : int, default 5
        돌려줄 후보 수.

    Returns
    -------
    list of (str, float)
        `(단어, 코사인 유사도)`를 내림차순으로. `a`, `b`, `c` 자신은 빠집니다.

    Raises
    ------
    ValueError
        세 단어 중 어휘에 없는 것이 있을 때.

    Notes
    -----
    $q = v_b - v_a + v_c$ 에 대해 $\operatorname{sim}(v_i, q)$ (`cos_similarity`)로 순위를 매깁니다.

    **책과 다른 점**: 책은 $q$만 정규화하고 단어 벡터는 정규화하지 않은 내적
    $v_i \cdot q / \lVert q\rVert$ 로 순위를 매기므로 노름이 큰(대개 자주 나오는) 단어가
    앞에 옵니다. refnn은 코사인 유사도로 순위를 매기며, 결과를 출력하지 않고 돌려줍니다.

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 4.4.2절 (유추 문제).

    Examples
    --------
    >>> w2i = {"man": 0, "king": 1, "woman": 2, "queen": 3, "apple": 4}
    >>> i2w = {i: w for w, i in w2i.items()}
    >>> W = np.array([[1.0, 0.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 1.0], [1.0, -1.0, 0.0]])
    >>> [(w, round(s, 6)) for w, s in analogy("man", "king", "woman", w2i, i2w, W, top=1)]
    [('queen', 1.0)]
    """
    top = _top("analogy", top)
    m = _word_matrix("analogy", word_matrix, id_to_word)
    ids = [_word_id("analogy", w, word_to_id) for w in (a, b, c)]
    va, vb, vc = (m[i].astype(np.float64) for i in ids)
    sims = _row_cosines(m[: len(id_to_word)], vb - va + vc, 1e-8)
    return _ranked(sims, ids, id_to_word, top)
