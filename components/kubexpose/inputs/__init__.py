"""Every input type of kubexpose's components, in one place: the arguments of ExposedDeployment and
ExternalAlias and the nested types they take.

The component provider derives the package schema from these classes and their field docstrings. A type's
schema token is its name without the `Args` suffix (`PortArgs` is `kubexpose:index:Port`), so that every
generated SDK reads `PortArgs`, as pulumi-kubernetes' do; the docstrings speak Python, and the schema writes
them in words that hold in every language (`kubexpose.provider`).
"""

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any, NotRequired, TypedDict

import pulumi

from .placement import (
    AutoscalingArgs,
    DisruptionBudgetArgs,
    NodeAffinityArgs,
    NodeRequirementArgs,
    NodeTermArgs,
    PodAffinityTermArgs,
    PreferredNodeTermArgs,
    RolloutArgs,
    SpreadArgs,
    TolerationArgs,
)
from .pod import (
    CapabilitiesArgs,
    ContainerArgs,
    ContainerPortArgs,
    EnvRefArgs,
    ExecArgs,
    GrpcArgs,
    HttpGetArgs,
    HttpHeaderArgs,
    MountArgs,
    PodSecurityContextArgs,
    ProbeArgs,
    ResourcesArgs,
    SeccompProfileArgs,
    SecurityContextArgs,
    TcpSocketArgs,
)
from .runs import JobArgs, MigrationArgs, VersionArgs


class Exposure(StrEnum):
    """Who may call an app: the stack turns PUBLIC into its public Service type."""

    INTERNAL = "internal"
    """Reachable only inside the cluster (a ClusterIP Service)."""
    PUBLIC = "public"
    """Reachable from outside the cluster (NodePort or LoadBalancer, as the stack's profile says)."""


class ServiceType(StrEnum):
    """A Service type an ExposedDeployment may be given explicitly (it then wins over the exposure)."""

    CLUSTER_IP = "ClusterIP"
    """Reachable inside the cluster only, at a stable virtual IP."""
    NODE_PORT = "NodePort"
    """Reachable on a port of every node (and inside the cluster)."""
    LOAD_BALANCER = "LoadBalancer"
    """Reachable through the cloud's load balancer (and on a node port, and inside the cluster)."""


class AdoptArgs(TypedDict):
    """Resources of an earlier program (raw pulumi-kubernetes resources, or another component's children) whose live
    objects this component's children take over: each child gets the alias that keeps its resource, so
    `pulumi up` updates the live object instead of deleting it. Give the Pulumi name of a top-level resource of
    the same type in this stack, or its whole URN (`pulumi stack --show-urns`)."""

    selector: NotRequired[Mapping[str, str]]
    """The live Deployment's `spec.selector.matchLabels`, kept (a Deployment's selector cannot change in place: a
    new one replaces it). The Service, PodDisruptionBudget and NetworkPolicy select by it. Default:
    `app.kubernetes.io/name: <name>`."""
    deployment: NotRequired[str]
    """The earlier Deployment resource. Default: none."""
    service: NotRequired[str]
    """The earlier Service resource. Default: none."""
    service_account: NotRequired[str]
    """The earlier ServiceAccount resource. Default: none."""
    network_policy: NotRequired[str]
    """The earlier NetworkPolicy resource. Default: none."""
    disruption_budget: NotRequired[str]
    """The earlier PodDisruptionBudget resource. Default: none."""
    autoscaler: NotRequired[str]
    """The earlier HorizontalPodAutoscaler resource. Default: none."""
    ingress: NotRequired[str]
    """The earlier Ingress resource. Default: none."""


class AdoptServiceArgs(TypedDict):
    """The earlier resource whose live Service this alias's Service takes over (see `ExposedDeployment`'s `adopt`)."""

    service: NotRequired[str]
    """The earlier Service resource: the Pulumi name of a top-level Service in this stack, or its URN. Default: none."""


