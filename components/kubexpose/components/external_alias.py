"""ExternalAlias: a stable in-cluster name for something outside the cluster."""

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_kubernetes as k8s
from pulumi_kubernetes.core.v1 import ServiceSpecType

from ..k8s.endpoint_slice import by_family, endpoints, slice_labels, slice_ports
from ..k8s.metadata import NAME_LABEL, object_metadata
from ..k8s.ports import PortArgs, normalize_ports
from ..k8s.service import ServiceModel, service_spec
from ..k8s.validation import Checker, is_ip
from ..profile import StackProfile
from .base import KubexposeComponent, check_args, resolve_namespace, resolve_profile
from .claims import Claim
from .outputs import known, service_outputs


class ExternalAliasArgs(TypedDict):
    """Inputs of :class:`ExternalAlias`."""

    target: pulumi.Input[str] | Sequence[str]
    """A DNS name (`api.example.com`) or one or more IP addresses. The stack's `kubexpose:aliases` entry wins. Required."""
    port: NotRequired[int]
    """Shorthand for `ports=[port]`."""
    ports: NotRequired[Sequence[PortArgs | int]]
    """Ports callers use; required for an IP target, informational for a DNS target. Default: none."""
    namespace: NotRequired[pulumi.Input[str]]
    """Namespace of the alias. Default: the stack profile's."""
    labels: NotRequired[Mapping[str, str]]
    """Extra labels on the Service and EndpointSlices. Default: none."""


_ARG_FIELDS = frozenset(ExternalAliasArgs.__annotations__)


@dataclass(frozen=True)
class _Alias:
    """Everything checked and decided before the first resource is registered."""

    claim: Claim
    labels: dict[str, str]
    service: ServiceModel
    target: Any
    """The DNS name (or an Output of it), or the IPs joined by commas."""
    ips: tuple[str, ...]
    node_address: str


class ExternalAlias(KubexposeComponent):
    """A Service named like the component that points at an external host.

    A DNS target gives an `ExternalName` Service (a CNAME). An IP target gives a selector-less
    ClusterIP Service plus one `discovery.k8s.io/v1` EndpointSlice per IP family, because CoreDNS
    never resolves an IP written in `externalName`.
    """

    kind = "ExternalAlias"
    type_token = "kubexpose:index:ExternalAlias"

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
        check = self.checker(name)
        alias = _parse(check, name, args, resolve_profile(profile))
        child = self.declare(check, name, opts, alias.claim)

        namespace = alias.claim.namespace
        self.service = k8s.core.v1.Service(
            f"{name}-service",
            metadata=object_metadata(name, namespace, alias.labels, alias.service.annotations),
            spec=service_spec(alias.service),
            opts=child,
        )
        self.endpoint_slices = [
            k8s.discovery.v1.EndpointSlice(
                f"{name}-{family.lower()}",
                metadata=object_metadata(f"{name}-{family.lower()}", namespace, slice_labels(name, alias.labels)),
                address_type=family,
                endpoints=endpoints(addresses),
                ports=slice_ports(alias.service.ports),
                opts=child,
            )
            for family, addresses in by_family(alias.ips)
        ]
        outputs = service_outputs(self.service, name, namespace, alias.service, alias.node_address)
        self.finish(
            {
                "service_name": outputs.service_name,
                "cluster_dns": outputs.cluster_dns,
                "endpoint": outputs.endpoint,
                "target": (
                    pulumi.Output.all(alias.target, self.service.urn).apply(lambda both: both[0])
                    if isinstance(alias.target, pulumi.Output)
                    else known(alias.target, self.service)
                ),
            }
        )


def _parse(check: Checker, name: str, raw: Any, profile: StackProfile) -> _Alias:
    check.service_name("name", name)
    args = check_args(check, raw, _ARG_FIELDS, "ExternalAliasArgs(target=..., port=...)")
    namespace = resolve_namespace(check, args.get("namespace"), profile)
    ports = normalize_ports(check, args.get("ports"), args.get("port"), required=False)
    for i, p in enumerate(ports):
        if p.node_port is not None:
            check.fail(
                f"ports[{i}].node_port",
                p.node_port,
                "is set on an alias",
                "drop node_port; an alias is reached in-cluster only",
            )
    labels = {**check.labels("labels", args.get("labels")), NAME_LABEL: name}
    target_field = "target"
    target = args.get("target")
    if name in profile.aliases:
        target, target_field = profile.aliases[name], f"kubexpose:aliases[{name!r}]"
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
    service = ServiceModel(
        type=ServiceSpecType.EXTERNAL_NAME if hostname is not None else ServiceSpecType.CLUSTER_IP,
        ports=tuple(ports),
        external_name=hostname,
        annotations={"pulumi.com/skipAwait": "true"} if profile.skip_await else {},
    )
    return _Alias(
        claim=Claim(namespace, name),
        labels=labels,
        service=service,
        target=hostname if hostname is not None else ",".join(ips),
        ips=tuple(ips),
        node_address=profile.node_address,
    )


def _parse_target(check: Checker, field: str, target: Any) -> tuple[Any, list[str]]:
    """A DNS name (or an Output of one), or a list of endpoint IPs (never both)."""
    if isinstance(target, pulumi.Output):
        return check.input(target, lambda value: _dns_name_from_output(check, field, value)), []
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


def _dns_name_from_output(check: Checker, field: str, value: Any) -> str:
    """An Output target must turn out a DNS name: IPs decide the objects (EndpointSlices per family),
    which are declared before the Output is known."""
    if isinstance(value, str) and is_ip(value.strip("[]")):
        check.fail(
            field,
            value,
            "is an IP address from an Output; an IP target needs EndpointSlices that are declared before "
            "the Output is known",
            "pass the IPs as plain values, or give an Output of a DNS name",
        )
    return check.hostname(field, value)
