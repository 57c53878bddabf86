"""Run a Pulumi program in-process under recording mocks that behave like a cluster.

This is the engine behind the unit tests and the offline render: the real Pulumi Python SDK and the
real pulumi-kubernetes SDK run, every registration is recorded with its inputs (what `pulumi up`
would send to the provider), and the mocks answer the way a cluster would where programs read it
back: a ClusterIP, allocated node ports, a load-balancer address (an IP or, as on AWS, a
hostname), and a `<name>-<8 hex>` auto-name for objects without `metadata.name`.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import gc
import logging
import os
import threading
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi.log
import pulumi.runtime
from google.protobuf import empty_pb2, json_format, struct_pb2

from .._sdk import declare_transforms_supported, engine_internals, fast_internals
from .fast import FastSession, fast_session, refuse_unbuilt
from .mocks import ClusterMocks as ClusterMocks
from .mocks import LoadBalancerMode as LoadBalancerMode
from .mocks import Registration as Registration
from .mocks import is_plain, make_urn, secret_paths
from .transforms import Transforms

SDK = engine_internals()
"""The SDK internals the engine needs (all listed, with why, in :mod:`kubexpose._sdk`)."""


class _Unknown:
    """An export whose value is not known (in preview, values only the cluster can give)."""

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN: Any = _Unknown()
"""The value recorded for an export that stayed unknown."""


@dataclass
class ProgramRun:
    """What a program registered and exported under the mocks."""

    registrations: list[Registration]
    exports: dict[str, Any]
    """Stack exports, resolved; `UNKNOWN` where the value stayed unknown."""
    warnings: list[str] = field(default_factory=list)
    """Warnings the program logged (e.g. an unpinned image)."""
    path: list[str] = field(default_factory=list)
    """How the run was made, for `--verbose`: which components took the render's fast path and, for
    every one that did not, why (empty when the run did not offer the fast path)."""

    def k8s(self, kind: str | None = None) -> list[Registration]:
        """Kubernetes objects in registration order, optionally of one kind."""
        return [r for r in self.registrations if r.kind is not None and (kind is None or r.kind == kind)]

    def get(self, kind: str, name: str) -> Registration:
        """The Kubernetes object of `kind` whose `metadata.name` is `name`."""
        found = [r for r in self.k8s(kind) if r.object_name == name]
        if len(found) != 1:
            known = ", ".join(sorted(str(r.object_name) for r in self.k8s(kind))) or "none"
            raise LookupError(f"{len(found)} {kind} objects named {name!r}; registered: {known}")
        return found[0]

    def services_by_type(self) -> dict[str, str]:
        """`{service name: Service type}` for every Service."""
        return {str(r.object_name): (r.inputs.get("spec") or {}).get("type", "ClusterIP") for r in self.k8s("Service")}

    def components(self, type_token: str) -> list[Registration]:
        """Component registrations of one type token."""
        return [r for r in self.registrations if r.type == type_token]


class _Warnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


_THREAD_LOOPS: set[asyncio.AbstractEventLoop] = set()
_LOGGER = logging.getLogger("kubexpose.engine.run.program")
"""Receives the program's log messages during a run (one handler per run records its warnings)."""
_LOGGER.propagate = False


def close_event_loops() -> None:
    """Close the event loops the SDK left on worker threads and on this thread.

    Call it once when a process that ran programs is about to exit (the render command does):
    loops left open are torn down out of order at interpreter exit and print errors.
    Programs cannot run in this process afterwards.
    """
    loops = set(_THREAD_LOOPS)
    with contextlib.suppress(RuntimeError):
        loops.add(asyncio.get_event_loop())
    for loop in loops:
        if not loop.is_running() and not loop.is_closed():
            loop.close()
    _THREAD_LOOPS.clear()


