"""Parameter files: npz round trip into the model's own arrays, and refusal of anything pickled.

The refusal tests plant a payload whose unpickling creates a marker file. A control test runs
the same files through an unsafe loader in a subprocess and sees the marker appear, so the
payload is known to be live; refnn's loader must refuse the files and the marker must not appear.
"""

from __future__ import annotations

import pickle
import pickletools
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refnn.io import load_params, save_params
from refnn.models import TwoLayerNet
from tests.strategies import arrays, dims


class Holder:
    """The smallest model load_params accepts: something with a `params` list."""

    def __init__(self, params: list[np.ndarray]) -> None:
        self.params = params


@st.composite
def param_lists(draw: Any) -> list[np.ndarray]:
    k = draw(st.integers(0, 4))
    out = []
    for _ in range(k):
        shape = draw(st.one_of(st.just(()), dims(1), dims(2), dims(3, hi=3)))
        dtype = draw(st.sampled_from([np.float64, np.float32]))
        out.append(draw(arrays(shape, dtype)))
    return out


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=param_lists())
def test_round_trip_into_the_models_own_arrays(tmp_path: Path, params: list[np.ndarray]) -> None:
    path = tmp_path / "p.npz"
    before = [p.copy() for p in params]
    save_params(path, params)
    for p, b in zip(params, before, strict=True):
        np.testing.assert_array_equal(p, b)  # saving changes nothing
    target = [np.full_like(p, 7) for p in params]
    ids = [id(t) for t in target]
    holder = Holder(target)
    load_params(holder, path)
    assert [id(t) for t in holder.params] == ids  # same array objects
    for t, p in zip(holder.params, params, strict=True):
        assert t.dtype == p.dtype and t.shape == p.shape
        np.testing.assert_array_equal(t, p)


def test_two_layer_net_round_trip_keeps_layers_aliased(tmp_path: Path) -> None:
    trained, fresh = TwoLayerNet(2, 4, 3, rng=0), TwoLayerNet(2, 4, 3, rng=1)
    path = tmp_path / "params.npz"
    save_params(path, trained.params)
    w1 = fresh.layers[0].params[0]
    load_params(fresh, path)
    assert fresh.layers[0].params[0] is w1 is fresh.params[0]
    x = np.random.default_rng(2).standard_normal((5, 2))
    np.testing.assert_array_equal(fresh.predict(x), trained.predict(x))


def test_the_path_is_used_as_given(tmp_path: Path) -> None:
    save_params(tmp_path / "weights.bin", [np.ones(2)])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["weights.bin"]  # no ".npz" added, no temp left
    load_params([np.zeros(2)], tmp_path / "weights.bin")


@pytest.mark.parametrize("change, match", [
    (lambda ps: ps[:-1], r"holds 3 arrays .* the model has 4 params"),
    (lambda ps: ps + [np.ones(1)], r"holds 5 arrays .* the model has 4 params"),
    (lambda ps: ps[:3] + [np.zeros(4)], r"param3 has shape \(4,\) .* params\[3\] has shape \(3,\)"),
    (lambda ps: ps[:3] + [ps[3].astype(np.float32)], r"param3 has dtype float32 .* params\[3\] has dtype float64"),
])
def test_mismatched_files_are_refused_and_leave_the_model_unchanged(
    tmp_path: Path, change: Any, match: str
) -> None:
    model = TwoLayerNet(2, 4, 3, rng=0)
    other = [p + 1 for p in model.params]
    path = tmp_path / "p.npz"
    save_params(path, change(other))
    before = [p.copy() for p in model.params]
    with pytest.raises(ValueError, match=match):
        load_params(model, path)
    for p, b in zip(model.params, before, strict=True):
        np.testing.assert_array_equal(p, b)  # all or nothing: not even param0..2 were written


def test_save_refuses_object_arrays_and_non_arrays(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="only numeric arrays"):
        save_params(tmp_path / "p.npz", [np.array([{"a": 1}], dtype=object)])
    with pytest.raises(ValueError, match="must be a numpy.ndarray"):
        save_params(tmp_path / "p.npz", [[1.0, 2.0]])
    assert list(tmp_path.iterdir()) == []


