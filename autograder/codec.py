"""The wire format between the worker (untrusted) and the trusted side.

A message is a JSON header plus binary blobs (array bytes). Only an allow-list of types is encoded as
values; everything else stays in the worker and crosses as a reference to a remote object. Decoding
never unpickles and never calls code: arrays are rebuilt with ``frombuffer`` from allow-listed dtypes.
"""

from __future__ import annotations

import json
import math
import struct
from typing import Any, Callable

MAX_MESSAGE_BYTES = 512 * 1024 * 1024  # header and blobs together
MAX_HEADER_BYTES = 16 * 1024 * 1024
MAX_BLOBS = 100_000
MAX_DEPTH = 64
MAX_ITEMS = 1_000_000

NUMPY_DTYPES = {
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64", "complex64", "complex128",
}
TORCH_DTYPES = NUMPY_DTYPES | {"bfloat16"}


class ProtocolError(Exception):
    """The other side sent something that is not a valid message."""


class Ref:
    """A reference to an object that lives in the worker (``id`` indexes the worker's table)."""

    __slots__ = ("id", "type_name", "text")

    def __init__(self, id: int, type_name: str = "", text: str = ""):
        self.id, self.type_name, self.text = id, type_name, text


# ---------------------------------------------------------------- framing

def write_message(stream, header: dict, blobs: list[bytes]) -> None:
    head = json.dumps(header, allow_nan=True, separators=(",", ":")).encode()
    parts = [struct.pack("<II", len(head), len(blobs)), head]
    for blob in blobs:
        parts += [struct.pack("<Q", len(blob)), blob]
    for part in parts:
        stream.write(part)
    stream.flush()


def _read_exact(stream, n: int) -> bytes:
    chunks, left = [], n
    while left:
        chunk = stream.read(left)
        if not chunk:
            raise EOFError("the other side closed the channel")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_message(stream, limit: int = MAX_MESSAGE_BYTES) -> tuple[dict, list[bytes]]:
    """One frame from an untrusted writer: every size is checked before anything is read or parsed, and a
    malformed frame (garbage, forged sizes, nesting too deep for the parser) is a ProtocolError."""
    head_len, n_blobs = struct.unpack("<II", _read_exact(stream, 8))
    if head_len > min(limit, MAX_HEADER_BYTES) or n_blobs > MAX_BLOBS:
        raise ProtocolError(f"message header of {head_len} bytes with {n_blobs} blobs is over the limits "
                            f"({MAX_HEADER_BYTES // 2**20} MiB, {MAX_BLOBS} blobs)")
    raw = _read_exact(stream, head_len)
    if raw.count(b"[") + raw.count(b"{") > MAX_DEPTH and _nesting(raw) > MAX_DEPTH + 8:
        raise ProtocolError("message header nested too deeply")
    try:
        header = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError(f"malformed message header: {str(exc)[:200]}") from None
    if not isinstance(header, dict):
        raise ProtocolError("message header is not an object")
    blobs, total = [], head_len
    for _ in range(n_blobs):
        (size,) = struct.unpack("<Q", _read_exact(stream, 8))
        total += size
        if total > limit:
            raise ProtocolError(f"message larger than {limit // 2**20} MiB")
        blobs.append(_read_exact(stream, size))
    return header, blobs


