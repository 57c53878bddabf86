"""Old import paths that keep working until 1.0.0, each with a DeprecationWarning naming its new path.

One table for every moved module: a finder on `sys.meta_path` (installed when `kubexpose` is imported, before
any of its subpackages can be) resolves an old name to the new module itself, so `import`, `from ... import`,
attribute access and monkeypatching all reach the one module object. Names a package no longer exports are
listed in `MOVED_NAMES` and warn through the package's `__getattr__` (:func:`kubexpose._lazy.lazy_exports`).
"""

import importlib
import importlib.abc
import importlib.machinery
import sys
import warnings
from collections.abc import Sequence
from types import ModuleType
from typing import Any

REMOVED_IN = "1.0.0"
"""The release that removes every old path below."""

_PARTS = ("adopt", "base", "env", "exposure", "outputs", "probes", "replicas", "routing", "security", "volumes")

MOVED_MODULES: dict[str, str] = {
    "kubexpose.testing.cluster": "kubexpose.live.cluster",
    "kubexpose.testing.engine": "kubexpose.engine.run",
    "kubexpose.testing.live": "kubexpose.live.engine",
    "kubexpose.testing.mocks": "kubexpose.engine.mocks",
    "kubexpose.testing.objects": "kubexpose.engine.objects",
    "kubexpose.testing.programs": "kubexpose.engine.programs",
    "kubexpose.testing.toolchain": "kubexpose.live.toolchain",
    **{f"kubexpose.components.{part}": f"kubexpose.components._parts.{part}" for part in _PARTS},
    "kubexpose.components.workload": "kubexpose.components._parts.workload",
}
"""Old module name -> the module it now is."""

MOVED_NAMES: dict[str, dict[str, str]] = {
    "kubexpose.testing": {
        name: "kubexpose.engine" for name in ("ClusterMocks", "ProgramRun", "Registration", "UNKNOWN", "run_program")
    },
}
"""Package -> {name it exported: the package that exports it now}."""


def warn_moved(old: str, new: str) -> None:
    warnings.warn(
        f"{old} moved to {new}; the old name is removed in kubexpose {REMOVED_IN}",
        DeprecationWarning,
        stacklevel=3,
    )


class _Alias(importlib.abc.Loader):
    """Loads an old module name as the new module object, leaving that module's own spec in place."""

    def __init__(self, old: str, new: str) -> None:
        self.old, self.new = old, new

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        warn_moved(self.old, self.new)
        module = importlib.import_module(self.new)
        self._spec = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        module.__spec__ = self._spec  # the import system wrote the old name's spec over it


class _MovedFinder(importlib.abc.MetaPathFinder):
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        new = MOVED_MODULES.get(fullname)
        if new is None:
            return None
        return importlib.machinery.ModuleSpec(fullname, _Alias(fullname, new))


def install() -> None:
    """Put the finder first on `sys.meta_path` (once)."""
    if not any(isinstance(finder, _MovedFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _MovedFinder())


def moved_name(package: str, name: str) -> Any:
    """`package.name` for a name the package no longer exports, with the warning; AttributeError otherwise."""
    new = MOVED_NAMES.get(package, {}).get(name)
    if new is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    warn_moved(f"{package}.{name}", f"{new}.{name}")
    return getattr(importlib.import_module(new), name)
