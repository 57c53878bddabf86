"""ExposedDeployment: a Deployment plus the Service of the right type for the stack."""

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, NotRequired, TypedDict

import pulumi
import pulumi_kubernetes as k8s
from pulumi_kubernetes.core.v1 import ServiceSpecType

from ..k8s.availability import Autoscaling, Budget, hpa_spec, pdb_spec, spread_constraints
from ..k8s.metadata import NAME_LABEL, object_metadata
from ..k8s.network_policy import Admission, network_policy_spec
from ..k8s.pod import PodModel, deployment_spec
from ..k8s.ports import Port, PortArgs, normalize_ports
from ..k8s.route import HTTP_ROUTE_API, RouteModel, http_route_spec, ingress_spec
from ..k8s.service import ServiceModel, service_spec
from ..k8s.validation import Checker
from ..profile import EXTERNAL_TRAFFIC_POLICIES, Exposure, GatewaySettings, IngressSettings, ServiceType, StackProfile
from .base import KubexposeComponent, check_args, check_bool, resolve_namespace, resolve_profile
from .claims import Claim, ProgramState, apps_in, at_program_end
from .outputs import known, service_outputs
from .workload import (
    EnvRefArgs,
    MountArgs,
    PodSecurityContextArgs,
    ProbeArgs,
    ResourcesArgs,
    SecurityContextArgs,
    check_image,
    declare_env,
    parse_container_ports,
    parse_pod,
    warn_on_image,
)


class LoadBalancerArgs(TypedDict):
    """Settings written only when the Service is a LoadBalancer; they win over the stack's."""

    annotations: NotRequired[Mapping[str, str]]
    """Cloud load-balancer annotations, merged over the stack's. Default: the stack's."""
    source_ranges: NotRequired[Sequence[str]]
    """Canonical CIDRs allowed in. Default: the stack's, else everyone."""
    load_balancer_class: NotRequired[str]
    """`spec.loadBalancerClass`. Default: the stack's, else the cluster's."""


class HttpArgs(TypedDict):
    """An HTTP route to the app through the stack's router (`kubexpose:ingress` or `kubexpose:gateway`)."""

    host: str
    """Host name the router matches, e.g. `shop.example.com` (`*.example.com` matches one label). Required."""
    path: NotRequired[str]
    """Path prefix, e.g. `/api`. Default: `/`."""
    port: NotRequired[int]
    """Service port the router sends traffic to, by number (Python may also give its name). Default: the first."""
    port_name: NotRequired[str]
    """Service port the router sends traffic to, by name (instead of `port`). Default: none."""


class DisruptionBudgetArgs(TypedDict):
    """How many of the app's Pods a voluntary disruption (a node drain) may take at once."""

    enabled: NotRequired[bool]
    """False: no PodDisruptionBudget. Default: true (for 2+ replicas)."""
    max_unavailable: NotRequired[int]
    """Pods that may be down at once (Python may also give a percent text, e.g. `"25%"`). Default: 1."""
    max_unavailable_percent: NotRequired[int]
    """`max_unavailable` as a percent of the replicas (1-99). Default: none."""
    min_available: NotRequired[int]
    """Pods that must stay up (instead of `max_unavailable`; Python may give `"50%"`). Default: none."""
    min_available_percent: NotRequired[int]
    """`min_available` as a percent of the replicas (1-99). Default: none."""


class SpreadArgs(TypedDict):
    """Spreading of the app's Pods over nodes (and zones, when the stack says `kubexpose:zones`)."""

    enabled: NotRequired[bool]
    """False: no topology spread constraints. Default: true (for 2+ replicas)."""


class AutoscalingArgs(TypedDict):
    """A HorizontalPodAutoscaler for the app (then `replicas` is left to it)."""

    min_replicas: int
    """Fewest Pods, at least 1. Required."""
    max_replicas: int
    """Most Pods, at least `min_replicas`. Required."""
    cpu_utilization: NotRequired[int]
    """Target average CPU use, percent of the CPU request (1-500: above 100 when limits allow). Default: 80
    when no target is given."""
    memory_utilization: NotRequired[int]
    """Target average memory use, percent of the memory request (1-500). Default: none."""


