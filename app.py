"""The example app from the kubexpose docs, as an importable program function.

`__main__.py` calls :func:`main`; tests and the offline render run it under mocks. The stack's
`kubexpose:` config decides how public apps are exposed: there is no `if stack == ...` here.
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from kubexpose import (
    ExposedDeployment,
    ExposedDeploymentArgs,
    ExposedStatefulSet,
    Exposure,
    ExternalAlias,
    StackProfile,
)

NGINX = "nginxinc/nginx-unprivileged:1.27-alpine"
"""nginx built to run as non-root on port 8080; it writes only below /tmp."""
ECHO = "hashicorp/http-echo:1.0"
"""A static binary that answers HTTP with a fixed text; it writes nothing."""
REDIS = "redis:7.4-alpine"
"""Redis as the in-cluster database; as non-root it writes only to /data, its volume."""


DATABASE_BEFORE = "kubexpose:index:ExposedDeployment"
"""The database's component type before 0.3.0."""


Apps = dict[str, ExposedDeployment | ExposedStatefulSet | ExternalAlias]


def main(profile: StackProfile | None = None) -> Apps:
    """Declare the example app and export how to reach each part of it: in the cluster of the stack's default
    kubernetes provider, or with `example:clusters` (`{name: {kubeconfig?, context?, frontendReplicas?}}`) in each of
    those clusters (a fleet: one provider per cluster, the same apps with the same names in each; a cluster may run
    more frontend Pods than another)."""
    profile = profile or StackProfile.from_config()
    clusters = pulumi.Config("example").get_object("clusters")
    if not clusters:
        return declare(profile)
    apps: Apps = {}
    for cluster, given in clusters.items():
        where = given or {}
        provider = k8s.Provider(cluster, kubeconfig=where.get("kubeconfig"), context=where.get("context"))
        found = declare(profile, cluster, provider, frontend_replicas=int(where.get("frontendReplicas", 2)))
        apps.update({f"{cluster}/{name}": app for name, app in found.items()})
    return apps


def declare(
    profile: StackProfile, cluster: str = "", provider: k8s.Provider | None = None, *, frontend_replicas: int = 2
) -> Apps:
    """The example's apps in one cluster. With `cluster` (a fleet), the Pulumi names and exports end in it while the
    apps keep their names in the cluster (`name`), and every object goes through `provider`."""

    def named(app: str) -> str:
        return f"{app}-{cluster}" if cluster else app

    depends: list[pulumi.Resource] = []
    if profile.namespace != "default":
        namespace_opts = pulumi.ResourceOptions(provider=provider)
        depends.append(
            k8s.core.v1.Namespace(named(profile.namespace), metadata={"name": profile.namespace}, opts=namespace_opts)
        )
    opts = pulumi.ResourceOptions(depends_on=depends, provider=provider)

    backend_args: ExposedDeploymentArgs = {
        "name": "backend",
        "image": ECHO,
        "args": ["-listen=:5678", "-text=hello from backend"],
        "ports": [{"port": 5678, "name": "http"}],
        # Inside the cluster only the frontend may call the API.
        "allowed_callers": ["frontend"],
        # 2 to 10 Pods as CPU use asks (so also a PodDisruptionBudget and spreading over nodes).
        "autoscaling": {"min_replicas": 2, "max_replicas": 10, "cpu_utilization": 70},
    }
    if profile.has_router:  # outside, the API is public through the stack's router (an Ingress or a Gateway)
        backend_args["http"] = {"host": "api.shop.example.com", "path": "/"}
    backend = ExposedDeployment(named("backend"), backend_args, opts, profile=profile)
    database = ExposedStatefulSet(  # its data on a volume that outlives restarts, rollouts and the app itself
        named("database"),
        {
            "name": "database",
            "image": REDIS,
            "ports": [{"port": 6379, "name": "redis"}],
            "volumes": [{"name": "data", "path": "/data", "size": "1Gi"}],
            "allowed_callers": ["backend"],
        },
        # Before 0.3.0 the database was an ExposedDeployment: the alias keeps its Service, ServiceAccount and
        # NetworkPolicy (their URNs name the old type); only its Deployment goes (CHANGELOG, Upgrade from 0.2.0).
        pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(aliases=[pulumi.Alias(type_=DATABASE_BEFORE)])),
        profile=profile,
    )
    frontend = ExposedDeployment(
        named("frontend"),
        {
            "name": "frontend",
            "image": NGINX,
            "exposure": Exposure.PUBLIC,
            "replicas": frontend_replicas,
            "ports": [{"port": 80, "target_port": 8080, "name": "http"}],
            "writable_paths": ["/tmp"],
            "env": {"BACKEND_URL": backend.endpoint.apply(lambda e: f"http://{e}")},
        },
        opts,
        profile=profile,
    )
    myapp = ExposedDeployment(
        named("myapp"),
        {
            "name": "myapp",
            "image": NGINX,
            "exposure": Exposure.PUBLIC,
            "ports": [{"port": 80, "target_port": 8080, "name": "http", "node_port": 30001}],
            "writable_paths": ["/tmp"],
        },
        opts,
        profile=profile,
    )
    external = ExternalAlias(
        named("external-service"),
        {"name": "external-service", "target": "api.acmecorp.com", "port": 9000},
        opts,
        profile=profile,
    )
    apps: Apps = {
        "frontend": frontend,
        "backend": backend,
        "database": database,
        "myapp": myapp,
        "external-service": external,
    }
    prefix = f"{cluster}_" if cluster else ""
    for name, app in apps.items():
        pulumi.export(f"{prefix}{name}_endpoint", app.endpoint)
        pulumi.export(f"{prefix}{name}_dns", app.cluster_dns)
    for name, public in (("frontend", frontend), ("myapp", myapp), ("backend", backend)):
        pulumi.export(f"{prefix}{name}_url", public.url)
        pulumi.export(f"{prefix}{name}_port_forward", public.port_forward)
    return apps