class PortArgs(TypedDict):
    """One Service port."""

    port: int
    """Port the Service listens on (callers use `<service>:<port>`). Required."""
    target_port: NotRequired[int]
    """Container port number the traffic goes to (Python may also give a port name here). Default: `port`."""
    target_port_name: NotRequired[str]
    """Name of the container port the traffic goes to (instead of `target_port`), e.g. `http`. Default: none."""
    name: NotRequired[str]
    """Port name (DNS-1123 label); required once there are several ports. Default: none."""
    protocol: NotRequired[str]
    """`TCP`, `UDP` or `SCTP`. Default: `TCP`."""
    node_port: NotRequired[int]
    """Fixed node port (NodePort/LoadBalancer only), inside the stack's range. Default: allocated."""
    app_protocol: NotRequired[str]
    """The application protocol, for routers and meshes that read it: an IANA service name (`http`, `https`, `grpc`)
    or a prefixed name (`kubernetes.io/h2c`, `kubernetes.io/ws`). Default: none."""


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


class VolumeClaimArgs(TypedDict):
    """A volume each Pod of a stateful app gets for itself (a PersistentVolumeClaim from a claim template)."""

    name: str
    """The volume's name (the claims are `<name>-<app>-<ordinal>`). Required."""
    path: str
    """Absolute directory it is mounted at, writable, e.g. `/data`. Required."""
    size: str
    """Its size, e.g. `10Gi` (written as the API server stores it). Required."""
    storage_class: NotRequired[str]
    """The StorageClass. Default: the cluster's default class."""
    access_mode: NotRequired[str]
    """`ReadWriteOnce`, `ReadWriteOncePod`, `ReadWriteMany` or `ReadOnlyMany`. Default: `ReadWriteOnce`."""


class RetentionArgs(TypedDict):
    """What happens to the Pods' volumes when the app goes or shrinks."""

    when_deleted: NotRequired[str]
    """`Retain` or `Delete`: the claims when the app is deleted. Default: `Retain` (the data outlives the app)."""
    when_scaled: NotRequired[str]
    """`Retain` or `Delete`: the claims of Pods a scale-down removes. Default: `Retain`."""


class NetworkArgs(TypedDict):
    """Addresses outside the cluster an app may call."""

    cidr: str
    """An IPv4 or IPv6 block, e.g. `10.20.0.0/16` or `203.0.113.7/32`."""
    ports: NotRequired[Sequence[int]]
    """TCP ports. Default: every port."""


class EgressArgs(TypedDict):
    """Whom an app's Pods may call."""

    restricted: NotRequired[bool]
    """Allow only DNS, the apps and ExternalAliases the app calls (named in an `env` value such as `orders:8080` or
    `http://orders.shop`, or in `apps`) and the `networks`. Default: the stack's (`kubexpose:egress`), else open."""
    apps: NotRequired[Sequence[str]]
    """Apps or ExternalAliases the app calls that no `env` value names: `name` (the app's namespace) or
    `name.namespace`. Default: none."""
    networks: NotRequired[Sequence[NetworkArgs]]
    """Addresses outside the cluster the app calls. Default: none."""


class PatchOperationArgs(TypedDict):
    """One JSON Patch operation (RFC 6902) on an object the component writes, addressed as `kubectl get -o yaml` shows
    it (camelCase names): the escape hatch for a field kubexpose has no argument for."""

    op: str
    """`add`, `remove`, `replace`, `test`, `move` or `copy`."""
    path: str
    """A JSON Pointer into the object, e.g. `/spec/template/spec/hostAliases` (`~1` stands for `/` in a name:
    `/metadata/annotations/example.com~1team`)."""
    value: NotRequired[Any]
    """The value to add, replace with or test for (plain data; not an Output: it is checked before registration)."""
    from_path: NotRequired[str]
    """The JSON Pointer a `move` or `copy` takes its value from (JSON Patch's `from`)."""


