"""Exposure policies an organisation enforces at `pulumi preview --policy-pack policy/`.

Each rule is a plain function `(args, report_violation)` so it can be unit-tested with constructed
arguments; :data:`POLICIES` wraps them for the pack (`__main__.py` builds the `PolicyPack`).
Props are the Kubernetes objects as Pulumi sends them to the provider (camelCase).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

SERVICE = "kubernetes:core/v1:Service"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
STATEFUL_SET = "kubernetes:apps/v1:StatefulSet"
WORKLOADS = (DEPLOYMENT, STATEFUL_SET)  # the kinds whose Pods serve (a Service selects them)
PODS = (*WORKLOADS, "kubernetes:batch/v1:Job", "kubernetes:batch/v1:CronJob")  # every kind whose Pods kubexpose writes
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
HTTP_ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute"
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
RUN_OF_LABEL = "kubexpose.dev/run-of"  # on a migration's or job's Pods: the app they run for
PDB = "kubernetes:policy/v1:PodDisruptionBudget"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
ALL_SERVICE_TYPES = ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"]
DEFAULT_NODE_PORT_RANGE = "30000-32767"


def _template(props: Mapping[str, Any]) -> Mapping[str, Any]:
    """The Pod template of a workload's props (a CronJob's is inside its `jobTemplate`)."""
    spec = props.get("spec") or {}
    return ((spec.get("jobTemplate") or {}).get("spec") or spec).get("template") or {}


def _name(props: Mapping[str, Any], fallback: str) -> str:
    return str((props.get("metadata") or {}).get("name") or fallback)


def service_type_allowed(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """A Service's type must be one the stack allows (config `allowedServiceTypes`)."""
    if args.resource_type != SERVICE:
        return
    allowed = list(args.get_config().get("allowedServiceTypes") or ALL_SERVICE_TYPES)
    service_type = (args.props.get("spec") or {}).get("type") or "ClusterIP"
    if service_type not in allowed:
        report_violation(
            f"Service '{_name(args.props, args.name)}' is {service_type}, but this stack allows only "
            f"{', '.join(allowed)}; use Exposure.INTERNAL or set kubexpose:publicServiceType to an allowed type.",
            None,
        )


