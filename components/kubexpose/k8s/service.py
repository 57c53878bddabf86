"""Service spec builder: a checked :class:`ServiceModel` in, a `ServiceSpecArgsDict` out.

Each field is written only for the types where Kubernetes accepts it, and `nodePort` /
`clusterIP` only where the user set them (a stale value would break a later type change).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, cast

from pulumi_kubernetes.core.v1 import ServiceSpecArgsDict, ServiceSpecType

from .ports import Port

DEFAULT_AFFINITY_TIMEOUT = 10800
"""Kubernetes' default ClientIP stickiness timeout (3 hours), written explicitly."""


@dataclass(frozen=True)
class ServiceModel:
    """A checked Service: every value already valid for its type."""

    type: ServiceSpecType
    ports: tuple[Port, ...]
    selector: Mapping[str, str] | None = None
    """Pods the Service sends traffic to; None for a selector-less Service (an alias)."""
    headless: bool = False
    external_name: Any = None
    """The DNS name of an ExternalName Service (a string, or an Output of one)."""
    session_affinity: str | None = None
    session_affinity_timeout: int | None = None
    external_traffic_policy: str | None = None
    source_ranges: tuple[str, ...] = ()
    load_balancer_class: str | None = None
    annotations: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


def service_spec(model: ServiceModel) -> ServiceSpecArgsDict:
    """The Service's `spec`."""
    with_node_ports = model.type in (ServiceSpecType.NODE_PORT, ServiceSpecType.LOAD_BALANCER)
    spec: dict[str, Any] = {"type": model.type.value}
    if model.selector is not None:
        spec["selector"] = dict(model.selector)
    if model.external_name is not None:
        spec["external_name"] = model.external_name
    if model.ports:
        spec["ports"] = [p.service_port(with_node_port=with_node_ports) for p in model.ports]
    if model.headless:
        spec["cluster_ip"] = "None"
    if model.session_affinity is not None:
        spec["session_affinity"] = model.session_affinity
    if model.session_affinity == "ClientIP":
        timeout = model.session_affinity_timeout or DEFAULT_AFFINITY_TIMEOUT
        spec["session_affinity_config"] = {"client_ip": {"timeout_seconds": timeout}}
    if model.external_traffic_policy is not None:
        spec["external_traffic_policy"] = model.external_traffic_policy
    if model.source_ranges:
        spec["load_balancer_source_ranges"] = list(model.source_ranges)
    if model.load_balancer_class:
        spec["load_balancer_class"] = model.load_balancer_class
    return cast(ServiceSpecArgsDict, spec)
