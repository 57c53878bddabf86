"""The test kit: unit-test a Pulumi program or a few component declarations under mocks.

Installing the package registers :mod:`kubexpose.testing.plugin` as a pytest plugin (entry point
`pytest11`), so a test only asks for the `kubexpose` fixture, a :class:`KubexposeTester`::

    def test_public_apps_are_load_balancers_in_prod(kubexpose):
        run = kubexpose.run(my_program, stack="prod")   # the project's stacks/Pulumi.prod.yaml
        # or a program written as top-level code: kubexpose.run("__main__.py", stack="prod")
        assert run.services_by_type()["web"] == "LoadBalancer"
        assert run.manifest("Service", "web")["spec"]["loadBalancerSourceRanges"] == ["10.0.0.0/8"]

The run uses the real Pulumi and pulumi-kubernetes SDKs, waits for every output, and fails loudly
on the classic traps of Pulumi unit tests: a test that registered nothing, an export left
unknown, and an `apply` written in a test file whose callback never ran.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi

from ..engine.objects import manifest as render_manifest
from ..engine.programs import path_program, project_context
from ..engine.run import UNKNOWN, ClusterMocks, LoadBalancerMode, ProgramRun, Registration, run_program
from ..errors import ConfigError
from ..stackfiles import Project, to_config_string

__all__ = ["ApplyNeverRanError", "KubexposeRun", "KubexposeTester", "NothingRegisteredError", "UnknownOutputError"]


class NothingRegisteredError(AssertionError):
    """The program registered no resource: the test would check nothing."""


class UnknownOutputError(AssertionError):
    """An export stayed unknown, so any check on it never ran."""


class ApplyNeverRanError(AssertionError):
    """An `Output.apply` written in a test file never called its callback (its assertion never ran)."""


@dataclass
class KubexposeRun(ProgramRun):
    """What the program registered and exported, with lookups for assertions."""

    stack: str = ""

    def manifest(self, kind: str, name: str) -> dict[str, Any]:
        """The object as the offline render writes it (camelCase, integers, secrets redacted)."""
        return render_manifest(self.get(kind, name))

    def services_of_type(self, service_type: str) -> list[str]:
        """Names of the Services of one type, sorted."""
        return sorted(name for name, kind in self.services_by_type().items() if kind == service_type)

    def registered(self, type_token: str) -> list[Registration]:
        """Registrations of one Pulumi type token (components or custom resources)."""
        return [r for r in self.registrations if r.type == type_token]


@dataclass
class KubexposeTester:
    """The `kubexpose` fixture: run programs under mocks that behave like a cluster."""

    default_stack: str = "test"
    project_dir: Path | None = None
    """The Pulumi project whose stack files `run` reads when not given `stack_dir` (the fixture finds
    the nearest `Pulumi.yaml` above the test file). Default: none."""
    test_dir: Path | None = None
    """The test file's folder: a relative `stack_dir` is read from there (the fixture sets it). Default: the
    working directory."""

    def run(
        self,
        program: Callable[[], Any] | str | Path,
        *,
        stack: str | None = None,
        config: Mapping[str, Any] | None = None,
        stack_dir: str | Path | None = None,
        project: str | None = None,
        load_balancer: LoadBalancerMode = "ip",
        preview: bool = False,
        allow_empty: bool = False,
        allow_unknown: bool = False,
    ) -> KubexposeRun:
        """Run `program` for `stack` and wait for everything it started.

        `program` is a function, or the path of a program file written as top-level code (`"__main__.py"`,
        relative to the project), which then runs as `pulumi up` runs it: as `__main__`, from the project
        directory, with that directory first on the import path.

        The project's `Pulumi.yaml` and `Pulumi.<stack>.yaml` (in its `stackConfigDir`) give the config
        exactly as `pulumi up` would see it, config keys without a namespace take the project's name.
        The project is `stack_dir` (relative to the test file's folder), else the one the fixture found
        above the test file. A `stack`
        named explicitly must have its file there; without `stack`, the default stack (`test`) runs
        with the project's defaults when it has no file. `config` adds or overrides keys; a key
        without a namespace (`replicas`) belongs to the project. Values may be strings or YAML-like
        values (`{"sourceRanges": [...]}`), as in a stack file.
        """
        if stack_dir is not None and not Path(stack_dir).is_absolute() and self.test_dir is not None:
            stack_dir = self.test_dir / stack_dir
        if stack_dir is None and self.project_dir is not None:
            found = Project.load(self.project_dir)
            if stack is not None or self.default_stack in found.stacks():
                stack_dir = self.project_dir
            else:
                project = project or found.name
        stack = stack or self.default_stack
        values: dict[str, str] = {}
        secret_keys: list[str] = []
        project_name = project
        naming: contextlib.AbstractContextManager[None] = contextlib.nullcontext()
        loaded: Project | None = None
        if stack_dir is not None:
            loaded = Project.load(stack_dir)
            stack_config = loaded.stack_config(stack)
            naming = stack_config.errors_name_the_file()
            values.update(stack_config.values)
            secret_keys = list(stack_config.secret_keys)
            project_name = project_name or loaded.name
        project_name = project_name or "project"
        inline = {}
        for key, value in (config or {}).items():
            full = key if ":" in key else f"{project_name}:{key}"
            values[full] = inline[full] = to_config_string(value)
        if inline:
            naming = _blaming_inline(naming, set(inline))
        running: contextlib.AbstractContextManager[None] = contextlib.nullcontext()
        if not callable(program):
            base = loaded.directory if loaded is not None else (self.project_dir or self.test_dir or Path.cwd())
            entry = Path(program) if Path(program).is_absolute() else base / program
            if not entry.is_file():
                raise FileNotFoundError(f"kubexpose.run: program file {entry} does not exist")
            program, running = path_program(entry), project_context(entry.parent)
        with naming, running, _track_test_applies() as pending:
            result = run_program(
                program,
                stack=stack,
                project=project_name,
                config=values,
                secret_keys=secret_keys,
                preview=preview,
                mocks=ClusterMocks(load_balancer=load_balancer),
            )
        never_ran = [site for site, ran in pending if not ran]
        if never_ran:
            raise ApplyNeverRanError(
                "these apply callbacks never ran, so nothing they assert was checked (their input stayed "
                f"unknown, e.g. in preview): {', '.join(never_ran)}. Assert on run.exports or run.get(...) instead."
            )
        if not result.registrations and not allow_empty:
            raise NothingRegisteredError(
                "the program registered no resource; did the test call the program function (not just "
                "import it)? Pass allow_empty=True if that is what you test."
            )
        unknown = sorted(k for k, v in result.exports.items() if v is UNKNOWN)
        if unknown and not allow_unknown:
            raise UnknownOutputError(
                f"exports left unknown: {', '.join(unknown)} (preview={preview}); a check on them would never "
                "run. Run without preview, or pass allow_unknown=True."
            )
        return KubexposeRun(result.registrations, result.exports, result.warnings, stack=stack)


@contextmanager
def _blaming_inline(naming: contextlib.AbstractContextManager[None], keys: set[str]) -> Iterator[None]:
    """A config error about a key given in `config=` names `config=`, not the stack file (which lacks it)."""
    try:
        yield
    except ConfigError as err:
        if err.field in keys:
            raise ConfigError(f"kubexpose.run(config=...): {err}", err.field) from None
        with naming:
            raise


@contextmanager
def _track_test_applies() -> Iterator[list[list[Any]]]:
    """Wrap `Output.apply` while a program runs; remember callbacks created in test files."""
    original = pulumi.Output.apply
    pending: list[list[Any]] = []

    def apply(self: pulumi.Output[Any], func: Callable[[Any], Any], run_with_unknowns: bool = False) -> Any:
        caller = sys._getframe(1)
        filename = Path(caller.f_code.co_filename).name
        if filename.startswith("test_") or filename.endswith("_test.py") or filename == "conftest.py":
            entry: list[Any] = [f"{filename}:{caller.f_lineno}", False]
            pending.append(entry)

            def tracked(value: Any) -> Any:
                entry[1] = True
                return func(value)

            return original(self, tracked, run_with_unknowns)
        return original(self, func, run_with_unknowns)

    pulumi.Output.apply = apply  # type: ignore[method-assign]
    try:
        yield pending
    finally:
        pulumi.Output.apply = original  # type: ignore[method-assign]
