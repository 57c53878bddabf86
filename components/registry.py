"""Claims that must be unique across one Pulumi program: node ports (cluster-wide) and Service names.

Kubernetes refuses a second Service on a node port ("provided port is already allocated") or with a
name already taken in its namespace, but only in the middle of `pulumi up`. Components claim both
here at declaration time, after their own validation passed, so a clash names both components.
"""

from __future__ import annotations

import weakref
from typing import Any

import pulumi.runtime

from .validation import Checker


class _Claims:
    def __init__(self) -> None:
        self.node_ports: dict[tuple[str, int], str] = {}
        self.services: dict[tuple[str, str], str] = {}


_BY_PROGRAM: weakref.WeakKeyDictionary[Any, _Claims] = weakref.WeakKeyDictionary()
_NO_ROOT = _Claims()


def _claims() -> _Claims:
    root = pulumi.runtime.get_root_resource()
    if root is None:
        return _NO_ROOT
    claims = _BY_PROGRAM.get(root)
    if claims is None:
        claims = _BY_PROGRAM[root] = _Claims()
    return claims


def claim(
    check: Checker,
    namespace: str,
    service_name: str,
    node_ports: list[tuple[str, int, str]],
) -> None:
    """Claim a Service name and its fixed node ports `(protocol, port, field)`; raise on a clash."""
    claims = _claims()
    owner = f"{check.kind} '{check.name}'"
    taken = claims.services.get((namespace, service_name))
    if taken is not None:
        check.fail(
            "name",
            service_name,
            f"is already the Service name of {taken} in namespace '{namespace}'",
            "give one of them another name or namespace",
        )
    for protocol, port, field in node_ports:
        other = claims.node_ports.get((protocol, port))
        if other is not None:
            check.fail(
                field,
                port,
                f"is already the {protocol} node port of {other} (node ports are cluster-wide)",
                "pick another port or omit it to let Kubernetes allocate one",
            )
    claims.services[(namespace, service_name)] = owner
    for protocol, port, _ in node_ports:
        claims.node_ports[(protocol, port)] = owner
