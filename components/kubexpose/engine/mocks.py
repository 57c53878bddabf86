"""The mocks behind the engine: what a small cluster answers, and the record of each registration.

:class:`ClusterMocks` records every registration with its inputs (what `pulumi up` would send to the
provider) and answers the way a cluster would where programs read it back: a ClusterIP, allocated node
ports, a load-balancer address (an IP or, as on AWS, a hostname), and a `<name>-<8 hex>` auto-name for
objects without `metadata.name`. :mod:`kubexpose.engine.run` runs programs against them.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi

from .._sdk import engine_internals

SDK = engine_internals()

LoadBalancerMode = Literal["ip", "hostname", "pending"]
SERVICE_TYPE = "kubernetes:core/v1:Service"
STACK_TYPE = "pulumi:pulumi:Stack"
CLUSTER_IP_NET = ipaddress.ip_network("10.96.0.0/12")


def _digest(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256("/".join(parts).encode()).digest()[:8], "big")


SECRET_SIG = SDK.SECRET_SIG
SIG_KEY = SDK.SIG_KEY
Path = tuple[str | int, ...]


def to_wire_numbers(value: Any) -> Any:
    """Plain values from mock inputs: integral floats back to ints, secret wrappers removed."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        if value.get(SIG_KEY) == SECRET_SIG:
            return to_wire_numbers(value.get("value"))
        return {k: to_wire_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_wire_numbers(v) for v in value]
    return value


def is_plain(value: Any) -> bool:
    """True when serialized inputs hold only data and secrets: no unknowns, resources or assets."""
    if isinstance(value, dict):
        if SIG_KEY in value:
            return value[SIG_KEY] == SECRET_SIG and is_plain(value.get("value"))
        return all(is_plain(v) for v in value.values())
    if isinstance(value, list):
        return all(is_plain(v) for v in value)
    return value != SDK.UNKNOWN


