"""ExternalAlias: a stable in-cluster name for something outside the cluster."""

import functools
import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
from pulumi_kubernetes.core.v1 import ServiceSpecType

from ..claims import Claim
from ..inputs import AdoptServiceArgs, ExternalAliasArgs
from ..k8s.endpoint_slice import FAMILIES, by_family, endpoints, slice_labels, slice_ports
from ..k8s.metadata import NAME_LABEL, object_metadata
from ..k8s.network_policy import callers_policy_spec
from ..k8s.ports import Port, normalize_ports
from ..k8s.service import ServiceModel, service_spec
from ..k8s.validation import Checker, holds_output, is_ip
from ..profile import StackProfile
from ._parts.adopt import Adoption, parse_adopt
from ._parts.base import KubexposeComponent, check_args, check_bool, resolve_namespace, resolve_profile
from ._parts.outputs import service_outputs

_ARG_FIELDS = frozenset(ExternalAliasArgs.__annotations__)
_ADOPT_FIELDS = frozenset(AdoptServiceArgs.__annotations__)


@dataclass(frozen=True)
class _Alias:
    """Everything checked and decided before the first resource is registered."""

    claim: Claim
    labels: dict[str, str]
    service: ServiceModel
    """The Service; its `ports` are empty when they come from an Output (see `ports`)."""
    ports: Any
    """The checked ports, or an Output of them (checked when known)."""
    target: Any
    """The DNS name (or an Output of it), or the IPs joined by commas (or an Output of them)."""
    ips: Any
    """The endpoint IPs (empty for a DNS name), or an Output of them (checked when known)."""
    node_address: str
    adoption: Adoption
    callers_egress: bool
    """Write the `<name>-callers` NetworkPolicy for callers with restricted egress."""


class ExternalAlias(KubexposeComponent):
    """A Service named like the component that points at an external host.

    A DNS name gives an `ExternalName` Service (a CNAME). IP addresses give a selector-less
    ClusterIP Service plus one `discovery.k8s.io/v1` EndpointSlice per IP family, because CoreDNS
    never resolves an IP written in `externalName`. Addresses from an Output get both families'
    slices (the one whose family has no address stays empty), as the families are not known
    when the objects are declared.
    """

    kind = "ExternalAlias"
    type_token = "kubexpose:index:ExternalAlias"

    service: k8s.core.v1.Service
    """The Service (named like the component)."""
    endpoint_slices: list[k8s.discovery.v1.EndpointSlice]
    """The EndpointSlices of IP addresses; empty for a DNS name."""
    service_name: pulumi.Output[str]
    """The Service's name."""
    cluster_dns: pulumi.Output[str]
    """`<name>.<namespace>.svc.cluster.local`."""
    endpoint: pulumi.Output[str]
    """In-cluster address `<name>:<first port>` (or `<name>` without ports)."""
    target: pulumi.Output[str]
    """What the alias points at: the DNS name, or the IPs joined by commas."""

    def __init__(
        self,
        name: str,
        args: ExternalAliasArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        profile: StackProfile | None = None,
    ) -> None:
        check = self.checker(name)
        alias = _parse(check, name, args, resolve_profile(profile))
        app_name = alias.claim.service_name  # the alias's name in the cluster: its Pulumi name by default
        self._kubexpose_names = (app_name, name)
        child = self.declare(
            check, name, opts, alias.claim, inputs=(args, alias), slow_because=alias.adoption.slow_because
        )

        namespace = alias.claim.namespace
        spec = service_spec(alias.service)
        if isinstance(alias.ports, pulumi.Output):
            spec["ports"] = alias.ports.apply(lambda ports: [p.service_port(with_node_port=False) for p in ports])
        self.add(
            "service",
            app_name,
            child,
            alias.adoption,
            metadata=object_metadata(app_name, namespace, alias.labels, alias.service.annotations),
            spec=spec,
        )
        self.endpoint_slices = [
            self.child(
                k8s.discovery.v1.EndpointSlice,
                f"{app_name}-{family.lower()}",
                child,
                metadata=object_metadata(
                    f"{app_name}-{family.lower()}", namespace, slice_labels(app_name, alias.labels)
                ),
                address_type=family,
                endpoints=addresses.apply(endpoints) if isinstance(addresses, pulumi.Output) else endpoints(addresses),
                ports=alias.ports.apply(slice_ports)
                if isinstance(alias.ports, pulumi.Output)
                else slice_ports(alias.ports),
            )
            for family, addresses in _families(alias.ips)
        ]
        if alias.callers_egress:
            self.child(
                k8s.networking.v1.NetworkPolicy,
                f"{app_name}-callers",
                child,
                metadata=object_metadata(f"{app_name}-callers", namespace, alias.labels),
                spec=_callers_spec(app_name, alias),
            )
        state = self.recorded_state(self.service)
        outputs = service_outputs(self.service, app_name, namespace, alias.service, alias.node_address, state)
        endpoint = outputs.endpoint
        if isinstance(alias.ports, pulumi.Output):
            endpoint = pulumi.Output.all(alias.ports, self.service.urn).apply(
                lambda both: f"{app_name}:{both[0][0].port}" if both[0] else app_name
            )
        self.finish(
            {
                "service_name": outputs.service_name,
                "cluster_dns": outputs.cluster_dns,
                "endpoint": endpoint,
                "target": (
                    pulumi.Output.all(alias.target, self.service.urn).apply(lambda both: both[0])
                    if isinstance(alias.target, pulumi.Output)
                    else self.fixed(alias.target, self.service)
                ),
            }
        )


