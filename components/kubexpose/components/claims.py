"""What one Pulumi program run shares between its components: name and node-port claims, end checks.

Kubernetes refuses a second Service on a node port ("provided port is already allocated") or with a
name already taken in its namespace, but only in the middle of `pulumi up`. Components claim both
here at declaration time, after their own validation passed, so a clash names both components.

Claims live as long as one program run (see :func:`_program_key`).

Some checks need the whole program (e.g. a per-stack alias for a name no ExternalAlias declares):
:func:`at_program_end` runs them once the program's body has returned, in every runner (`pulumi up`,
Pulumi's own mocks, the render, the test kit), by tracking an Output the SDK waits for before it
finishes the run; an error fails the run with the check's message.
"""

import asyncio
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi.runtime

from ..k8s.validation import Checker


@dataclass(frozen=True)
class Claim:
    """What a component takes for itself in the cluster."""

    namespace: Any
    """The namespace; an Output when computed from another resource (its Service name is then not
    compared with others', which only the cluster can do once the namespace is known)."""
    service_name: str
    node_ports: tuple[tuple[str, int, str], ...] = ()
    """Fixed node ports as `(protocol, port, field)`."""
    routes: tuple[tuple[str, str], ...] = ()
    """HTTP routes as `(host, path)`: one router sends a host and path to one app."""


@dataclass
class ProgramState:
    """Claims and end checks of one program run."""

    node_ports: dict[int, str] = field(default_factory=dict)
    """Owner of each node port number: Kubernetes allocates a number once per cluster, whatever the protocol."""
    services: dict[tuple[str, str], str] = field(default_factory=dict)
    routes: dict[tuple[str, str], str] = field(default_factory=dict)
    declared: dict[str, list[str]] = field(default_factory=dict)
    """Component names by kind (`ExternalAlias` -> names), for end checks."""
    end_checks: "dict[str, Callable[[ProgramState], None]]" = field(default_factory=dict)


_BY_PROGRAM: weakref.WeakKeyDictionary[Any, ProgramState] = weakref.WeakKeyDictionary()
_OUTSIDE_PROGRAMS = ProgramState()
_WHOLE_PROGRAMS = True
"""False in a component provider, which sees one component per `Construct`, never a whole program."""


def see_one_component_at_a_time() -> None:
    """Declare this process a component provider: checks that need the whole program are left out,
    as one `Construct` shows only one component (see :mod:`kubexpose.provider`)."""
    global _WHOLE_PROGRAMS
    _WHOLE_PROGRAMS = False


def _program_key() -> Any:
    """What identifies the running program: the asyncio task running its body.

    `pulumi up`, Pulumi's own mocks (each `@pulumi.runtime.test`), the render and the test kit all
    run a program's body inside one task of the SDK's event loop, so two runs in one process never
    share claims. Outside any task (components declared at a test's top level after `set_mocks`),
    the root stack resource stands in.
    """
    try:
        task = asyncio.current_task()
    except RuntimeError:
        task = None
    return task if task is not None else pulumi.runtime.get_root_resource()


def program_state() -> ProgramState:
    """The state of the running program."""
    key = _program_key()
    if key is None:
        return _OUTSIDE_PROGRAMS
    state = _BY_PROGRAM.get(key)
    if state is None:
        state = _BY_PROGRAM[key] = ProgramState()
    return state


def claim(check: Checker, claim: Claim) -> None:
    """Claim a Service name and its fixed node ports; raise naming both components on a clash.

    One Service may use its node port number for several protocols (e.g. DNS on TCP and UDP); no other
    Service in the cluster may use that number at all ("provided port is already allocated")."""
    state = program_state()
    owner = f"{check.kind} '{check.name}'"
    by_name = isinstance(claim.namespace, str)
    taken = state.services.get((claim.namespace, claim.service_name)) if by_name else None
    if taken is not None:
        check.fail(
            "name",
            claim.service_name,
            f"is already the Service name of {taken} in namespace '{claim.namespace}'",
            "give one of them another name or namespace",
        )
    for _, port, where in claim.node_ports:
        other = state.node_ports.get(port)
        if other is not None:
            check.fail(
                where,
                port,
                f"is already a node port of {other} (a node port number belongs to one Service in the whole "
                "cluster, whatever the protocol)",
                "pick another port or omit it to let Kubernetes allocate one",
            )
    for host, path in claim.routes:
        other = state.routes.get((host, path))
        if other is not None:
            check.fail(
                "http",
                {"host": host, "path": path},
                f"is already the route of {other} (a router sends one host and path to one app)",
                "give one of them another host or path",
            )
    if by_name:
        state.services[(claim.namespace, claim.service_name)] = owner
    for route in claim.routes:
        state.routes[route] = owner
    for _, port, _ in claim.node_ports:
        state.node_ports[port] = owner
    state.declared.setdefault(check.kind, []).append(check.name)


def apps_in(state: ProgramState, namespace: str, kind: str) -> list[str]:
    """Names of the `kind` components a program run declared in `namespace` (plain namespaces only)."""
    return sorted(
        name for (ns, name), owner in state.services.items() if ns == namespace and owner.startswith(f"{kind} ")
    )


def at_program_end(key: str, check: Callable[[ProgramState], None]) -> None:
    """Run `check(state)` once the program's body has returned (once per `key` and program).

    The check runs on the SDK's event loop, which only gets control after the synchronous body of
    the program returned, so every component declared at the top level is in `state` by then.
    A raised error fails the run (`pulumi up`, `preview`, a mocked test, the render). In a component
    provider, which never sees the whole program, the check is left out.
    """
    if not _WHOLE_PROGRAMS:
        return
    state = program_state()
    if key in state.end_checks:
        return
    state.end_checks[key] = check

    async def run() -> None:
        await asyncio.sleep(0)
        check(state)

    loop = asyncio.get_event_loop()
    known = loop.create_future()
    known.set_result(True)
    # The SDK waits for every Output it tracks before a program run ends and raises the first error.
    pulumi.Output(set(), loop.create_task(run()), known)