class WorkloadArgs(TypedDict):
    """What every component that runs an app's Pods takes: the container, its Pod, its env, files and secrets, its
    scheduling and its availability (the app components add how callers reach it; a Worker takes these alone)."""

    name: NotRequired[str]
    """The app's name in the cluster: its objects, its Service's DNS name, its labels. Default: the component's
    name. A program that serves one app in several clusters gives each its own component name (`api-east`,
    `api-west`, each with its cluster's provider) and the same `name` (`api`)."""
    image: pulumi.Input[str]
    """Container image, with a fixed tag or digest (e.g. `nginxinc/nginx-unprivileged:1.27-alpine`). Required."""
    image_pull_policy: NotRequired[str]
    """`Always` (re-check the registry at every Pod start, so a moved tag or a revoked pull right is noticed),
    `IfNotPresent` (e.g. images loaded into kind) or `Never`. Default: `Always`."""
    container_ports: NotRequired[Sequence[ContainerPortArgs]]
    """Ports the container declares. Default: one per Service port, at its target port (a Worker: none)."""
    replicas: NotRequired[pulumi.Input[int]]
    """Number of Pods. Default: 1."""
    revision_history_limit: NotRequired[int]
    """Old ReplicaSets kept for `kubectl rollout undo` (0 keeps none). Default: Kubernetes' (10)."""
    node_selector: NotRequired[Mapping[str, str]]
    """Node labels the Pods' nodes must have, e.g. `{"kubernetes.io/arch": "arm64"}`. Default: the stack's
    (`kubexpose:scheduling`), else none."""
    tolerations: NotRequired[Sequence[TolerationArgs]]
    """Taints the Pods tolerate (a dedicated node pool). Default: the stack's, else none."""
    node_affinity: NotRequired[NodeAffinityArgs]
    """Nodes the Pods must (`required`) or should (`preferred`) run on. Default: the stack's, else none."""
    pod_affinity: NotRequired[Sequence[PodAffinityTermArgs]]
    """Pods to run near (e.g. a cache on the same node). Default: the stack's, else none."""
    pod_anti_affinity: NotRequired[Sequence[PodAffinityTermArgs]]
    """Pods to run away from (e.g. the app's own Pods on other nodes, beyond spreading). Default: the stack's, else
    none."""
    priority_class_name: NotRequired[str]
    """The PriorityClass of the Pods (it must exist in the cluster). Default: the stack's, else none."""
    init_containers: NotRequired[Sequence[ContainerArgs]]
    """Steps that run to completion, one after another, before the app starts (a migration, a wait for a
    database); after the sidecars. Default: none."""
    sidecars: NotRequired[Sequence[ContainerArgs]]
    """Containers that run beside the app for the Pod's whole life (a log shipper, a proxy): Kubernetes' native
    sidecars (init containers with `restartPolicy: Always`), started before the app and stopped after it.
    Default: none."""
    drain_seconds: NotRequired[int]
    """Seconds a stopping Pod keeps serving while its endpoint leaves the Service and every load balancer, before
    the container gets SIGTERM (a pre-stop `sleep`, no shell needed); 0 sends SIGTERM at once. Default: 5."""
    termination_grace_period_seconds: NotRequired[int]
    """Seconds a stopping Pod has in all (the drain, then the app's own shutdown after SIGTERM) before it is
    killed; longer than `drain_seconds`. Default: Kubernetes' (30)."""
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
    resources: NotRequired[ResourcesArgs]
    """Requests and limits. Default: requests 50m CPU/64Mi, limits 500m CPU/256Mi."""
    readiness_probe: NotRequired[ProbeArgs | None]
    """Readiness probe; `{"disabled": True}` (Python also takes None) turns it off. Default: TCP on the first port
    (a Worker: none)."""
    liveness_probe: NotRequired[ProbeArgs | None]
    """Liveness probe; `{"disabled": True}` (Python also takes None) turns it off. Default: TCP on the first port,
    every 20 s (a Worker: none)."""
    startup_probe: NotRequired[ProbeArgs | None]
    """Startup probe for a slow-starting app: the liveness and readiness probes wait until it succeeds (e.g.
    `{"tcp_socket": {"port": 8080}, "period_seconds": 5, "failure_threshold": 60}` gives it up to 5 minutes to start).
    Default: none."""
    writable_paths: NotRequired[Sequence[str]]
    """Absolute paths mounted as writable `emptyDir`s (the root filesystem is read-only). Default: none."""
    memory_paths: NotRequired[Mapping[str, str]]
    """Absolute paths mounted as writable `emptyDir`s in memory (tmpfs: fast, gone with the Pod, counted against the
    memory limit), each with its size limit (`{"/dev/shm": "256Mi"}`; `""`: none beyond the memory limit).
    Default: none."""
    security_context: NotRequired[SecurityContextArgs]
    """Container security-context fields over the secure defaults (e.g. `{"read_only_root_filesystem": False}`)."""
    pod_security_context: NotRequired[PodSecurityContextArgs]
    """Pod security-context fields over the secure defaults (e.g. `{"run_as_user": 101}`)."""
    automount_service_account_token: NotRequired[bool]
    """Mount the service-account token into Pods. Default: false."""
    network_policy: NotRequired[bool]
    """Create a NetworkPolicy admitting only what the exposure promises on the app's ports (for an internal
    app its `allowed_callers` and `allowed_namespaces`, else the Pods of its own namespace; any source for a public
    one; no one for a Worker). Default: true."""
    migration: NotRequired[MigrationArgs]
    """A command run as a Job, in the app's image, env, Secret, files and security context, that must succeed before
    the Deployment changes: named from its content, it runs again only when the Job would differ (a new image,
    command or env); a failure stops the `up` with the Job's reason and the old Pods keep serving. A migration is
    never rolled back. Default: none."""
    jobs: NotRequired[Mapping[str, JobArgs]]
    """Jobs by name (a DNS label; `<app>-<job>` at most 52 characters) that run in the app's Pod: on a `schedule`
    (a CronJob), or once (a Job the `up` waits for). Their Pods carry no label the app's Service selects. Default:
    none."""
    egress: NotRequired[EgressArgs]
    """Whom the app's Pods may call: with `restricted`, only DNS and what the program says the app calls (the
    NetworkPolicy gains `Egress` rules). Default: the stack's (`kubexpose:egress`), else anyone."""
    disruption_budget: NotRequired[DisruptionBudgetArgs]
    """The app's PodDisruptionBudget. Default: `maxUnavailable: 1` for 2+ replicas, none for one."""
    spread: NotRequired[SpreadArgs]
    """Spreading of the Pods. Default: over nodes (and zones with `kubexpose:zones`) for 2+ replicas."""
    service_account: NotRequired[str]
    """An existing ServiceAccount for the Pods. Default: one named after the app, made for it (no token mounted)."""
    image_pull_secrets: NotRequired[Sequence[str]]
    """Secrets with registry credentials for the image. Default: none."""
    pod_annotations: NotRequired[Mapping[str, str]]
    """Annotations on the Pods (e.g. `prometheus.io/scrape`). Default: none."""
    mounts: NotRequired[Sequence[MountArgs]]
    """ConfigMaps and Secrets mounted read-only. Default: none."""
    files: NotRequired[Mapping[str, pulumi.Input[str]]]
    """Config files by absolute path, each with its content: `{"/etc/app/config.yaml": "level: info\\n"}`. They go
    into the ConfigMap `<name>-files` the component owns (a secret Output's content into the Secret `<name>-files`)
    and are mounted read-only at their paths; a changed file rolls the Pods once, an unchanged one never. Default:
    none."""
    patches: NotRequired[Mapping[str, Sequence[PatchOperationArgs]]]
    """JSON Patch operations per kind of object the component writes (`Deployment` or `StatefulSet`, `Service`,
    `NetworkPolicy`, `ServiceAccount`, `PodDisruptionBudget`, `HorizontalPodAutoscaler`, `Ingress`, the `Job` of the
    migration and of the jobs that run once, the `CronJob` of the scheduled ones), applied as the last step on every
    path, checked against the Kubernetes types, and refused where they would change what kubexpose's guarantees rest
    on (names, namespace, selectors, env and the Secret routing). The object is annotated `kubexpose.dev/patched`.
    Default: none."""


