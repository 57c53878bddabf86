"""What every app component shares: parsing an app's arguments, building its children, declaring them.

ExposedDeployment and ExposedStatefulSet differ in their workload (a Deployment, or a StatefulSet with a volume per
Pod and a headless Service naming each Pod) and a few arguments, and a Worker is an ExposedDeployment with no Service
(its Args type has no `ports`); everything else (the Pod, env and Secret routing, files, migration, Services,
NetworkPolicy, budget, routes, patches, outputs) is built here once.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
from pulumi_kubernetes.core.v1 import ServiceSpecType

from ...claims import Claim, at_program_end
from ...inputs import AdoptArgs, Exposure
from ...k8s.availability import Autoscaling, Budget, hpa_spec, pdb_spec, spread_constraints
from ...k8s.metadata import NAME_LABEL, object_metadata
from ...k8s.network_policy import Admission, Egress, network_policy_spec
from ...k8s.pod import PodModel, deployment_spec
from ...k8s.ports import normalize_ports
from ...k8s.route import HTTP_ROUTE_API, RouteModel, http_route_spec, ingress_spec
from ...k8s.scheduling import parse_scheduling
from ...k8s.service import ServiceModel, service_spec
from ...k8s.validation import Checker
from ...profile import GatewaySettings, IngressSettings, StackProfile
from .adopt import Adoption, parse_adopt
from .base import (
    check_args,
    check_bool,
    children_of,
    resolve_namespace,
    whole_number,
)
from .containers import parse_side_containers
from .egress import parse_egress
from .env import PodEnv, declare_env, plain_env
from .exposure import parse_exposure, parse_service, parse_service_type
from .files import PodFiles, declare_files, parse_files, plain_files, with_annotations
from .jobs import AppJob, Run, app_job_props, migration_props, parse_jobs, parse_migration, run_labels
from .outputs import logs_command, service_outputs
from .patches import Patches, parse_patches, patched
from .replicas import check_replicas, check_requests, enabled, parse_autoscaling, parse_budget
from .rollout import parse_rollout, parse_shutdown
from .routing import check_callers, parse_admission, parse_route
from .versions import VERSION_LABEL, Version, parse_versions, version_env
from .volumes import check_claim_mounts
from .workload import check_image, parse_container_ports, parse_pod, warn_on_image, warn_on_probe_ports

_ADOPT_FIELDS = frozenset(AdoptArgs.__annotations__)


@dataclass(frozen=True)
class App:
    """Everything checked and decided before the first resource is registered."""

    claim: Claim
    labels: dict[str, str]
    selector: dict[str, str]
    replicas: Any
    """An int, an Output of one, or None when an autoscaler owns the number."""
    revision_history_limit: int | None
    strategy: dict[str, Any]
    budget: Budget | None
    autoscaling: Autoscaling | None
    creates_service_account: bool
    service: ServiceModel | None
    """The Service (None: a Worker, which has none)."""
    pod: PodModel
    files: Any
    """The checked `files` (a tuple of FileModel, or an Output of one)."""
    network_policy: bool
    admission: Admission
    egress: Egress | None
    """Restricted egress (None: open)."""
    migration: Run | None
    jobs: tuple[AppJob, ...]
    versions: tuple[Version, ...]
    """Several Deployments behind the Service (none: one Deployment named like the app)."""
    resource_name: str
    """The component's Pulumi name (its children's names start with it); the app's name in the cluster is `claim`'s."""
    route: RouteModel | None
    node_address: str
    ingress: IngressSettings | None
    gateway: GatewaySettings | None
    adoption: Adoption
    patches: Patches


PATCHABLE = (
    "Deployment",
    "Service",
    "NetworkPolicy",
    "ServiceAccount",
    "PodDisruptionBudget",
    "HorizontalPodAutoscaler",
    "Ingress",
    "Job",
    "CronJob",
    "StatefulSet",
)
"""The kinds of object an app component's `patches` may change, among those it writes (a patch for a kind it does not
write is refused); its own Secrets and ConfigMap hold what its arguments give: no patch reaches them."""


Shape = Callable[[str, "App", dict[str, dict[str, Any]]], dict[str, dict[str, Any]]]
"""Turns the children's props of a Deployment app into another workload's (`(name, app, props) -> props`)."""


def declare_app(
    component: Any,
    check: Checker,
    name: str,
    args: Any,
    app: App,
    opts: pulumi.ResourceOptions | None,
    workload: str = "deployment",
    shape: Shape | None = None,
    more_outputs: Callable[[Any, App], dict[str, Any]] | None = None,
) -> None:
    """Check the patches, register `component` and declare its children and outputs: `workload` is the attribute
    of its workload child, `shape` turns the Deployment's props into the component's own (None: a Deployment)."""
    check_patches(check, name, app, type(component), shape)
    component._kubexpose_names = (name, app.resource_name)
    child = component.declare(
        check,
        app.resource_name,
        opts,
        app.claim,
        inputs=(args, app),
        slow_because="its HTTPRoute is a custom resource" if app.route and app.gateway else app.adoption.slow_because,
        patches=app.patches,
    )
    adoption = app.adoption
    namespace = app.claim.namespace
    for image in (app.pod.image, *(c.model.image for c in app.pod.init_containers)):
        warn_on_image(component, check, image)
    warn_on_probe_ports(component, check, app.pod)
    if app.service is not None and app.service.headless:
        pulumi.log.warn(
            f"{check.kind} '{name}': the Service is headless. Kubernetes cannot switch a Service between "
            "headless and a ClusterIP in place: turning `headless` on or off later makes pulumi replace it "
            "(delete, then create: callers briefly fail to resolve it). `pulumi preview` of that switch fails on "
            "the API server's dry run (`spec.clusterIPs[0]: ... may not change once set`): apply it with "
            "`pulumi up --skip-preview`.",
            resource=component,
        )
    pod = app.pod
    metadata = functools.partial(object_metadata, name, namespace, app.labels)
    if app.creates_service_account:
        account = component.add(
            "service_account", name, child, adoption, metadata=metadata(), automount_service_account_token=False
        )
        pod = replace(pod, service_account=component.name_of(account, name))  # Pods wait for their account
    env = declare_env(name, namespace, app.labels, pod, child)
    files = declare_files(component.child, name, namespace, app.labels, app.files, child)
    props = children(name, app, pod, env, files)
    props = shape(name, app, props) if shape is not None else props
    before_rollout = child
    if app.migration is not None:
        labels = run_labels(name, app.labels, app.selector, "migration")
        job_props = migration_props(name, namespace, app.migration, pod, labels, env.env, files)
        job = component.child(k8s.batch.v1.Job, f"{name}-migration", child, **job_props)
        before_rollout = pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[job]))
    for app_job in app.jobs:
        labels = run_labels(name, app.labels, app.selector, app_job.key)
        cls, job_props = app_job_props(name, namespace, app_job, pod, labels, env.env, files)
        component.child(cls, f"{name}-job-{app_job.key}", child, **job_props)
    if "pods_service" in props:  # a StatefulSet's governing Service exists before its Pods
        governing = component.add("pods_service", name, child, adoption, **props.pop("pods_service"))
        before_rollout = pulumi.ResourceOptions.merge(before_rollout, pulumi.ResourceOptions(depends_on=[governing]))
    if app.versions:
        deployments = [
            component.child(
                k8s.apps.v1.Deployment, f"{name}-{v.key}-deployment", before_rollout, **props[f"version {v.key}"]
            )
            for v in app.versions
        ]
        for v in app.versions:
            if f"version service {v.key}" in props:
                component.child(
                    k8s.core.v1.Service, f"{name}-{v.key}-service", child, **props[f"version service {v.key}"]
                )
        component.deployment = deployed = deployments[0]
    else:
        deployed = component.add(workload, name, before_rollout, adoption, **props[workload])
        deployments = [deployed]
    component.deployments = deployments
    for attribute in ("disruption_budget", "autoscaler", "service", "network_policy", "ingress"):
        if attribute in props:
            component.add(attribute, name, child, adoption, **props[attribute])
    if app.admission.callers:
        at_program_end(
            f"allowed_callers:{id(component)}",
            functools.partial(check_callers, check, namespace, app.admission.callers, component._kubexpose_cluster),
        )
    component.http_route = None
    if app.route is not None and app.gateway is not None and app.ingress is None:
        gateway = app.gateway
        component.http_route = k8s.apiextensions.CustomResource(
            component.resource_name(f"{name}-http-route"),
            api_version=HTTP_ROUTE_API,
            kind="HTTPRoute",
            metadata=object_metadata(name, namespace, app.labels),
            spec=http_route_spec(
                app.route,
                name,
                gateway.name,
                gateway.namespace,
                gateway.section_name,
                [(f"{name}-{v.key}", v.weight) for v in app.versions if v.weight is not None],
            ),
            opts=child,
        )
    served: dict[str, Any] = {}
    if app.service is not None:
        outputs = service_outputs(
            component.service,
            name,
            namespace,
            app.service,
            app.node_address,
            component.recorded_state(component.service),
        )
        router = component.ingress or component.http_route
        url = outputs.url if app.route is None or router is None else component.fixed(app.route.url(), router)
        served = {
            "service_name": outputs.service_name,
            "cluster_dns": outputs.cluster_dns,
            "endpoint": outputs.endpoint,
            "url": url,
            "port_forward": outputs.port_forward,
        }
    component.finish(
        {
            **served,
            "logs": component.in_namespace(logs_command(app.selector), namespace, deployed),
            **(more_outputs(component, app) if more_outputs is not None else {}),
        }
    )


def children(name: str, app: App, pod: PodModel, env: PodEnv, files: PodFiles) -> dict[str, dict[str, Any]]:
    """The constructor arguments of every child after the ServiceAccount, by attribute (absent: not made)."""
    namespace = app.claim.namespace
    metadata = functools.partial(object_metadata, name, namespace, app.labels)
    calls = app.egress.pod_labels() if app.egress is not None else None
    template = with_annotations(env.template_metadata, files.annotations, app.labels, pod.annotations, calls)
    spec = deployment_spec(
        app.selector,
        app.labels,
        app.replicas,
        pod,
        env.env,
        template,
        app.revision_history_limit,
        app.strategy,
        env.init_env,
        files,
    )
    out: dict[str, dict[str, Any]] = {}
    if not app.versions:
        out["deployment"] = {"metadata": metadata(), "spec": spec}
    for version in app.versions:
        labels = {**app.labels, VERSION_LABEL: version.key}
        version_template = with_annotations(
            env.template_metadata, files.annotations, labels, pod.annotations, {**(calls or {}), **labels}
        )
        image = version.image if version.image is not None else pod.image
        out[f"version {version.key}"] = {
            "metadata": object_metadata(f"{name}-{version.key}", namespace, labels),
            "spec": deployment_spec(
                {**app.selector, VERSION_LABEL: version.key},
                labels,
                version.replicas,
                replace(pod, image=image),
                version_env(env.env, version.env),
                version_template,
                app.revision_history_limit,
                app.strategy,
                env.init_env,
                files,
            ),
        }
        if version.weight is not None and app.service is not None:  # the HTTPRoute's backend for this version
            model = ServiceModel(
                ServiceSpecType.CLUSTER_IP, app.service.ports, {**app.selector, VERSION_LABEL: version.key}
            )
            out[f"version service {version.key}"] = {
                "metadata": object_metadata(f"{name}-{version.key}", namespace, labels),
                "spec": service_spec(model),
            }
    if app.budget is not None:
        out["disruption_budget"] = {"metadata": metadata(), "spec": pdb_spec(app.selector, app.budget)}
    if app.autoscaling is not None:
        out["autoscaler"] = {"metadata": metadata(), "spec": hpa_spec(name, app.autoscaling)}
    if app.service is not None:
        service_metadata = object_metadata(name, namespace, app.labels, app.service.annotations)
        out["service"] = {"metadata": service_metadata, "spec": service_spec(app.service)}
    if app.network_policy:
        ports = app.service.ports if app.service is not None else []
        out["network_policy"] = {
            "metadata": metadata(),
            "spec": network_policy_spec(app.selector, ports, app.admission, app.egress),
        }
    if app.route is not None and app.ingress is not None:
        out["ingress"] = {
            "metadata": object_metadata(name, namespace, app.labels, app.ingress.annotations),
            "spec": ingress_spec(app.route, name, app.ingress.class_name, app.ingress.tls_secret),
        }
    return out


def check_patches(check: Checker, name: str, app: App, component: type, shape: Shape | None = None) -> None:
    """Every patch applied to the children as the component builds them (env and files as declared, before any
    Secret exists), so a patch that does not apply or breaks a guarantee is refused before anything is registered."""
    if not app.patches:
        return
    env, files = plain_env(app.pod), plain_files(name, app.files)
    props = children(name, app, app.pod, env, files)
    props = shape(name, app, props) if shape is not None else props
    props["service_account"] = {"metadata": object_metadata(name, app.claim.namespace, app.labels)}
    classes: dict[str, type] = {**children_of(component), "migration": k8s.batch.v1.Job}
    if app.migration is not None:
        labels = run_labels(name, app.labels, app.selector, "migration")
        props["migration"] = migration_props(name, app.claim.namespace, app.migration, app.pod, labels, env.env, files)
    for app_job in app.jobs:
        labels = run_labels(name, app.labels, app.selector, app_job.key)
        cls, props[f"job {app_job.key}"] = app_job_props(
            name, app.claim.namespace, app_job, app.pod, labels, env.env, files
        )
        classes[f"job {app_job.key}"] = cls
    for attribute in props:
        if attribute.startswith("version "):
            classes[attribute] = (
                k8s.core.v1.Service if attribute.startswith("version service ") else k8s.apps.v1.Deployment
            )
    made = {classes[attribute].__name__ for attribute in props}
    for kind in app.patches.by_kind:
        if kind not in made:
            check.fail(
                "patches key", kind, f"names no object of this app (it writes {', '.join(sorted(made))})", "drop it"
            )
    for attribute, child_props in props.items():
        cls = classes[attribute]
        if cls.__name__ in app.patches.by_kind:
            patched(check, name, cls.__name__, cls, child_props, app.patches.by_kind[cls.__name__])


def parse_app(check: Checker, name: str, raw: Any, profile: StackProfile, fields: frozenset[str], example: str) -> App:
    """The checked arguments of an app component whose Args type has `fields` (without `ports`: a Worker, which has
    no Service, no route and admits no caller)."""
    args = check_args(check, raw, fields, example)
    resource_name, name = name, args.get("name", name)  # the app's name in the cluster: its Pulumi name by default
    check.service_name("name", name)
    serves = "ports" in fields
    image = check_image(check, args.get("image"))
    namespace = resolve_namespace(check, args.get("namespace"), profile)
    ports = normalize_ports(check, args.get("ports"), args.get("port"), required=True) if serves else []
    service_type = parse_service_type(check, args) if serves else ServiceSpecType.CLUSTER_IP
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
    service, node_ports = parse_service(check, args, profile, service_type, ports, selector) if serves else (None, ())
    scaling = parse_autoscaling(check, args)
    replicas = (
        None
        if scaling
        else check.input("replicas", args.get("replicas", 1), lambda value: check_replicas(check, value))
    )
    count = scaling.min_replicas if scaling else (replicas if isinstance(replicas, int) else None)
    route, router_port = parse_route(check, args, profile, ports, service_type) if serves else (None, None)
    router = None if route is None else ("ingress" if profile.ingress else "gateway")
    versions = parse_versions(check, args.get("versions"), name, replicas, router)
    if versions:
        for field in ("autoscaling", "adopt"):
            if args.get(field) is not None:
                check.fail(
                    field,
                    args[field],
                    "cannot be given with versions",
                    "give each version its replicas" if field == "autoscaling" else "adopt first, then add versions",
                )
        counts = [v.replicas for v in versions]
        count = sum(counts) if all(isinstance(c, int) for c in counts) else None
    history = args.get("revision_history_limit")
    if history is not None:
        fix = "give how many old ReplicaSets to keep for rollbacks, e.g. revision_history_limit=3"
        history = whole_number(check, "revision_history_limit", history, fix)
    budget = parse_budget(check, args.get("disruption_budget"), count)
    spread = enabled(check, args, "spread") and (count is None or count >= 2)
    account = args.get("service_account")
    if account is not None:
        account = check.dns_subdomain("service_account", account, "ServiceAccount")
    shutdown = parse_shutdown(check, args)
    pod = replace(
        parse_pod(check, name, args, image, container_ports, ports),
        service_account=account or name,
        spread=tuple(spread_constraints(selector, profile.zones)) if spread else (),
        scheduling=parse_scheduling(check, args).over(profile.scheduling).pod_fields(),
        init_containers=parse_side_containers(check, args, name),
        drain_seconds=shutdown.drain_seconds,
        termination_grace_period_seconds=shutdown.grace_seconds,
    )
    taken = [(m.path, f"mounts[{i}]") for i, m in enumerate(pod.mounts)]
    taken += [(path, "writable_paths") for _, path in pod.writable_paths]
    files = parse_files(check, args.get("files"), taken)
    if scaling is not None:
        check_requests(check, scaling, pod.resources)
    network_policy = check_bool(check, args, "network_policy", True)
    admission = (
        parse_admission(check, args, service_type, network_policy, profile, router_port) if serves else Admission()
    )
    env = [pair for m in (pod, *(c.model for c in pod.init_containers)) if isinstance(m.env, tuple) for pair in m.env]
    egress = parse_egress(check, args, profile, env, name, network_policy)
    strategy = parse_rollout(check, args.get("rollout"))
    # A StatefulSet (no `rollout`) replaces a Pod only once the old one is gone: no rolling-update wait on a claim.
    claim_pods = count if versions else replicas  # with autoscaling: None, as many as the autoscaler makes
    check_claim_mounts(check, pod.mounts, claim_pods, strategy["type"] == "Recreate" if "rollout" in fields else None)
    return App(
        claim=Claim(
            namespace,
            name,
            node_ports,
            ((route.host, route.path),) if route else (),
            tuple(f"{name}-{v.key}" for v in versions),
            profile.cluster,
        ),
        labels=labels,
        selector=selector,
        replicas=replicas,
        revision_history_limit=history,
        strategy=strategy,
        budget=budget,
        autoscaling=scaling,
        creates_service_account=account is None,
        service=service,
        pod=pod,
        files=files,
        network_policy=network_policy,
        admission=admission,
        egress=egress,
        migration=parse_migration(check, args.get("migration")),
        jobs=parse_jobs(check, args.get("jobs"), name),
        versions=versions,
        resource_name=resource_name,
        route=route,
        node_address=profile.node_address,
        ingress=profile.ingress if route else None,
        gateway=profile.gateway if route else None,
        adoption=adoption,
        patches=parse_patches(check, args.get("patches"), PATCHABLE),
    )