class _RecordingMonitor(SDK.MockMonitor, SDK.monitor_stub):  # type: ignore[misc, name-defined]
    """Adds the URN to each registration the mocks recorded (registrations may come from threads), and runs
    transforms (:mod:`kubexpose.engine.transforms`); the gRPC stub base is never initialised (see `_sdk`)."""

    def __init__(self, mocks: ClusterMocks, preview: bool, stack: str, project: str) -> None:
        super().__init__(mocks)
        self.preview = preview
        self.stack, self.project = stack, project
        """The run's stack and project (the SDK's `get_stack()` is not reliable on its worker threads)."""
        self._lock = threading.Lock()
        self.thread_loops: set[asyncio.AbstractEventLoop] = set()
        self.transforms = Transforms()
        """Resource and stack transforms, run on each registration as the engine runs them."""

    def RegisterStackTransform(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        """A stack transform (`pulumi.runtime.register_resource_transform`): run on every later registration."""
        self.transforms.add_stack(request)
        return empty_pb2.Empty()

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        with self._lock:
            if threading.current_thread() is not threading.main_thread():
                # The SDK runs registrations on worker threads and leaves an event loop on each; keep
                # track of them so run_program can close them (unclosed loops fail noisily at exit).
                try:
                    loop = asyncio.get_event_loop()
                except RuntimeError:
                    loop = None
                if loop is None or loop.is_closed():
                    loop = asyncio.new_event_loop()
                    asyncio.set_event_loop(loop)
                self.thread_loops.add(loop)
        request = self.transforms.apply(request, lambda: self.make_urn(request.parent, request.type, request.name))
        with self._lock:
            raw = json_format.MessageToDict(request.object)
            response = self._register_plain(request, raw)
            if response is None:
                response = super().RegisterResource(request)
            mocks = self.mocks
            if isinstance(mocks, ClusterMocks) and mocks.registrations and not mocks.registrations[-1].urn:
                last = mocks.registrations[-1]
                mocks.registrations[-1] = dataclasses.replace(
                    last,
                    urn=response.urn,
                    secrets=tuple(secret_paths(raw)),
                    dependencies=tuple(request.dependencies),
                    parent=request.parent,
                    aliases=self._aliases(request),
                    options=_options(request),
                )
            return response

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """The URN the real engine gives (MockMonitor's own drops all but the parent's last type)."""
        return make_urn(self.stack, self.project, parent, type_, name)

    def _aliases(self, request: Any) -> tuple[str, ...]:
        """The request's aliases as URNs, collapsed as the engine collapses an alias spec (a field left out is
        the resource's own; `noParent` means the stack)."""
        out: list[str] = list(request.aliasURNs)
        for alias in request.aliases:
            if alias.urn:
                out.append(alias.urn)
                continue
            spec = alias.spec
            parent = (
                "" if spec.WhichOneof("parent") == "noParent" and spec.noParent else spec.parentUrn or request.parent
            )
            out.append(
                make_urn(
                    spec.stack or self.stack,
                    spec.project or self.project,
                    parent,
                    spec.type or request.type,
                    spec.name or request.name,
                )
            )
        return tuple(dict.fromkeys(out))

    def _register_plain(self, request: Any, raw: dict[str, Any]) -> Any:
        """MockMonitor.RegisterResource for inputs that are plain data (the common case), done with
        protobuf's C-level conversions instead of the SDK's Python (de)serializers. Returns None
        (use the SDK's path) in a preview, for the stack, and for inputs holding unknowns or
        resource references."""
        if self.preview or request.type == "pulumi:pulumi:Stack" or not is_plain(raw):
            return None
        urn = self.make_urn(request.parent, request.type, request.name)
        args = pulumi.runtime.MockResourceArgs(
            typ=request.type,
            name=request.name,
            inputs=raw,
            provider=request.provider,
            resource_id=request.importId,
            custom=request.custom or False,
        )
        mocked_id, state = self.mocks.new_resource(args)
        resource_id = mocked_id or ""
        obj = struct_pb2.Struct()
        obj.update(state)
        self.resources[urn] = SDK.MockMonitor.ResourceRegistration(urn, resource_id, state)
        return SDK.resource_pb2.RegisterResourceResponse(urn=urn, id=resource_id, object=obj)


@contextlib.contextmanager
def _lean_sdk(reclaim: bool) -> Iterator[None]:
    """Skip per-resource work that only a real engine uses, while a program runs under the mocks.

    - Python's cyclic garbage collector is paused: registration allocates millions of short-lived
      objects (futures, tasks, protobuf messages) and full collections made runs grow faster than
      linearly with the number of resources. While it is paused nothing is promoted, so at the end
      every object the run made is still in the youngest generation: with `reclaim`, collecting
      that generation alone returns the run's garbage at a cost that follows the run's size, not
      the process's. Without `reclaim` (a process that runs one program and exits), the survivors
      are frozen instead: no collection now, and none over them at exit.
    - The SDK's per-registration stack trace (source positions for the engine's diagnostics, which
      the mock monitor ignores) and its debug log messages are skipped.
    - The SDK's per-registration lookup of a resource class's output types (which re-evaluates the
      class's annotations every time) is remembered per class for the run.
    Nothing a program registers or reads changes.
    """
    was_enabled = gc.isenabled()
    sdk_resource, sdk_types = SDK.sdk_resource, SDK.sdk_types
    stack_trace, debug, types_of = sdk_resource._get_stack_trace, pulumi.log.debug, sdk_types.resource_types
    gc.disable()
    sdk_types.resource_types = functools.cache(types_of)
    sdk_resource._get_stack_trace = _no_stack_trace
    pulumi.log.debug = _no_debug
    try:
        yield
    except BaseException as err:
        if reclaim:
            # The traceback keeps every frame's locals (the monitor, every registration) alive until the
            # caller handles the error, after this collection; its text (files, lines) stays.
            traceback.clear_frames(err.__traceback__)
        raise
    finally:
        sdk_resource._get_stack_trace = stack_trace
        pulumi.log.debug = debug
        sdk_types.resource_types = types_of
        if reclaim:
            gc.collect(0)
        else:
            gc.freeze()
        if was_enabled:
            gc.enable()


def _no_stack_trace() -> Any:
    return SDK.source_pb2.StackTrace()


def _no_debug(*_args: Any, **_kwargs: Any) -> None:
    return None


def run_program(
    program: Callable[[], Any],
    *,
    stack: str = "dev",
    project: str = "project",
    config: Mapping[str, str] | None = None,
    secret_keys: list[str] | None = None,
    preview: bool = False,
    mocks: ClusterMocks | None = None,
    reclaim: bool = True,
    fast: bool = False,
) -> ProgramRun:
    """Run `program` as `pulumi up` (or `preview`) would, under mocks; wait for every output.

    `config` maps full keys (`aws:region`, `myproject:replicas`) to the strings Pulumi passes a program
    (structured values as JSON); it is the whole config (`PULUMI_CONFIG*` variables of the process
    are ignored). Exceptions raised by the program propagate unchanged. `reclaim`
    returns the run's memory at its end (for processes that run many programs: tests, fuzzing);
    a process that runs one program and exits passes False and skips that collection.

    `fast` lets components take the render's fast path (:mod:`kubexpose.engine.fast`): children recorded
    from the pure builders, never registered through the SDK, where nothing in the program can tell.
    If program code touches such a child, the program runs again without it; `ProgramRun.path` says
    what happened. Only the registrations the render reads are the same both ways (URNs, inputs,
    state); a fast run records no dependencies between a component's children.
    """
    mocks = mocks or ClusterMocks()
    attempt = functools.partial(_run, program, stack, project, config, secret_keys, preview, mocks)
    with _lean_sdk(reclaim), _without_ambient_config():
        # Everything the SDK touched lives in _run's frame, which is gone before the run's end reclaims it.
        try:
            if not fast:
                return attempt(None)
            reason = _fast_path_unavailable()
            if reason is None:
                result, abandoned = _run_fast(attempt)
                if abandoned is None:
                    if len(result.path) == 1:
                        # Every component took the fast path: the run's garbage is small, so returning it
                        # costs little, whatever `reclaim` asked (the SDK's registrations are what cost).
                        gc.collect(0)
                    return result
                mocks.reset()
                reason = f"{abandoned}; the program ran again on the SDK path"
            result = attempt(None)
            result.path = [f"SDK path for every component: {reason}"]
            return result
        except ValueError as err:
            raise _unwrapped(err) from None


def _fast_path_unavailable() -> str | None:
    """Why the installed SDK cannot serve the fast path (an internal it reads is missing), or None."""
    try:
        fast_internals()
    except (AttributeError, ImportError) as err:
        return f"the installed pulumi SDK lacks what the fast path reads ({err})"
    return None


def _run_fast(attempt: Callable[[list[FastSession] | None], ProgramRun]) -> tuple[ProgramRun, str | None]:
    """One run (`attempt`: :func:`_run` with the program's arguments) offering the fast path: its result, or
    the reason it must be repeated on the SDK path."""
    holder: list[FastSession] = []
    try:
        result = attempt(holder)
    except Exception:
        if holder and holder[0].abandoned is not None:
            return ProgramRun([], {}), holder[0].abandoned
        raise
    current = holder[0]
    if current.abandoned is not None:
        return result, current.abandoned
    total = current.fast + len(current.slow)
    result.path = [f"fast path: {current.fast} of {total} components built without SDK registration"]
    result.path += [f"SDK path for {why}" for why in current.slow]
    return result, None


def _unwrapped(err: BaseException) -> BaseException:
    """The error a program raised inside an Output, out of the SDK's "While processing ..." wrappers.

    The SDK reports an error raised while it resolves a resource's inputs (e.g. in an `apply`) as
    plain ValueErrors naming the resource and the input, chained to the original; a test wants the
    original, which `pulumi up` shows last.
    """
    seen = {id(err)}
    while type(err) is ValueError and str(err).startswith("While processing"):
        # The SDK re-raises the outer wrapper `from` itself; the chain goes on in its context.
        inner = next((e for e in (err.__cause__, err.__context__) if e is not None and id(e) not in seen), None)
        if inner is None:
            break
        seen.add(id(inner))
        err = inner
    return err


def _record(
    monitor: _RecordingMonitor,
    mocks: ClusterMocks,
    typ: str,
    name: str,
    parent: str,
    inputs: dict[str, Any],
    custom: bool,
) -> tuple[str, dict[str, Any]]:
    """Record a registration of the fast path as the monitor records one of the SDK's (:mod:`kubexpose.engine.fast`)."""
    urn = monitor.make_urn(parent, typ, name)
    resource_id: str | None
    if type(mocks).new_resource is ClusterMocks.new_resource:  # the wire form needs no second normalization
        resource_id, state = mocks.answer(typ, name, inputs, custom, urn, parent)
    else:  # a subclass answers its own way
        args = pulumi.runtime.MockResourceArgs(
            typ=typ, name=name, inputs=inputs, provider="", resource_id="", custom=custom
        )
        resource_id, state = mocks.new_resource(args)
        mocks.registrations[-1] = dataclasses.replace(mocks.registrations[-1], urn=urn, parent=parent)
    monitor.resources[urn] = SDK.MockMonitor.ResourceRegistration(urn, resource_id or "", state)
    return urn, state


@contextlib.contextmanager
def _without_ambient_config() -> Iterator[None]:
    """Hide the caller's `PULUMI_CONFIG*` environment variables while a program runs.

    The SDK falls back to them for keys the run's config does not set, so a variable left in a shell
    would silently add or change config; a run gets exactly the config it was given.
    """
    hidden = {k: v for k, v in os.environ.items() if k == "PULUMI_CONFIG" or k.startswith("PULUMI_CONFIG_")}
    for key in hidden:
        del os.environ[key]
    try:
        yield
    finally:
        os.environ.update(hidden)


def _run(
    program: Callable[[], Any],
    stack: str,
    project: str,
    config: Mapping[str, str] | None,
    secret_keys: list[str] | None,
    preview: bool,
    mocks: ClusterMocks,
    fast: list[FastSession] | None,
) -> ProgramRun:
    """One run; with `fast` (a list to put the session in), components may take the fast path."""
    mocks.preview = preview
    monitor = _RecordingMonitor(mocks, preview, stack, project)
    SDK.ROOT.set(None)
    with SDK.SETTINGS.lock:
        SDK.SETTINGS.rpc_manager.clear()
        SDK.SETTINGS.outputs.clear()
    handler = _Warnings()
    _LOGGER.addHandler(handler)
    pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=preview, logger=_LOGGER, monitor=monitor)
    declare_transforms_supported()
    pulumi.runtime.set_all_config(dict(config or {}), list(secret_keys or []))
    exports: dict[str, Any] = {}

    def body() -> None:
        monitor.transforms.loop = asyncio.get_event_loop()  # running: body runs inside run_pulumi_func
        program()
        root = pulumi.runtime.get_root_resource()
        for key, value in dict(getattr(root, "outputs", {}) or {}).items():
            refuse_unbuilt(value, f"exported (as {key!r})")
            output = pulumi.Output.from_input(value)
            known = SDK.sync_await(output.is_known())
            exports[key] = SDK.sync_await(output.future()) if known else UNKNOWN

    offered: contextlib.AbstractContextManager[Any] = contextlib.nullcontext()
    if fast is not None and not preview:
        current = FastSession(
            functools.partial(_record, monitor, mocks),
            monitor.make_urn("", "pulumi:pulumi:Stack", f"{project}-{stack}"),
            lambda: bool(monitor.transforms.stack),
        )
        fast.append(current)
        offered = fast_session(current)  # until every registration is done: they may touch children
    try:
        with offered:
            SDK.sync_await(SDK.run_pulumi_func(body))
    finally:
        _LOGGER.removeHandler(handler)
        _THREAD_LOOPS.update(monitor.thread_loops)
        # The SDK's settings keep the run's monitor (every registration) and engine until the next
        # set_mocks; let go of them now, so that the end of the run can reclaim them.
        SDK.ROOT.set(None)
        SDK.SETTINGS.monitor = None
        SDK.SETTINGS.engine = None
        with SDK.SETTINGS.lock:
            SDK.SETTINGS.rpc_manager.clear()
            SDK.SETTINGS.outputs.clear()
    return ProgramRun(list(mocks.registrations), exports, handler.messages)


def _options(request: Any) -> dict[str, Any]:
    """The resource options of a RegisterResource request that are set (see :attr:`Registration.options`)."""
    out: dict[str, Any] = {}
    if request.HasField("customTimeouts"):
        out["customTimeouts"] = {k: v for k, v in json_format.MessageToDict(request.customTimeouts).items() if v}
    for key in ("retainOnDelete", "protect"):
        if request.HasField(key) and getattr(request, key):
            out[key] = True
    for key in ("deletedWith",):
        if getattr(request, key):
            out[key] = getattr(request, key)
    for key in ("ignoreChanges", "replaceOnChanges"):
        if list(getattr(request, key)):
            out[key] = list(getattr(request, key))
    return out
