"""ExposedDeployment's HTTP route (behind the stack's Ingress or Gateway) and who may call it (its NetworkPolicy)."""

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_kubernetes.core.v1 import ServiceSpecType

from ...claims import ProgramState, apps_in, in_cluster
from ...inputs import HttpArgs
from ...k8s.network_policy import Admission
from ...k8s.ports import Port
from ...k8s.route import RouteModel
from ...k8s.validation import Checker
from ...profile import StackProfile

_HTTP_FIELDS = frozenset(HttpArgs.__annotations__)


def parse_route(
    check: Checker, args: Mapping[str, Any], profile: StackProfile, ports: list[Port], service_type: ServiceSpecType
) -> tuple[RouteModel | None, Port | None]:
    """The checked HTTP route and the Service port it targets; the stack must name exactly one router."""
    raw = args.get("http")
    if raw is None:
        return None, None
    if not isinstance(raw, Mapping):
        check.fail("http", raw, "is not a mapping", "give {'host': 'shop.example.com', 'path': '/'}")
    check.only_fields("http", raw, _HTTP_FIELDS, "an http field")
    if "host" not in raw:
        check.missing("http.host", "give the host the router matches, e.g. 'shop.example.com'")
    host = check.route_host("http.host", raw["host"])
    path = check.route_path("http.path", raw.get("path", "/"))
    if "port" in raw and "port_name" in raw:
        check.fail(
            "http.port_name", raw["port_name"], "is given together with http.port", "give the port by number or by name"
        )
    key = raw.get("port_name", raw.get("port"))
    field = "http.port_name" if "port_name" in raw else "http.port"
    port = ports[0] if key is None else next((p for p in ports if key in (p.port, p.name)), None)
    if port is None:
        known_ports = ", ".join(str(p.name or p.port) for p in ports)
        check.fail(field, key, "is not a port of the app's Service", f"use one of {known_ports}")
    if port.protocol != "TCP":
        check.fail(
            field,
            port.port if key is None else key,
            f"is a {port.protocol} port",
            "route a TCP port: HTTP runs over TCP",
        )
    ingress, gateway = profile.ingress, profile.gateway
    if ingress is None and gateway is None:
        check.fail(
            "http",
            dict(raw),
            f"needs a router, but stack '{profile.stack}' sets neither kubexpose:ingress nor kubexpose:gateway",
            "set one of them in the stack's config (see docs/_index.md, HTTP routes), or drop http",
        )
    if ingress is not None and gateway is not None:
        check.fail(
            "http",
            dict(raw),
            f"is ambiguous: stack '{profile.stack}' sets both kubexpose:ingress and kubexpose:gateway",
            "keep one of them in the stack's config",
        )
    if service_type is not ServiceSpecType.CLUSTER_IP and "service_type" not in args:
        check.fail(
            "http",
            dict(raw),
            "is set on a public app: the router already reaches it from outside, and exposure=PUBLIC would add "
            "its own NodePort or LoadBalancer",
            "drop exposure (the Service stays ClusterIP behind the router), or set service_type to have both",
        )
    tls = ingress.tls_secret is not None if ingress is not None else bool(gateway and gateway.tls)
    return RouteModel(host, path, port.port, tls), port


def parse_admission(
    check: Checker,
    args: Mapping[str, Any],
    service_type: ServiceSpecType,
    network_policy: bool,
    profile: StackProfile,
    router_port: Port | None,
) -> Admission:
    """Who the NetworkPolicy admits: the named callers and namespaces, else the app's own namespace."""
    names: dict[str, tuple[str, ...]] = {}
    for field in ("allowed_callers", "allowed_namespaces"):
        value = args.get(field)
        if value is None:
            names[field] = ()
            continue
        if isinstance(value, str) or not isinstance(value, Sequence) or not value:
            check.fail(field, value, "is not a non-empty list of names", f"give e.g. {field}=['frontend']")
        listed = tuple(check.dns_label(f"{field}[{i}]", v) for i, v in enumerate(value))
        if len(set(listed)) != len(listed):
            check.fail(field, list(value), "repeats a name", "list each name once")
        if service_type is not ServiceSpecType.CLUSTER_IP:
            check.fail(
                field,
                list(value),
                f"is set on a {service_type.value} app, which is open to everyone on its Service ports",
                "drop it, or make the app internal (exposure=INTERNAL, behind http if it serves a router)",
            )
        if not network_policy:
            check.fail(field, list(value), "is set with network_policy=False", "nothing would enforce it: drop one")
        names[field] = listed
    router_namespace = None
    if profile.gateway is not None:
        router_namespace = profile.gateway.namespace
    elif profile.ingress is not None:
        router_namespace = profile.ingress.namespace
    return Admission(
        public=service_type is not ServiceSpecType.CLUSTER_IP,
        callers=names["allowed_callers"],
        namespaces=names["allowed_namespaces"],
        router_port=router_port,
        router_namespace=router_namespace,
    )


APP_KINDS = ("ExposedDeployment", "ExposedStatefulSet", "Worker")
"""The components whose Pods may be allowed callers: each labels its Pods `app.kubernetes.io/name: <name>`."""


def check_callers(check: Checker, given: Any, callers: tuple[str, ...], cluster: str, state: ProgramState) -> None:
    """At the end of the run: every allowed caller is an app of the program in the same namespace of the same
    cluster (an Output namespace by its value; not checked while it is unknown, as in a preview)."""
    namespace = state.namespace(given)
    if namespace is None:
        return
    apps = apps_in(state, namespace, APP_KINDS, cluster)
    for i, caller in enumerate(callers):
        if caller not in apps:
            elsewhere = sorted(where for (where, ns, name) in state.services if name == caller and where != cluster)
            check.fail(
                f"allowed_callers[{i}]",
                caller,
                f"names no app of this program in namespace '{namespace}'{in_cluster(cluster)}"
                + (
                    f" (it is one in cluster '{elsewhere[0] or 'of the default provider'}': no Pod of it runs here)"
                    if elsewhere
                    else ""
                ),
                f"use one of: {', '.join(apps)}",
            )
