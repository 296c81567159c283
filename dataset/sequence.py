r"""7–8장의 장난감 시퀀스 데이터: 덧셈(`addition.txt`)과 날짜 형식 변환(`date.txt`) (7.3.1절).

파일의 한 줄은 질문과 답을 이어 붙인 것입니다. 답은 시작 기호 `_`로 시작하고, 질문과 답은 각각
공백으로 폭을 맞춥니다(덧셈은 질문 7자 `16+75  `, 답 5자 `_91  `; 날짜는 질문 29자, 답 11자
`_1994-09-27`). `load_data`는 이 형식의 파일을 글자 ID의 배열로 바꾸고, `write_addition`과
`write_date`는 두 데이터를 시드에서 만들어 씁니다(내려받거나 함께 배포할 파일이 없습니다).

**책과 다른 점**: 책의 `sequence.py`는 어휘(`char_to_id`, `id_to_char`)를 모듈 전역에 쌓아 갑니다.
그래서 덧셈을 읽은 뒤 날짜를 읽으면 두 어휘가 섞입니다. refnn은 `load_data`를 부를 때마다 그 파일만의
어휘를 새로 만들고, `get_vocab()`은 마지막 호출의 어휘를 돌려줍니다.
"""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path

import numpy as np

__all__ = ["load_data", "get_vocab", "write_addition", "write_date", "format_date", "data_folder",
           "ADDITION_WIDTHS", "ADDITION_QUESTIONS", "DATE_WIDTHS", "DATE_FORMATS"]

#: (질문 폭, 답 폭) — 덧셈: `999+999`, `_1998`.
ADDITION_WIDTHS = (7, 5)
#: (질문 폭, 답 폭) — 날짜: `WEDNESDAY, SEPTEMBER 27, 1995`, `_1995-09-27`.
DATE_WIDTHS = (29, 11)
#: 날짜 질문의 형식(`datetime.strftime`의 지시자; `%-m`처럼 앞의 0을 뺀 것은 직접 만듭니다).
DATE_FORMATS = (
    "{month} {day}, {year}",          # september 27, 1994
    "{Month} {day}, {year}",          # September 27, 1994
    "{Mon} {day}, {year}",            # Sep 27, 1994
    "{weekday}, {month} {day}, {year}",  # tuesday, september 27, 1994
    "{WEEKDAY}, {MONTH} {day}, {year}",  # TUESDAY, SEPTEMBER 27, 1994
    "{day} {month} {year}",           # 27 september 1994
    "{m}/{day}/{yy}",                 # 9/27/94
    "{m}/{day}/{year}",               # 9/27/1994
    "{mm}/{dd}/{year}",               # 09/27/1994
    "{year}.{mm}.{dd}",               # 1994.09.27
)
#: 날짜의 범위: 두 자리 연도(`yy`)가 한 세기 안에서 하나로 정해지도록 1950–2049년.
FIRST_DATE, LAST_DATE = _dt.date(1950, 1, 1), _dt.date(2049, 12, 31)
_FILES = ("addition.txt", "date.txt")
_last_vocab: tuple[dict[str, int], dict[int, str]] | None = None


def data_folder() -> Path:
    """이름만 준 파일을 찾을 폴더: `$REFNN_DATA/sequence`, 없으면 `~/.cache/refnn/sequence`."""
    env = os.environ.get("REFNN_DATA")
    return (Path(env) if env else Path.home() / ".cache" / "refnn") / "sequence"


def _resolve(file: str | os.PathLike[str]) -> Path:
    """A path as given; a bare name in the data folder (the two toy sets are written there if missing)."""
    path = Path(file)
    if path.parent != Path(".") or path.exists():
        return path
    path = data_folder() / path
    if not path.exists() and path.name in _FILES:
        path.parent.mkdir(parents=True, exist_ok=True)
        (write_addition if path.name == "addition.txt" else write_date)(path)
    return path


def _split(line: str, number: int, path: Path) -> tuple[str, str]:
    idx = line.find("_")
    if idx <= 0:
        raise ValueError(f"sequence.load_data: line {number} of {path} has no question before "
                         f"the start symbol '_': {line!r}")
    return line[:idx], line[idx:]


