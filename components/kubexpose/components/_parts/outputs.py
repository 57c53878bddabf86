"""The typed outputs every component with a Service offers: names, DNS, endpoint, url, port-forward; and the
`kubectl logs` command of a component that runs Pods."""

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
from pulumi_kubernetes.core.v1 import ServiceSpecType

from ...k8s.ports import Port
from ...k8s.service import ServiceModel


@dataclass(frozen=True)
class Fixed:
    """An output value fixed at declaration: the component registers the value itself and makes it an Output only
    when program code reads it (an Output costs an asyncio task, and most outputs are never read)."""

    value: Any
    depends_on: Any = None
    """The child the Output depends on (the Service); None on the render's fast path (the component itself)."""


Out = pulumi.Output[Any] | Fixed
"""An output as a component builds it: an Output, or a :class:`Fixed` value."""


@dataclass(frozen=True)
class Outputs:
    """The typed outputs every kubexpose Service offers."""

    service_name: Out
    cluster_dns: Out
    endpoint: Out
    url: Out
    port_forward: Out


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
    service: k8s.core.v1.Service,
    name: str,
    namespace: Any,
    model: ServiceModel,
    node_address: str,
    state: dict[str, Any] | None = None,
) -> Outputs:
    """The outputs of a component whose Service is `service` (built from `model`), named `name` in `namespace`.

    `state` is the Service's state when the render's fast path recorded it (`service` is then a
    stand-in): every output is then a :class:`Fixed` value, which the component makes an Output when
    program code reads it."""
    first = model.ports[0] if model.ports else None
    endpoint = f"{name}:{first.port}" if first else name
    if first is None:
        forward = f"# {name} has no ports to forward"
    else:
        forward = f"kubectl port-forward -n {{namespace}} service/{name} {local_port(first.port)}:{first.port}"
    dns = f"{name}.{{namespace}}.svc.cluster.local"
    if state is not None:  # the fast path: every value is known now, and the namespace is plain
        url = None
        if first is not None and model.type is ServiceSpecType.LOAD_BALANCER:
            url = _lb_url(state.get("status"), first)
        elif first is not None and model.type is ServiceSpecType.NODE_PORT:
            url = _node_port_url(state.get("spec"), first, node_address)
        return Outputs(
            Fixed(name),
            Fixed(dns.format(namespace=namespace)),
            Fixed(endpoint),
            Fixed(url),
            Fixed(forward.format(namespace=namespace)),
        )
    url_output: Out
    if first is not None and model.type is ServiceSpecType.LOAD_BALANCER:
        url_output = service.status.apply(lambda status: _lb_url(status, first))
    elif first is not None and model.type is ServiceSpecType.NODE_PORT:
        url_output = service.spec.apply(lambda spec: _node_port_url(spec, first, node_address))
    else:
        url_output = Fixed(None, service)
    return Outputs(
        Fixed(name, service),
        in_namespace(dns, namespace, service),
        Fixed(endpoint, service),
        url_output,
        in_namespace(forward, namespace, service),
    )


def logs_command(selector: Mapping[str, str]) -> str:
    """`kubectl logs` of every container of every Pod `selector` selects (a template with `{namespace}`): the last
    100 lines each, prefixed with the Pod and container (add `--previous` for a container that crashed and
    restarted)."""
    labels = ",".join(f"{key}={value}" for key, value in selector.items())
    return f"kubectl logs -n {{namespace}} --selector {labels} --all-containers --prefix --tail 100"


def in_namespace(template: str, namespace: Any, depends_on: pulumi.Resource) -> Out:
    """`template` with its `{namespace}` filled in: known at declaration for a plain namespace, else
    once the namespace Output is."""
    if isinstance(namespace, pulumi.Output):
        return pulumi.Output.all(namespace, depends_on.urn).apply(lambda both: template.format(namespace=both[0]))
    return Fixed(template.format(namespace=namespace), depends_on)


def _field(value: Any, name: str) -> Any:
    """Field `name` (snake_case) of a Service's spec or status, or of an entry in it, read the same from both
    forms a component meets: the SDK's typed outputs (`service.status.apply(...)`) and the state the render's
    registrar recorded (camelCase dicts)."""
    if value is None:
        return None
    if type(value) is dict:  # the SDK's output types are dicts too, read through their properties
        head, *rest = name.split("_")
        return value.get(head + "".join(word.title() for word in rest))
    return getattr(value, name, None)


def _lb_url(status: Any, port: Port) -> str | None:
    """The load balancer's address: an IP on most clouds, a hostname on AWS; None until assigned."""
    for entry in _field(_field(status, "load_balancer"), "ingress") or []:
        host = _field(entry, "ip") or _field(entry, "hostname")
        if host:
            if ":" in host:
                host = f"[{host}]"
            return f"{_scheme(port)}{host}:{port.port}"
    return None


def _node_port_url(spec: Any, port: Port, node_address: str) -> str | None:
    for entry in _field(spec, "ports") or []:
        number, protocol, node_port = _field(entry, "port"), _field(entry, "protocol"), _field(entry, "node_port")
        if number == port.port and (protocol or "TCP") == port.protocol and node_port:
            return f"{_scheme(port)}{node_address}:{int(node_port)}"
    return None
