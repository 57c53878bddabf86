"""Pod and Deployment spec builders, and the secure defaults every Pod starts from.

The defaults pass the hardening checks of checkov and the Pod Security "restricted" profile:
non-root with a high UID, no privilege escalation, every capability dropped, a read-only root
filesystem (writable paths become `emptyDir` volumes), the RuntimeDefault seccomp profile, no
service-account token, requests and limits, and TCP probes on the first port.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import pulumi
from pulumi_kubernetes.apps.v1 import DeploymentSpecArgsDict

DEFAULT_UID = 10001
"""UID and GID the Pods run as unless `pod_security_context` says otherwise (checkov wants >= 10000)."""


def secure_container_context() -> dict[str, Any]:
    """The container security context every Pod starts from."""
    return {
        "allow_privilege_escalation": False,
        "privileged": False,
        "read_only_root_filesystem": True,
        "run_as_non_root": True,
        "capabilities": {"drop": ["ALL"]},
    }


def secure_pod_context() -> dict[str, Any]:
    """The Pod security context every Pod starts from."""
    return {
        "run_as_non_root": True,
        "run_as_user": DEFAULT_UID,
        "run_as_group": DEFAULT_UID,
        "fs_group": DEFAULT_UID,
        "seccomp_profile": {"type": "RuntimeDefault"},
    }


def default_resources() -> dict[str, Any]:
    """Requests and limits for an app that did not set its own."""
    return {
        "requests": {"cpu": "50m", "memory": "64Mi"},
        "limits": {"cpu": "500m", "memory": "256Mi"},
    }


DEFAULT_DRAIN_SECONDS = 5
"""The drain (pre-stop wait) of every Pod: long enough for kube-proxy and the usual load balancers to stop sending
a stopping Pod new requests."""
KUBERNETES_GRACE_SECONDS = 30
"""`terminationGracePeriodSeconds` when a Pod does not set it."""


def default_rollout() -> dict[str, Any]:
    """A rolling update that never takes a ready Pod away before its replacement is ready: `maxUnavailable: 0`,
    and Kubernetes' own surge (25%, which rounds up to at least one Pod)."""
    return {"type": "RollingUpdate", "rolling_update": {"max_surge": "25%", "max_unavailable": 0}}


def default_readiness_probe(port: int | str) -> dict[str, Any]:
    """TCP readiness on `port`, every 5 s."""
    return {"tcp_socket": {"port": port}, "period_seconds": 5}


def default_liveness_probe(port: int | str) -> dict[str, Any]:
    """TCP liveness on `port`, every 20 s after 10 s."""
    return {"tcp_socket": {"port": port}, "initial_delay_seconds": 10, "period_seconds": 20}


@dataclass(frozen=True)
class ContainerPort:
    """A port the container declares."""

    container_port: int
    protocol: str
    name: str | None = None

    def spec(self) -> dict[str, Any]:
        """The `ports[]` entry of the container."""
        out: dict[str, Any] = {"container_port": self.container_port, "protocol": self.protocol}
        if self.name is not None:
            out["name"] = self.name
        return out


@dataclass(frozen=True)
class Mount:
    """A ConfigMap or Secret mounted read-only at `path` (all its keys, or `items` key -> relative path, or the one
    `sub_path`), or a PersistentVolumeClaim (writable unless `read_only`)."""

    volume: str
    path: str
    kind: str
    """`config_map`, `secret` or `claim`."""
    name: str
    items: tuple[tuple[str, str], ...] = ()
    sub_path: str | None = None
    default_mode: int | None = None
    optional: bool | None = None
    read_only: bool = True
    shared: bool = False
    """A claim that is ReadWriteMany."""

    def volume_spec(self) -> dict[str, Any]:
        if self.kind == "claim":  # `readOnly: false` left out, as pulumi-kubernetes applies it (omitempty)
            claim: dict[str, Any] = {"claim_name": self.name, **({"read_only": True} if self.read_only else {})}
            return {"name": self.volume, "persistent_volume_claim": claim}
        source: dict[str, Any] = {"name": self.name} if self.kind == "config_map" else {"secret_name": self.name}
        if self.items:
            source["items"] = [{"key": key, "path": path} for key, path in self.items]
        if self.default_mode is not None:
            source["default_mode"] = self.default_mode
        if self.optional is not None:
            source["optional"] = self.optional
        return {"name": self.volume, self.kind: source}

    def volume_mount(self) -> dict[str, Any]:
        mount: dict[str, Any] = {"name": self.volume, "mount_path": self.path}
        if self.read_only:
            mount["read_only"] = True
        if self.sub_path is not None:
            mount["sub_path"] = self.sub_path
        return mount