class ContainerPortArgs(TypedDict):
    """A port the container declares (needed for a named `target_port`)."""

    container_port: int
    """Port number inside the container. Required."""
    name: NotRequired[str]
    """IANA service name (at most 15 of `[-a-z0-9]`). Default: none."""
    protocol: NotRequired[str]
    """`TCP`, `UDP` or `SCTP`. Default: `TCP`."""


class ExposedDeploymentArgs(TypedDict):
    """Inputs of :class:`ExposedDeployment`. Only `image` and a port are required."""

    image: pulumi.Input[str]
    """Container image, with a fixed tag or digest (e.g. `nginxinc/nginx-unprivileged:1.27-alpine`). Required."""
    image_pull_policy: NotRequired[str]
    """`Always` (re-check the registry at every Pod start, so a moved tag or a revoked pull right is noticed),
    `IfNotPresent` (e.g. images loaded into kind) or `Never`. Default: `Always`."""
    port: NotRequired[int]
    """Shorthand for `ports=[port]`."""
    ports: NotRequired[Sequence[PortArgs]]
    """Service ports, `{port, target_port?, target_port_name?, name?, protocol?, node_port?}` (Python may also
    give plain numbers). Required unless `port` is given."""
    container_ports: NotRequired[Sequence[ContainerPortArgs]]
    """Ports the container declares. Default: one per Service port, at its target port."""
    exposure: NotRequired[Exposure]
    """`internal` (ClusterIP) or `public` (the stack's public type); Python may give the text in any case. Default: internal."""
    service_type: NotRequired[ServiceType]
    """Explicit Service type (`ClusterIP`, `NodePort`, `LoadBalancer`; Python may also give the text or
    pulumi_kubernetes' `ServiceSpecType`); wins over `exposure`. Default: from `exposure`."""
    replicas: NotRequired[pulumi.Input[int]]
    """Number of Pods. Default: 1."""
    namespace: NotRequired[pulumi.Input[str]]
    """Namespace of the Deployment and Service. Default: the stack profile's (`default`)."""
    env: NotRequired[Mapping[str, pulumi.Input[str]]]
    """Environment variables; values may be Outputs. A secret Output's value goes into the Secret `<name>-env`
    the component owns and reaches the container through `secretKeyRef`, never as a plain value. Default: none."""
    env_refs: NotRequired[Mapping[str, EnvRefArgs]]
    """Environment variables read from an existing source: `{"secret": NAME, "key": KEY}`,
    `{"config_map": NAME, "key": KEY}` or `{"field": PATH}` (e.g. `status.podIP`). Default: none."""
    command: NotRequired[Sequence[str]]
    """Container entrypoint override. Default: the image's."""
    args: NotRequired[Sequence[str]]
    """Container arguments. Default: the image's."""
    labels: NotRequired[Mapping[str, pulumi.Input[str]]]
    """Extra labels on every object and Pod (the selector stays `app.kubernetes.io/name`). Default: none."""
    service_annotations: NotRequired[Mapping[str, pulumi.Input[str]]]
    """Annotations on the Service. Default: none."""
    session_affinity: NotRequired[str]
    """`ClientIP` (sticky clients) or `None`. Default: `None`."""
    session_affinity_timeout_seconds: NotRequired[int]
    """Stickiness timeout with `ClientIP`, 1-86400. Default: 10800."""
    headless: NotRequired[bool]
    """Headless Service (`clusterIP: None`, DNS returns Pod IPs); internal apps only. Default: false."""
    load_balancer: NotRequired[LoadBalancerArgs]
    """LoadBalancer settings over the stack's; only for a Service that can be a LoadBalancer. Default: the stack's."""
    external_traffic_policy: NotRequired[str]
    """`Cluster` or `Local`; NodePort/LoadBalancer only. Default: the stack's (LoadBalancer), else Kubernetes'."""
    resources: NotRequired[ResourcesArgs]
    """Requests and limits. Default: requests 50m CPU/64Mi, limits 500m CPU/256Mi."""
    readiness_probe: NotRequired[ProbeArgs | None]
    """Readiness probe; `{"disabled": True}` (or None) turns it off. Default: TCP on the first port."""
    liveness_probe: NotRequired[ProbeArgs | None]
    """Liveness probe; `{"disabled": True}` (or None) turns it off. Default: TCP on the first port, every 20 s."""
    writable_paths: NotRequired[Sequence[str]]
    """Absolute paths mounted as writable `emptyDir`s (the root filesystem is read-only). Default: none."""
    security_context: NotRequired[SecurityContextArgs]
    """Container security-context fields over the secure defaults (e.g. `{"read_only_root_filesystem": False}`)."""
    pod_security_context: NotRequired[PodSecurityContextArgs]
    """Pod security-context fields over the secure defaults (e.g. `{"run_as_user": 101}`)."""
    automount_service_account_token: NotRequired[bool]
    """Mount the service-account token into Pods. Default: false."""
    network_policy: NotRequired[bool]
    """Create a NetworkPolicy admitting only what the exposure promises on the app's ports (for an internal
    app the callers below, else the Pods of its own namespace; any source for a public one). Default: true."""
    allowed_callers: NotRequired[Sequence[str]]
    """Apps (ExposedDeployments of this program, in the same namespace) whose Pods may call this internal app.
    Default: every Pod of its namespace (unless `allowed_namespaces` is given)."""
    allowed_namespaces: NotRequired[Sequence[str]]
    """Namespaces whose Pods may call this internal app. Default: none beyond `allowed_callers`."""
    disruption_budget: NotRequired[DisruptionBudgetArgs]
    """The app's PodDisruptionBudget. Default: `maxUnavailable: 1` for 2+ replicas, none for one."""
    spread: NotRequired[SpreadArgs]
    """Spreading of the Pods. Default: over nodes (and zones with `kubexpose:zones`) for 2+ replicas."""
    autoscaling: NotRequired[AutoscalingArgs]
    """Scale between `min_replicas` and `max_replicas` on CPU/memory use (instead of `replicas`). Default: none."""
    service_account: NotRequired[str]
    """An existing ServiceAccount for the Pods. Default: one named after the app, made for it (no token mounted)."""
    image_pull_secrets: NotRequired[Sequence[str]]
    """Secrets with registry credentials for the image. Default: none."""
    pod_annotations: NotRequired[Mapping[str, str]]
    """Annotations on the Pods (e.g. `prometheus.io/scrape`). Default: none."""
    mounts: NotRequired[Sequence[MountArgs]]
    """ConfigMaps and Secrets mounted read-only. Default: none."""
    http: NotRequired[HttpArgs]
    """Route `host` + `path` to the app through the stack's router (an Ingress or a Gateway API HTTPRoute,
    as `kubexpose:ingress` / `kubexpose:gateway` say); the Service stays ClusterIP. Default: none."""