def load_data(file: str | os.PathLike[str] = "addition.txt", seed: int = 1984
              ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    r"""질문·답 파일을 글자 ID의 배열로 읽고 섞어서 9:1로 나눕니다 (7.3.1절).

    Parameters
    ----------
    file : str or path-like, default 'addition.txt'
        파일의 경로. 폴더 없이 이름만 주면 `data_folder()`에서 찾습니다. 그곳에 `addition.txt`나
        `date.txt`가 없으면 `write_addition`/`write_date`(시드 1984)로 만들어 둡니다.
    seed : int, default 1984
        섞는 순서의 시드(`numpy.random.default_rng(seed)`; 전역 난수 상태는 쓰지 않습니다).

    Returns
    -------
    (x_train, t_train), (x_test, t_test) : tuple of numpy.ndarray
        int64 글자 ID. 질문 `(N, 질문 폭)`, 답 `(N, 답 폭)`; 앞의 `N - N // 10`개가 훈련, 나머지가 시험.
        덧셈 50,000줄이면 `(45000, 7)`, `(45000, 5)`, `(5000, 7)`, `(5000, 5)`.

    Raises
    ------
    FileNotFoundError
        파일이 없을 때.
    ValueError
        `_`가 없는 줄, 폭이 다른 줄이 있거나 줄이 하나도 없을 때.

    Notes
    -----
    어휘는 파일에 처음 나온 순서로 ID를 매깁니다(줄마다 질문, 다음에 답). 어휘는 이 호출만의 것이고
    `get_vocab()`이 돌려줍니다. 책처럼 모듈 전역에 쌓이지 않으므로 다른 파일을 읽어도 섞이지 않습니다.

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 7.3.1절 (시계열 데이터 변환용 장난감 문제).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "add.txt"
    >>> write_addition(path, n=20, seed=0)
    >>> (x_train, t_train), (x_test, t_test) = load_data(path)
    >>> x_train.shape, t_train.shape, x_test.shape
    ((18, 7), (18, 5), (2, 7))
    >>> char_to_id, id_to_char = get_vocab()
    >>> "".join(id_to_char[int(i)] for i in t_train[0])[0]
    '_'
    """
    global _last_vocab
    path = _resolve(file)
    lines = path.read_text(encoding="utf-8").split("\n")
    pairs = [_split(line, k + 1, path) for k, line in enumerate(lines) if line]
    if not pairs:
        raise ValueError(f"sequence.load_data: {path} holds no line")
    widths = {(len(q), len(a)) for q, a in pairs}
    if len(widths) != 1:
        raise ValueError(f"sequence.load_data: the lines of {path} are not padded to one width "
                         f"(question, answer widths seen: {sorted(widths)})")
    char_to_id: dict[str, int] = {}
    for q, a in pairs:
        for ch in q + a:
            char_to_id.setdefault(ch, len(char_to_id))
    x = np.array([[char_to_id[ch] for ch in q] for q, _ in pairs], dtype=np.int64)
    t = np.array([[char_to_id[ch] for ch in a] for _, a in pairs], dtype=np.int64)
    order = np.random.default_rng(seed).permutation(len(x))
    x, t = x[order], t[order]
    split_at = len(x) - len(x) // 10
    _last_vocab = (char_to_id, {i: ch for ch, i in char_to_id.items()})
    return (x[:split_at], t[:split_at]), (x[split_at:], t[split_at:])


def get_vocab() -> tuple[dict[str, int], dict[int, str]]:
    """마지막 `load_data` 호출의 어휘 `(char_to_id, id_to_char)`.

    Raises
    ------
    RuntimeError
        아직 `load_data`를 부르지 않았을 때.
    """
    if _last_vocab is None:
        raise RuntimeError("sequence.get_vocab: call load_data first (어휘는 load_data가 만듭니다)")
    return _last_vocab


def _write(path: str | os.PathLike[str], pairs: list[tuple[str, str]], widths: tuple[int, int]) -> None:
    wq, wa = widths
    text = "".join(q.ljust(wq) + a.ljust(wa) + "\n" for q, a in pairs)
    Path(path).write_text(text, encoding="utf-8")


def _count(n: int, name: str) -> None:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"sequence.{name}: n must be a positive integer, got {n!r}")


#: 서로 다른 덧셈 질문의 수: 순서를 무시한 두 수 $\{a, b\} \subset [0, 999]$ 의 쌍 $1000 \cdot 1001 / 2$.
ADDITION_QUESTIONS = 1000 * 1001 // 2


