"""What every risk rule of `kubexpose diff` shares: the finding, object references, namespaces."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CLASSES = ("exposure", "replacement", "data", "availability", "security")


Obj = Mapping[str, Any]


@dataclass(frozen=True)
class Finding:
    cls: str
    """One of :data:`CLASSES`."""
    raised: bool
    """True when the change adds risk; False when it takes risk away."""
    obj: str
    """`Kind namespace/name` (`Kind name` when cluster-scoped)."""
    reason: str
    check: str
    """What the reviewer should check."""
    directed: bool = True
    """The reverse change gives the opposite finding (widened <-> narrowed); False for a change that is a
    risk both ways (e.g. externalTrafficPolicy)."""
    cluster: str = ""
    """In a fleet render, the cluster's folder (:mod:`kubexpose.render.fleet`); empty for a render of one cluster."""

    @property
    def where(self) -> str:
        """`obj`, with the cluster in a fleet render."""
        return f"{self.obj} in cluster {self.cluster}" if self.cluster else self.obj


def rank(finding: Finding) -> tuple[int, bool]:
    """How a report orders findings: by class (:data:`CLASSES`' order), raised before lowered."""
    return CLASSES.index(finding.cls), not finding.raised


CLUSTER_SCOPED = frozenset(
    {
        "APIService",
        "ClusterRole",
        "ClusterRoleBinding",
        "CustomResourceDefinition",
        "GatewayClass",
        "IngressClass",
        "MutatingWebhookConfiguration",
        "Namespace",
        "Node",
        "PersistentVolume",
        "PriorityClass",
        "RuntimeClass",
        "StorageClass",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "ValidatingWebhookConfiguration",
        "VolumeAttachment",
    }
)
"""Kinds without a namespace (`kubectl api-resources --namespaced=false`, the ones a render may hold)."""


def namespace_of(obj: Obj) -> str:
    """The object's namespace: `default` when a namespaced object names none, empty for a cluster-scoped kind."""
    if obj.get("kind") in CLUSTER_SCOPED:
        return ""
    return str((obj.get("metadata") or {}).get("namespace") or "default")


def ref(obj: Obj) -> str:
    """`Kind namespace/name`, or `Kind name` for a cluster-scoped object."""
    meta = obj.get("metadata") or {}
    namespace = namespace_of(obj)
    return f"{obj.get('kind')} {namespace}/{meta.get('name')}" if namespace else f"{obj.get('kind')} {meta.get('name')}"


def spec_of(obj: Obj | None) -> Mapping[str, Any]:
    return (obj or {}).get("spec") or {}


def match_labels(obj: Obj | None) -> Mapping[str, Any]:
    """The object's `spec.selector.matchLabels` (a Deployment's, a PodDisruptionBudget's), `{}` when it has none."""
    return (spec_of(obj).get("selector") or {}).get("matchLabels") or {}


def pod_of(obj: Obj | None) -> Mapping[str, Any]:
    return (spec_of(obj).get("template") or {}).get("spec") or {}
