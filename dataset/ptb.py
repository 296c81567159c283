r"""펜 트리뱅크(PTB) 말뭉치 (2.4절).

Tomas Mikolov가 전처리한 PTB 텍스트 파일(`ptb.train.txt`, `ptb.valid.txt`, `ptb.test.txt`)을
읽어 단어 ID의 말뭉치로 돌려줍니다. 한 번 읽은 결과는 같은 폴더에 `.npz`(말뭉치)와
JSON(어휘)으로 저장해 두고 다음부터 씁니다. pickle은 쓰지 않습니다.
"""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Callable
from pathlib import Path

import numpy as np

__all__ = ["load_data", "data_folder", "FILES", "URL_BASE"]

#: 표준 배포 위치(책의 코드와 같은 곳).
URL_BASE = "https://raw.githubusercontent.com/tomsercu/lstm/master/data/"
#: data_type → 파일 이름.
FILES = {"train": "ptb.train.txt", "val": "ptb.valid.txt", "test": "ptb.test.txt"}
_VOCAB = "ptb.vocab.json"
_TIMEOUT = 30.0


def data_folder(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """PTB 파일을 찾을 폴더: `data_dir`, 없으면 `$REFNN_DATA/ptb`, 없으면 `~/.cache/refnn/ptb`."""
    if data_dir is not None:
        return Path(data_dir)
    env = os.environ.get("REFNN_DATA")
    if env:
        return Path(env) / "ptb"
    return Path.home() / ".cache" / "refnn" / "ptb"


def _download(name: str, path: Path) -> None:
    """Fetch ``name`` from the standard location into ``path`` (through a temporary file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_suffix(path.suffix + ".part")
    with urllib.request.urlopen(URL_BASE + name, timeout=_TIMEOUT) as response:  # noqa: S310 - fixed https URL
        part.write_bytes(response.read())
    part.replace(path)


def _text_file(folder: Path, name: str) -> Path:
    path = folder / name
    if path.exists():
        return path
    try:
        _download(name, path)
    except (OSError, ValueError) as exc:
        wanted = ", ".join(FILES.values())
        raise FileNotFoundError(
            f"PTB file {name} is missing from {folder} and could not be downloaded from {URL_BASE}{name} "
            f"({exc}). Put the PTB text files ({wanted}) in {folder}, or pass data_dir=..., "
            f"or set REFNN_DATA to a folder holding ptb/{name}."
        ) from None
    return path


def _words(path: Path) -> list[str]:
    """The file's words with <eos> at each line end (as the book: newline → <eos>)."""
    return path.read_text(encoding="utf-8").replace("\n", " <eos> ").split()


def _fresh(cache: Path, source: Path) -> bool:
    return cache.exists() and cache.stat().st_mtime >= source.stat().st_mtime


def _save(write: Callable[[Path], object], path: Path) -> None:
    """Write a cache file, or skip it quietly when the folder is read-only."""
    try:
        write(path)
    except OSError:
        pass


def _vocab(folder: Path) -> list[str]:
    train = _text_file(folder, FILES["train"])
    cache = folder / _VOCAB
    if _fresh(cache, train):
        return list(json.loads(cache.read_text(encoding="utf-8")))
    id_to_word = list(dict.fromkeys(_words(train)))  # ids in order of first appearance in the train file
    _save(lambda p: p.write_text(json.dumps(id_to_word), encoding="utf-8"), cache)
    return id_to_word


def load_data(data_type: str = "train", data_dir: str | os.PathLike[str] | None = None
              ) -> tuple[np.ndarray, dict[str, int], dict[int, str]]:
    r"""PTB 말뭉치를 읽습니다 (2.4절).

    Parameters
    ----------
    data_type : {'train', 'val', 'test'}, default 'train'
        훈련·검증·시험 데이터.
    data_dir : path-like, optional
        PTB 파일이 있는(또는 내려받을) 폴더. 생략하면 환경 변수 `REFNN_DATA`가 있을 때
        `$REFNN_DATA/ptb`, 없으면 `~/.cache/refnn/ptb` (사용자 홈 아래의 캐시 폴더).

    Returns
    -------
    corpus : numpy.ndarray
        형상 `(T,)`, int32의 단어 ID 열. 줄 끝마다 `<eos>`가 들어갑니다.
    word_to_id : dict of str to int
        단어 → ID (훈련 파일에 처음 나온 순서, 세 데이터가 같은 어휘를 씀).
    id_to_word : dict of int to str
        ID → 단어.

    Raises
    ------
    ValueError
        `data_type`이 셋 중 하나가 아닐 때, 검증·시험 파일에 훈련 어휘 밖의 단어가 있을 때.
    FileNotFoundError
        파일이 없고 내려받을 수도 없을 때. 어떤 파일을 어느 폴더에 두면 되는지 알려 줍니다.

    Notes
    -----
    파일이 없으면 책의 코드와 같은 표준 위치(`URL_BASE`)에서 내려받습니다. 검증·시험 데이터를
    읽을 때에도 어휘를 만들려고 훈련 파일이 필요합니다. 읽은 결과는 같은 폴더에
    `ptb.train.npz`(말뭉치)와 `ptb.vocab.json`(어휘)으로 저장하며, 텍스트 파일이 더 새로우면
    다시 만듭니다. 책은 pickle로 저장하지만 refnn은 pickle을 쓰지 않습니다.

    표준 파일에서 훈련 데이터는 929,589 단어, 어휘는 10,000개입니다.

    References
    ----------
    밑바닥부터 시작하는 딥러닝 2, 2.4절 (PTB 데이터셋).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "ptb.train.txt").write_text(" the cat sat \n the dog \n")
    >>> corpus, word_to_id, id_to_word = load_data("train", data_dir=folder)
    >>> [id_to_word[int(i)] for i in corpus]
    ['the', 'cat', 'sat', '<eos>', 'the', 'dog', '<eos>']
    """
    if data_type not in FILES:
        raise ValueError(f"ptb.load_data: data_type must be 'train', 'val' or 'test', got {data_type!r}")
    folder = data_folder(data_dir)
    id_to_word = _vocab(folder)
    word_to_id = {w: i for i, w in enumerate(id_to_word)}
    source = _text_file(folder, FILES[data_type])
    cache = folder / (Path(FILES[data_type]).stem + ".npz")
    if _fresh(cache, source) and _fresh(cache, folder / FILES["train"]):
        with np.load(cache, allow_pickle=False) as data:
            corpus = data["corpus"]
    else:
        words = _words(source)
        unknown = sorted(set(words) - word_to_id.keys())
        if unknown:
            raise ValueError(f"ptb.load_data: {source.name} has words absent from {FILES['train']}: {unknown[:5]}")
        corpus = np.array([word_to_id[w] for w in words], dtype=np.int32)
        _save(lambda p: np.savez(p, corpus=corpus), cache)
    return corpus, word_to_id, dict(enumerate(id_to_word))
