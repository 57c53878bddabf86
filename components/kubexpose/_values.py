"""The one walk through a value a program passes: its mappings, lists, tuples, sets and dataclasses."""

from collections.abc import Callable, Mapping
from typing import Any

_PLAIN = frozenset({str, int, float, bool, type(None)})


def any_leaf(value: Any, test: Callable[[Any], bool]) -> bool:
    """Whether `test` holds for `value` or for anything inside it (mapping values, items of lists, tuples and
    sets, fields of dataclass instances). `test` sees containers too, before their contents."""
    kind = type(value)
    if kind in _PLAIN:  # the common case, first
        return test(value)
    if test(value):
        return True
    if kind is dict or isinstance(value, Mapping):
        return any(any_leaf(item, test) for item in value.values())
    if kind is list or kind is tuple or isinstance(value, list | tuple | set | frozenset):
        return any(any_leaf(item, test) for item in value)
    fields = getattr(value, "__dataclass_fields__", None)
    if fields and not isinstance(value, type):
        return any(any_leaf(getattr(value, name), test) for name in fields)
    return False