# --- pickles are refused, never executed -------------------------------------------------------

class Payload:
    """Unpickling this object calls open(marker, "w"): it creates the marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = str(marker)

    def __reduce__(self) -> tuple:
        return (open, (self.marker, "w"))


def _raw_pickle(path: Path, marker: Path) -> None:
    path.write_bytes(pickle.dumps([Payload(marker)]))


def _raw_pickle_protocol0(path: Path, marker: Path) -> None:
    path.write_bytes(pickle.dumps([Payload(marker)], protocol=0))


def _npz_with_object_array(path: Path, marker: Path) -> None:
    arr = np.empty(1, dtype=object)
    arr[0] = Payload(marker)
    with open(path, "wb") as f:
        np.savez(f, param0=arr)


def _zip_with_pickle_member(path: Path, marker: Path) -> None:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("param0", pickle.dumps(Payload(marker)))


MALICIOUS = {
    "raw pickle": (_raw_pickle, "is a pickle file"),
    "raw pickle, protocol 0": (_raw_pickle_protocol0, "not an .npz file"),
    "npz with an object array": (_npz_with_object_array, "holds pickled objects"),
    "zip with a pickle member": (_zip_with_pickle_member, "is not a NumPy array"),
}


@pytest.mark.parametrize("kind", MALICIOUS)
def test_pickled_files_are_refused_and_their_payload_never_runs(
    tmp_path: Path, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    make, match = MALICIOUS[kind]
    marker, path = tmp_path / "PAYLOAD_RAN", tmp_path / "params.npz"
    make(path, marker)
    assert not marker.exists()

    def no_unpickling(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("load_params reached the unpickler")

    monkeypatch.setattr(pickle, "load", no_unpickling)
    monkeypatch.setattr(pickle, "loads", no_unpickling)
    model = Holder([np.zeros(1)])
    with pytest.raises(ValueError, match=match) as info:
        load_params(model, path)
    assert "never unpickles" in str(info.value)
    assert not marker.exists(), "the pickled payload was executed"
    np.testing.assert_array_equal(model.params[0], 0.0)


def _pickle_streams(path: Path) -> list[bytes]:
    """The pickle streams a file carries: itself, or its zip members (read as bytes, never unpickled)."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            members = [z.read(name) for name in z.namelist()]
        # an .npy member keeps its pickle after the header when the array holds objects
        return [m[m.index(b"\n") + 1:] if m.startswith(b"\x93NUMPY") else m for m in members]
    return [path.read_bytes()]


@pytest.mark.parametrize("kind", MALICIOUS)
def test_control_the_payload_is_live(tmp_path: Path, kind: str) -> None:
    """Without this, the refusal test could pass with a payload that does nothing. The stream is
    disassembled with pickletools (static: nothing is loaded) to show it calls open on the marker."""
    make, _ = MALICIOUS[kind]
    marker, path = tmp_path / "PAYLOAD_RAN", tmp_path / "params.npz"
    make(path, marker)
    ops = [(op.name, arg) for stream in _pickle_streams(path) for op, arg, _ in pickletools.genops(stream)]
    names = [op for op, _ in ops]
    assert "REDUCE" in names and any(arg == str(marker) for _, arg in ops)
    assert any(isinstance(arg, str) and "open" in arg.split() for _, arg in ops)
    assert not marker.exists()


@pytest.mark.parametrize("content, match", [
    (b"", "not an .npz file"),
    (b"\x93NUMPY\x01\x00", "not an .npz file"),  # a single .npy is not a parameter file
    (b"PK\x03\x04 truncated zip", "not a readable .npz file"),
    (b"hello, world", "not an .npz file"),
])
def test_other_non_npz_files_are_refused(tmp_path: Path, content: bytes, match: str) -> None:
    path = tmp_path / "params.npz"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=match):
        load_params([np.zeros(1)], path)


def test_load_needs_a_model_with_params(tmp_path: Path) -> None:
    save_params(tmp_path / "p.npz", [np.zeros(1)])
    with pytest.raises(ValueError, match="params"):
        load_params(object(), tmp_path / "p.npz")
    with pytest.raises(FileNotFoundError):
        load_params([np.zeros(1)], tmp_path / "missing.npz")
