"""Just enough of Thrift's compact protocol to read a Parquet footer and write it back.

A struct is read into a list of `Field`s in wire order, each value kept in a form that writes
back to the same bytes (`write_struct(read_struct(b)) == b` for footers that parquet-cpp writes).
Nothing here knows Parquet: callers find fields by id (see `parquet_join`).

Wire format (Apache Thrift, compact protocol): a field is a header byte (delta of its id from the
previous field's in the high nibble, or 0 and a zigzag varint id; its type in the low nibble),
then its value. Integers are zigzag varints, binaries a varint length and the bytes, a list a
header byte (size in the high nibble, or 15 and a varint size; element type in the low nibble),
a struct its fields then a 0 byte. A bool field carries its value in the type nibble.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

STOP, TRUE, FALSE, BYTE, I16, I32, I64, DOUBLE, BINARY, LIST, SET, MAP, STRUCT = range(13)
_INTEGERS = (I16, I32, I64)


@dataclass(slots=True)
class Field:
    id: int
    type: int
    value: Any  # int, bytes, list[Field] (a struct), ThriftList, ThriftMap, or None for bools


@dataclass(slots=True)
class ThriftList:
    element_type: int  # as written on the wire (SET lists keep their own field type)
    items: list[Any]


@dataclass(slots=True)
class ThriftMap:
    key_type: int
    value_type: int
    items: list[tuple[Any, Any]]


class ThriftError(ValueError):
    """The bytes are not a well-formed compact-protocol struct."""


# ----------------------------------------------------------------------------- reading


class _Reader:
    def __init__(self, data: bytes | memoryview) -> None:
        self.data, self.pos = _unsigned(data), 0

    def byte(self) -> int:
        if self.pos >= len(self.data):
            raise ThriftError("truncated Thrift data")
        value = self.data[self.pos]
        self.pos += 1
        return value

    def varint(self) -> int:
        result = shift = 0
        while True:
            byte = self.byte()
            result |= (byte & 0x7F) << shift
            if byte < 0x80:
                return result
            shift += 7
            if shift > 70:
                raise ThriftError("varint too long")

    def zigzag(self) -> int:
        n = self.varint()
        return (n >> 1) ^ -(n & 1)

    def take(self, size: int) -> bytes:
        if size < 0 or self.pos + size > len(self.data):
            raise ThriftError("truncated Thrift data")
        value = bytes(self.data[self.pos : self.pos + size])
        self.pos += size
        return value

    def value(self, kind: int) -> Any:
        if kind in _INTEGERS:
            return self.zigzag()
        if kind == BINARY:
            return self.take(self.varint())
        if kind == STRUCT:
            return self.struct()
        if kind in (LIST, SET):
            header = self.byte()
            size = header >> 4
            if size == 15:
                size = self.varint()
            element = header & 0x0F
            return ThriftList(element, [self.element(element) for _ in range(size)])
        if kind == MAP:
            size = self.varint()
            if size == 0:
                return ThriftMap(0, 0, [])
            types = self.byte()
            key, value = types >> 4, types & 0x0F
            return ThriftMap(
                key, value, [(self.element(key), self.element(value)) for _ in range(size)]
            )
        if kind == BYTE:
            return self.byte()
        if kind == DOUBLE:
            return self.take(8)
        raise ThriftError(f"unknown Thrift type {kind}")

    def element(self, kind: int) -> Any:
        # Inside lists and maps a bool is a whole byte (its raw value is kept).
        return self.byte() if kind in (TRUE, FALSE) else self.value(kind)

    def struct(self) -> list[Field]:
        fields: list[Field] = []
        last = 0
        while True:
            header = self.byte()
            kind = header & 0x0F
            if kind == STOP:
                return fields
            delta = header >> 4
            last = last + delta if delta else self.zigzag()
            value = None if kind in (TRUE, FALSE) else self.value(kind)
            fields.append(Field(last, kind, value))


def _unsigned(data: bytes | memoryview) -> memoryview:
    """A view that reads bytes as 0..255 (a pyarrow Buffer's view reads them as signed)."""
    view = memoryview(data)
    return view if view.format == "B" else view.cast("B")


def read_struct(data: bytes | memoryview) -> list[Field]:
    """The struct that fills `data` exactly."""
    reader = _Reader(data)
    fields = reader.struct()
    if reader.pos != len(reader.data):
        raise ThriftError(f"{len(reader.data) - reader.pos} bytes after the struct")
    return fields


# ----------------------------------------------------------------------------- writing


def _varint(out: bytearray, n: int) -> None:
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)


def _zigzag(out: bytearray, n: int) -> None:
    _varint(out, (n << 1) ^ (n >> 63))


def _value(out: bytearray, kind: int, value: Any) -> None:
    if kind in _INTEGERS:
        _zigzag(out, value)
    elif kind == BINARY:
        _varint(out, len(value))
        out += value
    elif kind == STRUCT:
        _struct(out, value)
    elif kind in (LIST, SET):
        size = len(value.items)
        if size < 15:
            out.append(size << 4 | value.element_type)
        else:
            out.append(0xF0 | value.element_type)
            _varint(out, size)
        for item in value.items:
            _element(out, value.element_type, item)
    elif kind == MAP:
        _varint(out, len(value.items))
        if value.items:
            out.append(value.key_type << 4 | value.value_type)
            for key, item in value.items:
                _element(out, value.key_type, key)
                _element(out, value.value_type, item)
    elif kind == BYTE:
        out.append(value)
    elif kind == DOUBLE:
        out += value
    else:
        raise ThriftError(f"unknown Thrift type {kind}")


def _element(out: bytearray, kind: int, value: Any) -> None:
    if kind in (TRUE, FALSE):
        out.append(value)
    else:
        _value(out, kind, value)


def _struct(out: bytearray, fields: list[Field]) -> None:
    last = 0
    for field in fields:
        delta = field.id - last
        if 0 < delta <= 15:
            out.append(delta << 4 | field.type)
        else:
            out.append(field.type)
            _zigzag(out, field.id)
        if field.type not in (TRUE, FALSE):
            _value(out, field.type, field.value)
        last = field.id
    out.append(STOP)


def write_struct(fields: list[Field]) -> bytes:
    out = bytearray()
    _struct(out, fields)
    return bytes(out)


def field(fields: list[Field], field_id: int) -> Field | None:
    """The field with this id, if the struct has it."""
    return next((f for f in fields if f.id == field_id), None)