def _nesting(raw: bytes) -> int:
    """The deepest bracket nesting of a JSON text, counted without parsing it (strings skipped)."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


# ---------------------------------------------------------------- encoding (both sides)

def encode(value: Any, blobs: list[bytes], to_ref: Callable[[Any], dict] | None = None, depth: int = 0) -> Any:
    """Encode ``value`` as JSON-able data; objects outside the allow-list go through ``to_ref``."""
    if depth > MAX_DEPTH:
        raise ValueError("value nested too deeply to send")
    t = type(value)
    if value is None or t is bool or t is str:
        return value
    if t is int:
        return value if abs(value) < 2**63 else {"$": "bigint", "v": str(value)}
    if t is float:
        return value if math.isfinite(value) else {"$": "float", "v": repr(value)}
    if t is complex:
        return {"$": "complex", "v": [encode(value.real, blobs), encode(value.imag, blobs)]}
    if t is bytes:
        blobs.append(value)
        return {"$": "bytes", "b": len(blobs) - 1}
    if t is Ref:
        return {"$": "ref", "id": value.id}
    if t is list:
        return [encode(v, blobs, to_ref, depth + 1) for v in value]
    if t is tuple:
        return {"$": "tuple", "v": [encode(v, blobs, to_ref, depth + 1) for v in value]}
    if t is dict:
        return _encode_dict(value, blobs, to_ref, depth)
    encoded = _encode_library_value(value, blobs, to_ref, depth)
    if encoded is not None:
        return encoded
    if to_ref is None:
        raise TypeError(f"cannot send a {t.__module__}.{t.__qualname__} to the worker")
    return to_ref(value)


def _encode_dict(value, blobs, to_ref, depth):
    keys = list(value.keys())
    for key in keys:
        if type(key) not in (str, int, float, bool, tuple) and key is not None:
            if to_ref is None:
                raise TypeError("dictionary keys must be plain values")
            return to_ref(value)
    return {
        "$": "dict",
        "k": [encode(k, blobs, None, depth + 1) for k in keys],
        "v": [encode(value[k], blobs, to_ref, depth + 1) for k in keys],
    }


def _encode_library_value(value, blobs, to_ref, depth):
    """numpy, torch and pandas values, recognised by exact module so subclasses cannot pose as them."""
    t = type(value)
    module = t.__module__ or ""
    if module == "numpy" and t.__name__ == "ndarray":
        return _encode_array(value, blobs)
    if module.startswith("numpy.ma") and t.__name__ == "MaskedArray":  # e.g. AxesImage.get_array(): its data
        import numpy as np

        return _encode_array(np.ma.getdata(value), blobs)
    if module == "numpy" and getattr(value, "shape", None) == () and hasattr(value, "dtype"):
        if value.dtype.name in NUMPY_DTYPES:  # a numpy scalar such as np.float64(1.5)
            import numpy as np

            return {"$": "npscalar", **_encode_array_body(np.asarray(value), blobs)}
    if module.startswith("torch") and t.__name__ in ("Tensor", "Parameter"):
        return _encode_tensor(value, blobs)
    if module.startswith("collections") and t.__name__ in ("OrderedDict", "defaultdict", "Counter"):
        return _encode_dict(dict(value), blobs, to_ref, depth)
    if module.startswith("pandas") and t.__name__ == "DataFrame":
        return _encode_frame(value, blobs, to_ref, depth)
    if module.startswith("pandas") and t.__name__ == "Series":
        return _encode_series(value, blobs, to_ref, depth)
    return None


def _encode_array_body(array, blobs):
    import numpy as np

    array = np.asarray(array, order="C")  # ascontiguousarray would turn 0-d into 1-d
    if array.dtype.name not in NUMPY_DTYPES:
        raise TypeError(f"arrays of dtype {array.dtype} cannot be sent")
    array = array.astype(array.dtype.newbyteorder("<"), copy=False)
    blobs.append(array.tobytes())
    return {"dtype": array.dtype.name, "shape": list(array.shape), "b": len(blobs) - 1}


def _encode_array(array, blobs):
    if array.dtype.name not in NUMPY_DTYPES:
        return None
    return {"$": "ndarray", **_encode_array_body(array, blobs)}


def _encode_tensor(tensor, blobs):
    import torch

    tensor = tensor.detach().to("cpu").contiguous()
    name = str(tensor.dtype).removeprefix("torch.")
    if name not in TORCH_DTYPES:
        return None
    if name == "bfloat16":
        body = _encode_array_body(tensor.view(torch.int16).numpy(), blobs)
    else:
        body = _encode_array_body(tensor.numpy(), blobs)
    body["dtype"] = name
    return {"$": "tensor", **body}


def _column(series, blobs, to_ref, depth):
    import numpy as np

    values = series.to_numpy()
    if values.dtype.name in NUMPY_DTYPES:
        return {"$": "ndarray", **_encode_array_body(values, blobs)}
    items = []
    for v in values.tolist():
        if v is None or type(v) in (str, bool, int, float):
            items.append(encode(v, blobs, None, depth + 1))
        elif isinstance(v, float) and np.isnan(v):
            items.append(encode(float("nan"), blobs))
        else:
            raise TypeError("only numeric, bool and text columns can be sent")
    return items


def _encode_frame(frame, blobs, to_ref, depth):
    try:
        return {
            "$": "dataframe",
            "columns": [encode(c, blobs, None, depth + 1) for c in frame.columns.tolist()],
            "index": _column(frame.index.to_series(), blobs, to_ref, depth),
            "data": [_column(frame.iloc[:, i], blobs, to_ref, depth) for i in range(frame.shape[1])],
        }
    except (TypeError, ValueError):
        return None


def _encode_series(series, blobs, to_ref, depth):
    try:
        return {
            "$": "series",
            "name": encode(series.name, blobs, None, depth + 1),
            "index": _column(series.index.to_series(), blobs, to_ref, depth),
            "data": _column(series, blobs, to_ref, depth),
        }
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------- decoding (strict)

class Decoder:
    """Rebuilds values from a header and its blobs. ``make_remote`` turns a worker reference into a proxy."""

    def __init__(self, blobs: list[bytes], make_remote: Callable[[dict], Any] | None = None,
                 resolve_ref: Callable[[int], Any] | None = None):
        self.blobs, self.make_remote, self.resolve_ref = blobs, make_remote, resolve_ref
        self.items = 0

    def decode(self, node: Any, depth: int = 0) -> Any:
        self.items += 1
        if depth > MAX_DEPTH or self.items > MAX_ITEMS:
            raise ProtocolError("value too large or nested too deeply")
        if node is None or type(node) in (bool, int, float, str):
            return node
        if type(node) is list:
            return [self.decode(v, depth + 1) for v in node]
        if type(node) is not dict:
            raise ProtocolError(f"unexpected node {type(node).__name__}")
        tag = node.get("$")
        handler = getattr(self, f"_decode_{tag}", None) if isinstance(tag, str) and tag.isidentifier() else None
        if handler is None:
            raise ProtocolError(f"unknown value tag {tag!r}")
        return handler(node, depth)

    def _blob(self, node) -> bytes:
        index = node.get("b")
        if type(index) is not int or not 0 <= index < len(self.blobs):
            raise ProtocolError("bad blob index")
        return self.blobs[index]

    def _decode_bigint(self, node, depth):
        return int(str(node["v"]))

    def _decode_float(self, node, depth):
        text = node.get("v")
        if text not in ("nan", "inf", "-inf"):
            raise ProtocolError("bad float")
        return float(text)

    def _decode_complex(self, node, depth):
        re, im = (self.decode(v, depth + 1) for v in node["v"])
        return complex(float(re), float(im))

    def _decode_bytes(self, node, depth):
        return self._blob(node)

    def _decode_tuple(self, node, depth):
        return tuple(self.decode(v, depth + 1) for v in node["v"])

    def _decode_dict(self, node, depth):
        keys = [self.decode(k, depth + 1) for k in node["k"]]
        values = [self.decode(v, depth + 1) for v in node["v"]]
        if len(keys) != len(values):
            raise ProtocolError("bad dictionary")
        for key in keys:
            if type(key) not in (str, int, float, bool, tuple) and key is not None:
                raise ProtocolError("bad dictionary key")
        return dict(zip(keys, values))

    def _array(self, node, allowed=NUMPY_DTYPES):
        import numpy as np

        dtype, shape = node.get("dtype"), node.get("shape")
        if dtype not in allowed or type(shape) is not list or not all(type(s) is int and s >= 0 for s in shape):
            raise ProtocolError("bad array header")
        storage = "int16" if dtype == "bfloat16" else dtype
        np_dtype = np.dtype(storage).newbyteorder("<")
        blob = self._blob(node)
        if math.prod(shape) * np_dtype.itemsize != len(blob):
            raise ProtocolError("array size does not match its shape")
        return np.frombuffer(blob, dtype=np_dtype).reshape(shape).astype(np.dtype(storage), copy=True)

    def _decode_ndarray(self, node, depth):
        return self._array(node)

    def _decode_npscalar(self, node, depth):
        return self._array(node)[()]

    def _decode_tensor(self, node, depth):
        array = self._array(node, TORCH_DTYPES)
        try:
            import torch
        except ImportError:  # a trusted side without torch still gets the numbers
            return array
        tensor = torch.from_numpy(array)
        return tensor.view(torch.bfloat16) if node["dtype"] == "bfloat16" else tensor

    def _decode_column(self, node, depth):
        if type(node) is list:
            return [self.decode(v, depth + 1) for v in node]
        if type(node) is dict and node.get("$") == "ndarray":
            return self._array(node)
        raise ProtocolError("bad column")

    def _decode_dataframe(self, node, depth):
        import pandas as pd

        columns = [self.decode(c, depth + 1) for c in node["columns"]]
        data = [self._decode_column(c, depth + 1) for c in node["data"]]
        if len(columns) != len(data):
            raise ProtocolError("bad data frame")
        index = self._decode_column(node["index"], depth + 1)
        frame = pd.DataFrame(dict(zip(range(len(columns)), data)), index=index)
        frame.columns = columns
        return frame

    def _decode_series(self, node, depth):
        import pandas as pd

        return pd.Series(self._decode_column(node["data"], depth + 1),
                         index=self._decode_column(node["index"], depth + 1),
                         name=self.decode(node["name"], depth + 1))

    def _decode_remote(self, node, depth):
        if self.make_remote is None or type(node.get("id")) is not int:
            raise ProtocolError("unexpected remote object")
        return self.make_remote(node)

    def _decode_ref(self, node, depth):
        if self.resolve_ref is None or type(node.get("id")) is not int:
            raise ProtocolError("unexpected reference")
        return self.resolve_ref(node["id"])
