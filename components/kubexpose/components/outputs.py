"""The typed outputs every component with a Service offers: names, DNS, endpoint, url, port-forward."""

import asyncio
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
from pulumi_kubernetes.core.v1 import ServiceSpecType

from ..k8s.ports import Port
from ..k8s.service import ServiceModel


@dataclass(frozen=True)
class Outputs:
    """The typed outputs every kubexpose Service offers."""

    service_name: pulumi.Output[str]
    cluster_dns: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    url: pulumi.Output[str | None]
    port_forward: pulumi.Output[str]


def local_port(port: int) -> int:
    """Local port for `kubectl port-forward`: privileged ports move up by 8000 (80 -> 8080)."""
    return port if port >= 1024 else port + 8000


def _scheme(port: Port) -> str:
    if port.protocol != "TCP":
        return ""
    secure = port.port == 443 or (port.name or "").startswith("https")
    return "https://" if secure else "http://"


def known(value: Any, depends_on: pulumi.Resource) -> pulumi.Output[Any]:
    """An Output whose value is fixed at declaration but that depends on `depends_on`.

    Names are decided by the component, so there is nothing to wait for to compute them; carrying
    the dependency still makes a resource that uses the value wait for the Service. Cheaper than an
    `apply` on the Service's outputs, which matters with hundreds of apps.
    """
    loop = asyncio.get_event_loop()
    value_future, known_future = loop.create_future(), loop.create_future()
    value_future.set_result(value)
    known_future.set_result(True)
    return pulumi.Output({depends_on}, value_future, known_future)


def service_outputs(
    service: k8s.core.v1.Service, name: str, namespace: Any, model: ServiceModel, node_address: str
) -> Outputs:
    """The outputs of a component whose Service is `service` (built from `model`), named `name` in `namespace`."""
    first = model.ports[0] if model.ports else None
    endpoint = f"{name}:{first.port}" if first else name
    if first is None:
        forward = f"# {name} has no ports to forward"
    else:
        forward = f"kubectl port-forward -n {{namespace}} service/{name} {local_port(first.port)}:{first.port}"
    url: pulumi.Output[str | None]
    if first is not None and model.type is ServiceSpecType.LOAD_BALANCER:
        url = service.status.apply(lambda status: _lb_url(status, first))
    elif first is not None and model.type is ServiceSpecType.NODE_PORT:
        url = service.spec.apply(lambda spec: _node_port_url(spec, first, node_address))
    else:
        url = known(None, service)
    return Outputs(
        known(name, service),
        _in_namespace(f"{name}.{{namespace}}.svc.cluster.local", namespace, service),
        known(endpoint, service),
        url,
        _in_namespace(forward, namespace, service),
    )


def _in_namespace(template: str, namespace: Any, depends_on: pulumi.Resource) -> pulumi.Output[str]:
    """`template` with its `{namespace}` filled in: known at declaration for a plain namespace, else
    once the namespace Output is."""
    if isinstance(namespace, pulumi.Output):
        return pulumi.Output.all(namespace, depends_on.urn).apply(lambda both: template.format(namespace=both[0]))
    return known(template.format(namespace=namespace), depends_on)


def _lb_url(status: Any, port: Port) -> str | None:
    """The load balancer's address: an IP on most clouds, a hostname on AWS; None until assigned."""
    lb = getattr(status, "load_balancer", None) if status is not None else None
    ingress = getattr(lb, "ingress", None) or []
    for entry in ingress:
        host = getattr(entry, "ip", None) or getattr(entry, "hostname", None)
        if host:
            if ":" in host:
                host = f"[{host}]"
            return f"{_scheme(port)}{host}:{port.port}"
    return None


def _node_port_url(spec: Any, port: Port, node_address: str) -> str | None:
    for entry in getattr(spec, "ports", None) or []:
        if entry.port == port.port and (entry.protocol or "TCP") == port.protocol and entry.node_port:
            return f"{_scheme(port)}{node_address}:{int(entry.node_port)}"
    return None