class AppArgs(WorkloadArgs):
    """What every app component takes: its Pods' inputs and how callers reach it, through its Service (ExposedDeployment
    and ExposedStatefulSet add their own)."""

    port: NotRequired[int]
    """Shorthand for `ports=[port]`."""
    ports: NotRequired[Sequence[PortArgs]]
    """Service ports, `{port, target_port?, target_port_name?, name?, protocol?, node_port?}` (Python may also
    give plain numbers). Required unless `port` is given."""
    exposure: NotRequired[Exposure]
    """`internal` (ClusterIP) or `public` (the stack's public type); Python may give the text in any case. Default: internal."""
    service_type: NotRequired[ServiceType]
    """Explicit Service type (`ClusterIP`, `NodePort`, `LoadBalancer`; Python may also give the text or
    pulumi_kubernetes' `ServiceSpecType`); wins over `exposure`. Default: from `exposure`."""
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
    allowed_callers: NotRequired[Sequence[str]]
    """Apps (ExposedDeployments of this program, in the same namespace) whose Pods may call this internal app.
    Default: every Pod of its namespace (unless `allowed_namespaces` is given)."""
    allowed_namespaces: NotRequired[Sequence[str]]
    """Namespaces whose Pods may call this internal app. Default: none beyond `allowed_callers`."""
    http: NotRequired[HttpArgs]
    """Route `host` + `path` to the app through the stack's router (an Ingress or a Gateway API HTTPRoute,
    as `kubexpose:ingress` / `kubexpose:gateway` say); the Service stays ClusterIP. Default: none."""


