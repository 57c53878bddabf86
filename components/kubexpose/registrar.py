"""How a component's resources are registered: the one interface the components talk to.

By default (`pulumi up`, the test kit, Pulumi's own mocks) every component and child is registered through the
Pulumi SDK and no registrar is installed. A run may install another one for its duration: the render's fast path
(:mod:`kubexpose.engine.fast`) records the children of a component whose inputs are all known as the SDK would
send them, without building a resource object for each. The library never imports such an implementation: the
run plugs it in with :func:`installed`.
"""

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any, Protocol

import pulumi


class Registrar(Protocol):
    """What a component asks of a registrar installed for the run."""

    def why_not(self, opts: pulumi.ResourceOptions | None, inputs: Any) -> str | None:
        """None when a component with these options and (checked) inputs may be registered here, else why not:
        it is then registered through the SDK."""
        ...

    def took_the_sdk_path(self, what: str) -> None:
        """Note that component `what` (`<Kind> '<name>': <reason>`) was registered through the SDK."""
        ...

    def declare_component(self, res: pulumi.ComponentResource, type_token: str, name: str) -> str:
        """Initialize and register `res` as component `name` of type `type_token`; return its URN."""
        ...

    def record_child(self, owner: str, cls: type, name: str, parent_urn: str, props: Mapping[str, Any]) -> Any | None:
        """Register child `name` of class `cls` with constructor arguments `props` under `parent_urn`, returning
        what stands for it; None when this registrar cannot, and the SDK registers it (`owner` names the
        component in messages)."""
        ...

    def state_of(self, child: Any) -> dict[str, Any] | None:
        """The state (camelCase, as the engine answered it) of a child this registrar recorded; None for a
        resource the SDK registered."""
        ...


_CURRENT: Registrar | None = None


def current() -> Registrar | None:
    """The registrar installed for the run in progress, or None (everything through the SDK)."""
    return _CURRENT


@contextlib.contextmanager
def installed(registrar: Registrar) -> Iterator[Registrar]:
    """Install `registrar` while the block runs (a program run)."""
    global _CURRENT
    previous, _CURRENT = _CURRENT, registrar
    try:
        yield registrar
    finally:
        _CURRENT = previous