@dataclass(frozen=True)
class PodModel:
    """A checked single-container Pod."""

    container_name: str
    image: Any
    image_pull_policy: str
    ports: tuple[ContainerPort, ...]
    resources: Mapping[str, Any]
    security_context: Mapping[str, Any]
    pod_security_context: Mapping[str, Any]
    automount_service_account_token: bool
    command: Any = None
    """A tuple of strings, or an Output of a list of strings (checked when known); None: the image's."""
    args: Any = None
    """As `command`."""
    env: Any = ()
    """`(name, value)` pairs (a value may be an Output), or an Output of such pairs."""
    env_refs: tuple[tuple[str, Mapping[str, Any]], ...] = ()
    """`(name, value_from)` pairs: an `EnvVarSource` (`secret_key_ref`, `config_map_key_ref`, `field_ref`)."""
    readiness_probe: Mapping[str, Any] | None = None
    liveness_probe: Mapping[str, Any] | None = None
    startup_probe: Mapping[str, Any] | None = None
    writable_paths: tuple[tuple[str, str], ...] = ()
    """`(volume name, mount path)` pairs, each an `emptyDir`."""
    in_memory: Mapping[str, str | None] = field(default_factory=dict)
    """Volumes of `writable_paths` in memory (`medium: Memory`), each with its `sizeLimit` (None: none)."""
    mounts: tuple[Mount, ...] = ()
    """ConfigMaps and Secrets mounted read-only."""
    annotations: Mapping[str, Any] = field(default_factory=dict)
    """Annotations on the Pods (e.g. Prometheus scraping)."""
    service_account: Any = None
    """The ServiceAccount the Pods run as: a name or an Output of one (None: the namespace's `default`)."""
    image_pull_secrets: tuple[str, ...] = ()
    """Secrets holding registry credentials."""
    spread: tuple[Mapping[str, Any], ...] = ()
    """`topologySpreadConstraints` of the Pods."""
    scheduling: Mapping[str, Any] = field(default_factory=dict)
    """Pod spec fields that place the Pods: `node_selector`, `tolerations`, `affinity`, `priority_class_name`."""
    init_containers: tuple[SideContainer, ...] = ()
    """Sidecars and init steps, in the order Kubernetes starts them."""
    drain_seconds: int = 0
    """Seconds a stopping container keeps serving before SIGTERM (a pre-stop `sleep`); 0: none."""
    termination_grace_period_seconds: int | None = None
    """Seconds a stopping Pod has in all before it is killed; None: Kubernetes' (30)."""


CRASH_REASONS = "FallbackToLogsOnError"
"""Every container's `terminationMessagePolicy`: a container that fails without writing a termination message
reports the end of its log instead, which pulumi-kubernetes shows in a failed `pulumi up`."""


@dataclass(frozen=True)
class SideContainer:
    """A container of the Pod beside the app's: a native sidecar (`restartPolicy: Always`) or an init step."""

    model: PodModel
    """Its container fields (the Pod-level fields of `model` are not used)."""
    sidecar: bool


ENV_SECRET_VERSION = "kubexpose.dev/env-secret-version"
"""Pod template annotation holding the `resourceVersion` of the component's env Secret: a changed
secret changes it, so the Deployment rolls its Pods (a running Pod never re-reads its env)."""


def _env_var(name: str, value: Any) -> Any:
    """One plain env variable; an empty value is left out (or an Output of the entry when the value is one). The API
    server and pulumi-kubernetes' typed round trip drop an empty `value` (`omitempty`): writing it would make the
    render differ from the stored object."""
    if isinstance(value, pulumi.Output):
        return value.apply(lambda known: {"name": name, "value": known} if known != "" else {"name": name})
    return {"name": name, "value": value} if value != "" else {"name": name}


