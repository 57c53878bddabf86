"""The render's fast path: a component's children built from the pure builders, never registered through the SDK.

Under the mock engine most of a render's time is the SDK's per-resource registration (serializing
inputs, a thread pool, dozens of event-loop callbacks per object). When nothing in the program can
observe the difference, a component need not go through it: its children's inputs are plain data
the builders made, so the engine records them directly, in the same wire form (camelCase names, the
same numbers) the SDK would have sent, and answers them with the same mocks.

A component takes the fast path only when every one of these holds (else the SDK path, with the
reason recorded for `kubexpose render --verbose`):

- the engine runs the program with a :class:`FastSession` (the render; the test kit and `pulumi up`
  never do: a test may read children, URNs and dependencies, and a real engine needs real
  registrations);
- the component gives `declare()` its inputs to check (`KubexposeComponent.declare(..., inputs=...)`);
- its `opts` give nothing but dependencies on resources (no parent other than the stack, transforms,
  providers, aliases; a dependency changes no object a render writes);
- no transformation is registered for the stack or its parents, and no stack transform with the monitor;
- no input holds an Output, a resource or anything but plain data (a value known only later must be
  checked and serialized by the SDK);
- it does not declare a child the fast path never builds (a custom resource such as an HTTPRoute).

A child of a kind the fast path does not know, or whose input it cannot serialize exactly as the SDK
would, is registered through the SDK under the fast component (whose URN is known at once).

The children a fast component would expose (`app.service`, `app.deployment`) are stand-ins: the
first time program code touches one (reads an output, passes it as a parent or dependency), the
session is abandoned and the engine runs the whole program again on the SDK path, so a program that
reads a child sees exactly what it sees today.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import pulumi

from .. import registrar
from .._sdk import NotPlainError as NotPlainError
from .._sdk import fast_internals
from .._values import any_leaf
from .._wire import to_wire as to_wire

Record = Callable[[str, str, str, dict[str, Any], bool], tuple[str, dict[str, Any]]]
"""`record(type token, name, parent URN, wire inputs, custom) -> (URN, state the mocks answered)`."""


class FastPathAbandoned(Exception):  # noqa: N818 - not an error of the program: a signal to the engine
    """Program code touched a child of a fast component: the engine reruns the program on the SDK path.

    The session keeps the reason too, so a program that catches this exception still runs again; an
    Exception (not a BaseException) so that the SDK's own handlers, which catch Exception where a
    registration reads a resource, report it as a failed run instead of leaving tasks broken."""


@dataclass
class FastSession:
    """One program run that lets components take the fast path (set up by the mock engine)."""

    record: Record
    """Records a registration and returns its URN and the state the mocks answered."""
    root_urn: str
    """The stack's URN: the parent of every top-level component."""
    monitor_transforms: Callable[[], bool]
    """Whether a stack transform was registered with the monitor (then nothing takes the fast path)."""
    fast: int = 0
    """How many components took the fast path."""
    slow: list[str] = field(default_factory=list)
    """`<Kind> '<name>': <why it took the SDK path>`, one per component that did."""
    abandoned: str | None = None
    """Why the run must be repeated on the SDK path (set when program code touched a child)."""

    def abandon(self, reason: str) -> FastPathAbandoned:
        """Record the first reason to abandon the session and return the exception to raise."""
        if self.abandoned is None:
            self.abandoned = reason
        return FastPathAbandoned(reason)

    # The registrar the components talk to (kubexpose.registrar.Registrar).
    def why_not(self, opts: pulumi.ResourceOptions | None, inputs: Any) -> str | None:
        return why_not(self, opts, inputs)

    def took_the_sdk_path(self, what: str) -> None:
        self.slow.append(what)

    def declare_component(self, res: pulumi.ComponentResource, type_token: str, name: str) -> str:
        return declare_component(res, type_token, name, self)

    def record_child(self, owner: str, cls: type, name: str, parent_urn: str, props: Mapping[str, Any]) -> Any:
        return record_child(self, owner, cls, name, parent_urn, props)

    def state_of(self, child: Any) -> dict[str, Any] | None:
        return state_of(child)


