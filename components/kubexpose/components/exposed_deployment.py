"""ExposedDeployment: a Deployment plus the Service of the right type for the stack."""

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, NotRequired, TypedDict

import pulumi
import pulumi_kubernetes as k8s
from pulumi_kubernetes.core.v1 import ServiceSpecType

from ..claims import Claim, at_program_end
from ..k8s.availability import Autoscaling, Budget, hpa_spec, pdb_spec, spread_constraints
from ..k8s.metadata import NAME_LABEL, object_metadata
from ..k8s.network_policy import Admission, network_policy_spec
from ..k8s.pod import PodModel, deployment_spec
from ..k8s.ports import PortArgs, normalize_ports
from ..k8s.route import HTTP_ROUTE_API, RouteModel, http_route_spec, ingress_spec
from ..k8s.service import ServiceModel, service_spec
from ..k8s.validation import Checker
from ..profile import Exposure, GatewaySettings, IngressSettings, ServiceType, StackProfile
from .adopt import AdoptArgs, Adoption, parse_adopt
from .base import KubexposeComponent, check_args, check_bool, resolve_namespace, resolve_profile
from .env import declare_env
from .exposure import LoadBalancerArgs, parse_exposure, parse_service, parse_service_type
from .outputs import service_outputs
from .replicas import (
    AutoscalingArgs,
    DisruptionBudgetArgs,
    SpreadArgs,
    check_replicas,
    check_requests,
    enabled,
    parse_autoscaling,
    parse_budget,
)
from .routing import HttpArgs, check_callers, parse_admission, parse_route
from .workload import (
    EnvRefArgs,
    MountArgs,
    PodSecurityContextArgs,
    ProbeArgs,
    ResourcesArgs,
    SecurityContextArgs,
    check_image,
    parse_container_ports,
    parse_pod,
    warn_on_image,
    warn_on_probe_ports,
)


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
    adopt: NotRequired[AdoptArgs]
    """Take over the live objects of an earlier program's resources (moving from raw pulumi_kubernetes resources):
    `{"deployment": "myapp", "service": "myapp", "selector": {"app": "myapp"}}`. Default: none."""


