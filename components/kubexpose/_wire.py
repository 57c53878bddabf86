"""The wire form of a resource's inputs: what the Pulumi SDK sends the engine (camelCase names from the input types'
metadata, numbers as they come back). The render's fast path records children in it, and a component's `patches`
address the objects in it (the names `kubectl get -o yaml` shows)."""

from __future__ import annotations

import math
import types
import typing
from collections import abc
from collections.abc import Callable, Mapping
from enum import Enum
from typing import Any

from ._sdk import NotPlainError, fast_internals


def to_wire(value: Any, typ: Any, keep: Callable[[Any], bool] | None = None) -> Any:
    """`value` as the SDK serializes it for a property of type `typ`: names translated with the input
    types' metadata, maps' keys untouched, tuples as lists, enums as their values, numbers as they
    come back from the wire. Raises :class:`NotPlainError` for anything the SDK would have to resolve, except a
    value `keep` says to keep as it is (an Output the SDK resolves later)."""
    kind = type(value)
    if keep is not None and keep(value):
        return value
    if kind is str or kind is bool or value is None:
        return value
    if kind is dict or isinstance(value, Mapping):
        shape = _shape(typ)
        if shape[0] == "union":
            case = fast_internals().union_case(shape[1], value)
            shape = _shape(case) if case is not None else ("map", None)
        if shape[0] == "input":
            names, field_types = shape[1], shape[2]
            out = {}
            for key in value:
                wire_name = names.get(key) or key
                out[wire_name] = to_wire(value[key], field_types.get(wire_name), keep)
            return out
        item = shape[1] if shape[0] == "map" else None
        for key in value:
            if type(key) is not str:
                raise NotPlainError(f"has the key {key!r}, which is not a string")
        return {key: to_wire(value[key], item, keep) for key in value}
    if kind is list or kind is tuple:
        shape = _shape(typ)
        item = shape[1] if shape[0] == "list" else fast_internals().list_item_type(shape[-1])
        return [to_wire(v, item, keep) for v in value]
    if isinstance(value, Enum):
        return to_wire(value.value, None, keep)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return value if abs(value) <= 2**53 else int(float(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NotPlainError(f"holds the number {value}")
        return int(value) if value.is_integer() else value
    raise NotPlainError(f"holds {type(value).__name__}")


_SHAPES: dict[Any, tuple[Any, ...]] = {}


def _shape(typ: Any) -> tuple[Any, ...]:
    """How the SDK serializes a value of annotation `typ` (looked up once per annotation):
    `("input", names, types, typ)`, `("map", value type, typ)`, `("list", item type, typ)`, `("union", typ)`
    or `("other", typ)` (a dict is then kept as it is, a list fails as it does in the SDK); the last
    element is always the unwrapped annotation."""
    try:
        return _SHAPES[typ]
    except KeyError:
        pass
    except TypeError:  # an unhashable annotation: work it out each time
        return _work_out_shape(typ)
    shape = _SHAPES[typ] = _work_out_shape(typ)
    return shape


def _work_out_shape(typ: Any) -> tuple[Any, ...]:
    internals = fast_internals()
    if typ is not None:
        typ = internals.unwrap(typ)
    if typ is None or typ is Any:
        return ("other", None)
    if typing.get_origin(typ) in (typing.Union, types.UnionType):
        return ("union", typ)
    if internals.is_input_type(typ):
        names, field_types = internals.metadata(typ)
        return ("input", names, field_types, typ)
    value_type = map_value_type(typ)
    if value_type is not None:
        return ("map", value_type, typ)
    try:
        return ("list", internals.list_item_type(typ), typ)
    except NotPlainError:
        return ("other", typ)


def map_value_type(typ: Any) -> Any:
    """The value type of a `Mapping[str, T]` annotation (None for anything else)."""
    if typ is None:
        return None
    if typing.get_origin(typ) in (dict, typing.Dict, abc.Mapping, typing.Mapping):  # noqa: UP006 - as the SDK does
        args = typing.get_args(typ)
        if len(args) == 2 and args[0] is str:
            return args[1]
    return None


def shape(typ: Any) -> tuple[Any, ...]:
    """How the SDK serializes a value of annotation `typ` (see :func:`_shape`)."""
    return _shape(typ)
