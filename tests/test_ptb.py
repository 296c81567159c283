"""dataset.ptb.load_data on a tiny corpus in PTB's format; the network is never used."""

import os
from pathlib import Path

import numpy as np
import pytest

from dataset import ptb

TRAIN = " the cat sat on the mat \n the dog sat \n"
VALID = " the dog sat on the cat \n"
TEST = " a cat \n"  # 'a' is not in the training vocabulary


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    def refuse(name, path):
        raise OSError("network disabled in tests")

    monkeypatch.setattr(ptb, "_download", refuse)


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "ptb.train.txt").write_text(TRAIN)
    (tmp_path / "ptb.valid.txt").write_text(VALID)
    return tmp_path


def test_train_corpus_words_and_eos(folder):
    corpus, w2i, i2w = ptb.load_data("train", data_dir=folder)
    assert corpus.dtype == np.int32
    assert [i2w[int(i)] for i in corpus] == TRAIN.replace("\n", " <eos> ").split()
    assert list(w2i) == ["the", "cat", "sat", "on", "mat", "<eos>", "dog"]  # order of first appearance
    assert all(i2w[i] == w for w, i in w2i.items())


def test_val_uses_the_training_vocabulary_and_caches_without_pickle(folder, monkeypatch):
    corpus, w2i, i2w = ptb.load_data("val", data_dir=folder)
    assert [i2w[int(i)] for i in corpus] == VALID.replace("\n", " <eos> ").split()
    assert (folder / "ptb.valid.npz").exists() and (folder / "ptb.vocab.json").exists()
    assert not list(folder.glob("*.pkl"))
    monkeypatch.setattr(ptb, "_words", lambda path: pytest.fail("the cache was not used"))
    again, w2i_again, _ = ptb.load_data("val", data_dir=folder)
    assert np.array_equal(again, corpus) and w2i_again == w2i


def test_a_newer_text_file_rebuilds_the_cache(folder):
    ptb.load_data("train", data_dir=folder)
    path = folder / "ptb.train.txt"
    path.write_text(" new words \n")
    later = (folder / "ptb.train.npz").stat().st_mtime + 10
    os.utime(path, (later, later))
    corpus, _, i2w = ptb.load_data("train", data_dir=folder)
    assert [i2w[int(i)] for i in corpus] == ["new", "words", "<eos>"]


def test_words_outside_the_training_vocabulary_are_an_error(folder):
    (folder / "ptb.test.txt").write_text(TEST)
    with pytest.raises(ValueError, match=r"ptb.test.txt has words absent from ptb.train.txt: \['a'\]"):
        ptb.load_data("test", data_dir=folder)


def test_missing_files_name_the_files_and_the_folder(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        ptb.load_data("test", data_dir=tmp_path / "nowhere")
    text = str(info.value)
    assert "ptb.train.txt" in text and "ptb.test.txt" in text and str(tmp_path / "nowhere") in text
    assert "REFNN_DATA" in text and ptb.URL_BASE in text


def test_folder_from_REFNN_DATA_then_home(folder, monkeypatch, tmp_path):
    monkeypatch.setenv("REFNN_DATA", str(tmp_path / "data"))
    assert ptb.data_folder() == tmp_path / "data" / "ptb"
    monkeypatch.delenv("REFNN_DATA")
    monkeypatch.setattr(Path, "home", lambda: tmp_path / "home")
    assert ptb.data_folder() == tmp_path / "home" / ".cache" / "refnn" / "ptb"
    assert ptb.data_folder(folder) == folder


def test_downloads_missing_files(tmp_path, monkeypatch):
    fetched = []

    def fake(name, path):
        fetched.append(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(TRAIN)

    monkeypatch.setattr(ptb, "_download", fake)
    corpus, _, _ = ptb.load_data("train", data_dir=tmp_path / "fresh")
    assert fetched == ["ptb.train.txt"] and corpus.size == len(TRAIN.replace("\n", " <eos> ").split())


def test_bad_data_type(folder):
    with pytest.raises(ValueError, match="data_type must be 'train', 'val' or 'test'"):
        ptb.load_data("valid", data_dir=folder)
