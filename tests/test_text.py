"""refnn.text (chapters 2–3): the book's worked example and input checks (the rows run in tests/test_spec.py)."""

import numpy as np
import pytest

from refnn import text

SENTENCE = "You say goodbye and I say hello."


def test_the_books_sentence():
    corpus, w2i, i2w = text.preprocess(SENTENCE)
    assert corpus.tolist() == [0, 1, 2, 3, 4, 1, 5, 6]
    C = text.create_co_matrix(corpus, len(w2i))
    assert C.dtype == np.int32
    assert C[w2i["say"]].tolist() == [1, 0, 1, 0, 1, 1, 0]
    assert round(text.cos_similarity(C[w2i["you"]], C[w2i["i"]]), 6) == 0.707107
    words = [w for w, _ in text.most_similar("you", w2i, i2w, C, top=5)]
    assert words[:3] == ["goodbye", "i", "hello"] and "you" not in words
    W = text.ppmi(C)
    assert W.dtype == np.float32 and (W >= 0).all() and np.allclose(W, W.T)
    contexts, target = text.create_contexts_target(corpus, window_size=1)
    assert contexts[0].tolist() == [0, 2] and target.tolist() == corpus[1:-1].tolist()
    one_hot = text.convert_one_hot(contexts, len(w2i))
    assert one_hot.shape == (6, 2, 7) and one_hot.dtype == np.int32


def test_preprocess_has_no_empty_tokens_where_the_book_has():
    corpus, w2i, _ = text.preprocess("you  say\tgoodbye\n")
    assert "" not in w2i and corpus.size == 3


def test_words_never_seen_give_zero_ppmi_rows_without_warnings():
    C = np.array([[0, 2, 0], [2, 0, 0], [0, 0, 0]])
    with np.errstate(all="raise"):
        M = text.ppmi(C)
    assert (M[2] == 0).all() and (M[:, 2] == 0).all()


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda: text.preprocess("   \n"), ValueError, "no words"),
    (lambda: text.preprocess(b"you"), TypeError, "must be a str"),
    (lambda: text.create_co_matrix(np.array([0, 1]), 2, window_size=0), ValueError, "window_size must be a positive"),
    (lambda: text.create_co_matrix(np.array([0, 3]), 2), ValueError, "out of range for vocab_size 2"),
    (lambda: text.create_co_matrix(np.array([0.0, 1.0]), 2), ValueError, "integer word ids"),
    (lambda: text.cos_similarity(np.ones(2), np.ones(3)), ValueError, "same shape"),
    (lambda: text.ppmi(np.zeros((2, 2))), ValueError, "all zeros"),
    (lambda: text.ppmi(np.ones((2, 3))), ValueError, "square"),
    (lambda: text.ppmi(-np.ones((2, 2))), ValueError, "negative"),
    (lambda: text.create_contexts_target(np.array([0, 1]), 1), ValueError, "too short for window_size 1"),
    (lambda: text.convert_one_hot(np.array([-1]), 2), ValueError, ">= 0"),
    (lambda: text.most_similar("cat", {"dog": 0}, {0: "dog"}, np.ones((1, 2))), ValueError, "'cat' is not in"),
    (lambda: text.most_similar("dog", {"dog": 0}, {0: "dog"}, np.ones((1, 2)), top=0), ValueError, "top must"),
    (lambda: text.analogy("a", "b", "z", {"a": 0, "b": 1}, {0: "a", 1: "b"}, np.ones((2, 2))), ValueError,
     "'z' is not in"),
])
def test_clear_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()