_EXPANSION = re.compile(r"\$(?:\$|\(([^()]*)\))")
"""Kubernetes' expansion in an env value: `$(NAME)` refers to a variable, `$$` is a literal `$`."""


def env_references(value: Any) -> list[str]:
    """The variables a plain env value refers to with `$(NAME)`, in order (`$$(NAME)` is the text itself); none
    for a value that is not a string (a reference, or an Output not known yet)."""
    if not isinstance(value, str):
        return []
    return [m.group(1) for m in _EXPANSION.finditer(value) if m.group(1) is not None]


def env_order(entries: Sequence[tuple[str, Any]]) -> list[int]:
    """The indices of `entries` (`(name, plain value or None)`) in the order that keeps every `$(NAME)` reference
    expanding: Kubernetes expands a reference only to a variable listed earlier. Each variable comes after the ones
    it refers to, otherwise as given (a stable topological order; a cycle, which validation refuses, keeps it)."""
    defined = {name for name, _ in entries}
    needs = [set(env_references(value)) & defined - {name} for name, value in entries]
    order: list[int] = []
    done: set[str] = set()
    left = list(range(len(entries)))
    while left:
        ready = next((i for i in left if needs[i] <= done), left[0])
        order.append(ready)
        done.add(entries[ready][0])
        left.remove(ready)
    return order


def container_env(
    pod: PodModel, secret_name: Any = None, secret_vars: frozenset[str] = frozenset(), key_prefix: str = ""
) -> list[Any]:
    """The container's `env`: plain values, the variables in `secret_vars` through `secretKeyRef` to the
    key `<key_prefix><name>` in Secret `secret_name`, then the `env_refs`; a variable that refers to another
    (`$(NAME)`) after it (:func:`env_order`)."""
    env: list[Any] = [
        {"name": name, "value_from": {"secret_key_ref": {"name": secret_name, "key": key_prefix + name}}}
        if name in secret_vars
        else _env_var(name, value)
        for name, value in pod.env
    ]
    env += [{"name": name, "value_from": dict(source)} for name, source in pod.env_refs]
    entries = [(name, None if name in secret_vars else value) for name, value in pod.env]
    entries += [(name, None) for name, _ in pod.env_refs]
    return [env[i] for i in env_order(entries)]


def container_spec(pod: PodModel, env: Any = None, files_mounts: Any = ()) -> dict[str, Any]:
    """The container `pod` describes (its own fields; the Pod's are :func:`pod_spec`'s); `env` (a list or an Output
    of one) replaces :func:`container_env`; `files_mounts` (a list or an Output of one) come after its mounts."""
    container: dict[str, Any] = {
        "name": pod.container_name,
        "image": pod.image,
        "image_pull_policy": pod.image_pull_policy,
        **({"ports": [p.spec() for p in pod.ports]} if pod.ports else {}),
        "resources": pod.resources,
        "security_context": dict(pod.security_context),
    }
    for key, value in (("command", pod.command), ("args", pod.args)):
        if value is not None and value != ():  # an empty list is none: pulumi-kubernetes applies none
            container[key] = list(value) if isinstance(value, tuple) else value
    if env is None:
        env = container_env(pod) or None
    if env is not None:
        container["env"] = env
    if pod.readiness_probe is not None:
        container["readiness_probe"] = pod.readiness_probe
    if pod.liveness_probe is not None:
        container["liveness_probe"] = pod.liveness_probe
    if pod.startup_probe is not None:
        container["startup_probe"] = pod.startup_probe
    if pod.drain_seconds:
        container["lifecycle"] = {"pre_stop": {"sleep": {"seconds": pod.drain_seconds}}}
    container["termination_message_policy"] = CRASH_REASONS
    mounts: list[dict[str, Any]] = [{"name": volume, "mount_path": path} for volume, path in pod.writable_paths]
    mounts += [m.volume_mount() for m in pod.mounts]
    if isinstance(files_mounts, pulumi.Output):
        container["volume_mounts"] = files_mounts.apply(lambda more: [*mounts, *more] or None)
    elif mounts or files_mounts:
        container["volume_mounts"] = [*mounts, *files_mounts]
    return container