def write_addition(path: str | os.PathLike[str], n: int = 50000, seed: int = 1984) -> None:
    """서로 다른 덧셈 질문 `n`줄을 씁니다: 질문 `a+b`, 답 `_` + 정확한 합 (폭 `ADDITION_WIDTHS`).

    두 수는 각각 자릿수 $k \\in \\{1, 2, 3\\}$을 고르게 고른 뒤 $[0, 10^k)$에서 고르게 뽑습니다
    (세 자리 수만 많아지지 않도록). 이미 나온 질문과 같거나 두 수의 순서만 바꾼 질문(`b+a`)은 버리고 다시
    뽑으므로, **같은 질문이 두 번 나오지 않습니다**. 한 자리 수끼리의 질문은 55개뿐이라 앞쪽에서 곧 다 쓰이고,
    뒤로 갈수록 큰 수가 많아집니다. 같은 `seed`면 같은 파일입니다.

    책의 `addition.txt`도 같은 성질을 가집니다(같은 질문도, 순서만 바꾼 질문도 없음). 질문이 되풀이되면
    시험 데이터의 질문 대부분이 학습 데이터에도 들어 있게 되어(이 규칙 없이 50,000줄을 만들면 시험 줄의
    약 53%), 외운 답만으로 정확도가 크게 올라갑니다.

    Raises
    ------
    ValueError
        `n`이 양의 정수가 아니거나 서로 다른 질문의 수 `ADDITION_QUESTIONS`(500,500)보다 클 때.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "add.txt"
    >>> write_addition(path, n=2, seed=0)
    >>> path.read_text().splitlines()
    ['40+1   _41  ', '81+9   _90  ']
    """
    _count(n, "write_addition")
    if n > ADDITION_QUESTIONS:
        raise ValueError(f"sequence.write_addition: there are only {ADDITION_QUESTIONS} distinct questions "
                         f"a+b (up to the order of a and b), so n={n} lines cannot all differ")
    gen = np.random.default_rng(seed)
    seen: set[tuple[int, int]] = set()
    pairs: list[tuple[str, str]] = []
    while len(pairs) < n:  # candidates in batches; a repeated question (or b+a of a seen a+b) is skipped
        digits = gen.integers(1, 4, size=(n, 2))
        values = (gen.random((n, 2)) * 10.0 ** digits).astype(np.int64)
        for a, b in values.tolist():
            key = (min(a, b), max(a, b))
            if key not in seen and len(pairs) < n:
                seen.add(key)
                pairs.append((f"{a}+{b}", f"_{a + b}"))
    _write(path, pairs, ADDITION_WIDTHS)


_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def format_date(date: _dt.date, form: str) -> str:
    """`date`를 `DATE_FORMATS`의 한 형식 `form`으로 씁니다(로캘과 무관하게 영어)."""
    month, weekday = _MONTHS[date.month - 1], _WEEKDAYS[date.weekday()]
    return form.format(month=month, Month=month.capitalize(), Mon=month[:3].capitalize(), MONTH=month.upper(),
                       weekday=weekday, WEEKDAY=weekday.upper(), day=date.day, dd=f"{date.day:02d}",
                       m=date.month, mm=f"{date.month:02d}", year=date.year, yy=f"{date.year % 100:02d}")


def write_date(path: str | os.PathLike[str], n: int = 50000, seed: int = 1984) -> None:
    """날짜 변환 데이터 `n`줄을 씁니다: 여러 형식의 날짜 → 답 `_YYYY-MM-DD` (폭 `DATE_WIDTHS`).

    날짜는 `FIRST_DATE`–`LAST_DATE`(1950–2049년)에서 고르게, 형식은 `DATE_FORMATS`에서 고르게
    뽑습니다. 두 자리 연도 `yy`는 50 이상이면 19yy, 아니면 20yy입니다. 같은 `seed`면 같은 파일입니다.

    Examples
    --------
    >>> format_date(_dt.date(1994, 9, 27), DATE_FORMATS[4])
    'TUESDAY, SEPTEMBER 27, 1994'
    >>> format_date(_dt.date(1994, 9, 27), DATE_FORMATS[6])
    '9/27/94'
    """
    _count(n, "write_date")
    gen = np.random.default_rng(seed)
    span = (LAST_DATE - FIRST_DATE).days + 1
    offsets = gen.integers(0, span, size=n).tolist()
    forms = gen.integers(0, len(DATE_FORMATS), size=n).tolist()
    pairs = []
    for k, f in zip(offsets, forms):
        date = FIRST_DATE + _dt.timedelta(days=k)
        pairs.append((format_date(date, DATE_FORMATS[f]), "_" + date.isoformat()))
    _write(path, pairs, DATE_WIDTHS)