def session() -> FastSession | None:
    """The fast session of the program run in progress, or None (the SDK path for everything)."""
    current = registrar.current()
    return current if isinstance(current, FastSession) else None


@contextlib.contextmanager
def fast_session(current: FastSession) -> Iterator[FastSession]:
    """Let components take the fast path while the block runs: the session is the run's registrar."""
    with registrar.installed(current):
        yield current


# -- deciding -----------------------------------------------------------------------------------
def why_not(current: FastSession, opts: pulumi.ResourceOptions | None, inputs: Any) -> str | None:
    """None when a component with these options and raw inputs may take the fast path, else why not."""
    if opts is not None:
        if not isinstance(opts, pulumi.ResourceOptions):
            return "its opts are not a ResourceOptions"
        given = sorted(
            key
            for key, value in vars(opts).items()
            if key != "depends_on" and value is not None and value != [] and value != {}
        )
        if given:
            return f"its opts set {', '.join(given)}"
        depends = opts.depends_on
        for dep in depends if isinstance(depends, list | tuple) else [] if depends is None else [depends]:
            if isinstance(dep, _Unbuilt):
                raise current.abandon(f"the program made {_what(dep)} a dependency")
            if not isinstance(dep, pulumi.Resource):
                return "its depends_on holds a value known only later"
    root = pulumi.runtime.get_root_resource()
    if root is not None and (root._transformations or getattr(root, "_transforms", None)):
        return "a stack transformation is registered"
    if current.monitor_transforms():
        return "a stack transform is registered"
    if any_leaf(inputs, _is_live):
        return "an input is an Output (or another value known only later)"
    return None


def _is_live(value: Any) -> bool:
    """A value the SDK must resolve: an Output, a resource, an awaitable (anything but plain data and the
    containers :func:`~kubexpose._values.any_leaf` walks into)."""
    if isinstance(value, str | int | float | Enum | Mapping | list | tuple | set | frozenset) or value is None:
        return False
    return not (getattr(value, "__dataclass_fields__", None) and not isinstance(value, type))


# -- declaring ----------------------------------------------------------------------------------
def declare_component(res: pulumi.ComponentResource, type_token: str, name: str, current: FastSession) -> str:
    """Initialize `res` as a component whose URN is known now, record it, and return its URN."""
    urn, _ = current.record(type_token, name, current.root_urn, {}, False)
    with fast_internals().known_urn(res, urn):
        pulumi.ComponentResource.__init__(res, type_token, name, None, None)
    current.fast += 1
    return urn


@dataclass(frozen=True)
class Kind:
    """What the fast path needs to know of a pulumi_kubernetes resource class."""

    token: str
    """The Pulumi type token, e.g. `kubernetes:apps/v1:Deployment`."""
    api_version: str
    kind: str
    args: type
    """The class's `<Kind>Args` input type, whose metadata gives the wire names."""


@functools.cache
def kind_of(cls: type) -> Kind | None:
    """The fast-path facts of a pulumi_kubernetes class, or None for a class the fast path does not handle
    (a custom resource, or a class of a pulumi-kubernetes older than 4.23 that kubexpose does not create)."""
    token = vars(cls).get("pulumi_type") or _TOKENS.get(cls.__name__)
    module = __import__(cls.__module__.rsplit(".", 1)[0], fromlist=["_"])
    args = getattr(module, f"{cls.__name__}Args", None)
    if not isinstance(token, str) or args is None or not cls.__module__.startswith("pulumi_kubernetes."):
        return None
    group_version = token.split(":")[1]
    api_version = group_version.removeprefix("core/")
    return Kind(token, api_version, cls.__name__, args)