def _families(ips: Any) -> list[tuple[str, Any]]:
    """`(family, addresses)` per EndpointSlice: the families present, or both for an Output."""
    if isinstance(ips, pulumi.Output):
        return [(family, ips.apply(functools.partial(_of_family, family))) for family in FAMILIES]
    return by_family(ips)


def _callers_spec(name: str, alias: _Alias) -> Any:
    """The egress its callers need: the addresses (as /32 or /128 blocks), any address for a DNS name; its ports."""

    def spec(ips: Sequence[str], ports: Sequence[Port]) -> dict[str, Any]:
        blocks = [f"{ip}/{ipaddress.ip_address(ip).max_prefixlen}" for ip in ips] or ["0.0.0.0/0", "::/0"]
        return callers_policy_spec(name, blocks, ports)

    if isinstance(alias.ips, pulumi.Output) or isinstance(alias.ports, pulumi.Output):
        return pulumi.Output.all(alias.ips, alias.ports).apply(lambda both: spec(*both))
    return spec(alias.ips, alias.ports)


def _of_family(family: str, ips: Sequence[str]) -> list[str]:
    return dict(by_family(ips)).get(family, [])


def _parse(check: Checker, name: str, raw: Any, profile: StackProfile) -> _Alias:
    args = check_args(check, raw, _ARG_FIELDS, "ExternalAliasArgs(target=..., port=...)")
    resource_name, name = name, args.get("name", name)
    check.service_name("name", name)
    namespace = resolve_namespace(check, args.get("namespace"), profile)
    labels = {**check.labels("labels", args.get("labels")), NAME_LABEL: name}
    target, addresses = args.get("target"), args.get("addresses")
    field = "target" if addresses is None else "addresses"
    if resource_name in profile.aliases:  # keyed as the program declares it
        target, addresses, field = profile.aliases[resource_name], None, f"kubexpose:aliases[{resource_name!r}]"
    elif target is not None and addresses is not None:
        check.fail(
            "addresses",
            addresses,
            "is given together with target",
            "give a DNS name in target or IP addresses in addresses, not both",
        )
    elif target is None and addresses is None:
        check.missing("target", "give target='api.example.com' or addresses=['10.0.0.5']")
    if _is_ip_target(target):
        target, addresses = None, [target] if isinstance(target, str) else target  # plain IPs given as the target
    hostname: Any = None
    ips: Any = ()
    if target is not None:
        hostname = _hostname(check, field, target)
    else:
        ips = check.input(
            field,
            pulumi.Output.from_input(addresses) if holds_output(addresses) else addresses,
            lambda value: _ips(check, field, value),
        )
    ports = _ports(check, args, ip_target=hostname is None)
    service = ServiceModel(
        type=ServiceSpecType.EXTERNAL_NAME if hostname is not None else ServiceSpecType.CLUSTER_IP,
        ports=() if isinstance(ports, pulumi.Output) else ports,
        external_name=hostname,
        annotations={"pulumi.com/skipAwait": "true"} if profile.skip_await else {},
    )
    if hostname is not None:
        shown = hostname
    elif isinstance(ips, pulumi.Output):
        shown = ips.apply(",".join)
    else:
        shown = ",".join(ips)
    return _Alias(
        claim=Claim(namespace, name, expected_cluster=profile.cluster),
        labels=labels,
        service=service,
        ports=ports,
        target=shown,
        ips=ips,
        node_address=profile.node_address,
        adoption=parse_adopt(check, args.get("adopt"), _ADOPT_FIELDS),
        callers_egress=check_bool(check, args, "callers_egress", profile.egress_restricted),
    )


