"""ExposedStatefulSet: an app whose Pods keep their data, exposed like an ExposedDeployment.

A StatefulSet with a volume per Pod (a claim template each: the claim `<volume>-<name>-<ordinal>` follows its Pod
through restarts, drains and rollouts), the headless Service `<name>-pods` that gives each Pod a stable DNS name
(`<name>-0.<name>-pods.<namespace>.svc.cluster.local`, in the `pod_dns_names` output) and the client Service of the
stack's type, with everything an ExposedDeployment's Pods get. The volumes are kept when the app is deleted or scaled
down unless `retention` says otherwise: deleting data is never a default.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_kubernetes as k8s
from pulumi_kubernetes.core.v1 import ServiceSpecType

from ..inputs import ExposedStatefulSetArgs
from ..k8s.metadata import object_metadata
from ..k8s.quantity import canonical, parse_quantity
from ..k8s.service import ServiceModel, service_spec
from ..k8s.validation import Checker
from ..profile import StackProfile
from ._parts.app import App, declare_app, parse_app
from ._parts.base import KubexposeComponent, resolve_profile
from ._parts.files import overlap

_ARG_FIELDS = frozenset(ExposedStatefulSetArgs.__annotations__)
ACCESS_MODES = ("ReadWriteOnce", "ReadWriteOncePod", "ReadWriteMany", "ReadOnlyMany")
POLICIES = ("Retain", "Delete")
DATA_PATHS = "kubexpose.dev/data-paths"
"""Pod template annotation: the paths the app keeps its data at (a policy refuses an emptyDir there)."""
_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


@dataclass(frozen=True)
class Claim:
    name: str
    path: str
    size: str
    storage_class: str | None
    access_mode: str


class ExposedStatefulSet(KubexposeComponent):
    """A StatefulSet whose Pods each keep their own volumes, a headless Service naming each Pod, and one client
    Service of the stack's type (named like the component, as an ExposedDeployment's)."""

    kind = "ExposedStatefulSet"
    type_token = "kubexpose:index:ExposedStatefulSet"

    stateful_set: k8s.apps.v1.StatefulSet
    """The StatefulSet (named like the component)."""
    service: k8s.core.v1.Service
    """The client Service (named like the component: that name is its DNS name)."""
    pods_service: k8s.core.v1.Service
    """The headless Service `<name>-pods` that gives each Pod its DNS name."""
    network_policy: k8s.networking.v1.NetworkPolicy | None
    """The NetworkPolicy admitting what the exposure promises (absent when turned off)."""
    service_account: k8s.core.v1.ServiceAccount | None
    """The ServiceAccount made for the app's Pods (absent with `service_account`)."""
    disruption_budget: k8s.policy.v1.PodDisruptionBudget | None
    """The PodDisruptionBudget (absent for one replica or when turned off)."""
    ingress: k8s.networking.v1.Ingress | None
    """The Ingress routing `http` to the app (absent without `http`, or when the stack uses a Gateway)."""
    if TYPE_CHECKING:  # Python only: the package schema has no type for a generic custom resource
        http_route: k8s.apiextensions.CustomResource | None
        """The Gateway API HTTPRoute routing `http` to the app (absent without `http`, or with an Ingress)."""
    service_name: pulumi.Output[str]
    """The client Service's name."""
    cluster_dns: pulumi.Output[str]
    """`<name>.<namespace>.svc.cluster.local`."""
    endpoint: pulumi.Output[str]
    """In-cluster address `<name>:<first port>`."""
    url: pulumi.Output[str | None]
    """External address (as an ExposedDeployment's); absent when internal or not yet known."""
    port_forward: pulumi.Output[str]
    """A ready `kubectl port-forward` command for debugging from a laptop."""
    logs: pulumi.Output[str]
    """A ready `kubectl logs` command: the last lines of every container of every Pod of the app."""
    pod_dns_names: pulumi.Output[list[str]]
    """Each Pod's own DNS name, `<name>-<ordinal>.<name>-pods.<namespace>.svc.cluster.local`, in ordinal order."""

    def __init__(
        self,
        name: str,
        args: ExposedStatefulSetArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        profile: StackProfile | None = None,
    ) -> None:
        check = self.checker(name)
        raw = args if isinstance(args, Mapping) else {}
        claims = _claims(check, raw.get("volumes"))
        retention = _retention(check, raw.get("retention"))
        app_args = {k: v for k, v in raw.items() if k not in ("volumes", "retention")} if raw else args
        fields = _ARG_FIELDS - {"volumes", "retention"}
        app = parse_app(check, name, app_args, resolve_profile(profile), fields, "ExposedStatefulSetArgs(...)")
        taken = [(m.path, f"mounts[{i}]") for i, m in enumerate(app.pod.mounts)]
        taken += [(path, "writable_paths") for _, path in app.pod.writable_paths]
        taken += [(f.path, "files") for f in app.files] if isinstance(app.files, tuple) else []
        for i, claim in enumerate(claims):
            clash = overlap(claim.path, taken)
            if clash is not None:
                check.fail(f"volumes[{i}].path", claim.path, f"overlaps {clash}", "give each volume a path of its own")
            taken.append((claim.path, f"volumes[{i}]"))

        def shape(name: str, app: App, props: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
            return _stateful_props(name, app, props, claims, retention)

        app_name = app.claim.service_name
        declare_app(self, check, app_name, args, app, opts, "stateful_set", shape, _pod_names(app_name, app.replicas))


def _claims(check: Checker, value: Any) -> tuple[Claim, ...]:
    if value is None:
        check.missing("volumes", "give the data each Pod keeps, e.g. volumes=[{'name': 'data', 'path': '/data', "
                      "'size': '10Gi'}]")  # fmt: skip
    if isinstance(value, str) or not isinstance(value, Sequence) or not value:
        check.fail(
            "volumes", value, "is not a non-empty list", "give e.g. [{'name': 'data', 'path': '/data', 'size': '10Gi'}]"
        )
    out: list[Claim] = []
    for i, item in enumerate(value):
        field = f"volumes[{i}]"
        if not isinstance(item, Mapping):
            check.fail(field, item, "is not a volume", "give {'name': 'data', 'path': '/data', 'size': '10Gi'}")
        check.only_fields(
            field, item, frozenset({"name", "path", "size", "storage_class", "access_mode"}), "a volume field"
        )
        name = item.get("name")
        if not isinstance(name, str) or not _NAME.match(name) or len(name) > 40:
            check.fail(f"{field}.name", name, "is not a DNS-1123 label of at most 40 characters", "give e.g. 'data'")
        if any(c.name == name for c in out):
            check.fail(f"{field}.name", name, "repeats an earlier volume's name", "give each volume its own name")
        path = item.get("path")
        if not isinstance(path, str) or not path.startswith("/") or ":" in path or path.rstrip("/") == "":
            check.fail(f"{field}.path", path, "is not an absolute path below /", "give e.g. '/data'")
        size = item.get("size")
        if (amount := parse_quantity(size)) is None or amount <= 0:
            check.fail(f"{field}.size", size, "is not a size above 0", "give e.g. '10Gi'")
        storage_class = item.get("storage_class")
        if storage_class is not None:
            storage_class = check.dns_subdomain(f"{field}.storage_class", storage_class, "StorageClass")
        mode = check.one_of(
            f"{field}.access_mode",
            item.get("access_mode", "ReadWriteOnce"),
            ACCESS_MODES,
            f"use one of {', '.join(ACCESS_MODES)}",
        )
        out.append(Claim(name, path.rstrip("/"), canonical(size), storage_class, mode))
    return tuple(out)


def _retention(check: Checker, value: Any) -> dict[str, str]:
    if value is None:
        value = {}
    if not isinstance(value, Mapping):
        check.fail("retention", value, "is not a mapping", "give e.g. retention={'when_scaled': 'Delete'}")
    check.only_fields("retention", value, frozenset({"when_deleted", "when_scaled"}), "a retention field")
    return {
        key: check.one_of(
            f"retention.{key}", value.get(key, "Retain"), POLICIES, "use Retain (keep the data) or Delete"
        )
        for key in ("when_deleted", "when_scaled")
    }


def _stateful_props(
    name: str, app: App, props: dict[str, dict[str, Any]], claims: Sequence[Claim], retention: Mapping[str, str]
) -> dict[str, dict[str, Any]]:
    """The Deployment's props as a StatefulSet's, and the headless Service that governs it."""
    out = dict(props)
    deployment = out.pop("deployment")
    spec = dict(deployment["spec"])
    spec.pop("strategy", None)
    template = spec["template"]
    pod = dict(template["spec"])
    containers = list(pod["containers"])
    main = dict(containers[0])
    mounts = [{"name": c.name, "mount_path": c.path} for c in claims]
    given = main.get("volume_mounts")
    if isinstance(given, pulumi.Output):
        main["volume_mounts"] = given.apply(lambda known: [*(known or []), *mounts])
    else:
        main["volume_mounts"] = [*(given or []), *mounts]
    pod["containers"] = [main, *containers[1:]]
    annotations = {DATA_PATHS: ",".join(c.path for c in claims)}
    metadata = template["metadata"]
    if isinstance(metadata, pulumi.Output):
        metadata = metadata.apply(
            lambda known: {**known, "annotations": {**(known.get("annotations") or {}), **annotations}}
        )
    else:
        metadata = {**metadata, "annotations": {**(metadata.get("annotations") or {}), **annotations}}
    spec["template"] = {"metadata": metadata, "spec": pod}
    spec["service_name"] = f"{name}-pods"
    spec["volume_claim_templates"] = [_claim_template(c, app.selector) for c in claims]
    spec["persistent_volume_claim_retention_policy"] = dict(retention)
    out["stateful_set"] = {"metadata": deployment["metadata"], "spec": spec}
    assert app.service is not None  # an app with ports: only a Worker has no Service
    headless = ServiceModel(ServiceSpecType.CLUSTER_IP, app.service.ports, app.selector, headless=True)
    pods_spec = {**service_spec(headless), "publish_not_ready_addresses": True}  # peers find each other starting
    out["pods_service"] = {
        "metadata": object_metadata(f"{name}-pods", app.claim.namespace, app.labels),
        "spec": pods_spec,
    }
    return out


def _claim_template(claim: Claim, selector: Mapping[str, str]) -> dict[str, Any]:
    """A claim template as the API server stores it, its defaults written out (`apiVersion`, `kind`, `volumeMode`,
    `status.phase`): the templates are an atomic list, so a template without them differs from the stored one as a
    whole, and server-side apply by any other field manager (`kubectl apply --server-side` of the render, then
    `pulumi up`) is refused as a conflict on `.spec.volumeClaimTemplates`."""
    spec: dict[str, Any] = {"access_modes": [claim.access_mode], "resources": {"requests": {"storage": claim.size}}}
    if claim.storage_class is not None:
        spec["storage_class_name"] = claim.storage_class
    spec["volume_mode"] = "Filesystem"
    return {
        "api_version": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": claim.name, "labels": dict(selector)},
        "spec": spec,
        "status": {"phase": "Pending"},
    }


def _pod_names(name: str, replicas: Any) -> Any:
    def outputs(component: Any, app: App) -> dict[str, Any]:
        def names(count: int, namespace: str) -> list[str]:
            return [f"{name}-{i}.{name}-pods.{namespace}.svc.cluster.local" for i in range(count)]

        namespace = app.claim.namespace
        if isinstance(replicas, pulumi.Output) or isinstance(namespace, pulumi.Output):
            value = pulumi.Output.all(replicas, namespace).apply(lambda both: names(int(both[0] or 1), both[1]))
            return {"pod_dns_names": pulumi.Output.all(value, component.stateful_set.urn).apply(lambda both: both[0])}
        return {"pod_dns_names": component.fixed(names(int(replicas or 1), namespace), component.stateful_set)}

    return outputs