def pod_spec(pod: PodModel, env: Any = None, init_env: Sequence[Any] = (), files: Any = None) -> dict[str, Any]:
    """The Pod template's `spec`; `env` (a list or an Output of one) replaces :func:`container_env` of the app's
    container, `init_env` (one per init container) of the others'; `files` (a
    :class:`~kubexpose.components._parts.files.PodFiles`) adds the config files' volume and the app's mounts."""
    spec: dict[str, Any] = {
        "containers": [container_spec(pod, env, () if files is None else files.mounts)],
        "automount_service_account_token": pod.automount_service_account_token,
        "security_context": dict(pod.pod_security_context),
    }
    if pod.init_containers:
        given = list(init_env) or [None] * len(pod.init_containers)
        spec["init_containers"] = [
            container_spec(c.model, e) | ({"restart_policy": "Always"} if c.sidecar else {})
            for c, e in zip(pod.init_containers, given, strict=True)
        ]
    models = (pod, *(c.model for c in pod.init_containers))  # a path two containers list is one shared volume
    memory = {volume: size for m in models for volume, size in m.in_memory.items()}
    volumes = [
        {"name": volume, "empty_dir": _empty_dir(memory, volume)}
        for volume in dict.fromkeys(volume for m in models for volume, _ in m.writable_paths)
    ]
    volumes += [m.volume_spec() for m in pod.mounts]
    extra = None if files is None else files.volume
    if isinstance(extra, pulumi.Output):
        spec["volumes"] = extra.apply(lambda more: [*volumes, more] if more else volumes or None)
    elif volumes or extra:
        spec["volumes"] = [*volumes, extra] if extra else volumes
    if pod.service_account is not None:
        spec["service_account_name"] = pod.service_account
    if pod.image_pull_secrets:
        spec["image_pull_secrets"] = [{"name": name} for name in pod.image_pull_secrets]
    if pod.spread:
        spec["topology_spread_constraints"] = [dict(c) for c in pod.spread]
    spec.update(pod.scheduling)
    if pod.termination_grace_period_seconds is not None:
        spec["termination_grace_period_seconds"] = pod.termination_grace_period_seconds
    return spec


def _empty_dir(memory: Mapping[str, str | None], volume: str) -> dict[str, Any]:
    if volume not in memory:
        return {}
    size = memory[volume]
    return {"medium": "Memory"} if size is None else {"medium": "Memory", "size_limit": size}


def template_metadata(labels: Mapping[str, Any], annotations: Mapping[str, Any]) -> dict[str, Any]:
    """The Pod template's metadata: the labels, and the annotations when there are some."""
    out: dict[str, Any] = {"labels": dict(labels)}
    if annotations:
        out["annotations"] = dict(annotations)
    return out


def deployment_spec(
    selector: Mapping[str, str],
    labels: Mapping[str, Any],
    replicas: Any,
    pod: PodModel,
    env: Any = None,
    metadata: Any = None,
    revision_history_limit: int | None = None,
    strategy: Mapping[str, Any] | None = None,
    init_env: Sequence[Any] = (),
    files: Any = None,
) -> DeploymentSpecArgsDict:
    """A Deployment `spec` whose selector is `selector` and whose Pods carry `labels` (a superset);
    `replicas` (None: an autoscaler owns it), label values, `env` and `metadata` (default: the labels
    and the Pods' annotations) may be Outputs."""
    spec: dict[str, Any] = {
        "selector": {"match_labels": dict(selector)},
        "template": {
            "metadata": template_metadata(labels, pod.annotations) if metadata is None else metadata,
            "spec": pod_spec(pod, env, init_env, files),
        },
    }
    if replicas is not None:
        spec = {"replicas": replicas, **spec}
    if revision_history_limit is not None:
        spec["revision_history_limit"] = revision_history_limit
    if strategy is not None:
        spec["strategy"] = dict(strategy)
    return cast(DeploymentSpecArgsDict, spec)
