"""Every use of Pulumi SDK internals, in one place, behind a version check.

kubexpose's components use only the public SDK. The tooling (the mock engine behind the render and
the test kit) needs a few internals of the Python SDK to run a program in-process the way the
Pulumi CLI would, and to run it fast. Each is imported here, with why it is needed and the oldest
SDK version that has it; the rest of kubexpose imports them from this module only.

:func:`require_supported_sdk` fails with a plain message, not an ImportError, when the installed
``pulumi`` is outside the range kubexpose declares and tests (``SUPPORTED``); the test kit and the
render call it before they import anything else from here.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from typing import Any

SUPPORTED = ("3.200.0", "4")
"""The ``pulumi`` versions kubexpose declares and CI tests: at least the first, below the second.

Keep it equal to the bound in ``pyproject.toml`` and ``requirements.txt`` (a test checks that) and
to the floor CI installs (``constraints/floor.txt``)."""


class UnsupportedSdkError(RuntimeError):
    """The installed pulumi SDK is outside the range kubexpose supports."""


def _version_tuple(text: str) -> tuple[int, ...]:
    parts: list[int] = []
    for piece in text.split("."):
        digits = "".join(c for c in piece if c.isdigit()) if piece[:1].isdigit() else ""
        if not digits:
            break
        parts.append(int(digits))
        if not piece.isdigit():
            break
    return tuple(parts)


def installed_sdk_version() -> str | None:
    """The installed ``pulumi`` distribution's version, or None when it is not installed."""
    try:
        return metadata.version("pulumi")
    except metadata.PackageNotFoundError:
        return None


def require_supported_sdk(version: str | None = None) -> None:
    """Raise :class:`UnsupportedSdkError` when ``pulumi`` is missing or outside ``SUPPORTED``."""
    found = installed_sdk_version() if version is None else version
    low, high = SUPPORTED
    if found is None:
        raise UnsupportedSdkError(
            f"kubexpose needs the pulumi Python SDK (pulumi>={low},<{high}), which is not installed; "
            f"run: pip install 'pulumi>={low},<{high}'"
        )
    if not _version_tuple(low) <= _version_tuple(found) < _version_tuple(high):
        raise UnsupportedSdkError(
            f"kubexpose's test kit and render need pulumi>={low},<{high}, but pulumi {found} is installed; "
            f"run: pip install 'pulumi>={low},<{high}'"
        )


PROVIDER_FLOOR = {"pulumi": "3.237.0", "pulumi-kubernetes": "4.23.0"}
"""What the component provider (other languages) needs beyond the library's floor: the schema
analyzer reads `NotRequired` TypedDict fields since pulumi 3.237.0, and resource outputs need the
`pulumi_type` token pulumi-kubernetes writes on its classes since 4.23.0. Keep equal to
``provider/requirements.txt`` (a test checks that)."""


def require_provider_sdk(versions: dict[str, str | None] | None = None) -> None:
    """Raise :class:`UnsupportedSdkError` when a distribution is older than :data:`PROVIDER_FLOOR`."""
    for name, low in PROVIDER_FLOOR.items():
        if versions is not None:
            found = versions.get(name)
        else:
            try:
                found = metadata.version(name)
            except metadata.PackageNotFoundError:
                found = None
        if found is None or _version_tuple(found) < _version_tuple(low):
            raise UnsupportedSdkError(
                f"the kubexpose component provider needs {name}>={low}, but "
                f"{'it is not installed' if found is None else f'{name} {found} is installed'}; "
                f"run: pip install -r provider/requirements.txt"
            )


# -- read by the components (the `pulumi up` path) -------------------------------------------------
def in_process_config_keys() -> set[str]:
    """Config keys set in-process by ``pulumi.runtime.set_all_config`` (mocks, the Automation API).

    Why: `kubexpose:` typos must be reported, which needs the list of keys, and the SDK lists none
    publicly. Under `pulumi up` the CLI passes config in the ``PULUMI_CONFIG`` environment variable,
    read with the public ``pulumi.runtime.get_config_env()``; this map is then empty.
    Since: ``pulumi.runtime.config.CONFIG`` (a module attribute, not re-exported) exists in every 3.x.
    """
    from pulumi.runtime import config as runtime_config

    return set(runtime_config.CONFIG.get())


# -- used only by the mock engine (kubexpose.engine.run) ---------------------------------------
@dataclass(frozen=True)
class EngineInternals:
    """The SDK internals the mock engine uses (see :func:`engine_internals`)."""

    MockMonitor: Any
    UNKNOWN: str
    SECRET_SIG: str
    SIG_KEY: str
    resource_pb2: Any
    source_pb2: Any
    ROOT: Any
    SETTINGS: Any
    run_pulumi_func: Any
    sync_await: Any
    sdk_resource: Any
    sdk_types: Any
    callback_servicers: Any
    monitor_stub: Any


