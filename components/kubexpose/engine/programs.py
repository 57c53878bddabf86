"""Running a Pulumi project's program as the Pulumi CLI does: from its directory, with that directory first
on the import path, its top-level code run as `__main__`. Shared by the render and the test kit."""

import contextlib
import os
import runpy
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any


@contextlib.contextmanager
def project_context(directory: Path) -> Iterator[None]:
    """Run as Pulumi does: cwd and import path at the project; forget its modules afterwards."""
    before = set(sys.modules)
    old_cwd, old_path = os.getcwd(), list(sys.path)
    os.chdir(directory)
    sys.path.insert(0, str(directory))
    try:
        yield
    finally:
        os.chdir(old_cwd)
        sys.path[:] = old_path
        for name in set(sys.modules) - before:
            if name.split(".")[0] in before:
                continue  # a submodule of a package imported before the run (kubexpose itself): dropping it would
                # leave the package pointing at a module that a later import makes again, with other classes
            module_file = getattr(sys.modules[name], "__file__", None) or ""
            if module_file.startswith(str(directory)) and not module_file.startswith(str(directory / ".venv")):
                del sys.modules[name]


def path_program(entry: Path) -> Callable[[], Any]:
    """A program function that runs the file `entry` as `__main__` (as `pulumi up` runs `__main__.py`)."""

    def program() -> Any:
        return runpy.run_path(str(entry), run_name="__main__")

    return program