_ARG_FIELDS = frozenset(ExposedDeploymentArgs.__annotations__)
_ADOPT_FIELDS = frozenset(AdoptArgs.__annotations__)


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
    adoption: Adoption


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
        child = self.declare(
            check,
            name,
            opts,
            app.claim,
            inputs=(args, app),
            slow_because="its HTTPRoute is a custom resource"
            if app.route and app.gateway
            else app.adoption.slow_because,
        )
        adopted = app.adoption.opts

        namespace = app.claim.namespace
        warn_on_image(self, check, app.pod.image)
        warn_on_probe_ports(self, check, app.pod)
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
            self.service_account = self.child(
                k8s.core.v1.ServiceAccount,
                f"{name}-service-account",
                adopted(child, "service_account"),
                metadata=object_metadata(name, namespace, app.labels),
                automount_service_account_token=False,
            )
            # Pods wait for their account
            pod = replace(pod, service_account=self.name_of(self.service_account, name))
        env = declare_env(name, namespace, app.labels, pod, child)
        self.deployment = self.child(
            k8s.apps.v1.Deployment,
            f"{name}-deployment",
            adopted(child, "deployment"),
            metadata=object_metadata(name, namespace, app.labels),
            spec=deployment_spec(app.selector, app.labels, app.replicas, pod, env.env, env.template_metadata),
        )
        self.disruption_budget = None
        if app.budget is not None:
            self.disruption_budget = self.child(
                k8s.policy.v1.PodDisruptionBudget,
                f"{name}-disruption-budget",
                adopted(child, "disruption_budget"),
                metadata=object_metadata(name, namespace, app.labels),
                spec=pdb_spec(app.selector, app.budget),
            )
        self.autoscaler = None
        if app.autoscaling is not None:
            self.autoscaler = self.child(
                k8s.autoscaling.v2.HorizontalPodAutoscaler,
                f"{name}-autoscaler",
                adopted(child, "autoscaler"),
                metadata=object_metadata(name, namespace, app.labels),
                spec=hpa_spec(name, app.autoscaling),
            )
        self.service = self.child(
            k8s.core.v1.Service,
            f"{name}-service",
            adopted(child, "service"),
            metadata=object_metadata(name, namespace, app.labels, app.service.annotations),
            spec=service_spec(app.service),
        )
        self.network_policy = None
        if app.network_policy:
            self.network_policy = self.child(
                k8s.networking.v1.NetworkPolicy,
                f"{name}-network-policy",
                adopted(child, "network_policy"),
                metadata=object_metadata(name, namespace, app.labels),
                spec=network_policy_spec(app.selector, app.service.ports, app.admission),
            )
        if app.admission.callers:
            at_program_end(
                f"allowed_callers:{id(self)}",
                functools.partial(check_callers, check, namespace, app.admission.callers),
            )
        self.ingress, self.http_route = None, None
        if app.route is not None and app.ingress is not None:
            self.ingress = self.child(
                k8s.networking.v1.Ingress,
                f"{name}-ingress",
                adopted(child, "ingress"),
                metadata=object_metadata(name, namespace, app.labels, app.ingress.annotations),
                spec=ingress_spec(app.route, name, app.ingress.class_name, app.ingress.tls_secret),
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
        outputs = service_outputs(
            self.service, name, namespace, app.service, app.node_address, self.recorded_state(self.service)
        )
        router = self.ingress or self.http_route
        url = outputs.url if app.route is None or router is None else self.fixed(app.route.url(), router)
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
    service_type = parse_service_type(check, args)
    if service_type is None:
        service_type = (
            profile.public_service_type
            if parse_exposure(check, args) is Exposure.PUBLIC
            else ServiceSpecType.CLUSTER_IP
        )

    extra_labels = check.labels("labels", args.get("labels"))
    adoption = parse_adopt(check, args.get("adopt"), _ADOPT_FIELDS)
    selector = adoption.selector or {NAME_LABEL: name}
    adopted = adoption.selector or {}
    clash = next((k for k in adopted if k in extra_labels and extra_labels[k] != adopted[k]), None)
    if clash is not None:
        check.fail(
            f"labels[{clash!r}]",
            extra_labels[clash],
            f"differs from adopt.selector's {adopted[clash]!r}",
            "the Pods must carry the adopted selector: remove the label or give it the selector's value",
        )
    if NAME_LABEL in extra_labels:
        check.fail(
            f"labels[{NAME_LABEL!r}]",
            extra_labels[NAME_LABEL],
            "is set by kubexpose",
            "remove it; the selector is derived from the component name so it never changes",
        )
    labels = {**extra_labels, NAME_LABEL: name, **selector}

    container_ports = parse_container_ports(check, args.get("container_ports"), ports)
    service, node_ports = parse_service(check, args, profile, service_type, ports, selector)
    scaling = parse_autoscaling(check, args)
    replicas = (
        None
        if scaling
        else check.input("replicas", args.get("replicas", 1), lambda value: check_replicas(check, value))
    )
    count = scaling.min_replicas if scaling else (replicas if isinstance(replicas, int) else None)
    budget = parse_budget(check, args.get("disruption_budget"), count)
    spread = enabled(check, args, "spread") and (count is None or count >= 2)
    account = args.get("service_account")
    if account is not None:
        account = check.dns_subdomain("service_account", account, "ServiceAccount")
    pod = replace(
        parse_pod(check, name, args, image, container_ports, ports),
        service_account=account or name,
        spread=tuple(spread_constraints(selector, profile.zones)) if spread else (),
    )
    if scaling is not None:
        check_requests(check, scaling, pod.resources)
    route, router_port = parse_route(check, args, profile, ports, service_type)
    network_policy = check_bool(check, args, "network_policy", True)
    admission = parse_admission(check, args, service_type, network_policy, profile, router_port)
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
        adoption=adoption,
    )