def _is_ip_target(target: Any) -> bool:
    """A plain IP or list given as `target` (or by `kubexpose:aliases`): treated as `addresses`."""
    if isinstance(target, str):
        return is_ip(target)
    return isinstance(target, Sequence) and not isinstance(target, str)


def _ports(check: Checker, args: Mapping[str, Any], ip_target: bool) -> Any:
    """The checked ports; an Output of them when a number comes from an Output (checked when known)."""

    def parse(ports_value: Any, port_value: Any) -> tuple[Port, ...]:
        ports = normalize_ports(check, ports_value, port_value, required=False)
        for i, p in enumerate(ports):
            if p.node_port is not None:
                check.fail(
                    f"ports[{i}].node_port",
                    p.node_port,
                    "is set on an alias",
                    "drop node_port; an alias is reached in-cluster only",
                )
            if ip_target and isinstance(p.target_port, str):
                check.fail(
                    f"ports[{i}].target_port",
                    p.target_port,
                    "is a name, but IP addresses have no Pods to name ports",
                    "give the external port as a number",
                )
        if ip_target and not ports:
            check.missing(
                "ports", "an IP target has no name to carry a port: give the port it listens on, e.g. port=5432"
            )
        return tuple(ports)

    raw_ports, raw_port = args.get("ports"), args.get("port")
    if holds_output(raw_ports) or holds_output(raw_port):
        return check.input("ports", pulumi.Output.all(raw_ports, raw_port), lambda both: parse(both[0], both[1]))
    return parse(raw_ports, raw_port)


def _hostname(check: Checker, field: str, target: Any) -> Any:
    """A DNS name, or an Output of one checked when known."""
    if isinstance(target, pulumi.Output):
        return check.input(field, target, lambda value: _dns_name_from_output(check, field, value))
    if isinstance(target, str):
        return check.input(field, target, lambda value: check.hostname(field, value))
    return check.fail(
        field, target, "is not a DNS name or a list of IP addresses", "give e.g. 'api.example.com' or ['10.0.0.5']"
    )


def _ips(check: Checker, field: str, value: Any) -> tuple[str, ...]:
    """Endpoint IPs: a non-empty list, each routable, none twice."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Sequence) or not value:
        if field == "addresses":
            check.fail(field, value, "is not a list of IP addresses", "give e.g. addresses=['10.0.0.5']")
        check.fail(
            field, value, "is not a DNS name or a list of IP addresses", "give e.g. 'api.example.com' or ['10.0.0.5']"
        )
    ips = [str(check.endpoint_ip(f"{field}[{i}]", t)) for i, t in enumerate(value)]
    if len(set(ips)) != len(ips):
        check.fail(field, list(value), "repeats an address", "list each IP once")
    return tuple(ips)


def _dns_name_from_output(check: Checker, field: str, value: Any) -> str:
    """An Output target must turn out a DNS name: an IP address needs EndpointSlices instead of a CNAME."""
    if isinstance(value, str) and is_ip(value.strip("[]")):
        check.fail(
            field,
            value,
            "is an IP address, which an ExternalName Service cannot point at",
            "pass it as addresses=[...] (an Output is fine there)",
        )
    return check.hostname(field, value)