class ExposedDeploymentArgs(AppArgs):
    """Inputs of :class:`ExposedDeployment`. Only `image` and a port are required."""

    rollout: NotRequired[RolloutArgs]
    """How a change replaces the Pods. Default: a rolling update with `max_unavailable` 0 and `max_surge` 25%."""
    autoscaling: NotRequired[AutoscalingArgs]
    """Scale between `min_replicas` and `max_replicas` on CPU/memory use (instead of `replicas`). Default: none."""
    adopt: NotRequired[AdoptArgs]
    """Take over the live objects of an earlier program's resources (moving from raw pulumi-kubernetes resources):
    `{"deployment": "myapp", "service": "myapp", "selector": {"app": "myapp"}}`. Default: none."""
    versions: NotRequired[Mapping[str, VersionArgs]]
    """Several versions behind the app's one Service, by name (a DNS label starting with a letter, e.g. `v1`,
    `canary`): a Deployment `<app>-<version>` each (its image, replicas, env over the app's), every one's Pods
    selected by the Service; the split follows the replicas, or the `weight`s on the stack's Gateway route. A version
    removed from the program stops taking traffic before its Pods go (Pulumi deletes last, after the route and the
    other versions changed; each Pod leaves the Service, drains and stops). Not with `autoscaling` or `adopt`.
    Default: none (one Deployment `<app>`)."""


class ExposedStatefulSetArgs(AppArgs):
    """Inputs of :class:`ExposedStatefulSet`: an app's, and the volumes each Pod keeps. Only `image`, a port and
    `volumes` are required."""

    volumes: Sequence[VolumeClaimArgs]
    """The volumes each Pod gets for itself, kept across restarts, drains and rollouts. Required."""
    retention: NotRequired[RetentionArgs]
    """What happens to the volumes when the app is deleted or scaled down. Default: kept in both cases."""


