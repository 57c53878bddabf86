"""The traffic rule of `kubexpose diff`: a shift of traffic between the versions of an app.

It reads the whole render, not one object: a Service spreads its callers over the ready Pods of every Deployment
whose Pods it selects, so each Deployment's share is its replicas over theirs; an HTTPRoute splits its traffic over
its backends by their weights. A finding lists every share before and after when a Service or route splits over
more than one target in either render and a share changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .findings import Finding, Obj, namespace_of, ref, spec_of

Shares = dict[str, float]


def _by_replicas(service: Obj, objects: Mapping[Any, Obj]) -> Shares | None:
    """The share of each Deployment the Service selects, by replicas (None: no selector, or an autoscaler's count)."""
    selector = spec_of(service).get("selector") or {}
    if not selector:
        return None
    counts: dict[str, int] = {}
    for obj in objects.values():
        if obj.get("kind") != "Deployment" or namespace_of(obj) != namespace_of(service):
            continue
        labels = (((spec_of(obj).get("template") or {}).get("metadata") or {}).get("labels")) or {}
        if selector.items() <= labels.items():
            replicas = spec_of(obj).get("replicas")
            if not isinstance(replicas, int):
                return None  # an autoscaler's (or an Output's): unknown
            counts[(obj.get("metadata") or {}).get("name", "")] = replicas
    return _shares(counts)


def _by_weights(route: Obj) -> Shares:
    """The share of each backend Service of an HTTPRoute, by weight (each rule's backends; one rule in kubexpose's)."""
    weights: dict[str, int] = {}
    for rule in spec_of(route).get("rules") or []:
        for backend in rule.get("backendRefs") or []:
            name = str(backend.get("name"))
            weights[name] = weights.get(name, 0) + int(backend.get("weight", 1))
    return _shares(weights)


def _shares(counts: Mapping[str, int]) -> Shares:
    total = sum(counts.values())
    return {name: (count / total if total else 0.0) for name, count in counts.items()}


def _shown(before: Shares | None, after: Shares | None) -> str:
    names = sorted(set(before or {}) | set(after or {}))

    def share(shares: Shares | None, name: str) -> str:
        return f"{shares[name]:.0%}" if shares is not None and name in shares else "none"

    return ", ".join(f"{name} {share(before, name)} -> {share(after, name)}" for name in names)


def traffic_shifts(old: Mapping[Any, Obj], new: Mapping[Any, Obj]) -> list[Finding]:
    """A finding per Service or HTTPRoute whose split over several Deployments (or backends) changed."""
    out: list[Finding] = []
    for key in sorted(set(old) | set(new), key=str):
        before_obj, after_obj = old.get(key), new.get(key)
        obj = after_obj or before_obj or {}
        if obj.get("kind") == "Service":
            before = _by_replicas(before_obj, old) if before_obj else None
            after = _by_replicas(after_obj, new) if after_obj else None
            how, check = "traffic by Pods", "that the version taking more traffic is ready for it"
        elif obj.get("kind") == "HTTPRoute":
            before = _by_weights(before_obj) if before_obj else None
            after = _by_weights(after_obj) if after_obj else None
            how, check = "routed traffic by weight", "that the backend taking more traffic is ready for it"
        else:
            continue
        split = max(len(before or {}), len(after or {})) > 1
        if split and before is not None and after is not None and before != after:
            out.append(
                Finding("availability", True, ref(obj), f"{how}: {_shown(before, after)}", check, directed=False)
            )
    return out