def secret_paths(value: Any, path: Path = ()) -> list[Path]:
    """Paths of the values that were secret, before the SDK pushes secretness up to whole fields."""
    if isinstance(value, dict):
        if value.get(SIG_KEY) == SECRET_SIG:
            return [path]
        return [p for k, v in value.items() for p in secret_paths(v, (*path, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in secret_paths(v, (*path, i))]
    return []


@dataclass(frozen=True)
class Registration:
    """One resource the program registered."""

    type: str
    """Pulumi type token, e.g. `kubernetes:core/v1:Service` or a component's `acme:index:WebApp`."""
    name: str
    """Pulumi logical name."""
    urn: str
    """URN; its type part shows the parent chain (`acme:index:WebApp$kubernetes:...`)."""
    inputs: dict[str, Any]
    """Inputs as the provider receives them (camelCase, integral numbers as ints)."""
    state: dict[str, Any]
    """What the mocked cluster answered (inputs plus ClusterIP, node ports, status, auto-name)."""
    custom: bool
    """True for provider resources, False for components."""
    secrets: tuple[Path, ...] = ()
    """Paths inside `inputs` whose values came from secrets (render redacts them)."""
    dependencies: tuple[str, ...] = ()
    """URNs of the resources this one depends on (from `depends_on` and from the Outputs in its inputs)."""
    parent: str = ""
    """URN of the parent resource (the stack's URN for a top-level resource; empty for the stack)."""
    aliases: tuple[str, ...] = ()
    """Earlier URNs the program declared for this resource (`ResourceOptions(aliases=...)`), as URNs; the
    aliases a child inherits from its parent's are not listed (:mod:`kubexpose.render.identity` adds them)."""
    options: Mapping[str, Any] = field(default_factory=dict)
    """The resource options the engine receives for it beyond the parent: `customTimeouts`, `retainOnDelete`,
    `deletedWith`, `ignoreChanges`, `replaceOnChanges`, `protect` (those set)."""
    provider: str = ""
    """The URN of the provider a custom resource deploys through, when the program gave one (its own or inherited
    from a parent's `providers`); empty for the stack's default provider and for components."""

    @property
    def kind(self) -> str | None:
        """Kubernetes kind (`Service`), or None for non-Kubernetes resources."""
        return self.inputs.get("kind") if self.type.startswith("kubernetes:") else None

    @property
    def metadata(self) -> dict[str, Any]:
        """The object's metadata inputs (`{}` when there are none)."""
        return dict(self.inputs.get("metadata") or {})

    @property
    def object_name(self) -> str | None:
        """`metadata.name` as the cluster would see it (including a mocked auto-name)."""
        return (self.state.get("metadata") or {}).get("name")

    @property
    def parent_type(self) -> str | None:
        """Type token of the parent component, or None for top-level resources."""
        qualified = self.urn.split("::")[2]
        chain = qualified.split("$")
        return chain[-2] if len(chain) > 1 else None


def provider_urn(reference: str) -> str:
    """The provider's URN in a registration's provider reference (`<URN>::<id>`); empty for the default provider."""
    return reference.rsplit("::", 1)[0] if reference else ""


def make_urn(stack: str, project: str, parent: str, type_: str, name: str) -> str:
    """The URN the Pulumi engine gives a resource: its type is qualified by its parent's whole type chain
    (`a:index:App$b:index:Part$kubernetes:core/v1:Service`), except under the stack (pulumi's `resource.NewURN`).
    Pulumi's MockMonitor keeps only the parent's last type and prefixes top-level resources with the stack's."""
    if parent:
        qualified = parent.split("::")[2]
        if qualified != STACK_TYPE:
            type_ = f"{qualified}${type_}"
    return f"urn:pulumi:{stack}::{project}::{type_}::{name}"


class ClusterMocks(pulumi.runtime.Mocks):
    """Mocks that record every registration and answer like a small cluster."""

    def __init__(
        self,
        load_balancer: LoadBalancerMode = "ip",
        node_port_range: tuple[int, int] = (30000, 32767),
    ) -> None:
        self.load_balancer = load_balancer
        self.preview = False
        """Set by :func:`run_program` for each run (worker threads cannot read the SDK's context reliably)."""
        self.node_port_range = node_port_range
        self.registrations: list[Registration] = []
        self._used_node_ports: set[tuple[str, int]] = set()
        """`(provider URN, node port)`: each cluster (provider) allocates from its own range."""

    def reset(self) -> None:
        """Forget every registration and allocated node port (before a program runs again)."""
        self.registrations.clear()
        self._used_node_ports.clear()

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        """No invokes are answered: programs under this engine get an empty result for every function call."""
        return {}, None

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        """Record the registration and answer with the state a cluster would report."""
        provider = provider_urn(args.provider or "")
        return self.answer(args.typ, args.name, to_wire_numbers(args.inputs), bool(args.custom), provider=provider)

    def answer(
        self,
        typ: str,
        name: str,
        inputs: dict[str, Any],
        custom: bool,
        urn: str = "",
        parent: str = "",
        provider: str = "",
    ) -> tuple[str, dict[str, Any]]:
        """:meth:`new_resource` for inputs already in wire form (integral numbers as ints, no secret wrappers),
        recorded with `urn` and `parent` when the caller knows them.

        The state shares the inputs' values; what the cluster adds goes into copies of the dicts it changes
        (metadata, a Service's spec and ports), so the inputs stay as sent. Neither is changed afterwards."""
        state = inputs
        resource_id = f"{name}_id"
        if typ.startswith("kubernetes:") and "kind" in inputs:
            meta = inputs.get("metadata") or {}
            if not meta.get("name"):
                state = dict(inputs)
                meta = state["metadata"] = {**meta, "name": f"{name}-{_digest(typ, name) & 0xFFFFFFFF:08x}"}
            namespace = meta.get("namespace")
            resource_id = f"{namespace}/{meta['name']}" if namespace else meta["name"]
            if typ == SERVICE_TYPE and not self.preview:
                # In a preview the cluster has answered nothing yet: those outputs stay unknown.
                state = dict(state)
                self._answer_service(state, namespace or "default", meta["name"], provider)
        self.registrations.append(Registration(typ, name, urn, inputs, state, custom, parent=parent, provider=provider))
        return resource_id, state

    def _answer_service(self, state: dict[str, Any], namespace: str, name: str, provider: str) -> None:
        spec = state["spec"] = dict(state.get("spec") or {})
        if "ports" in spec:
            spec["ports"] = [dict(port) for port in spec["ports"]]
        service_type = spec.get("type", "ClusterIP")
        if service_type != "ExternalName" and "clusterIP" not in spec:
            offset = _digest(namespace, name) % (CLUSTER_IP_NET.num_addresses - 2) + 1
            spec["clusterIP"] = str(CLUSTER_IP_NET.network_address + offset)
            spec["clusterIPs"] = [spec["clusterIP"]]
        if service_type in ("NodePort", "LoadBalancer"):
            for port in spec.get("ports", []):
                if "nodePort" not in port:
                    port["nodePort"] = self._allocate_node_port(namespace, name, port.get("port", 0), provider)
                self._used_node_ports.add((provider, port["nodePort"]))
        if service_type == "LoadBalancer":
            if self.load_balancer == "ip":
                ingress = [{"ip": f"203.0.113.{_digest(namespace, name) % 250 + 1}", "ipMode": "VIP"}]
            elif self.load_balancer == "hostname":
                ingress = [{"hostname": f"{name}-{_digest(namespace, name) & 0xFFFFFF:06x}.elb.example.com"}]
            else:
                ingress = []
            state["status"] = {"loadBalancer": {"ingress": ingress} if ingress else {}}

    def _allocate_node_port(self, namespace: str, name: str, port: int, provider: str) -> int:
        low, high = self.node_port_range
        size = high - low + 1
        start = _digest(namespace, name, str(port)) % size
        for step in range(size):
            candidate = low + (start + step) % size
            if (provider, candidate) not in self._used_node_ports:
                return candidate
        raise RuntimeError(f"mock cluster: node-port range {low}-{high} is exhausted")
