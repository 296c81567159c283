r"""매개변수 파일: `.npz`로 저장하고, 모델의 기존 배열에 제자리로 읽어 들입니다.

책은 매개변수를 pickle로 저장하지만, pickle 파일을 읽는 것은 그 안의 임의 코드를
실행하는 것과 같습니다. refnn은 순수한 숫자 배열만 담는 `.npz`를 쓰고,
`allow_pickle=False`로만 읽습니다. pickle 파일이나 객체 배열이 든 `.npz`는
실행하지 않고 `ValueError`로 거부합니다.
"""

from __future__ import annotations

import os
import secrets
import zipfile
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["save_params", "load_params"]

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a zip file (an .npz), possibly empty
_PICKLE_HINT = "refnn never unpickles parameter files; save them with refnn.io.save_params"


def _key(i: int) -> str:
    return f"param{i}"


def _params_of(model: Any) -> list[np.ndarray]:
    params = getattr(model, "params", model)
    if not isinstance(params, (list, tuple)) or not all(isinstance(p, np.ndarray) for p in params):
        raise ValueError(
            "load_params: model must have a `params` list of numpy arrays (or be such a list itself)"
        )
    return list(params)


def save_params(path: str | os.PathLike[str], params: Sequence[np.ndarray]) -> None:
    """매개변수 배열들을 `.npz` 파일 하나에 저장합니다.

    Parameters
    ----------
    path : str or os.PathLike
        저장할 파일 경로. 주어진 이름 그대로 씁니다(`.npz`를 덧붙이지 않습니다).
        같은 디렉터리의 임시 파일에 쓴 뒤 바꿔치기하므로, 실패해도 기존 파일이
        반쯤 쓰인 채로 남지 않습니다.
    params : list of numpy.ndarray
        저장할 배열(예: `model.params`). 순서대로 `param0`, `param1`, … 이름으로 저장하며
        배열은 바뀌지 않습니다.

    Raises
    ------
    ValueError
        배열이 아니거나, 숫자(정수·실수·복소수·불리언)가 아닌 dtype(객체 등)이 있을 때.
    OSError
        파일을 쓸 수 없을 때.

    Examples
    --------
    >>> import tempfile, os
    >>> from refnn.models import TwoLayerNet
    >>> model = TwoLayerNet(2, 3, 2, rng=0)
    >>> path = os.path.join(tempfile.mkdtemp(), "params.npz")
    >>> save_params(path, model.params)
    >>> other = TwoLayerNet(2, 3, 2, rng=1)
    >>> load_params(other, path)
    >>> all(np.array_equal(a, b) for a, b in zip(model.params, other.params))
    True
    """
    arrays: dict[str, np.ndarray] = {}
    for i, p in enumerate(params):
        if not isinstance(p, np.ndarray):
            raise ValueError(f"save_params: params[{i}] must be a numpy.ndarray, got {type(p).__name__}")
        if p.dtype.kind not in "biufc":
            raise ValueError(
                f"save_params: params[{i}] has dtype {p.dtype}; only numeric arrays can be saved "
                "(no pickled objects)"
            )
        arrays[_key(i)] = p
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    # a fresh name opened with "xb" (unlike mkstemp) gets the usual permissions from the umask
    tmp = os.path.join(directory, f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp")
    try:
        with open(tmp, "xb") as f:
            np.savez(f, **arrays)  # type: ignore[arg-type]  # numpy stubs: names vs allow_pickle
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def load_params(model: Any, path: str | os.PathLike[str]) -> None:
    """`save_params`로 저장한 파일을 모델의 기존 매개변수 배열에 제자리로 읽어 들입니다.

    Parameters
    ----------
    model : object or list of numpy.ndarray
        `params` 리스트를 가진 모델(예: `TwoLayerNet`) 또는 배열 리스트 자체.
        배열 객체는 그대로 두고 값만 덮어쓰므로(`p[...] = a`) 계층과 옵티마이저가
        보는 배열이 유지됩니다.
    path : str or os.PathLike
        `.npz` 파일 경로.

    Raises
    ------
    ValueError
        파일이 `.npz`가 아닐 때(pickle 파일 포함), 객체(pickle) 배열이 들어 있을 때,
        배열의 개수·이름·형상·dtype이 모델과 다를 때. 어느 경우든 모델은 바뀌지 않습니다
        (모든 배열을 검사한 뒤에 한꺼번에 씁니다).
    OSError
        파일을 읽을 수 없을 때.

    Notes
    -----
    `np.load(..., allow_pickle=False)`로만 읽으므로 파일 안의 pickle은 결코 실행되지
    않습니다. 먼저 파일의 첫 바이트가 zip(`.npz`)인지 보고, 아니면(pickle, `.npy`,
    텍스트 등) 열지 않고 거부합니다.
    """
    params = _params_of(model)
    path = os.fspath(path)
    with open(path, "rb") as f:
        head = f.read(4)
    if head not in _ZIP_MAGIC:
        what = "a pickle file" if head[:1] == b"\x80" else "not an .npz file"
        raise ValueError(f"load_params: {path!r} is {what}; {_PICKLE_HINT}")
    try:
        archive = np.load(path, allow_pickle=False)
    except (ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise ValueError(f"load_params: {path!r} is not a readable .npz file ({exc})") from None
    with archive:
        names = sorted(archive.files)
        expected = sorted(_key(i) for i in range(len(params)))
        if names != expected:
            raise ValueError(
                f"load_params: {path!r} holds {len(names)} arrays "
                f"{names[:6]}{'...' if len(names) > 6 else ''}, "
                f"but the model has {len(params)} params (expected names param0..param{len(params) - 1})"
            )
        loaded: list[np.ndarray] = []
        for i, p in enumerate(params):
            try:
                a = archive[_key(i)]
            except ValueError as exc:  # object arrays: numpy refuses them without unpickling
                raise ValueError(
                    f"load_params: {path!r} entry {_key(i)} holds pickled objects ({exc}); {_PICKLE_HINT}"
                ) from None
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise ValueError(f"load_params: {path!r} entry {_key(i)} cannot be read ({exc})") from None
            if not isinstance(a, np.ndarray):  # a zip member that is not an .npy array
                raise ValueError(
                    f"load_params: {path!r} entry {_key(i)} is not a NumPy array; {_PICKLE_HINT}"
                )
            if a.shape != p.shape:
                raise ValueError(
                    f"load_params: {_key(i)} has shape {a.shape} in {path!r}, "
                    f"but params[{i}] has shape {p.shape}"
                )
            if a.dtype != p.dtype:
                raise ValueError(
                    f"load_params: {_key(i)} has dtype {a.dtype} in {path!r}, "
                    f"but params[{i}] has dtype {p.dtype}"
                )
            loaded.append(a)
    for p, a in zip(params, loaded, strict=True):
        p[...] = a
