"""A CTC recogniser cut down to the characters forms are printed in.

The PP-OCR recogniser scores 18,710 classes at every frame: simplified and traditional
Chinese, Japanese kana, Korean, accented Latin and symbols. Its last layer (a MatMul by a
[features, classes] weight, its bias, then a softmax over the classes) was a tenth of the
recognition time, and most of its columns score characters no form is printed in. Keeping
only the columns of the classes asked for gives the same scores for those classes, now
shared among fewer: the likeliest kept class is the one the full model ranked highest
among them.

An ONNX model is protobuf. The ``onnx`` package is not a dependency, so the few messages
on the way to the last layer's weights are read and written here in protobuf's wire format.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ocrform.errors import InputError

# Field numbers of the onnx.proto messages on the way to the weights and the shapes.
_MODEL_GRAPH, _MODEL_METADATA = 7, 14
_ENTRY_KEY, _ENTRY_VALUE = 1, 2
_GRAPH_INITIALIZER, _GRAPH_OUTPUT, _GRAPH_VALUE_INFO = 5, 12, 13
_TENSOR_DIMS, _TENSOR_TYPE, _TENSOR_RAW = 1, 2, 9
_VALUE_TYPE, _TYPE_TENSOR, _TENSOR_SHAPE, _SHAPE_DIM, _DIM_VALUE = 2, 1, 2, 1, 1
_FLOAT = 1
_VARINT, _BYTES = 0, 2


def printed_character(ch: str) -> bool:
    """Whether a recogniser class is one a Chinese form is printed in: a character of GB 2312
    (the 6,763 simplified characters of official documents, with the punctuation, pinyin,
    kana, Greek and Cyrillic letters it carries), ASCII, or a digit, punctuation mark or
    symbol of any script (· — ☑). Left out: traditional and rare characters, Korean,
    accented Latin. The blank and space classes are the caller's to keep."""
    try:
        ch.encode("gb2312")
        return True
    except UnicodeEncodeError:
        return len(ch) == 1 and (ord(ch) < 128 or unicodedata.category(ch)[0] in "PSN")


def model_metadata(model: bytes) -> dict[str, str]:
    """The model's metadata properties (PP-OCR keeps its recogniser's characters there)."""
    out = {}
    for field in _fields(model):
        if field.number == _MODEL_METADATA and isinstance(field.value, bytes):
            entry = {f.number: f.value for f in _fields(field.value) if isinstance(f.value, bytes)}
            out[entry.get(_ENTRY_KEY, b"").decode()] = entry.get(_ENTRY_VALUE, b"").decode()
    return out


def keep_classes(model: bytes, keep: Sequence[int], n_classes: int) -> bytes:
    """``model`` with its output layer scoring only the classes ``keep`` (ascending indices).

    The layer is found by its shape: the one float weight [features, ``n_classes``] and the
    one bias [``n_classes``]; every declared shape with ``n_classes`` is narrowed with them.
    """
    kept = np.asarray(keep, dtype=np.int64)
    found: list[str] = []

    def tensor(payload: bytes) -> bytes:
        fields = _fields(payload)
        dims = _dims(fields)
        floats = any(f.number == _TENSOR_TYPE and f.value == _FLOAT for f in fields)
        raw = [f for f in fields if f.number == _TENSOR_RAW]
        if not floats or len(raw) != 1 or not dims or dims[-1] != n_classes or len(dims) > 2:
            return payload
        assert isinstance(raw[0].value, bytes)
        values = np.frombuffer(raw[0].value, dtype="<f4").reshape(dims)[..., kept]
        found.append("weight" if len(dims) == 2 else "bias")
        new_dims = b"".join(_key(_TENSOR_DIMS, _VARINT) + _varint(d) for d in [*dims[:-1], len(kept)])
        rest = b"".join(f.raw for f in fields if f.number not in (_TENSOR_DIMS, _TENSOR_RAW))
        return new_dims + rest + _bytes_field(_TENSOR_RAW, np.ascontiguousarray(values).tobytes())

    def dimension(payload: bytes) -> bytes:
        return b"".join(
            _key(_DIM_VALUE, _VARINT) + _varint(len(kept))
            if f.number == _DIM_VALUE and f.wire == _VARINT and f.value == n_classes
            else f.raw
            for f in _fields(payload)
        )

    shape = _editing({_SHAPE_DIM: dimension})
    value_info = _editing({_VALUE_TYPE: _editing({_TYPE_TENSOR: _editing({_TENSOR_SHAPE: shape})})})
    graph = _editing({_GRAPH_INITIALIZER: tensor, _GRAPH_OUTPUT: value_info, _GRAPH_VALUE_INFO: value_info})
    out = _editing({_MODEL_GRAPH: graph})(model)
    if sorted(found) != ["bias", "weight"]:
        reason = f"no single output layer of {n_classes} classes to narrow (use charset=all)"
        raise InputError("recognition model", reason)
    return out


@dataclass(frozen=True)
class _Field:
    number: int
    wire: int
    value: int | bytes  # a varint's value, or the payload of the other wire types
    raw: bytes  # the field as encoded, key included


def _fields(buf: bytes) -> list[_Field]:
    out = []
    pos = 0
    while pos < len(buf):
        start = pos
        key, pos = _read_varint(buf, pos)
        number, wire = key >> 3, key & 7
        value: int | bytes
        if wire == _VARINT:
            value, pos = _read_varint(buf, pos)
        elif wire == _BYTES:
            size, pos = _read_varint(buf, pos)
            value, pos = buf[pos : pos + size], pos + size
        elif wire in (1, 5):  # fixed 64 and 32 bits
            size = 8 if wire == 1 else 4
            value, pos = buf[pos : pos + size], pos + size
        else:
            raise InputError("recognition model", f"unreadable protobuf (wire type {wire})")
        out.append(_Field(number, wire, value, buf[start:pos]))
    return out


def _dims(fields: list[_Field]) -> list[int]:
    """A TensorProto's dims, written one varint each or packed into one field."""
    dims: list[int] = []
    for f in fields:
        if f.number != _TENSOR_DIMS:
            continue
        if isinstance(f.value, int):
            dims.append(f.value)
            continue
        pos = 0
        while pos < len(f.value):
            d, pos = _read_varint(f.value, pos)
            dims.append(d)
    return dims


def _editing(edits: dict[int, Callable[[bytes], bytes]]) -> Callable[[bytes], bytes]:
    """A function rewriting a message's length-delimited fields through the edit given for
    their field number, keeping every other field as it was."""

    def apply(buf: bytes) -> bytes:
        return b"".join(
            _bytes_field(f.number, edits[f.number](f.value))
            if f.number in edits and isinstance(f.value, bytes) and f.wire == _BYTES
            else f.raw
            for f in _fields(buf)
        )

    return apply


def _read_varint(buf: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        low, value = value & 0x7F, value >> 7
        if not value:
            out.append(low)
            return bytes(out)
        out.append(low | 0x80)


def _key(number: int, wire: int) -> bytes:
    return _varint(number << 3 | wire)


def _bytes_field(number: int, payload: bytes) -> bytes:
    return _key(number, _BYTES) + _varint(len(payload)) + payload
