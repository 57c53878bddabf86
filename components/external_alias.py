"""ExternalAlias: a stable in-cluster name for something outside the cluster."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from typing import Any, NotRequired, TypedDict, cast

import pulumi
import pulumi_kubernetes as k8s
from pulumi_kubernetes.core.v1 import ServiceSpecArgsDict, ServiceSpecType
from pulumi_kubernetes.discovery.v1 import EndpointArgsDict, EndpointPortArgsDict

from . import registry
from .ports import Port, PortArgs, normalize_ports
from .profile import StackProfile
from .service import ServiceBuild, build_outputs, resolve_namespace, resolve_profile, service_metadata
from .validation import Checker

TYPE_TOKEN = "kubexpose:index:ExternalAlias"
SERVICE_NAME_LABEL = "kubernetes.io/service-name"
SLICE_MANAGER_LABEL = "endpointslice.kubernetes.io/managed-by"


class ExternalAliasArgs(TypedDict):
    """Inputs of :class:`ExternalAlias`."""

    target: str | Sequence[str]
    """A DNS name (`api.example.com`) or one or more IP addresses. The stack's `kubexpose:aliases` entry wins. Required."""
    port: NotRequired[int]
    """Shorthand for `ports=[port]`."""
    ports: NotRequired[Sequence[PortArgs | int]]
    """Ports callers use; required for an IP target, informational for a DNS target. Default: none."""
    namespace: NotRequired[str]
    """Namespace of the alias. Default: the stack profile's."""
    labels: NotRequired[Mapping[str, str]]
    """Extra labels on the Service and EndpointSlices. Default: none."""


_ARG_FIELDS = frozenset(ExternalAliasArgs.__annotations__)


class ExternalAlias(pulumi.ComponentResource):
    """A Service named like the component that points at an external host.

    A DNS target gives an `ExternalName` Service (a CNAME). An IP target gives a selector-less
    ClusterIP Service plus one `discovery.k8s.io/v1` EndpointSlice per IP family, because CoreDNS
    never resolves an IP written in `externalName`.
    """

    service: k8s.core.v1.Service
    """The Service (named like the component)."""
    endpoint_slices: list[k8s.discovery.v1.EndpointSlice]
    """The EndpointSlices of an IP target; empty for a DNS target."""
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
        args: ExternalAliasArgs | Mapping[str, Any],
        opts: pulumi.ResourceOptions | None = None,
        *,
        profile: StackProfile | None = None,
    ) -> None:
        check = Checker("ExternalAlias", name)
        prof = resolve_profile(profile)
        check.service_name("name", name)
        if not isinstance(args, Mapping):
            check.fail("args", args, "is not a mapping", "pass ExternalAliasArgs(target=..., port=...)")
        check.only_fields("", args, _ARG_FIELDS, "an ExternalAlias argument")
        namespace = resolve_namespace(check, args.get("namespace"), prof)
        ports = normalize_ports(check, args.get("ports"), args.get("port"), required=False)
        for i, p in enumerate(ports):
            if p.node_port is not None:
                check.fail(
                    f"ports[{i}].node_port",
                    p.node_port,
                    "is set on an alias",
                    "drop node_port; an alias is reached in-cluster only",
                )
        labels = {**check.labels("labels", args.get("labels")), "app.kubernetes.io/name": name}
        target_field = "target"
        target = args.get("target")
        if name in prof.aliases:
            target, target_field = prof.aliases[name], f"kubexpose:aliases[{name!r}]"
        hostname, ips = _parse_target(check, target_field, target)
        if ips and not ports:
            check.fail(
                "ports",
                None,
                "is missing for an IP target",
                "give the port the external service listens on, e.g. port=5432",
            )
        for i, p in enumerate(ports):
            if ips and isinstance(p.target_port, str):
                check.fail(
                    f"ports[{i}].target_port",
                    p.target_port,
                    "is a name, but an IP target has no Pods to name ports",
                    "give the external port as a number",
                )
        registry.claim(check, namespace, name, [])

        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        annotations = {"pulumi.com/skipAwait": "true"} if prof.skip_await else {}
        if hostname is not None:
            spec: dict[str, Any] = {"type": ServiceSpecType.EXTERNAL_NAME.value, "external_name": hostname}
            service_type = ServiceSpecType.EXTERNAL_NAME
        else:
            spec = {"type": ServiceSpecType.CLUSTER_IP.value}
            service_type = ServiceSpecType.CLUSTER_IP
        if ports:
            spec["ports"] = [p.service_port(with_node_port=False) for p in ports]
        build = ServiceBuild(service_type, ports, spec, annotations, [], prof.node_address)
        self.service = k8s.core.v1.Service(
            f"{name}-service",
            metadata=service_metadata(name, namespace, labels, annotations),
            spec=cast(ServiceSpecArgsDict, spec),
            opts=child,
        )
        self.endpoint_slices = [
            _endpoint_slice(name, namespace, labels, family, addresses, ports, child)
            for family, addresses in _by_family(ips)
        ]
        outputs = build_outputs(self.service, name, namespace, build)
        self.service_name = outputs.service_name
        self.cluster_dns = outputs.cluster_dns
        self.endpoint = outputs.endpoint
        self.target = pulumi.Output.from_input(hostname if hostname is not None else ",".join(ips))
        self.register_outputs(
            {
                "service_name": self.service_name,
                "cluster_dns": self.cluster_dns,
                "endpoint": self.endpoint,
                "target": self.target,
            }
        )


