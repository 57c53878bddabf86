"""EndpointSlice builder: the endpoints of a selector-less Service (an alias to IP addresses)."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from pulumi_kubernetes.discovery.v1 import EndpointArgsDict, EndpointPortArgsDict

from .ports import Port

SERVICE_NAME_LABEL = "kubernetes.io/service-name"
"""The label that ties an EndpointSlice to its Service."""
SLICE_MANAGER_LABEL = "endpointslice.kubernetes.io/managed-by"
"""Who manages the slice (so the cluster's EndpointSlice controller leaves it alone)."""
MANAGER = "kubexpose"
FAMILIES = ("IPv4", "IPv6")
"""EndpointSlice address types kubexpose writes, in the order it declares them."""


def by_family(ips: Sequence[str]) -> list[tuple[str, list[str]]]:
    """`[("IPv4", [...]), ("IPv6", [...])]`, without empty families: one EndpointSlice each."""
    v4 = [ip for ip in ips if ipaddress.ip_address(ip).version == 4]
    v6 = [ip for ip in ips if ipaddress.ip_address(ip).version == 6]
    return [(family, group) for family, group in (("IPv4", v4), ("IPv6", v6)) if group]


def slice_labels(service: str, labels: dict[str, str]) -> dict[str, str]:
    """The component's labels plus the two that tie the slice to `service` and to kubexpose."""
    return {**labels, SERVICE_NAME_LABEL: service, SLICE_MANAGER_LABEL: MANAGER}


def endpoints(addresses: Sequence[str]) -> list[EndpointArgsDict]:
    """One ready endpoint per address."""
    return [{"addresses": [ip], "conditions": {"ready": True}} for ip in addresses]


def slice_ports(ports: Sequence[Port]) -> list[EndpointPortArgsDict]:
    """Slice ports carry the Service port's name and the external (target) port. An unnamed port's name is written as
    the server stores it, "": the ports are an atomic list, and one stored otherwise than applied is a conflict for a
    second server-side applier."""
    out: list[EndpointPortArgsDict] = []
    for port in ports:
        entry: EndpointPortArgsDict = {
            "name": port.name or "",
            "port": int(port.target_port),
            "protocol": port.protocol,
        }
        if port.app_protocol is not None:
            entry["app_protocol"] = port.app_protocol
        out.append(entry)
    return out