_ARG_FIELDS = frozenset(ExposedDeploymentArgs.__annotations__)
_LB_FIELDS = frozenset(LoadBalancerArgs.__annotations__)
_HTTP_FIELDS = frozenset(HttpArgs.__annotations__)
_SERVICE_TYPES = {
    "ClusterIP": ServiceSpecType.CLUSTER_IP,
    "NodePort": ServiceSpecType.NODE_PORT,
    "LoadBalancer": ServiceSpecType.LOAD_BALANCER,
}


@dataclass(frozen=True)
class _App:
    """Everything checked and decided before the first resource is registered."""

    claim: Claim
    labels: dict[str, str]
    selector: dict[str, str]
    replicas: Any
    """An int, an Output of one, or None when an autoscaler owns the number."""
    budget: Budget | None
    autoscaling: Autoscaling | None
    creates_service_account: bool
    service: ServiceModel
    pod: PodModel
    network_policy: bool
    admission: Admission
    route: RouteModel | None
    node_address: str
    ingress: IngressSettings | None
    gateway: GatewaySettings | None


class ExposedDeployment(KubexposeComponent):
    """A Deployment and one Service selecting its Pods; the Service's type follows the stack.

    The Service is named like the component, so callers reach it as `<name>:<port>` in its
    namespace and `<name>.<namespace>.svc.cluster.local` anywhere in the cluster.
    """

    kind = "ExposedDeployment"
    type_token = "kubexpose:index:ExposedDeployment"

    deployment: k8s.apps.v1.Deployment
    """The Deployment (named like the component)."""
    service: k8s.core.v1.Service
    """The Service (named like the component: that name is its DNS name)."""
    network_policy: k8s.networking.v1.NetworkPolicy | None
    """The NetworkPolicy admitting what the exposure promises (None when turned off)."""
    service_account: k8s.core.v1.ServiceAccount | None
    """The ServiceAccount made for the app's Pods (None with `service_account`)."""
    disruption_budget: k8s.policy.v1.PodDisruptionBudget | None
    """The PodDisruptionBudget (None for one replica or when turned off)."""
    autoscaler: k8s.autoscaling.v2.HorizontalPodAutoscaler | None
    """The HorizontalPodAutoscaler (None without `autoscaling`)."""
    ingress: k8s.networking.v1.Ingress | None
    """The Ingress routing `http` to the app (None without `http`, or when the stack uses a Gateway)."""
    if TYPE_CHECKING:  # Python only: the package schema has no type for a generic custom resource
        http_route: k8s.apiextensions.CustomResource | None
        """The Gateway API HTTPRoute routing `http` to the app (None without `http`, or with an Ingress)."""
    service_name: pulumi.Output[str]
    """The Service's name."""
    cluster_dns: pulumi.Output[str]
    """`<name>.<namespace>.svc.cluster.local`."""
    endpoint: pulumi.Output[str]
    """In-cluster address `<name>:<first port>`."""
    url: pulumi.Output[str | None]
    """External address: `https://<host><path>` (or http) behind a router, `http://<lb ip or hostname>:<port>` or
    `http://<node address>:<node port>`; None when internal or not yet known."""
    port_forward: pulumi.Output[str]
    """A ready `kubectl port-forward` command for debugging from a laptop."""

    def __init__(
        self,
        name: str,
        args: ExposedDeploymentArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        profile: StackProfile | None = None,
    ) -> None:
        check = self.checker(name)
        app = _parse(check, name, args, resolve_profile(profile))
        child = self.declare(check, name, opts, app.claim)

        namespace = app.claim.namespace
        warn_on_image(self, check, app.pod.image)
        if app.service.headless:
            pulumi.log.warn(
                f"ExposedDeployment '{name}': the Service is headless. Kubernetes cannot switch a Service between "
                "headless and a ClusterIP in place: turning `headless` on or off later makes pulumi replace it "
                "(delete, then create: callers briefly fail to resolve it).",
                resource=self,
            )
        pod = app.pod
        self.service_account = None
        if app.creates_service_account:
            self.service_account = k8s.core.v1.ServiceAccount(
                f"{name}-service-account",
                metadata=object_metadata(name, namespace, app.labels),
                automount_service_account_token=False,
                opts=child,
            )
            pod = replace(pod, service_account=self.service_account.metadata.name)  # Pods wait for their account
        env = declare_env(name, namespace, app.labels, pod, child)
        self.deployment = k8s.apps.v1.Deployment(
            f"{name}-deployment",
            metadata=object_metadata(name, namespace, app.labels),
            spec=deployment_spec(app.selector, app.labels, app.replicas, pod, env.env, env.template_metadata),
            opts=child,
        )
        self.disruption_budget = None
        if app.budget is not None:
            self.disruption_budget = k8s.policy.v1.PodDisruptionBudget(
                f"{name}-disruption-budget",
                metadata=object_metadata(name, namespace, app.labels),
                spec=pdb_spec(app.selector, app.budget),
                opts=child,
            )
        self.autoscaler = None
        if app.autoscaling is not None:
            self.autoscaler = k8s.autoscaling.v2.HorizontalPodAutoscaler(
                f"{name}-autoscaler",
                metadata=object_metadata(name, namespace, app.labels),
                spec=hpa_spec(name, app.autoscaling),
                opts=child,
            )
        self.service = k8s.core.v1.Service(
            f"{name}-service",
            metadata=object_metadata(name, namespace, app.labels, app.service.annotations),
            spec=service_spec(app.service),
            opts=child,
        )
        self.network_policy = None
        if app.network_policy:
            self.network_policy = k8s.networking.v1.NetworkPolicy(
                f"{name}-network-policy",
                metadata=object_metadata(name, namespace, app.labels),
                spec=network_policy_spec(app.selector, app.service.ports, app.admission),
                opts=child,
            )
        if app.admission.callers:
            at_program_end(
                f"allowed_callers:{id(self)}",
                functools.partial(_check_callers, check, namespace, app.admission.callers),
            )
        self.ingress, self.http_route = None, None
        if app.route is not None and app.ingress is not None:
            self.ingress = k8s.networking.v1.Ingress(
                f"{name}-ingress",
                metadata=object_metadata(name, namespace, app.labels, app.ingress.annotations),
                spec=ingress_spec(app.route, name, app.ingress.class_name, app.ingress.tls_secret),
                opts=child,
            )
        elif app.route is not None and app.gateway is not None:
            gateway = app.gateway
            self.http_route = k8s.apiextensions.CustomResource(
                f"{name}-http-route",
                api_version=HTTP_ROUTE_API,
                kind="HTTPRoute",
                metadata=object_metadata(name, namespace, app.labels),
                spec=http_route_spec(app.route, name, gateway.name, gateway.namespace, gateway.section_name),
                opts=child,
            )
        outputs = service_outputs(self.service, name, namespace, app.service, app.node_address)
        router = self.ingress or self.http_route
        url = outputs.url if app.route is None or router is None else known(app.route.url(), router)
        self.finish(
            {
                "service_name": outputs.service_name,
                "cluster_dns": outputs.cluster_dns,
                "endpoint": outputs.endpoint,
                "url": url,
                "port_forward": outputs.port_forward,
            }
        )