def node_port_in_range(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Fixed node ports must lie inside the cluster's node-port range (config `nodePortRange`)."""
    if args.resource_type != SERVICE:
        return
    text = str(args.get_config().get("nodePortRange") or DEFAULT_NODE_PORT_RANGE)
    low, high = (int(part) for part in text.split("-", 1))
    for port in (args.props.get("spec") or {}).get("ports") or []:
        node_port = port.get("nodePort")
        if node_port is not None and not low <= int(node_port) <= high:
            report_violation(
                f"Service '{_name(args.props, args.name)}' uses node port {int(node_port)}, outside {low}-{high}; "
                "pick a port in the range or omit it to let Kubernetes allocate one.",
                None,
            )


def external_name_is_a_hostname(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """An ExternalName must be a DNS name: CoreDNS never resolves an IP written there."""
    if args.resource_type != SERVICE:
        return
    spec = args.props.get("spec") or {}
    if spec.get("type") != "ExternalName":
        return
    target = str(spec.get("externalName") or "").rstrip(".")
    try:
        ipaddress.ip_address(target.strip("[]"))
    except ValueError:
        return
    report_violation(
        f"Service '{_name(args.props, args.name)}' points externalName at the IP {target}, which is never "
        "resolved; use ExternalAlias with the IP as target (a selector-less Service plus an EndpointSlice).",
        None,
    )


_SECURE_CHECKS: list[tuple[str, Callable[[Mapping[str, Any], Mapping[str, Any]], bool]]] = [
    ("runAsNonRoot", lambda pod, c: bool((c.get("securityContext") or {}).get("runAsNonRoot", (pod.get("securityContext") or {}).get("runAsNonRoot")))),
    ("allowPrivilegeEscalation: false", lambda pod, c: (c.get("securityContext") or {}).get("allowPrivilegeEscalation") is False),
    ("readOnlyRootFilesystem", lambda pod, c: (c.get("securityContext") or {}).get("readOnlyRootFilesystem") is True),
    ("capabilities drop ALL", lambda pod, c: "ALL" in (((c.get("securityContext") or {}).get("capabilities") or {}).get("drop") or [])),
    ("privileged: false", lambda pod, c: not (c.get("securityContext") or {}).get("privileged", False)),
    ("seccompProfile RuntimeDefault", lambda pod, c: ((c.get("securityContext") or {}).get("seccompProfile") or (pod.get("securityContext") or {}).get("seccompProfile") or {}).get("type") in ("RuntimeDefault", "Localhost")),
]  # fmt: skip


def _containers(pod: Mapping[str, Any]) -> list[Any]:
    """Every container of a Pod spec, its init containers (sidecars among them) included."""
    return [*(pod.get("containers") or []), *(pod.get("initContainers") or [])]


def secure_pod_defaults(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Deployments keep kubexpose's secure Pod defaults unless an exception is granted by config."""
    if args.resource_type not in PODS:
        return
    exempt = set(args.get_config().get("exemptDeployments") or [])
    name = _name(args.props, args.name)
    if name in exempt:
        return
    pod = _template(args.props).get("spec") or {}
    missing: list[str] = []
    if pod.get("automountServiceAccountToken") is not False:
        missing.append("automountServiceAccountToken: false")
    for container in _containers(pod):  # sidecars too
        for label, ok in _SECURE_CHECKS:
            if not ok(pod, container):
                missing.append(f"{label} (container {container.get('name')})")
    if missing:
        report_violation(
            f"{args.resource_type.split(':')[-1]} '{name}' lacks secure Pod defaults: {', '.join(missing)}; keep kubexpose's defaults "
            "or list the Deployment in exemptDeployments with a reason.",
            None,
        )


def drain_within_grace_period(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """A container's pre-stop wait (`lifecycle.preStop.sleep`) ends before the Pod's grace period: the kubelet kills
    the container when the grace period ends, so a wait as long as it leaves the app no time to shut down."""
    if args.resource_type not in PODS:
        return
    pod = _template(args.props).get("spec") or {}
    grace = pod.get("terminationGracePeriodSeconds", 30)
    for container in _containers(pod):
        sleep = (((container.get("lifecycle") or {}).get("preStop") or {}).get("sleep") or {}).get("seconds")
        if isinstance(sleep, int) and isinstance(grace, int) and sleep >= grace:
            report_violation(
                f"{args.resource_type.split(':')[-1]} '{_name(args.props, args.name)}': container {container.get('name')} waits {sleep} s "
                f"before SIGTERM, but the Pod's grace period is {grace} s: the kubelet kills it while it still "
                "drains; make terminationGracePeriodSeconds longer than the wait (kubexpose: drain_seconds, "
                "termination_grace_period_seconds).",
                None,
            )


def data_on_volumes(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """A path the Pod template declares as data (`kubexpose.dev/data-paths`, an ExposedStatefulSet's volumes) is
    mounted from a claim, never from an emptyDir, which every restart, drain or rollout empties."""
    if args.resource_type not in PODS:
        return
    spec = args.props.get("spec") or {}
    template = _template(args.props)
    declared = ((template.get("metadata") or {}).get("annotations") or {}).get("kubexpose.dev/data-paths") or ""
    volumes = {v.get("name"): v for v in (template.get("spec") or {}).get("volumes") or []}
    claims = {(c.get("metadata") or {}).get("name") for c in spec.get("volumeClaimTemplates") or []}
    for container in _containers(template.get("spec") or {}):
        for mount in container.get("volumeMounts") or []:
            volume = volumes.get(mount.get("name")) or {}
            if (
                mount.get("mountPath") in declared.split(",")
                and mount.get("name") not in claims
                and ("persistentVolumeClaim" not in volume)
            ):
                report_violation(
                    f"{args.resource_type.split(':')[-1]} '{_name(args.props, args.name)}' keeps data at "
                    f"{mount.get('mountPath')} (kubexpose.dev/data-paths) on volume {mount.get('name')}, which is no "
                    "claim: a restart, drain or rollout empties it. Mount a claim there (ExposedStatefulSet volumes).",
                    None,
                )


def _pod_labels(deployment: PolicyResource) -> dict[str, str]:
    return dict((_template(deployment.props).get("metadata") or {}).get("labels") or {})


def _namespace(resource: PolicyResource) -> str:
    return str((resource.props.get("metadata") or {}).get("namespace") or "default")


def services_select_a_deployment(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """Every Service with a selector must select the Pod labels of some Deployment in its namespace."""
    deployments = [r for r in args.resources if r.resource_type in WORKLOADS]
    for service in (r for r in args.resources if r.resource_type == SERVICE):
        selector = (service.props.get("spec") or {}).get("selector") or {}
        if not selector:
            continue
        if not any(
            _namespace(d) == _namespace(service) and selector.items() <= _pod_labels(d).items() for d in deployments
        ):
            report_violation(
                f"Service '{_name(service.props, service.name)}' selects {selector}, which matches no Deployment's "
                f"Pods in namespace '{_namespace(service)}'; it would route to nothing. Fix the selector or the labels.",
                service.urn,
            )


# A call is an env value naming a Service as `name:port`, `scheme://name[:port]` or `name.<ns>.svc...`. The
# pack runs in its own virtualenv (no kubexpose installed), so this reading of env values is its own.
_CALL = re.compile(r"(?:^|[/@])([a-z0-9-]+)(?:\.([a-z0-9-]+)\.svc[a-z0-9.-]*)?(?::(\d+))?(?=/|$)")


def _calls(deployment: PolicyResource) -> list[tuple[str, str, int | None]]:
    """`(service, namespace, port)` for each Service the Deployment's env values call."""
    pod = _template(deployment.props).get("spec") or {}
    values = [e.get("value") for c in pod.get("containers") or [] for e in c.get("env") or []]
    out = []
    for value in values:
        if not isinstance(value, str):
            continue
        for name, namespace, port in _CALL.findall(value):
            out.append((name, namespace or _namespace(deployment), int(port) if port else None))
    return out


def _peer_admits(peer: Mapping[str, Any], policy_namespace: str, caller: PolicyResource) -> bool:
    """Does one `from` peer of a NetworkPolicy in `policy_namespace` match the caller's Pods?"""
    if "ipBlock" in peer:
        return False  # Pod-to-Pod traffic is matched by selectors, not by IP blocks
    namespace_selector = peer.get("namespaceSelector")
    if namespace_selector is None:
        namespace_ok = _namespace(caller) == policy_namespace
    else:
        wanted = namespace_selector.get("matchLabels") or {}
        namespace_ok = all(
            key == NAMESPACE_NAME_LABEL and value == _namespace(caller) for key, value in wanted.items()
        ) and not namespace_selector.get("matchExpressions")
    pod_selector = peer.get("podSelector")
    pods_ok = pod_selector is None or (
        (pod_selector.get("matchLabels") or {}).items() <= _pod_labels(caller).items()
        and not pod_selector.get("matchExpressions")
    )
    return namespace_ok and pods_ok


def _rule_admits(rule: Mapping[str, Any], policy_namespace: str, caller: PolicyResource, target: Any) -> bool:
    ports = rule.get("ports")
    if ports and target is not None and not any(p.get("port") in (None, target) for p in ports):
        return False
    peers = rule.get("from")
    return not peers or any(_peer_admits(peer, policy_namespace, caller) for peer in peers)


def calls_are_admitted(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """A Deployment calling a Service (an env value naming it) must be admitted by the NetworkPolicies that
    select the Service's Pods: otherwise the call times out in the cluster."""
    services = {(_namespace(r), _name(r.props, r.name)): r for r in args.resources if r.resource_type == SERVICE}
    deployments = [r for r in args.resources if r.resource_type in WORKLOADS]
    policies = [r for r in args.resources if r.resource_type == NETWORK_POLICY]
    for caller in (r for r in args.resources if r.resource_type in PODS):
        for name, namespace, port in _calls(caller):
            service = services.get((namespace, name))
            spec = (service.props.get("spec") or {}) if service else {}
            selector = spec.get("selector") or {}
            if not selector:
                continue  # no such Service, or an alias outside the cluster
            target: Any = None
            for p in spec.get("ports") or []:
                if port is None or p.get("port") == port:
                    target = p.get("targetPort", p.get("port"))
                    break
            callees = [
                d for d in deployments if _namespace(d) == namespace and selector.items() <= _pod_labels(d).items()
            ]
            for callee in callees:
                selecting = [
                    p
                    for p in policies
                    if _namespace(p) == namespace
                    and "Ingress" in ((p.props.get("spec") or {}).get("policyTypes") or ["Ingress"])
                    and (((p.props.get("spec") or {}).get("podSelector") or {}).get("matchLabels") or {}).items()
                    <= _pod_labels(callee).items()
                ]
                if selecting and not any(
                    _rule_admits(rule, namespace, caller, target)
                    for p in selecting
                    for rule in (p.props.get("spec") or {}).get("ingress") or []
                ):
                    report_violation(
                        f"{caller.resource_type.split(':')[-1]} '{_name(caller.props, caller.name)}' calls Service '{name}' in namespace "
                        f"'{namespace}', but NetworkPolicy "
                        f"'{_name(selecting[0].props, selecting[0].name)}' admits no traffic from its Pods; add "
                        f"'{_pod_labels(caller).get(RUN_OF_LABEL) or _name(caller.props, caller.name)}' to the callee's "
                        "allowed_callers.",
                        caller.urn,
                    )


def routes_reach_a_service(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """Every Ingress and HTTPRoute backend names a port of a Service in the route's namespace."""
    services = {(_namespace(r), _name(r.props, r.name)): r for r in args.resources if r.resource_type == SERVICE}
    for route in (r for r in args.resources if r.resource_type in (INGRESS, HTTP_ROUTE)):
        spec = route.props.get("spec") or {}
        backends: list[tuple[Any, Any]] = []
        if route.resource_type == INGRESS:
            for rule in spec.get("rules") or []:
                for path in (rule.get("http") or {}).get("paths") or []:
                    service = (path.get("backend") or {}).get("service") or {}
                    port = service.get("port") or {}
                    backends.append((service.get("name"), port.get("number", port.get("name"))))
        else:
            backends = [
                (b.get("name"), b.get("port"))
                for rule in spec.get("rules") or []
                for b in rule.get("backendRefs") or []
            ]
        for name, port in backends:
            service = services.get((_namespace(route), str(name)))
            ports = [
                (p.get("port"), p.get("name"))
                for p in ((service.props.get("spec") or {}) if service else {}).get("ports") or []
            ]
            if not any(port in pair for pair in ports):
                report_violation(
                    f"{route.resource_type.split(':')[-1]} '{_name(route.props, route.name)}' sends traffic to "
                    f"{name}:{port}, which is no port of a Service in namespace '{_namespace(route)}'; fix the backend.",
                    route.urn,
                )


def _replicas(deployment: PolicyResource, resources: list[PolicyResource]) -> int:
    """The fewest Pods the Deployment runs: its HPA's minReplicas, else spec.replicas (1 when unset)."""
    name = _name(deployment.props, deployment.name)
    for hpa in resources:
        spec = hpa.props.get("spec") or {}
        if (
            hpa.resource_type == HPA
            and _namespace(hpa) == _namespace(deployment)
            and (spec.get("scaleTargetRef") or {}).get("name") == name
        ):
            return int(spec.get("minReplicas", 1))
    return int((deployment.props.get("spec") or {}).get("replicas", 1))


def _budget_pods(value: Any, replicas: int) -> int:
    """A PDB bound in Pods: an int, or a percent of the replicas (rounded up, as the disruption controller does)."""
    if isinstance(value, str) and value.endswith("%"):
        return -(-int(value[:-1]) * replicas // 100)
    return int(value)


def budgets_allow_drains(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """A PodDisruptionBudget must let a node drain evict at least one Pod of each Deployment it covers
    (else `kubectl drain` and cluster upgrades hang) and still protect something."""
    deployments = [r for r in args.resources if r.resource_type in WORKLOADS]
    for pdb in (r for r in args.resources if r.resource_type == PDB):
        spec = pdb.props.get("spec") or {}
        selector = (spec.get("selector") or {}).get("matchLabels") or {}
        for deployment in deployments:
            if _namespace(deployment) != _namespace(pdb) or not selector.items() <= _pod_labels(deployment).items():
                continue
            replicas = _replicas(deployment, args.resources)
            if "minAvailable" in spec:
                evictable = replicas - _budget_pods(spec["minAvailable"], replicas)
            else:
                evictable = _budget_pods(spec.get("maxUnavailable", 0), replicas)
            if evictable < 1:
                report_violation(
                    f"PodDisruptionBudget '{_name(pdb.props, pdb.name)}' lets no Pod of Deployment "
                    f"'{_name(deployment.props, deployment.name)}' ({replicas} replica(s)) be evicted: every node drain "
                    "would hang. Lower minAvailable, raise maxUnavailable, or add replicas.",
                    pdb.urn,
                )


def _per_cluster(name: str, description: str, rule: Callable[..., None]) -> StackValidationPolicy:
    """A program-wide rule, run once per cluster: over the resources of one kubernetes provider (a Service in one
    cluster never selects another cluster's Pods)."""

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        clusters: dict[str, list[PolicyResource]] = {}
        for resource in args.resources:
            clusters.setdefault(str(getattr(resource.provider, "urn", "") or ""), []).append(resource)
        for resources in clusters.values():
            rule(StackValidationArgs(resources, args.get_config()), report_violation)

    return StackValidationPolicy(
        name=name, description=description, validate=validate, enforcement_level=EnforcementLevel.MANDATORY
    )


POLICIES = [
    ResourceValidationPolicy(
        name="kubexpose-service-type-allowed",
        description="Services use only the types the stack allows (e.g. no LoadBalancer or NodePort).",
        validate=service_type_allowed,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=PolicyConfigSchema(
            properties={
                "allowedServiceTypes": {
                    "type": "array",
                    "items": {"type": "string", "enum": ALL_SERVICE_TYPES},
                    "default": ALL_SERVICE_TYPES,
                }
            }
        ),
    ),
    ResourceValidationPolicy(
        name="kubexpose-node-port-range",
        description="Fixed node ports lie inside the cluster's node-port range.",
        validate=node_port_in_range,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=PolicyConfigSchema(
            properties={
                "nodePortRange": {"type": "string", "pattern": r"^\d+-\d+$", "default": DEFAULT_NODE_PORT_RANGE}
            }
        ),
    ),
    ResourceValidationPolicy(
        name="kubexpose-external-name-not-ip",
        description="ExternalName Services point at DNS names, never at IP addresses.",
        validate=external_name_is_a_hostname,
        enforcement_level=EnforcementLevel.MANDATORY,
    ),
    ResourceValidationPolicy(
        name="kubexpose-secure-pod-defaults",
        description="Deployments run non-root, read-only, without privilege escalation, capabilities or token.",
        validate=secure_pod_defaults,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=PolicyConfigSchema(
            properties={"exemptDeployments": {"type": "array", "items": {"type": "string"}, "default": []}}
        ),
    ),
    ResourceValidationPolicy(
        name="kubexpose-data-on-volumes",
        description="A path declared as data is mounted from a claim, never an emptyDir.",
        validate=data_on_volumes,
        enforcement_level=EnforcementLevel.MANDATORY,
    ),
    ResourceValidationPolicy(
        name="kubexpose-drain-within-grace-period",
        description="A container's pre-stop wait ends before the Pod's termination grace period.",
        validate=drain_within_grace_period,
        enforcement_level=EnforcementLevel.MANDATORY,
    ),
    _per_cluster(
        "kubexpose-service-selects-a-deployment",
        "Every Service with a selector selects the Pods of some Deployment in the stack.",
        services_select_a_deployment,
    ),
    _per_cluster(
        "kubexpose-calls-admitted",
        "A Deployment that calls a Service is admitted by the NetworkPolicies of the Service's Pods.",
        calls_are_admitted,
    ),
    _per_cluster(
        "kubexpose-disruption-budget-allows-drains",
        "Every PodDisruptionBudget lets a node drain evict at least one Pod of what it covers.",
        budgets_allow_drains,
    ),
    _per_cluster(
        "kubexpose-routes-reach-a-service",
        "Every Ingress and HTTPRoute backend is a port of a Service in its namespace.",
        routes_reach_a_service,
    ),
]
"""The pack's policies, in the order `pulumi preview --policy-pack` reports them."""