@functools.cache
def engine_internals() -> EngineInternals:
    """The SDK internals the mock engine uses, as one namespace (imported on first use).

    - ``MockMonitor`` (``pulumi.runtime.mocks``, 3.x): the SDK's in-process resource monitor; the
      engine subclasses it to record URNs and to take a fast path for plain inputs, for which it
      also uses ``make_urn``, ``resources`` and ``ResourceRegistration``.
    - ``UNKNOWN`` (``pulumi.runtime.rpc``, 3.x): the wire value of an unknown, to recognise inputs
      the fast path must leave to the SDK.
    - ``SECRET_SIG`` / ``SIG_KEY`` (``pulumi.runtime.rpc._special_secret_sig`` / ``_special_sig_key``,
      3.x): how a secret is marked on the wire, to record which inputs came from secrets.
    - ``resource_pb2`` / ``source_pb2`` (``pulumi.runtime.proto``, 3.x): the response message of the
      fast path, and an empty stack trace.
    - ``ROOT`` (``pulumi.runtime.settings``, 3.x): the root-resource context variable; cleared
      before and after each run so that runs in one process never share a stack.
    - ``SETTINGS`` (``pulumi.runtime.settings``, 3.x): its ``rpc_manager`` and ``outputs`` are cleared
      before each run, as ``pulumi.runtime.test`` does since 3.2xx: a failed Output of an earlier
      run in the process (the SDK keeps those to report at exit) must not fail the next one.
    - ``run_pulumi_func`` (``pulumi.runtime.stack``, 3.x): runs a program and waits for every
      outstanding RPC and output, as the language host does.
    - ``sync_await`` (``pulumi.runtime.sync_await._sync_await``, 3.x): waits for a coroutine from
      synchronous code on the SDK's event loop.
    - ``sdk_resource`` (``pulumi.runtime.resource``) with ``_get_stack_trace`` (3.200+: source
      positions for the engine's diagnostics) and ``sdk_types`` (``pulumi._types``) with
      ``resource_types`` (3.x): both are swapped for cheaper versions while a program runs under
      the mocks (see ``kubexpose.engine.run._lean_sdk``), never under `pulumi up`.
    - ``callback_servicers`` (``pulumi.runtime._callbacks._CallbackServicer``, 3.1xx: its ``_servicers``, each with
      ``_callbacks`` by token and ``_loop``): where the SDK keeps the callbacks of ``transforms`` and stack
      transforms, which the engine calls as ``pulumi up`` does (see ``kubexpose.engine.transforms``).
    - ``monitor_stub`` (``pulumi.runtime.proto.resource_pb2_grpc.ResourceMonitorStub``, 3.x): a second base of the
      engine's monitor, never initialised (every method it calls is the mock monitor's): before 3.2xx the SDK
      starts its callback server, which transforms need, only for a monitor of this class.
    """
    require_supported_sdk()
    import pulumi._types as sdk_types
    from pulumi.runtime import resource as sdk_resource
    from pulumi.runtime import rpc
    from pulumi.runtime import settings as runtime_settings
    from pulumi.runtime._callbacks import _CallbackServicer
    from pulumi.runtime.mocks import MockMonitor
    from pulumi.runtime.proto import resource_pb2, resource_pb2_grpc, source_pb2
    from pulumi.runtime.stack import run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await

    missing = [n for n in ("_get_stack_trace",) if not hasattr(sdk_resource, n)]
    missing += [n for n in ("resource_types",) if not hasattr(sdk_types, n)]
    missing += [n for n in ("make_urn", "ResourceRegistration") if not hasattr(MockMonitor, n)]
    missing += [n for n in ("_servicers",) if not hasattr(_CallbackServicer, n)]
    if missing:
        raise UnsupportedSdkError(
            f"pulumi {installed_sdk_version()} lacks {', '.join(missing)}, which kubexpose's mock engine uses; "
            f"install a pulumi version kubexpose supports (>={SUPPORTED[0]},<{SUPPORTED[1]})"
        )

    return EngineInternals(
        MockMonitor=MockMonitor,
        UNKNOWN=rpc.UNKNOWN,
        SECRET_SIG=rpc._special_secret_sig,
        SIG_KEY=rpc._special_sig_key,
        resource_pb2=resource_pb2,
        source_pb2=source_pb2,
        ROOT=runtime_settings.ROOT,
        SETTINGS=runtime_settings.SETTINGS,
        run_pulumi_func=run_pulumi_func,
        sync_await=_sync_await,
        sdk_resource=sdk_resource,
        sdk_types=sdk_types,
        callback_servicers=_CallbackServicer,
        monitor_stub=resource_pb2_grpc.ResourceMonitorStub,
    )


