"""HTTP route builders: an app behind the stack's router, as an Ingress or a Gateway API HTTPRoute."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from pulumi_kubernetes.networking.v1 import IngressSpecArgsDict

HTTP_ROUTE_API = "gateway.networking.k8s.io/v1"
"""The HTTPRoute's apiVersion (Gateway API v1, standard channel)."""


@dataclass(frozen=True)
class RouteModel:
    """A checked route: `host` + `path` prefix to one port of the app's Service."""

    host: str
    path: str
    service_port: int
    """The Service port the router sends traffic to (by number: an HTTPRoute takes no name)."""
    tls: bool
    """The router serves the host over TLS (the app's `url` is https)."""

    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}{self.path}"


def ingress_spec(route: RouteModel, service: str, class_name: str, tls_secret: str | None) -> IngressSpecArgsDict:
    """A `networking.k8s.io/v1` Ingress spec: one rule, pathType Prefix, TLS when a Secret is given."""
    port = {"number": route.service_port}
    spec: dict[str, Any] = {
        "ingress_class_name": class_name,
        "rules": [
            {
                "host": route.host,
                "http": {
                    "paths": [
                        {
                            "path": route.path,
                            "path_type": "Prefix",
                            "backend": {"service": {"name": service, "port": port}},
                        }
                    ]
                },
            }
        ],
    }
    if tls_secret is not None:
        spec["tls"] = [{"hosts": [route.host], "secret_name": tls_secret}]
    return cast(IngressSpecArgsDict, spec)


def http_route_spec(
    route: RouteModel,
    service: str,
    gateway: str,
    gateway_namespace: str,
    section_name: str | None,
    weighted: Sequence[tuple[str, int]] = (),
) -> dict[str, Any]:
    """A Gateway API HTTPRoute spec (camelCase: a generic custom resource's fields are passed as written): to
    `service`, or to the `weighted` Services `(name, weight)` (the versions of an app)."""
    parent: dict[str, Any] = {
        "group": "gateway.networking.k8s.io",
        "kind": "Gateway",
        "name": gateway,
        "namespace": gateway_namespace,
    }
    if section_name is not None:
        parent["sectionName"] = section_name
    return {
        "parentRefs": [parent],
        "hostnames": [route.host],
        "rules": [
            {
                "matches": [{"path": {"type": "PathPrefix", "value": route.path}}],
                # weight 1 is the CRD's default, written out: the rules are an atomic list, and a backend without it
                # differs from the stored one, a conflict for a second server-side applier (kubectl, then pulumi up)
                "backendRefs": [
                    {"group": "", "kind": "Service", "name": name, "port": route.service_port, "weight": weight}
                    for name, weight in (weighted or [(service, 1)])
                ],
            }
        ],
    }
