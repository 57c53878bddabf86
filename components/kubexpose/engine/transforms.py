"""Resource and stack transforms, run offline as the Pulumi engine runs them.

Under `pulumi up` the engine calls a resource's transforms before it registers it: the resource's own
(`ResourceOptions(transforms=[...])`), then its parent's, its parent's parent's and so on up to the stack, then
the stack transforms (`pulumi.runtime.register_resource_transform`) registered before the resource, each with the
properties and options the one before returned. Pulumi's mock monitor runs none of them, so a render, a test-kit
run or `kubexpose diff` would write objects `pulumi up` never applies. The engine runs them here, in that order,
through the SDK's own callback for each (the function the engine reaches over gRPC under `pulumi up`), so the
SDK deserializes the properties, calls the transform and serializes its result exactly as it does there.

What a transform returns replaces the resource's properties; of its options, the aliases and the provider are
kept (they decide the resource's identity and cluster); the others (protect, ignore_changes, timeouts, ...)
change no object and nothing a render writes.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

from .._sdk import engine_internals

SDK = engine_internals()


class TransformsNotRunError(RuntimeError):
    """A transform's callback could not be reached (not an error of the program: of the engine)."""


class Transforms:
    """The transforms of one run: each resource's chain (its own, then its ancestors'), and the stack's."""

    def __init__(self) -> None:
        self.stack: list[Any] = []
        """Callbacks of the stack transforms, in the order the program registered them."""
        self._chains: dict[str, list[Any]] = {}
        self._lock = threading.Lock()
        self.loop: asyncio.AbstractEventLoop | None = None
        """The program's event loop (set when the program starts): the SDK's callback server serves on it."""

    def add_stack(self, callback: Any) -> None:
        with self._lock:
            self.stack.append(callback)

    def apply(self, request: Any, urn: Callable[[], str]) -> Any:
        """`request` (a RegisterResourceRequest) as the engine registers it: every transform that applies run on it.
        Returns the request itself when none applies (a program without transforms pays one check). `urn()` is the
        resource's URN, asked for only when it has a chain its children inherit."""
        with self._lock:
            chain = [*request.transforms, *self._chains.get(request.parent, [])]
            if chain:
                self._chains[urn()] = chain
            callbacks = [*chain, *self.stack]
        if not callbacks:
            return request
        out = type(request)()
        out.CopyFrom(request)
        for callback in callbacks:
            response = _invoke(callback, _transform_request(out), self.loop)
            out.object.CopyFrom(response.properties)
            if response.HasField("options"):
                _apply_options(out, response.options)
        return out


def _apply_options(out: Any, options: Any) -> None:
    """A transform's options onto the request, as the engine takes them (the option fields a program sets)."""
    del out.aliases[:]
    out.aliases.extend(options.aliases)
    out.provider = options.provider
    for ours, theirs in (
        ("ignoreChanges", "ignore_changes"),
        ("replaceOnChanges", "replace_on_changes"),
        ("additionalSecretOutputs", "additional_secret_outputs"),
    ):
        del getattr(out, ours)[:]
        getattr(out, ours).extend(getattr(options, theirs))
    out.protect = options.protect
    out.retainOnDelete = options.retain_on_delete
    out.deletedWith = options.deleted_with
    timeouts = options.custom_timeouts
    if options.HasField("custom_timeouts") and (timeouts.create or timeouts.update or timeouts.delete):
        for key in ("create", "update", "delete"):
            setattr(out.customTimeouts, key, getattr(timeouts, key))
    else:
        out.ClearField("customTimeouts")


def _transform_request(request: Any) -> Any:
    """What the engine sends a transform: the resource's type, name, parent, properties and options."""
    pb = SDK.resource_pb2
    options = pb.TransformResourceOptions(
        depends_on=list(request.dependencies),
        ignore_changes=list(request.ignoreChanges),
        replace_on_changes=list(request.replaceOnChanges),
        version=request.version,
        aliases=list(request.aliases),
        provider=request.provider,
        plugin_download_url=request.pluginDownloadURL,
        additional_secret_outputs=list(request.additionalSecretOutputs),
    )
    options.providers.update(dict(request.providers))
    if request.deletedWith:
        options.deleted_with = request.deletedWith
    if request.HasField("customTimeouts"):
        for key in ("create", "update", "delete"):
            setattr(options.custom_timeouts, key, getattr(request.customTimeouts, key))
    if request.protect:
        options.protect = True
    if request.retainOnDelete:
        options.retain_on_delete = True
    if request.deleteBeforeReplace:
        options.delete_before_replace = True
    return pb.TransformRequest(
        type=request.type,
        name=request.name,
        custom=request.custom,
        parent=request.parent,
        properties=request.object,
        options=options,
    )


def _invoke(callback: Any, request: Any, program_loop: asyncio.AbstractEventLoop | None) -> Any:
    """Call the SDK's callback for `callback` on the program's event loop, as the engine's gRPC call would."""
    for servicer in list(SDK.callback_servicers._servicers):
        function = servicer._callbacks.get(callback.token)
        if function is None:
            continue
        loop = getattr(servicer, "_loop", None) or program_loop  # the servicer knows its loop since 3.2xx
        if loop is None:
            raise TransformsNotRunError("the program's event loop is not known")
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            raise TransformsNotRunError("a transform was registered from the program's own event loop thread")
        return asyncio.run_coroutine_threadsafe(function(request.SerializeToString()), loop).result()
    raise TransformsNotRunError(f"no callback server holds the transform {callback.token}")