def declare_transforms_supported() -> None:
    """Tell the SDK, after ``set_mocks``, that the monitor runs transforms (kubexpose's engine does).

    Before 3.2xx the SDK reads that from ``SETTINGS.feature_support`` (``pulumi.runtime.settings``), which the
    language host primes from the engine under `pulumi up` and nothing primes under mocks: ``transforms`` then
    fail with "The Pulumi CLI does not support transforms". Newer SDKs read the mock monitor's own feature list,
    which includes transforms; nothing is done there."""
    from pulumi.runtime import settings as runtime_settings

    support: Any = getattr(runtime_settings.SETTINGS, "feature_support", None)  # a dict, or a context property
    if support is not None and hasattr(support, "__setitem__") and "transforms" not in support:
        support["transforms"] = True


# -- used only by the render's fast path (kubexpose.engine.fast) ------------------------------------------
class NotPlainError(Exception):
    """A child's input holds something the fast path cannot serialize as the SDK would."""


class FastInternals:
    """The SDK internals the render's fast path uses (see :func:`fast_internals`)."""

    def __init__(self) -> None:
        import pulumi._types as sdk_types
        import pulumi.resource as sdk_resource_module
        from pulumi.runtime import rpc

        self._types = sdk_types
        self._resource_module = sdk_resource_module
        self._list_item_type = rpc._get_list_element_type
        self.unwrap = sdk_types.unwrap_type
        self.is_input_type = sdk_types.is_input_type
        self._union = getattr(sdk_types, "reduce_discriminated_union", None)
        self._py_name_for = getattr(sdk_types, "_py_name_for", None)
        self.metadata = functools.cache(self._metadata)

    def _metadata(self, typ: type) -> tuple[dict[str, str], dict[str, type]]:
        return self._types.input_type_py_to_pulumi_names(typ), self._types.input_type_types(typ)

    def union_case(self, typ: Any, value: Any) -> Any:
        """The member of a discriminated union a mapping belongs to, as the SDK picks it (None if none)."""
        if self._union is None or self._py_name_for is None:
            return None
        return self._union(typ, value, self._py_name_for)

    def list_item_type(self, typ: Any) -> Any:
        """The element type of a list annotation, as the SDK reads it; NotPlainError where the SDK would fail."""
        try:
            return self._list_item_type(typ)
        except AssertionError:
            raise NotPlainError(f"is a list where {typ} is expected") from None

    @contextlib.contextmanager
    def known_urn(self, res: Any, urn: str) -> Iterator[None]:
        """While the block runs, registering `res` (its `Resource.__init__`) only gives it the URN `urn`,
        known at once, instead of the SDK's asynchronous registration."""
        module: Any = self._resource_module
        original = module.register_resource

        def register(target: Any, *args: Any, **kwargs: Any) -> None:
            if target is not res:
                original(target, *args, **kwargs)
                return
            loop = asyncio.get_event_loop()
            value, known, secret = loop.create_future(), loop.create_future(), loop.create_future()
            value.set_result(urn)
            known.set_result(True)
            secret.set_result(False)
            import pulumi

            target.__dict__["urn"] = pulumi.Output({target}, value, known, secret)

        module.register_resource = register
        try:
            yield
        finally:
            module.register_resource = original


@functools.cache
def fast_internals() -> FastInternals:
    """The SDK internals of the render's fast path, imported on first use:

    - ``pulumi._types`` (3.x): ``unwrap_type``, ``is_input_type``, ``input_type_py_to_pulumi_names``,
      ``input_type_types`` and (where present) ``reduce_discriminated_union`` / ``_py_name_for``: the
      metadata the SDK's serializer translates names with, so the fast path sends the same wire names.
    - ``pulumi.runtime.rpc._get_list_element_type`` (3.x): the element type of a list annotation.
    - ``pulumi.resource.register_resource`` (3.x, the name ``Resource.__init__`` calls): replaced for one
      component's ``__init__`` so that it gets a URN known at once (:meth:`FastInternals.known_urn`).
    """
    require_supported_sdk()
    return FastInternals()


def under_mocks() -> bool:
    """The program runs against Pulumi's mocks (the render, the test kit), not the engine: its resource monitor is
    the SDK's `MockMonitor` (``pulumi.runtime.settings.get_monitor``, 3.x)."""
    from pulumi.runtime.mocks import MockMonitor
    from pulumi.runtime.settings import get_monitor

    return isinstance(get_monitor(), MockMonitor)