def _parse(check: Checker, name: str, raw: Any, profile: StackProfile) -> _App:
    check.service_name("name", name)
    args = check_args(check, raw, _ARG_FIELDS, "ExposedDeploymentArgs(image=..., port=...)")
    image = check_image(check, args.get("image"))
    namespace = resolve_namespace(check, args.get("namespace"), profile)
    ports = normalize_ports(check, args.get("ports"), args.get("port"), required=True)
    service_type = _service_type(check, args)
    if service_type is None:
        service_type = (
            profile.public_service_type if _exposure(check, args) is Exposure.PUBLIC else ServiceSpecType.CLUSTER_IP
        )

    extra_labels = check.labels("labels", args.get("labels"))
    selector = {NAME_LABEL: name}
    if NAME_LABEL in extra_labels:
        check.fail(
            f"labels[{NAME_LABEL!r}]",
            extra_labels[NAME_LABEL],
            "is set by kubexpose",
            "remove it; the selector is derived from the component name so it never changes",
        )
    labels = {**extra_labels, **selector}

    container_ports = parse_container_ports(check, args.get("container_ports"), ports)
    service, node_ports = _service(check, args, profile, service_type, ports, selector)
    scaling = _autoscaling(check, args)
    replicas = (
        None if scaling else check.input("replicas", args.get("replicas", 1), lambda value: _replicas(check, value))
    )
    count = scaling.min_replicas if scaling else (replicas if isinstance(replicas, int) else None)
    budget = _budget(check, args.get("disruption_budget"), count)
    spread = _enabled(check, args, "spread") and (count is None or count >= 2)
    account = args.get("service_account")
    if account is not None:
        account = check.dns_subdomain("service_account", account, "ServiceAccount")
    pod = replace(
        parse_pod(check, name, args, image, container_ports, ports),
        service_account=account or name,
        spread=tuple(spread_constraints(selector, profile.zones)) if spread else (),
    )
    if scaling is not None:
        _check_requests(check, scaling, pod.resources)
    route, router_port = _route(check, args, profile, ports, service_type)
    network_policy = check_bool(check, args, "network_policy", True)
    admission = _admission(check, args, service_type, network_policy, profile, router_port)
    return _App(
        claim=Claim(namespace, name, node_ports, ((route.host, route.path),) if route else ()),
        labels=labels,
        selector=selector,
        replicas=replicas,
        budget=budget,
        autoscaling=scaling,
        creates_service_account=account is None,
        service=service,
        pod=pod,
        network_policy=network_policy,
        admission=admission,
        route=route,
        node_address=profile.node_address,
        ingress=profile.ingress if route else None,
        gateway=profile.gateway if route else None,
    )


