"""Checking a pass-through Kubernetes field (a probe, resources, a security context) against the
`*ArgsDict` type pulumi-kubernetes ships for it: every key must be a field of that type (with a
"did you mean" for a typo) and every scalar must have the field's type, at any depth.

The types are read from the SDK's own annotations (`NotRequired[Input[...]]` unions with forward
references to other `*ArgsDict`s), so the rules follow the installed pulumi-kubernetes; a value that
is an Output is left to the provider.
"""

from __future__ import annotations

import collections.abc
import difflib
import sys
import types
import typing
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any, ForwardRef, NamedTuple

import pulumi

from .validation import Checker


class _Shape(NamedTuple):
    kind: str
    """`dict` (a TypedDict), `map`, `seq`, `scalar` or `any`."""
    of: Any = None


_SCALAR_NAMES = {int: "an integer", str: "a string", bool: "a boolean", float: "a number"}


def check_fields(check: Checker, field: str, value: Any, args_dict: type) -> None:
    """Raise a ValidationError naming the path of the first unknown key or wrongly typed value."""
    _check(check, field, value, [_Shape("dict", args_dict)])


def _check(check: Checker, path: str, value: Any, shapes: list[_Shape]) -> None:
    if value is None or isinstance(value, pulumi.Output) or any(s.kind == "any" for s in shapes):
        return
    by_kind = {s.kind: s for s in shapes}
    if isinstance(value, Mapping):
        if "dict" in by_kind:
            cls = by_kind["dict"].of
            fields = _fields(cls)
            for key, item in value.items():
                if key not in fields:
                    close = difflib.get_close_matches(str(key), list(fields), n=1)
                    hint = f"did you mean {close[0]}?" if close else f"use {', '.join(sorted(fields))}"
                    check.fail(f"{path}.{key}", item, f"is not a field of {_name(cls)}", hint)
                _check(check, f"{path}.{key}", item, fields[key])
            return
        if "map" in by_kind:
            for key, item in value.items():
                _check(check, f"{path}[{key!r}]", item, by_kind["map"].of)
            return
    elif isinstance(value, Sequence) and not isinstance(value, str):
        if "seq" in by_kind:
            for i, item in enumerate(value):
                _check(check, f"{path}[{i}]", item, by_kind["seq"].of)
            return
    else:
        scalars = [s.of for s in shapes if s.kind == "scalar"]
        if any(_is(value, t) for t in scalars):
            return
    wants_text = any(s.kind == "scalar" and s.of is str for s in shapes)
    fix = f"quote it: '{value}'" if wants_text and isinstance(value, int | float) else "give a value of that type"
    check.fail(path, value, f"is not {_expected(shapes)}", fix)


def _is(value: Any, t: type) -> bool:
    if t is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if t is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, t)


def _expected(shapes: list[_Shape]) -> str:
    words = []
    for s in shapes:
        if s.kind == "dict":
            words.append(f"a mapping of {_name(s.of)} fields")
        elif s.kind == "map":
            words.append("a mapping")
        elif s.kind == "seq":
            words.append("a list")
        else:
            words.append(_SCALAR_NAMES.get(s.of, s.of.__name__))
    return " or ".join(dict.fromkeys(words))


def _name(cls: type) -> str:
    return cls.__name__.removesuffix("ArgsDict")


@cache
def _fields(cls: type) -> dict[str, list[_Shape]]:
    """The fields of a TypedDict, each with the shapes its value may take."""
    module = sys.modules[cls.__module__]
    out: dict[str, list[_Shape]] = {}
    for klass in reversed(cls.__mro__):
        for key, annotation in getattr(klass, "__annotations__", {}).items():
            out[key] = _shapes(annotation, module)
    return out


def _shapes(annotation: Any, module: Any) -> list[_Shape]:
    """The shapes an annotation allows: unions flattened; None, awaitables and Outputs dropped."""
    if isinstance(annotation, str):
        annotation = ForwardRef(annotation)
    if isinstance(annotation, ForwardRef):
        target = annotation.__forward_arg__
        if target.startswith("Output[") or target.startswith("pulumi.Output["):
            return []
        resolved = getattr(module, target, None)
        if resolved is None:
            return [_Shape("any")]
        return _shapes(resolved, sys.modules.get(getattr(resolved, "__module__", ""), module))
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.NotRequired, typing.Required, typing.Union, types.UnionType):
        return [shape for arg in args for shape in _shapes(arg, module)]
    if annotation is type(None) or origin is collections.abc.Awaitable or origin is pulumi.Output:
        return []
    if origin in (collections.abc.Sequence, list, tuple):
        return [_Shape("seq", _shapes(args[0], module) if args else [_Shape("any")])]
    if origin in (collections.abc.Mapping, dict):
        return [_Shape("map", _shapes(args[1], module) if len(args) == 2 else [_Shape("any")])]
    if isinstance(annotation, type) and hasattr(annotation, "__annotations__") and hasattr(annotation, "__total__"):
        return [_Shape("dict", annotation)]
    if annotation in _SCALAR_NAMES:
        return [_Shape("scalar", annotation)]
    return [_Shape("any")]