class WorkerArgs(WorkloadArgs):
    """Inputs of :class:`Worker`: an app nobody calls (a queue consumer, a load generator), so no port, Service,
    route or callers. Only `image` is required."""

    rollout: NotRequired[RolloutArgs]
    """How a change replaces the Pods. Default: a rolling update with `max_unavailable` 0 and `max_surge` 25%."""
    autoscaling: NotRequired[AutoscalingArgs]
    """Scale between `min_replicas` and `max_replicas` on CPU/memory use (instead of `replicas`). Default: none."""


class ExternalAliasArgs(TypedDict):
    """Inputs of :class:`ExternalAlias`: `target` (a DNS name) or `addresses` (IPs), and the ports."""

    name: NotRequired[str]
    """The alias's name in the cluster (its Service's DNS name). Default: the component's name (one alias in several
    clusters: a component name each, the same `name`)."""
    target: NotRequired[pulumi.Input[str]]
    """A DNS name (`api.example.com`), or an Output of one: the alias is an `ExternalName` Service (a CNAME).
    Give IP addresses in `addresses` instead. One of `target` and `addresses` is required; the stack's
    `kubexpose:aliases` entry wins over both."""
    addresses: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """IPv4 and/or IPv6 addresses of the external service, or an Output of them: the alias is a selector-less
    Service with EndpointSlices (one per family, both when the addresses come from an Output). Needs `ports`."""
    port: NotRequired[pulumi.Input[int]]
    """Shorthand for `ports=[port]`; may be an Output (e.g. a database's port)."""
    ports: NotRequired[Sequence[PortArgs]]
    """Ports callers use (numbers may be Outputs); required for `addresses`, informational for a DNS name. Default: none."""
    namespace: NotRequired[pulumi.Input[str]]
    """Namespace of the alias. Default: the stack profile's."""
    labels: NotRequired[Mapping[str, pulumi.Input[str]]]
    """Extra labels on the Service and EndpointSlices (values may be Outputs). Default: none."""
    adopt: NotRequired[AdoptServiceArgs]
    """Take over the live Service of an earlier program's resource (`{"service": "external-service"}`): its
    alias keeps the object instead of deleting it. Default: none."""
    callers_egress: NotRequired[bool]
    """Write the NetworkPolicy `<name>-callers` that lets the Pods of apps with restricted egress that call this
    alias reach its addresses (any address for a DNS name: it cannot be limited by address) on its ports.
    Default: when the stack restricts egress (`kubexpose:egress: restricted`)."""


__all__ = [
    "AdoptArgs",
    "AdoptServiceArgs",
    "AppArgs",
    "AutoscalingArgs",
    "CapabilitiesArgs",
    "ContainerArgs",
    "ContainerPortArgs",
    "DisruptionBudgetArgs",
    "EgressArgs",
    "EnvRefArgs",
    "ExecArgs",
    "ExposedDeploymentArgs",
    "ExposedStatefulSetArgs",
    "Exposure",
    "ExternalAliasArgs",
    "GrpcArgs",
    "HttpArgs",
    "HttpGetArgs",
    "HttpHeaderArgs",
    "JobArgs",
    "LoadBalancerArgs",
    "MigrationArgs",
    "MountArgs",
    "NetworkArgs",
    "NodeAffinityArgs",
    "NodeRequirementArgs",
    "NodeTermArgs",
    "PatchOperationArgs",
    "PodAffinityTermArgs",
    "PodSecurityContextArgs",
    "PortArgs",
    "PreferredNodeTermArgs",
    "ProbeArgs",
    "ResourcesArgs",
    "RetentionArgs",
    "RolloutArgs",
    "SeccompProfileArgs",
    "SecurityContextArgs",
    "ServiceType",
    "SpreadArgs",
    "TcpSocketArgs",
    "TolerationArgs",
    "VersionArgs",
    "VolumeClaimArgs",
    "WorkerArgs",
    "WorkloadArgs",
]