def _parse_target(check: Checker, field: str, target: Any) -> tuple[str | None, list[str]]:
    """A DNS name, or a list of endpoint IPs (never both)."""
    if isinstance(target, str):
        try:
            ipaddress.ip_address(target)
        except ValueError:
            return check.hostname(field, target), []
        target = [target]
    if isinstance(target, Sequence) and not isinstance(target, str) and target:
        ips = [str(check.endpoint_ip(f"{field}[{i}]", t)) for i, t in enumerate(target)]
        if len(set(ips)) != len(ips):
            check.fail(field, list(target), "repeats an address", "list each IP once")
        return None, ips
    return check.fail(
        field, target, "is not a DNS name or a list of IP addresses", "give e.g. 'api.example.com' or ['10.0.0.5']"
    )


def _by_family(ips: list[str]) -> list[tuple[str, list[str]]]:
    v4 = [ip for ip in ips if ipaddress.ip_address(ip).version == 4]
    v6 = [ip for ip in ips if ipaddress.ip_address(ip).version == 6]
    return [(family, group) for family, group in (("IPv4", v4), ("IPv6", v6)) if group]


def _endpoint_slice(
    name: str,
    namespace: str,
    labels: dict[str, str],
    family: str,
    addresses: list[str],
    ports: list[Port],
    opts: pulumi.ResourceOptions,
) -> k8s.discovery.v1.EndpointSlice:
    slice_labels = {**labels, SERVICE_NAME_LABEL: name, SLICE_MANAGER_LABEL: "kubexpose"}
    suffix = family.lower()
    endpoints: list[EndpointArgsDict] = [{"addresses": [ip], "conditions": {"ready": True}} for ip in addresses]
    return k8s.discovery.v1.EndpointSlice(
        f"{name}-{suffix}",
        metadata=service_metadata(f"{name}-{suffix}", namespace, slice_labels, {}),
        address_type=family,
        endpoints=endpoints,
        ports=[_slice_port(p) for p in ports],
        opts=opts,
    )


def _slice_port(port: Port) -> EndpointPortArgsDict:
    """EndpointSlice ports carry the Service port's name and the external (target) port."""
    out: EndpointPortArgsDict = {"port": int(port.target_port), "protocol": port.protocol}
    if port.name is not None:
        out["name"] = port.name
    return out
