"""dataset.sequence: the generated toy sets parse and are right, loading gives the book's shapes and split,
and each call has its own vocabulary (the book accumulates one in module globals)."""

import datetime as dt
import re

import numpy as np
import pytest

from dataset import sequence

ADDITION = re.compile(r"^(\d{1,3})\+(\d{1,3}) *_(\d{1,4}) *$")


def _lines(path):
    return path.read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("seed", [0, 1984])
def test_every_addition_line_parses_with_the_exact_sum(tmp_path, seed):
    path = tmp_path / "add.txt"
    sequence.write_addition(path, n=3000, seed=seed)
    lines = _lines(path)
    assert len(lines) == 3000
    digits = set()
    for line in lines:
        assert len(line) == 12 and line.index("_") == 7
        a, b, s = ADDITION.match(line).groups()
        assert int(a) + int(b) == int(s)
        digits.add(len(a))
    assert digits == {1, 2, 3}  # every width of operand occurs


def _assert_distinct_questions(path):
    """No question occurs twice in the file, not even with its two numbers swapped (b+a after a+b)."""
    keys = [tuple(sorted(int(x) for x in ADDITION.match(line).groups()[:2])) for line in _lines(path)]
    repeated = len(keys) - len(set(keys))
    assert repeated == 0, f"{repeated} of {len(keys)} questions repeat an earlier one (or its b+a)"


def test_no_addition_question_twice_not_even_swapped(tmp_path):
    path = tmp_path / "add.txt"
    sequence.write_addition(path, n=20000, seed=3)
    _assert_distinct_questions(path)
    # the checker fails on repeated and on swapped questions
    for lines in (["12+3   _15  ", "7+1    _8   ", "12+3   _15  "], ["12+3   _15  ", "3+12   _15  "]):
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        with pytest.raises(AssertionError, match="repeat"):
            _assert_distinct_questions(path)
    with pytest.raises(ValueError, match="distinct"):
        sequence.write_addition(path, n=sequence.ADDITION_QUESTIONS + 1)


MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december"]
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def _month(word):
    word = word.lower()
    hits = [i + 1 for i, m in enumerate(MONTHS) if m == word or (len(word) == 3 and m.startswith(word))]
    assert len(hits) == 1, word
    return hits[0]


def parse_question(q):
    """The date a question encodes, read independently of the generator (weekday checked when given)."""
    q = q.strip()
    weekday = None
    if m := re.fullmatch(r"([A-Za-z]+), (.*)", q):
        weekday, q = m.group(1).lower(), m.group(2)
    if m := re.fullmatch(r"([A-Za-z]+) (\d{1,2}), (\d{4})", q):
        date = dt.date(int(m.group(3)), _month(m.group(1)), int(m.group(2)))
    elif m := re.fullmatch(r"(\d{1,2}) ([A-Za-z]+) (\d{4})", q):
        date = dt.date(int(m.group(3)), _month(m.group(2)), int(m.group(1)))
    elif m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})", q):
        year = int(m.group(3))
        if len(m.group(3)) == 2:
            year += 1900 if year >= 50 else 2000
        date = dt.date(year, int(m.group(1)), int(m.group(2)))
    elif m := re.fullmatch(r"(\d{4})\.(\d{2})\.(\d{2})", q):
        date = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    else:
        raise AssertionError(f"unparsable question {q!r}")
    if weekday is not None:
        assert weekday == WEEKDAYS[date.weekday()], q
    return date


@pytest.mark.parametrize("seed", [0, 1984])
def test_every_date_line_parses_and_the_answer_is_the_iso_date(tmp_path, seed):
    path = tmp_path / "date.txt"
    sequence.write_date(path, n=3000, seed=seed)
    forms = set()
    for line in _lines(path):
        assert len(line) == 40 and line.index("_") == 29
        q, a = line[:29], line[29:]
        assert a == "_" + parse_question(q).isoformat()
        shape = re.sub(r"[A-Z]{2,}", "U", re.sub(r"[A-Z][a-z]+", "W", re.sub(r"[a-z]+", "w", q.strip())))
        forms.add(re.sub(r"\d", "9", shape))
    assert len(forms) >= 8  # the formats are mixed: words and numbers, lower, capitalised and upper case


def test_two_digit_years_and_weekdays_are_unambiguous():
    assert sequence.format_date(dt.date(1950, 1, 2), "{m}/{day}/{yy}") == "1/2/50"
    assert parse_question("1/2/50") == dt.date(1950, 1, 2)
    assert parse_question("12/31/49") == dt.date(2049, 12, 31)
    with pytest.raises(AssertionError):
        parse_question("monday, september 27, 1994")  # a tuesday: the checker itself can fail