def _route(
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
        check.fail("http.host", None, "is missing", "give the host the router matches, e.g. 'shop.example.com'")
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
            "set one of them in the stack's config (see the README, HTTP routes), or drop http",
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


def _admission(
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


def _check_callers(check: Checker, given: Any, callers: tuple[str, ...], state: ProgramState) -> None:
    """At the end of the run: every allowed caller is an app of the program in the same namespace
    (an Output namespace by its value; not checked while it is unknown, as in a preview)."""
    namespace = state.namespace(given)
    if namespace is None:
        return
    apps = apps_in(state, namespace, "ExposedDeployment")
    for i, caller in enumerate(callers):
        if caller not in apps:
            check.fail(
                f"allowed_callers[{i}]",
                caller,
                f"names no ExposedDeployment of this program in namespace '{namespace}'",
                f"use one of: {', '.join(apps)}",
            )


def _enabled(check: Checker, args: Mapping[str, Any], field: str) -> bool:
    """`{field: {"enabled": bool}}`, true when absent."""
    raw = args.get(field)
    if raw is None:
        return True
    if not isinstance(raw, Mapping):
        check.fail(field, raw, "is not a mapping", f"give {field}={{'enabled': False}}")
    check.only_fields(field, raw, {"enabled"}, f"a {field} field")
    return check_bool(check, raw, "enabled", True) if "enabled" in raw else True


_BUDGET_KEYS = ("max_unavailable", "max_unavailable_percent", "min_available", "min_available_percent")


def _budget(check: Checker, raw: Any, count: int | None) -> Budget | None:
    """The disruption budget for `count` replicas (None: unknown yet), or None for no PodDisruptionBudget."""
    several = count is None or count >= 2
    if raw is None:
        return Budget(max_unavailable=1) if several else None
    if not isinstance(raw, Mapping):
        check.fail("disruption_budget", raw, "is not a mapping", "give {'max_unavailable': 1} or {'enabled': False}")
    check.only_fields("disruption_budget", raw, {"enabled", *_BUDGET_KEYS}, "a disruption_budget field")
    enabled = check_bool(check, raw, "enabled", True)
    given = [k for k in _BUDGET_KEYS if k in raw]
    if not enabled:
        if given:
            check.fail(
                "disruption_budget", dict(raw), "is disabled and set at once", "drop enabled, or drop the budget"
            )
        return None
    if len(given) > 1:
        check.fail("disruption_budget", dict(raw), "sets more than one bound", f"give one of {', '.join(_BUDGET_KEYS)}")
    if not several:
        if given:
            check.fail(
                "disruption_budget",
                dict(raw),
                f"is set for {count} replica: a budget for one Pod either blocks every node drain or protects nothing",
                "give replicas >= 2 (or autoscaling.min_replicas >= 2), or drop it",
            )
        return None
    if not given:
        return Budget(max_unavailable=1)
    key = given[0]
    field = f"disruption_budget.{key}"
    value = raw[key]
    minimum = key.startswith("min")
    if key.endswith("_percent") or isinstance(value, str):
        number = value
        if isinstance(value, str) and re.fullmatch(r"\d{1,3}%", value):
            number = int(value[:-1])
        if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= 99:
            check.fail(
                field, value, "is not a percent from 1 to 99", "0% or 100% would block every drain or protect nothing"
            )
        percent = f"{number}%"
        return Budget(min_available=percent) if minimum else Budget(max_unavailable=percent)
    if isinstance(value, bool) or not isinstance(value, int):
        check.fail(field, value, "is not a whole number", f"give e.g. {key}=1, or a percent such as '25%'")
    if value < 1:
        why = "protects nothing" if minimum else "blocks every node drain"
        check.fail(field, value, f"is below 1: it {why}", "give at least 1")
    if count is not None and value >= count:
        why = "blocks every node drain" if minimum else "protects nothing"
        check.fail(field, value, f"is not below the {count} replicas: it {why}", f"give at most {count - 1}")
    return Budget(min_available=value) if minimum else Budget(max_unavailable=value)


_SCALING_FIELDS = frozenset({"min_replicas", "max_replicas", "cpu_utilization", "memory_utilization"})


def _autoscaling(check: Checker, args: Mapping[str, Any]) -> Autoscaling | None:
    raw = args.get("autoscaling")
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        check.fail("autoscaling", raw, "is not a mapping", "give {'min_replicas': 2, 'max_replicas': 10}")
    check.only_fields("autoscaling", raw, _SCALING_FIELDS, "an autoscaling field")
    if "replicas" in args:
        check.fail(
            "replicas",
            args["replicas"],
            "is set together with autoscaling",
            "drop replicas: the autoscaler sets the number of Pods between min_replicas and max_replicas",
        )
    bounds = {}
    for key in ("min_replicas", "max_replicas"):
        value = raw.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            check.fail(
                f"autoscaling.{key}", value, "is not a whole number >= 1", "give e.g. min_replicas=2, max_replicas=10"
            )
        bounds[key] = value
    if bounds["min_replicas"] > bounds["max_replicas"]:
        check.fail(
            "autoscaling.max_replicas",
            bounds["max_replicas"],
            f"is below min_replicas {bounds['min_replicas']}",
            "give max_replicas >= min_replicas",
        )
    targets = {}
    for key in ("cpu_utilization", "memory_utilization"):
        value = raw.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 500):
            check.fail(
                f"autoscaling.{key}", value, "is not a percent from 1 to 500", "give e.g. 70 (percent of the request)"
            )
        targets[key] = value
    if targets["cpu_utilization"] is None and targets["memory_utilization"] is None:
        targets["cpu_utilization"] = 80
    return Autoscaling(bounds["min_replicas"], bounds["max_replicas"], **targets)


def _check_requests(check: Checker, scaling: Autoscaling, resources: Mapping[str, Any]) -> None:
    """Utilization is measured against the request: a target needs the request it is a percent of."""
    requests = resources.get("requests") or {}
    for resource, target in (("cpu", scaling.cpu_utilization), ("memory", scaling.memory_utilization)):
        if target is not None and not requests.get(resource):
            check.fail(
                f"autoscaling.{resource}_utilization",
                target,
                f"needs a {resource} request to measure against, but resources sets none",
                f"add resources.requests.{resource} (e.g. {'100m' if resource == 'cpu' else '128Mi'}) or drop the target",
            )


def _replicas(check: Checker, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        check.fail("replicas", value, "is not a whole number >= 0", "give the number of Pods, e.g. replicas=2")
    return value


def _exposure(check: Checker, args: Mapping[str, Any]) -> Exposure:
    value = args.get("exposure", Exposure.INTERNAL)
    try:
        return Exposure(value.lower() if isinstance(value, str) else value)
    except ValueError:
        check.fail("exposure", value, "is not an exposure", "use Exposure.INTERNAL or Exposure.PUBLIC")


def _service_type(check: Checker, args: Mapping[str, Any]) -> ServiceSpecType | None:
    value = args.get("service_type")
    if value is None:
        return None
    key = value.value if isinstance(value, ServiceSpecType | ServiceType) else value
    if key == "ExternalName":
        check.fail(
            "service_type", key, "is not for a Deployment", "use ExternalAlias for a DNS alias to an external host"
        )
    if key not in _SERVICE_TYPES:
        check.fail("service_type", value, "is not a Service type", "use 'ClusterIP', 'NodePort' or 'LoadBalancer'")
    resolved = _SERVICE_TYPES[key]
    if "exposure" in args:
        exposure = _exposure(check, args)
        if exposure is Exposure.INTERNAL and resolved is not ServiceSpecType.CLUSTER_IP:
            check.fail(
                "service_type",
                key,
                "contradicts exposure=INTERNAL",
                "drop service_type, or use exposure=Exposure.PUBLIC",
            )
        if exposure is Exposure.PUBLIC and resolved is ServiceSpecType.CLUSTER_IP:
            check.fail(
                "service_type",
                key,
                "contradicts exposure=PUBLIC",
                "drop service_type to let the stack decide, or use exposure=Exposure.INTERNAL",
            )
    return resolved


def _service(
    check: Checker,
    args: Mapping[str, Any],
    profile: StackProfile,
    service_type: ServiceSpecType,
    ports: list[Port],
    selector: dict[str, str],
) -> tuple[ServiceModel, tuple[tuple[str, int, str], ...]]:
    """The checked Service, and its fixed node ports to claim as `(protocol, port, field)`."""
    is_cluster_ip = service_type is ServiceSpecType.CLUSTER_IP
    is_lb = service_type is ServiceSpecType.LOAD_BALANCER

    claimed: list[tuple[str, int, str]] = []
    for i, p in enumerate(ports):
        if p.node_port is None:
            continue
        if is_cluster_ip:
            check.fail(
                f"ports[{i}].node_port",
                p.node_port,
                "is set on a ClusterIP Service",
                "use exposure=Exposure.PUBLIC, or drop node_port",
            )
        check.node_port(f"ports[{i}].node_port", p.node_port, profile.node_port_range)
        claimed.append((p.protocol, p.node_port, f"ports[{i}].node_port"))

    headless = check_bool(check, args, "headless", False)
    if headless and not is_cluster_ip:
        check.fail(
            "headless",
            True,
            f"is set on a {service_type.value} Service",
            "headless works only for internal (ClusterIP) apps; drop headless or exposure",
        )

    affinity = args.get("session_affinity")
    timeout = args.get("session_affinity_timeout_seconds")
    if affinity is not None:
        check.one_of("session_affinity", affinity, ("ClientIP", "None"), "use 'ClientIP' for sticky clients or 'None'")
    if timeout is not None:
        if affinity != "ClientIP":
            check.fail(
                "session_affinity_timeout_seconds",
                timeout,
                "is set without session_affinity='ClientIP'",
                "add session_affinity='ClientIP' or drop the timeout",
            )
        check.affinity_timeout("session_affinity_timeout_seconds", timeout)

    policy = args.get("external_traffic_policy")
    if policy is not None:
        check.one_of("external_traffic_policy", policy, EXTERNAL_TRAFFIC_POLICIES, "use 'Cluster' or 'Local'")
        if is_cluster_ip:
            check.fail(
                "external_traffic_policy",
                policy,
                "is set on a ClusterIP Service",
                "it applies to NodePort and LoadBalancer only; drop it or use exposure=Exposure.PUBLIC",
            )
    elif is_lb:
        policy = profile.load_balancer.external_traffic_policy

    annotations = check.annotations("service_annotations", args.get("service_annotations"))
    lb_args = args.get("load_balancer")
    if lb_args is not None:
        lb_args = _load_balancer_args(check, lb_args)
        if is_cluster_ip or (service_type is ServiceSpecType.NODE_PORT and "service_type" in args):
            check.fail(
                "load_balancer",
                dict(lb_args),
                f"is set on a {service_type.value} Service",
                "drop it, or use exposure=Exposure.PUBLIC and let the stack choose LoadBalancer",
            )
    ranges: tuple[str, ...] = ()
    lb_class = None
    if is_lb:
        lb = profile.load_balancer
        lb_args = lb_args or {}
        annotations = {**lb.annotations, **lb_args.get("annotations", {}), **annotations}
        ranges = tuple(lb_args.get("source_ranges", lb.source_ranges))
        lb_class = lb_args.get("load_balancer_class", lb.load_balancer_class)
    if profile.skip_await:
        annotations["pulumi.com/skipAwait"] = "true"
    model = ServiceModel(
        type=service_type,
        ports=tuple(ports),
        selector=selector,
        headless=headless,
        session_affinity=affinity,
        session_affinity_timeout=timeout,
        external_traffic_policy=policy,
        source_ranges=ranges,
        load_balancer_class=lb_class,
        annotations=annotations,
    )
    return model, tuple(claimed)


def _load_balancer_args(check: Checker, value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        check.fail("load_balancer", value, "is not a mapping", "pass {'source_ranges': [...], 'annotations': {...}}")
    check.only_fields("load_balancer", value, _LB_FIELDS, "a load_balancer field")
    out: dict[str, Any] = {}
    if "annotations" in value:
        out["annotations"] = check.annotations("load_balancer.annotations", value["annotations"])
    if "source_ranges" in value:
        ranges = value["source_ranges"]
        if isinstance(ranges, str) or not isinstance(ranges, Sequence):
            check.fail(
                "load_balancer.source_ranges", ranges, "is not a list", "give a list of CIDRs, e.g. ['10.0.0.0/8']"
            )
        out["source_ranges"] = [check.cidr(f"load_balancer.source_ranges[{i}]", c) for i, c in enumerate(ranges)]
    if "load_balancer_class" in value:
        out["load_balancer_class"] = check.label_key("load_balancer.load_balancer_class", value["load_balancer_class"])
    return out
