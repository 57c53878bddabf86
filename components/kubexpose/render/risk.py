"""The risk rules of `kubexpose diff`: what a reviewer of an infrastructure change must look at.

Each rule reads one object before and after the change (either may be None: added or removed) and
returns findings. A finding has a class (`exposure`, `replacement`, `availability`, `security`) and
a direction: `raised` (the change adds risk: wider exposure, a replacement, lower availability or
security) or `lowered` (the change takes risk away, e.g. exposure narrowed). `--fail-on` counts
only raised findings.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

CLASSES = ("exposure", "replacement", "availability", "security")
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


def _spec(obj: Obj | None) -> Mapping[str, Any]:
    return (obj or {}).get("spec") or {}


def _pod(obj: Obj | None) -> Mapping[str, Any]:
    return (_spec(obj).get("template") or {}).get("spec") or {}


# -- exposure ---------------------------------------------------------------------------------------------
_SERVICE_RANK = {"ClusterIP": 0, "ExternalName": 0, "NodePort": 1, "LoadBalancer": 2}


def service_exposure(old: Obj | None, new: Obj | None) -> list[Finding]:
    """A Service's type moving towards the outside (ClusterIP -> NodePort -> LoadBalancer), a new public
    Service, source ranges widened or dropped, externalTrafficPolicy changed."""
    if (new or old or {}).get("kind") != "Service":
        return []
    out: list[Finding] = []
    name = ref(new or old or {})
    before = _SERVICE_RANK.get(_spec(old).get("type", "ClusterIP"), 0) if old else None
    after = _SERVICE_RANK.get(_spec(new).get("type", "ClusterIP"), 0) if new else None
    kind_of = {0: "internal", 1: "NodePort", 2: "LoadBalancer"}
    if before is None and after:
        out.append(
            Finding("exposure", True, name, f"new public Service ({kind_of[after]})", "who may reach it from outside")
        )
    elif before is not None and after is not None and after != before:
        widened = after > before
        out.append(
            Finding(
                "exposure",
                widened,
                name,
                f"type {_spec(old).get('type', 'ClusterIP')} -> {_spec(new).get('type', 'ClusterIP')}",
                "that the app should be reachable from outside the cluster"
                if widened
                else "that no caller outside still needs it",
            )
        )
    if old and new and after == 2 and before == 2:
        old_ranges, new_ranges = _ranges(old), _ranges(new)
        if old_ranges and not new_ranges:
            out.append(
                Finding(
                    "exposure",
                    True,
                    name,
                    "loadBalancerSourceRanges removed: open to every address",
                    "that the load balancer may be public",
                )
            )
        elif new_ranges and not old_ranges:
            out.append(
                Finding(
                    "exposure", False, name, "loadBalancerSourceRanges added", "that every caller is inside the ranges"
                )
            )
        else:
            wider = [str(n) for n in new_ranges if not any(_within(n, o) for o in old_ranges)]
            narrower = [str(o) for o in old_ranges if not any(_within(o, n) for n in new_ranges)]
            if wider:
                out.append(
                    Finding(
                        "exposure",
                        True,
                        name,
                        f"loadBalancerSourceRanges widened: {', '.join(wider)}",
                        "that these addresses may call the app",
                    )
                )
            if narrower and not wider:
                out.append(
                    Finding(
                        "exposure",
                        False,
                        name,
                        f"loadBalancerSourceRanges narrowed: {', '.join(narrower)} no longer admitted",
                        "that no caller there still needs it",
                    )
                )
    if old and new and _spec(old).get("externalTrafficPolicy") != _spec(new).get("externalTrafficPolicy"):
        out.append(
            Finding(
                "exposure",
                True,
                name,
                f"externalTrafficPolicy {_spec(old).get('externalTrafficPolicy') or '(unset)'} -> "
                f"{_spec(new).get('externalTrafficPolicy') or '(unset)'}",
                "client IPs seen by the app and how traffic spreads over nodes",
                directed=False,
            )
        )
    return out


def _within(
    inner: ipaddress.IPv4Network | ipaddress.IPv6Network, outer: ipaddress.IPv4Network | ipaddress.IPv6Network
) -> bool:
    if isinstance(inner, ipaddress.IPv4Network) and isinstance(outer, ipaddress.IPv4Network):
        return inner.subnet_of(outer)
    if isinstance(inner, ipaddress.IPv6Network) and isinstance(outer, ipaddress.IPv6Network):
        return inner.subnet_of(outer)
    return False


def _ranges(obj: Obj) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(r, strict=False) for r in _spec(obj).get("loadBalancerSourceRanges") or []]


def _peers(obj: Obj | None) -> set[tuple[str, str]]:
    """Every `(ports, peer)` a NetworkPolicy admits, as comparable JSON; peer `*` for a rule open to all."""
    out: set[tuple[str, str]] = set()
    for rule in _spec(obj).get("ingress") or []:
        ports = json.dumps(rule.get("ports") or "all", sort_keys=True)
        for peer in rule.get("from") or ["*"]:
            out.add((ports, json.dumps(peer, sort_keys=True)))
    return out


def _covers(wide: tuple[str, str], narrow: tuple[str, str]) -> bool:
    """Does admitted `(ports, peer)` `wide` admit everything `narrow` does?"""
    (wide_ports, wide_peer), (narrow_ports, narrow_peer) = wide, narrow
    if wide_ports != narrow_ports and wide_ports != '"all"':
        return False
    if wide_peer == '"*"':
        return True
    if narrow_peer == '"*"':
        return False
    w, n = json.loads(wide_peer), json.loads(narrow_peer)
    for key in ("namespaceSelector", "podSelector"):
        if key in w and key in n:
            if not ((w[key].get("matchLabels") or {}).items() <= (n[key].get("matchLabels") or {}).items()):
                return False
        elif key in w and key not in n:
            if key == "podSelector" or w[key] != {}:
                return False
        elif key not in w and key in n and key == "namespaceSelector":
            return False
    return w.get("ipBlock") == n.get("ipBlock")


def _shown(pairs: Iterable[tuple[str, str]]) -> str:
    return "; ".join(f"{peer} on {ports}" for ports, peer in sorted(pairs))


def network_policy_exposure(old: Obj | None, new: Obj | None) -> list[Finding]:
    """A NetworkPolicy admitting more (a peer added or loosened, `namespaceSelector: {}`, a rule open to
    all, the policy removed) or less (a peer removed)."""
    if (new or old or {}).get("kind") != "NetworkPolicy" or (old is None and new is not None):
        return []
    name = ref(new or old or {})
    if new is None:
        return [
            Finding(
                "exposure",
                True,
                name,
                "NetworkPolicy removed: its Pods admit every caller",
                "that the Pods are meant to be reachable by all",
            )
        ]
    before, after = _peers(old), _peers(new)
    added = sorted(p for p in after - before if not any(_covers(o, p) for o in before))
    removed = sorted(p for p in before - after if not any(_covers(n, p) for n in after))
    out = []
    if added:
        out.append(
            Finding("exposure", True, name, "admits more: " + _shown(added), "that these callers may reach the Pods")
        )
    if removed:
        out.append(
            Finding(
                "exposure",
                False,
                name,
                "admits less: " + _shown(removed),
                "that these callers no longer need the Pods",
            )
        )
    return out


def _routes(obj: Obj | None) -> set[str]:
    spec = _spec(obj)
    if (obj or {}).get("kind") == "Ingress":
        return {
            f"{r.get('host', '*')}{p.get('path', '/')}"
            for r in spec.get("rules") or []
            for p in (r.get("http") or {}).get("paths") or []
        }
    if (obj or {}).get("kind") == "HTTPRoute":
        paths = [
            (m.get("path") or {}).get("value", "/") for r in spec.get("rules") or [] for m in r.get("matches") or [{}]
        ]
        return {f"{h}{p}" for h in spec.get("hostnames") or ["*"] for p in paths}
    return set()


def route_exposure(old: Obj | None, new: Obj | None) -> list[Finding]:
    """An Ingress or HTTPRoute host or path added (or removed)."""
    if (new or old or {}).get("kind") not in ("Ingress", "HTTPRoute"):
        return []
    name = ref(new or old or {})
    added, removed = sorted(_routes(new) - _routes(old)), sorted(_routes(old) - _routes(new))
    out = []
    if added:
        out.append(
            Finding(
                "exposure",
                True,
                name,
                "routes added: " + ", ".join(added),
                "that these hosts and paths should be public",
            )
        )
    if removed:
        out.append(
            Finding("exposure", False, name, "routes removed: " + ", ".join(removed), "that no client still calls them")
        )
    return out


# -- replacement --------------------------------------------------------------------------------------------
def replacement(old: Obj | None, new: Obj | None) -> list[Finding]:
    """Fields Kubernetes does not update in place: pulumi-kubernetes replaces the object (delete, then
    create, as kubexpose names objects explicitly)."""
    if old is None or new is None:
        return []
    name = ref(new)
    out = []
    if new.get("kind") == "Deployment" and _spec(old).get("selector") != _spec(new).get("selector"):
        out.append(
            Finding(
                "replacement",
                True,
                name,
                "spec.selector changed: the Deployment is deleted and created again",
                "the downtime while no Pod runs",
            )
        )
    if new.get("kind") == "Service":
        old_type, new_type = _spec(old).get("type", "ClusterIP"), _spec(new).get("type", "ClusterIP")
        if _spec(old).get("clusterIP") != _spec(new).get("clusterIP"):
            out.append(
                Finding(
                    "replacement",
                    True,
                    name,
                    f"clusterIP {_spec(old).get('clusterIP') or '(unset)'} -> {_spec(new).get('clusterIP') or '(unset)'}: "
                    "the Service is replaced",
                    "callers briefly fail to resolve it",
                )
            )
        elif "ExternalName" in (old_type, new_type) and old_type != new_type:
            out.append(
                Finding(
                    "replacement",
                    True,
                    name,
                    f"type {old_type} -> {new_type}: the Service is replaced",
                    "callers briefly fail to resolve it",
                )
            )
    return out


def moved(removed: Iterable[Obj], added: Iterable[Obj]) -> list[Finding]:
    """An object of one app that changed name or namespace: deleted, then created."""

    def app(obj: Obj) -> tuple[Any, Any]:
        return obj.get("kind"), ((obj.get("metadata") or {}).get("labels") or {}).get("app.kubernetes.io/name")

    by_app = {app(a): a for a in added if app(a)[1]}
    return [
        Finding(
            "replacement",
            True,
            ref(r),
            f"moved to {ref(by_app[app(r)])}: deleted, then created",
            "that callers use the new name",
        )
        for r in removed
        if app(r) in by_app and ref(by_app[app(r)]) != ref(r)
    ]


# -- availability -------------------------------------------------------------------------------------------
def _budget_room(obj: Obj | None) -> tuple[str, Any] | None:
    spec = _spec(obj)
    for key in ("minAvailable", "maxUnavailable"):
        if key in spec:
            return key, spec[key]
    return None


def _number(value: Any) -> float:
    return float(str(value).rstrip("%"))


def availability(old: Obj | None, new: Obj | None) -> list[Finding]:
    """Replicas reduced, a PodDisruptionBudget removed or loosened, probes removed."""
    kind = (new or old or {}).get("kind")
    name = ref(new or old or {})
    out: list[Finding] = []
    if kind == "Deployment" and old and new:
        before, after = _spec(old).get("replicas"), _spec(new).get("replicas")
        if isinstance(before, int) and isinstance(after, int) and after < before:
            out.append(
                Finding("availability", True, name, f"replicas {before} -> {after}", "that the load fits fewer Pods")
            )
        old_containers = {c.get("name"): c for c in _pod(old).get("containers") or []}
        for c in _pod(new).get("containers") or []:
            for probe in ("readinessProbe", "livenessProbe"):
                if probe in old_containers.get(c.get("name"), {}) and probe not in c:
                    out.append(
                        Finding(
                            "availability",
                            True,
                            name,
                            f"{probe} removed (container {c.get('name')})",
                            "how broken Pods are noticed now",
                        )
                    )
    if kind == "HorizontalPodAutoscaler" and old and new:
        before, after = _spec(old).get("minReplicas", 1), _spec(new).get("minReplicas", 1)
        if after < before:
            out.append(
                Finding("availability", True, name, f"minReplicas {before} -> {after}", "that the load fits fewer Pods")
            )
    if kind == "PodDisruptionBudget":
        if old and not new:
            out.append(
                Finding(
                    "availability",
                    True,
                    name,
                    "PodDisruptionBudget removed: a drain may take every Pod at once",
                    "that the app tolerates it",
                )
            )
        elif old and new:
            before, after = _budget_room(old), _budget_room(new)
            if (
                before
                and after
                and before[0] == after[0]
                and str(before[1]).endswith("%") == str(after[1]).endswith("%")
            ):
                looser = (
                    _number(after[1]) > _number(before[1])
                    if after[0] == "maxUnavailable"
                    else _number(after[1]) < _number(before[1])
                )
                if looser:
                    out.append(
                        Finding(
                            "availability",
                            True,
                            name,
                            f"{after[0]} {before[1]} -> {after[1]}",
                            "how many Pods a drain may take now",
                        )
                    )
            elif before != after:
                out.append(
                    Finding(
                        "availability", True, name, f"budget {before} -> {after}", "how many Pods a drain may take now"
                    )
                )
    return out


# -- security -------------------------------------------------------------------------------------------------
def _secure(pod: Mapping[str, Any], c: Mapping[str, Any]) -> dict[str, bool]:
    sc, psc = c.get("securityContext") or {}, pod.get("securityContext") or {}
    seccomp = (sc.get("seccompProfile") or psc.get("seccompProfile") or {}).get("type")
    return {
        "runAsNonRoot": bool(sc.get("runAsNonRoot", psc.get("runAsNonRoot"))),
        "readOnlyRootFilesystem": sc.get("readOnlyRootFilesystem") is True,
        "allowPrivilegeEscalation: false": sc.get("allowPrivilegeEscalation") is False,
        "capabilities drop ALL": "ALL" in ((sc.get("capabilities") or {}).get("drop") or []),
        "no added capabilities": not (sc.get("capabilities") or {}).get("add"),
        "not privileged": not sc.get("privileged", False),
        "seccomp RuntimeDefault": seccomp in ("RuntimeDefault", "Localhost"),
    }


def _pinned(image: Any) -> bool:
    last = str(image).rsplit("/", 1)[-1]
    return "@" in last or (":" in last and not last.endswith(":latest"))


def security(old: Obj | None, new: Obj | None) -> list[Finding]:
    """A secure Pod default turned off, a service-account token mounted, an image no longer pinned."""
    if (new or old or {}).get("kind") != "Deployment" or not (old and new):
        return []
    name = ref(new)
    out = []
    old_pod, new_pod = _pod(old), _pod(new)
    if (
        old_pod.get("automountServiceAccountToken") is False
        and new_pod.get("automountServiceAccountToken") is not False
    ):
        out.append(
            Finding(
                "security",
                True,
                name,
                "service-account token now mounted into the Pods",
                "that the app needs the Kubernetes API",
            )
        )
    old_containers = {c.get("name"): c for c in old_pod.get("containers") or []}
    for c in new_pod.get("containers") or []:
        before = old_containers.get(c.get("name"))
        if before is None:
            continue
        was, now = _secure(old_pod, before), _secure(new_pod, c)
        for key in was:
            if was[key] and not now[key]:
                out.append(
                    Finding(
                        "security",
                        True,
                        name,
                        f"{key} turned off (container {c.get('name')})",
                        "the reason, and whether a narrower setting does",
                    )
                )
        if _pinned(before.get("image")) and not _pinned(c.get("image")):
            out.append(
                Finding(
                    "security",
                    True,
                    name,
                    f"image {before.get('image')} -> {c.get('image')}: no longer pinned",
                    "pin a tag or digest: every node may run a different version",
                )
            )
    return out


RULES: list[Callable[[Obj | None, Obj | None], list[Finding]]] = [
    service_exposure,
    network_policy_exposure,
    route_exposure,
    replacement,
    availability,
    security,
]
"""Every per-object rule, in the order the report lists their findings."""