@pytest.mark.parametrize("write", [sequence.write_addition, sequence.write_date])
def test_same_seed_same_data_other_seed_other_data(tmp_path, write):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    before = np.random.get_state()
    write(a, n=200, seed=5)
    write(b, n=200, seed=5)
    write(c, n=200, seed=6)
    assert a.read_bytes() == b.read_bytes() != c.read_bytes()
    after = np.random.get_state()
    assert np.array_equal(before[1], after[1])


def _decode(rows, id_to_char):
    return ["".join(id_to_char[int(i)] for i in row) for row in rows]


def test_book_shapes_split_and_decoding_back_to_the_file(tmp_path):
    path = tmp_path / "addition.txt"
    sequence.write_addition(path)
    (x_train, t_train), (x_test, t_test) = sequence.load_data(path)
    assert (x_train.shape, t_train.shape, x_test.shape, t_test.shape) == ((45000, 7), (45000, 5), (5000, 7),
                                                                          (5000, 5))
    assert x_train.dtype == t_train.dtype == np.int64
    char_to_id, id_to_char = sequence.get_vocab()
    assert sorted(char_to_id) == sorted("0123456789+_ ")
    assert all(id_to_char[i] == ch for ch, i in char_to_id.items())
    x, t = np.concatenate([x_train, x_test]), np.concatenate([t_train, t_test])
    got = [q + a for q, a in zip(_decode(x, id_to_char), _decode(t, id_to_char))]
    assert sorted(got) == sorted(_lines(path))
    assert got != _lines(path)  # shuffled
    assert np.all(t[:, 0] == char_to_id["_"])


def test_date_shapes(tmp_path):
    path = tmp_path / "date.txt"
    sequence.write_date(path, n=1000)
    (x_train, t_train), (x_test, t_test) = sequence.load_data(path)
    assert (x_train.shape, t_train.shape, x_test.shape, t_test.shape) == ((900, 29), (900, 11), (100, 29), (100, 11))


def test_shuffle_seed(tmp_path):
    path = tmp_path / "add.txt"
    sequence.write_addition(path, n=300)
    one, two, other = (sequence.load_data(path, seed=s)[0][0] for s in (3, 3, 4))
    assert np.array_equal(one, two) and not np.array_equal(one, other)


def test_each_load_has_its_own_vocabulary(tmp_path):
    add, date = tmp_path / "add.txt", tmp_path / "date.txt"
    sequence.write_addition(add, n=300)
    sequence.write_date(date, n=300)
    (xa, _), _ = sequence.load_data(add)
    vocab_add = sequence.get_vocab()
    (xd, td), _ = sequence.load_data(date)
    char_to_id, id_to_char = sequence.get_vocab()
    assert "+" not in char_to_id  # the book's globals would still hold the addition characters
    assert len(char_to_id) == len(set(date.read_text()) - {"\n"})
    assert set(_decode(td, id_to_char)) <= {line[29:] for line in _lines(date)}
    (xa2, _), _ = sequence.load_data(add)
    assert sequence.get_vocab() == vocab_add and np.array_equal(xa, xa2)


def test_a_bare_name_is_looked_up_and_written_in_the_data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("REFNN_DATA", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    (x_train, _), _ = sequence.load_data("addition.txt")
    written = tmp_path / "sequence" / "addition.txt"
    reference = tmp_path / "ref.txt"
    sequence.write_addition(reference)
    assert written.read_bytes() == reference.read_bytes()
    assert x_train.shape == (45000, 7)
    with pytest.raises(FileNotFoundError):
        sequence.load_data("other.txt")


def test_malformed_files_are_refused(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("1+1  _2 \n12+3  _15\n")
    with pytest.raises(ValueError, match="width"):
        sequence.load_data(path)
    path.write_text("1+1 2\n")
    with pytest.raises(ValueError, match="start symbol"):
        sequence.load_data(path)
    path.write_text("\n")
    with pytest.raises(ValueError, match="no line"):
        sequence.load_data(path)
    for bad in (0, -3, 2.5, True):
        with pytest.raises(ValueError, match="positive integer"):
            sequence.write_addition(tmp_path / "x", n=bad)


def test_get_vocab_before_any_load(monkeypatch):
    monkeypatch.setattr(sequence, "_last_vocab", None)
    with pytest.raises(RuntimeError, match="load_data"):
        sequence.get_vocab()
