"""The wire format: allow-listed values round-trip exactly; everything else is a reference or refused."""

import io
import math

import numpy as np
import pandas as pd
import pytest
import torch

from autograder import codec


def roundtrip(value, to_ref=None, make_remote=None):
    blobs = []
    node = codec.encode(value, blobs, to_ref)
    stream = io.BytesIO()
    codec.write_message(stream, {"value": node}, blobs)
    stream.seek(0)
    header, got_blobs = codec.read_message(stream)
    return codec.Decoder(got_blobs, make_remote=make_remote).decode(header["value"])


def test_plain_values_roundtrip():
    value = {"a": [1, 2.5, None, True, "x"], 3: (1, "two"), "big": 2**80, "c": 1 + 2j, "b": b"\x00\xff",
             "nan": float("nan"), "inf": float("-inf")}
    got = roundtrip(value)
    assert got["a"] == [1, 2.5, None, True, "x"] and got[3] == (1, "two") and got["big"] == 2**80
    assert got["c"] == 1 + 2j and got["b"] == b"\x00\xff" and math.isnan(got["nan"]) and got["inf"] == -math.inf


@pytest.mark.parametrize("dtype", ["bool", "int8", "int64", "uint16", "float16", "float32", "float64", "complex128"])
def test_numpy_arrays_roundtrip_exactly(dtype):
    array = (np.arange(24).reshape(2, 3, 4) % 3).astype(dtype)
    got = roundtrip(array)
    assert got.dtype == array.dtype and got.shape == array.shape and np.array_equal(got, array)


def test_numpy_scalars_and_noncontiguous_arrays():
    assert roundtrip(np.float64(1.5)) == 1.5 and type(roundtrip(np.float64(1.5))) is np.float64
    array = np.arange(12.0).reshape(3, 4).T
    assert np.array_equal(roundtrip(array), array)


def test_masked_arrays_cross_as_their_data():
    got = roundtrip(np.ma.masked_array([1.0, 2.0, 3.0], mask=[0, 1, 0]))
    assert type(got) is np.ndarray and got.tolist() == [1.0, 2.0, 3.0]


def test_tensors_roundtrip_including_bfloat16():
    for tensor in (torch.randn(3, 2), torch.arange(5), torch.randn(4).to(torch.bfloat16)):
        got = roundtrip(tensor)
        assert isinstance(got, torch.Tensor) and got.dtype == tensor.dtype and torch.equal(got, tensor)
    state = {"weight": torch.nn.Parameter(torch.ones(2, 2))}
    assert torch.equal(roundtrip(state)["weight"], torch.ones(2, 2))


def test_dataframes_and_series_roundtrip():
    frame = pd.DataFrame({"price": [1.0, 2.5], "rooms": [3, 4], "heating": ["gas", None]}, index=[10, 11])
    got = roundtrip(frame)
    assert list(got.columns) == ["price", "rooms", "heating"] and list(got.index) == [10, 11]
    assert got["price"].tolist() == [1.0, 2.5] and got["heating"][10] == "gas" and pd.isna(got["heating"][11])
    series = pd.Series([1.0, 2.0], index=["a", "b"], name="y")
    got = roundtrip(series)
    assert got.name == "y" and got.to_dict() == {"a": 1.0, "b": 2.0}


class AlwaysEqual:
    def __eq__(self, other):
        return True


class EvilArray(np.ndarray):
    def __eq__(self, other):
        return True


def test_unknown_objects_become_remote_references():
    made = []
    got = roundtrip([AlwaysEqual(), np.zeros(2).view(EvilArray), np.array([object()])],
                    to_ref=lambda v: {"$": "remote", "id": 7, "type": type(v).__name__},
                    make_remote=lambda node: made.append(node) or ("remote", node["type"]))
    assert got == [("remote", "AlwaysEqual"), ("remote", "EvilArray"), ("remote", "ndarray")]


def test_refuses_objects_without_a_reference_hook():
    with pytest.raises(TypeError):
        codec.encode(AlwaysEqual(), [])


@pytest.mark.parametrize("node, blobs", [
    ({"$": "pickle", "b": 0}, [b"x"]),
    ({"$": "ndarray", "dtype": "object", "shape": [1], "b": 0}, [b"x" * 8]),
    ({"$": "ndarray", "dtype": "float64", "shape": [3], "b": 0}, [b"x" * 8]),
    ({"$": "ndarray", "dtype": "float64", "shape": [1], "b": 5}, [b"x" * 8]),
    ({"$": "remote", "id": 1}, []),
    ({"$": "__class__"}, []),
    ({"$": "dict", "k": [[1]], "v": [1]}, []),
])
def test_decoder_rejects_malformed_or_unlisted_values(node, blobs):
    with pytest.raises(codec.ProtocolError):
        codec.Decoder(blobs).decode(node)


def test_reader_refuses_oversized_messages():
    blobs = [b"x" * 100]
    stream = io.BytesIO()
    codec.write_message(stream, {"v": 1}, blobs)
    stream.seek(0)
    with pytest.raises(codec.ProtocolError):
        codec.read_message(stream, limit=50)


def test_truncated_stream_is_end_of_file():
    with pytest.raises(EOFError):
        codec.read_message(io.BytesIO(b"\x05\x00"))