_TOKENS = {
    "ServiceAccount": "kubernetes:core/v1:ServiceAccount",
    "Service": "kubernetes:core/v1:Service",
    "Deployment": "kubernetes:apps/v1:Deployment",
    "StatefulSet": "kubernetes:apps/v1:StatefulSet",
    "Job": "kubernetes:batch/v1:Job",
    "CronJob": "kubernetes:batch/v1:CronJob",
    "ConfigMap": "kubernetes:core/v1:ConfigMap",
    "PodDisruptionBudget": "kubernetes:policy/v1:PodDisruptionBudget",
    "HorizontalPodAutoscaler": "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    "NetworkPolicy": "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    "Ingress": "kubernetes:networking.k8s.io/v1:Ingress",
    "EndpointSlice": "kubernetes:discovery.k8s.io/v1:EndpointSlice",
}
"""The kinds kubexpose's components create, by class name, for pulumi-kubernetes older than 4.23 (newer classes
carry their type token as `pulumi_type`)."""


def record_child(
    current: FastSession, owner: str, cls: type, name: str, parent_urn: str, props: Mapping[str, Any]
) -> Any:
    """Record child `name` of class `cls` with `props` (snake_case, as its constructor takes them) and
    return a stand-in for it (:func:`state_of` gives the state the mocks answered); None when the fast path cannot build it
    exactly (a class it does not know, a value it cannot serialize as the SDK would): the component then
    registers that child through the SDK, under its URN known at once. `owner` names the component."""
    kind = kind_of(cls)
    if kind is None:
        return None
    inputs = {"api_version": kind.api_version, "kind": kind.kind, **props}
    try:
        wire = {key: value for key, value in to_wire(inputs, kind.args).items() if value is not None}
    except NotPlainError:
        return None
    _, state = current.record(kind.token, name, parent_urn, wire, True)
    return unbuilt(cls, f"{owner}'s {kind.kind} '{name}'", state)


# -- stand-ins for children ---------------------------------------------------------------------
class _Unbuilt:
    """A child the fast path recorded without building: touching it abandons the fast session."""

    def __getattribute__(self, attr: str) -> Any:
        if attr in ("__class__", "__dict__"):
            return object.__getattribute__(self, attr)
        what = _what(self)
        current = session()
        if attr.startswith("_"):  # the SDK reads private attributes: the program handed the child to it
            reason = f"the program gave {what} to Pulumi (as a dependency, parent or input; .{attr} was read)"
        else:
            reason = f"the program read {what} (.{attr})"
        if current is None:  # the run is over: nothing can repeat it
            raise RuntimeError(f"{reason}, built on the render's fast path; this object has no outputs")
        raise current.abandon(reason)


def refuse_unbuilt(value: Any, how: str) -> None:
    """Abandon the session when `value` (a stack export, walked through lists and dicts) holds a stand-in:
    under `pulumi up` the engine would serialize the child's outputs."""
    current = session()
    if current is None:
        return
    if isinstance(value, _Unbuilt):
        raise current.abandon(f"the program {how} {_what(value)}")
    if isinstance(value, dict):
        for item in value.values():
            refuse_unbuilt(item, how)
    elif isinstance(value, list | tuple):
        for item in value:
            refuse_unbuilt(item, how)


@functools.cache
def _unbuilt_class(cls: type) -> type:
    return type(f"Unbuilt{cls.__name__}", (_Unbuilt, cls), {"__module__": __name__})


def unbuilt(cls: type, what: str, state: dict[str, Any]) -> Any:
    """A stand-in for a recorded child of class `cls` (an instance of it for `isinstance`)."""
    stand_in: Any = object.__new__(_unbuilt_class(cls))
    stand_in.__dict__.update(_kubexpose_what=what, _kubexpose_state=state)
    return stand_in


def _what(stand_in: _Unbuilt) -> str:
    """How messages name a stand-in (`<Kind> '<component>''s <child kind> '<child name>'`)."""
    return str(object.__getattribute__(stand_in, "__dict__")["_kubexpose_what"])


def state_of(child: Any) -> dict[str, Any] | None:
    """The state the mocks answered for a recorded child (None for a child registered through the SDK)."""
    if not isinstance(child, _Unbuilt):
        return None
    return dict(object.__getattribute__(child, "__dict__")["_kubexpose_state"])


def is_unbuilt(child: Any) -> bool:
    """Whether `child` is a stand-in the fast path recorded (not a resource registered through the SDK)."""
    return isinstance(child, _Unbuilt)
