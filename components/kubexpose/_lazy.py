"""Module attributes imported on first use (PEP 562), for packages whose import must stay cheap."""

import importlib
from collections.abc import Callable, Mapping
from typing import Any

from ._moved import moved_name


def lazy_exports(package: str, exports: Mapping[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """`__getattr__` and `__dir__` for `package`: `exports` maps a name to the module (relative) defining it."""

    def getattr_(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            return moved_name(package, name)  # an old name, with its warning; AttributeError otherwise
        value = getattr(importlib.import_module(module, package), name)
        setattr(importlib.import_module(package), name, value)
        return value

    def dir_() -> list[str]:
        return sorted(set(vars(importlib.import_module(package))) | set(exports))

    return getattr_, dir_
