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
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi.runtime

from .k8s.validation import FAILURE_LISTENERS, Checker, not_checked


@dataclass(frozen=True)
class Claim:
    """What a component takes for itself in the cluster."""

    namespace: Any
    """The namespace; an Output when computed from another resource (its Service name is then compared
    with the others' by the Output's value, at the end of the program's body)."""
    service_name: str
    node_ports: tuple[tuple[str, int, str], ...] = ()
    """Fixed node ports as `(protocol, port, field)`."""
    routes: tuple[tuple[str, str], ...] = ()
    """HTTP routes as `(host, path)`: one router sends a host and path to one app."""
    other_names: tuple[str, ...] = ()
    """More names the component's objects take in the namespace (an app version's Deployment and Service)."""
    expected_cluster: str | None = None
    """The cluster the stack expects its default provider to deploy to (`kubexpose:cluster`), checked before the
    component registers (:func:`kubexpose.target.check_target`)."""
    cluster: str = ""
    """The cluster the component deploys to: its kubernetes provider's name ("" for the default provider). Names,
    node ports, routes and callers are claimed per cluster (:func:`kubexpose.target.cluster_of`)."""


@dataclass
class ProgramState:
    """Claims and end checks of one program run."""

    node_ports: dict[tuple[str, int], str] = field(default_factory=dict)
    """Owner of each `(cluster, node port)`: Kubernetes allocates a number once per cluster, whatever the protocol."""
    services: dict[tuple[str, str, str], str] = field(default_factory=dict)
    """Owner of each app's name as `(cluster, namespace, name)`."""
    other_names: dict[tuple[str, str, str], str] = field(default_factory=dict)
    """Owner of each other name a component's objects take (a version's), as `(cluster, namespace, name)`."""
    routes: dict[tuple[str, str, str], str] = field(default_factory=dict)
    declared: dict[str, list[str]] = field(default_factory=dict)
    """Component names by kind (`ExternalAlias` -> names), for end checks."""
    end_checks: "dict[str, Callable[[ProgramState], None]]" = field(default_factory=dict)
    pending: list[tuple[Claim, str, Checker]] = field(default_factory=list)
    """Claims whose namespace is an Output: compared with the others once it is known (program end)."""
    namespaces: dict[int, str | None] = field(default_factory=dict)
    """The resolved value of each Output namespace, by `id()` (None: unknown, as in a preview)."""
    resolving: "asyncio.Task[None] | None" = None
    failed: Exception | None = None
    """The first component error of the run: the one the user sees; whole-program checks then stay silent (what
    they would find among the components declared so far could only hide it)."""

    def namespace(self, namespace: Any) -> str | None:
        """A claim's namespace as a name: the literal, or the Output's value once resolved (None: unknown)."""
        return namespace if isinstance(namespace, str) else self.namespaces.get(id(namespace))

    async def namespaces_known(self) -> bool:
        """Wait until every Output namespace is resolved and compared; False when that comparison failed
        (its own error fails the run, so a later check need not report anything)."""
        if self.resolving is None:
            return True
        try:
            await asyncio.shield(self.resolving)
        except Exception:
            return False
        return True


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
    Service in the cluster may use that number at all ("provided port is already allocated").
    A namespace given as an Output is compared by its value once known, at the end of the program's body
    (a literal and an Output with the same value are the same namespace)."""
    state = program_state()
    owner = f"{check.kind} '{check.name}'"
    cluster = claim.cluster
    if isinstance(claim.namespace, str):
        _claim_names(state, check, claim, claim.namespace, owner)
    for _, port, where in claim.node_ports:
        other = state.node_ports.get((cluster, port))
        if other is not None:
            check.fail(
                where,
                port,
                f"is already a node port of {other}{in_cluster(cluster)} (a node port number belongs to one Service "
                "in the whole cluster, whatever the protocol)",
                "pick another port or omit it to let Kubernetes allocate one",
            )
    for host, path in claim.routes:
        other = state.routes.get((cluster, host, path))
        if other is not None:
            check.fail(
                "http",
                {"host": host, "path": path},
                f"is already the route of {other}{in_cluster(cluster)} (a router sends one host and path to one app)",
                "give one of them another host or path",
            )
    for host, path in claim.routes:
        state.routes[(cluster, host, path)] = owner
    for _, port, _ in claim.node_ports:
        state.node_ports[(cluster, port)] = owner
    state.declared.setdefault(check.kind, []).append(check.name)
    if not isinstance(claim.namespace, str) and _WHOLE_PROGRAMS:
        state.pending.append((claim, owner, check))
        if state.resolving is None:
            state.resolving = _track(_resolve_namespaces(state))


def in_cluster(cluster: str) -> str:
    """` in cluster 'east'` for a component with its own provider; nothing for the default provider's."""
    return f" in cluster '{cluster}'" if cluster else ""


def _claim_names(state: ProgramState, check: Checker, claim: Claim, namespace: str, owner: str) -> None:
    """Claim the app's name and its other names in `namespace` of the claim's cluster."""
    for service_name, names in (
        (claim.service_name, state.services),
        *((n, state.other_names) for n in claim.other_names),
    ):
        key = (claim.cluster, namespace, service_name)
        taken = state.services.get(key) or state.other_names.get(key)
        if taken is not None:
            worker = "Worker" in (check.kind, taken.split(" ", 1)[0])  # a Worker has no Service: its Deployment clashes
            check.fail(
                "name",
                service_name,
                f"is already the {'app' if worker else 'Service'} name of {taken} in namespace '{namespace}'"
                + in_cluster(claim.cluster),
                "give one of them another name or namespace",
            )
        names[key] = owner


async def _resolve_namespaces(state: ProgramState) -> None:
    """At the end of the program's body: the value of every Output namespace, then the name claims."""
    await asyncio.sleep(0)
    if state.failed is not None:
        return
    unknown: list[str] = []
    for claim, owner, check in state.pending:
        output = claim.namespace
        known = await output.is_known()
        value = await output.future() if known else None
        state.namespaces[id(output)] = value if isinstance(value, str) else None
        if not isinstance(value, str):
            unknown.append(owner)
            continue
        _claim_names(state, check, claim, value, owner)
    if unknown:
        not_checked(
            f"{', '.join(unknown)}: the namespace is not known yet (preview), so the Service name and "
            "allowed_callers are not compared with the rest of the program"
        )


def _first_failure(err: Exception) -> None:
    """Keep the first component error of the running program (see :attr:`ProgramState.failed`)."""
    state = program_state()
    if state.failed is None:
        state.failed = err


FAILURE_LISTENERS.append(_first_failure)


def apps_in(state: ProgramState, namespace: str, kinds: tuple[str, ...], cluster: str = "") -> list[str]:
    """Names of the components of `kinds` a program run declared in `namespace` (literal or resolved) of `cluster`."""
    return sorted(
        name
        for (where, ns, name), owner in state.services.items()
        if where == cluster and ns == namespace and owner.split(" ", 1)[0] in kinds
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
        if await state.namespaces_known() and state.failed is None:
            check(state)

    _track(run())


def _track(body: Coroutine[Any, Any, None]) -> "asyncio.Task[None]":
    """Run `body` on the SDK's loop as an Output the SDK waits for before the run ends (its error fails the run)."""
    loop = asyncio.get_event_loop()
    task = loop.create_task(body)
    known = loop.create_future()
    known.set_result(True)
    pulumi.Output(set(), task, known)
    return task
