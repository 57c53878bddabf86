"""Kubernetes objects as `pulumi up` would apply them, from the engine's registrations: camelCase inputs, the
name the cluster sees, secrets redacted, in creation order. Shared by the test kit and the render."""

from __future__ import annotations

from typing import Any

from ..k8s.validation import SECRET_SHOWN, UNREADABLE_SECRET, unreadable
from .run import ProgramRun, Registration

REDACTED = SECRET_SHOWN
"""What a value that came from a secret (a secret Output or a `secure:` config value) renders as."""

# Creation order, after Helm's install order (`pkg/release/util/kind_sorter.go`); kinds not listed go last.
KIND_ORDER = [
    "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodDisruptionBudget", "ServiceAccount",
    "Secret", "ConfigMap", "StorageClass", "PersistentVolume", "PersistentVolumeClaim",
    "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding",
    "Service", "EndpointSlice", "DaemonSet", "Pod", "ReplicaSet", "Deployment",
    "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress",
]  # fmt: skip


def manifest(reg: Registration, *, share: bool = False) -> dict[str, Any]:
    """The object as applied: inputs in camelCase, the name the cluster sees, secrets redacted.

    A fresh copy of the inputs, or with `share` (for a reader that changes nothing: the render) the inputs'
    own nested values wherever no secret or undecryptable value had to be replaced."""
    if share and not reg.secrets and not unreadable(reg.inputs):
        obj = dict(reg.inputs)
    else:
        obj = _redact(reg.inputs, reg.secrets)
    meta = dict(obj.get("metadata") or {})
    meta["name"] = reg.object_name
    obj["metadata"] = meta
    return obj


def _redact(inputs: dict[str, Any], paths: tuple[tuple[str | int, ...], ...]) -> dict[str, Any]:
    obj = _scrub(inputs)
    for path in paths:
        target: Any = obj
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = _redacted(target[path[-1]])
    return obj


def _redacted(value: Any) -> Any:
    """A secret value as written: a mapping keeps its keys (a Secret's keys say what to create), every value goes."""
    if isinstance(value, dict):
        return {k: _redacted(v) for k, v in value.items()}
    return REDACTED


def _scrub(value: Any) -> Any:
    """Deep copy; config values that could not be decrypted offline render as the redaction mark."""
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    if isinstance(value, str) and UNREADABLE_SECRET in value:
        return REDACTED
    return value


def sort_key(obj: dict[str, Any]) -> tuple[int, str, str]:
    kind = obj.get("kind", "")
    rank = KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)
    meta = obj.get("metadata") or {}
    return rank, str(meta.get("namespace") or ""), str(meta.get("name") or "")


def manifests(result: ProgramRun, *, share: bool = False) -> list[dict[str, Any]]:
    """Every Kubernetes object of the run, in creation order (`share` as in :func:`manifest`)."""
    return sorted((manifest(r, share=share) for r in result.k8s() if r.custom), key=sort_key)
