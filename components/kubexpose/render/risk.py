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
from collections.abc import Callable, Iterable
from typing import Any

from .findings import CLASSES, CLUSTER_SCOPED, Finding, Obj, match_labels, namespace_of, ref, spec_of
from .risk_pods import availability, claim_mounts, migration, scheduled_jobs, security, stateful_data
from .risk_traffic import traffic_shifts

__all__ = [
    "CLASSES",
    "CLUSTER_SCOPED",
    "RULES",
    "Finding",
    "availability",
    "moved",
    "namespace_of",
    "network_policy_exposure",
    "ref",
    "replacement",
    "route_exposure",
    "security",
    "service_exposure",
    "traffic_shifts",
]


# -- exposure ---------------------------------------------------------------------------------------------
_SERVICE_RANK = {"ClusterIP": 0, "ExternalName": 0, "NodePort": 1, "LoadBalancer": 2}


def service_exposure(old: Obj | None, new: Obj | None) -> list[Finding]:
    """A Service's type moving towards the outside (ClusterIP -> NodePort -> LoadBalancer), a new public
    Service, source ranges widened or dropped, externalTrafficPolicy changed."""
    if (new or old or {}).get("kind") != "Service":
        return []
    out: list[Finding] = []
    name = ref(new or old or {})
    before = _SERVICE_RANK.get(spec_of(old).get("type", "ClusterIP"), 0) if old else None
    after = _SERVICE_RANK.get(spec_of(new).get("type", "ClusterIP"), 0) if new else None
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
                f"type {spec_of(old).get('type', 'ClusterIP')} -> {spec_of(new).get('type', 'ClusterIP')}",
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
    if old and new and spec_of(old).get("externalTrafficPolicy") != spec_of(new).get("externalTrafficPolicy"):
        out.append(
            Finding(
                "exposure",
                True,
                name,
                f"externalTrafficPolicy {spec_of(old).get('externalTrafficPolicy') or '(unset)'} -> "
                f"{spec_of(new).get('externalTrafficPolicy') or '(unset)'}",
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
    return [ipaddress.ip_network(r, strict=False) for r in spec_of(obj).get("loadBalancerSourceRanges") or []]


def _peers(obj: Obj | None, direction: str = "ingress") -> set[tuple[str, str]]:
    """Every `(ports, peer)` a NetworkPolicy admits (`ingress`) or lets its Pods call (`egress`), as comparable
    JSON; peer `*` for a rule open to all."""
    out: set[tuple[str, str]] = set()
    for rule in spec_of(obj).get(direction) or []:
        ports = json.dumps(rule.get("ports") or "all", sort_keys=True)
        for peer in rule.get("from" if direction == "ingress" else "to") or ["*"]:
            out.add((ports, json.dumps(peer, sort_keys=True)))
    return out


def _restricts_egress(obj: Obj | None) -> bool:
    return "Egress" in (spec_of(obj).get("policyTypes") or [])


def egress_exposure(old: Obj | None, new: Obj | None) -> list[Finding]:
    """A NetworkPolicy letting its Pods call more (egress opened, a destination added, a new egress-only policy such
    as an ExternalAlias's for its callers) or less."""
    if (new or old or {}).get("kind") != "NetworkPolicy" or new is None:
        return []
    name, check = ref(new), "that these Pods may call these destinations"
    if old is None:
        egress_only = spec_of(new).get("policyTypes") == ["Egress"]
        return (
            [Finding("exposure", True, name, "lets its Pods call " + _shown(_peers(new, "egress")), check)]
            if (egress_only)
            else []
        )
    if not _restricts_egress(old) and not _restricts_egress(new):
        return []
    if not _restricts_egress(new):
        return [Finding("exposure", True, name, "egress open: its Pods may call anything", check)]
    if not _restricts_egress(old):
        return [Finding("exposure", False, name, "egress restricted to " + _shown(_peers(new, "egress")), check)]
    before, after = _peers(old, "egress"), _peers(new, "egress")
    added = sorted(p for p in after - before if not any(_covers(o, p) for o in before))
    removed = sorted(p for p in before - after if not any(_covers(n, p) for n in after))
    out = [Finding("exposure", True, name, "may call more: " + _shown(added), check)] if added else []
    if removed:
        out.append(Finding("exposure", False, name, "may call less: " + _shown(removed), "that nothing needs them"))
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
    spec = spec_of(obj)
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
    """Fields whose change makes pulumi-kubernetes replace the object (delete, then create, as kubexpose names objects
    explicitly): its force-new fields of the kinds kubexpose writes, a Deployment's `spec.selector` and a Service's
    `spec.clusterIP` (pulumi-kubernetes `provider/pkg/provider/diff.go`). A switch between ExternalName and a
    ClusterIP Service is an update in place: the engine plans `update` (`e2e/test_service_switches.py`), and the
    API server allocates or drops the cluster IP."""
    if old is None or new is None:
        return []
    name = ref(new)
    out = []
    if new.get("kind") == "Deployment" and spec_of(old).get("selector") != spec_of(new).get("selector"):
        out.append(
            Finding(
                "replacement",
                True,
                name,
                "spec.selector changed: the Deployment is deleted and created again",
                "the downtime while no Pod runs" + _keep_selector(old, new),
            )
        )
    if new.get("kind") == "Service" and spec_of(old).get("clusterIP") != spec_of(new).get("clusterIP"):
        out.append(
            Finding(
                "replacement",
                True,
                name,
                f"clusterIP {spec_of(old).get('clusterIP') or '(unset)'} -> {spec_of(new).get('clusterIP') or '(unset)'}: "
                "the Service is replaced",
                "callers briefly fail to resolve it",
            )
        )
    return out


def _keep_selector(old: Obj, new: Obj) -> str:
    """How to keep the live selector when the new Deployment is an ExposedDeployment's (its default selector is
    `app.kubernetes.io/name: <name>`): `adopt.selector`, which its Service, budget and policy then select by too."""
    name = (new.get("metadata") or {}).get("name")
    live = match_labels(old)
    if not live or match_labels(new) != {"app.kubernetes.io/name": name}:
        return ""
    shown = ", ".join(f'"{k}": "{v}"' for k, v in sorted(live.items()))
    return (
        f"; to keep the live Deployment (no replacement), give ExposedDeployment {name!r} the live selector: "
        f'"adopt": {{"selector": {{{shown}}}}} (its Service, PodDisruptionBudget and NetworkPolicy then select by it)'
    )


def moved(removed: Iterable[Obj], added: Iterable[Obj]) -> list[Finding]:
    """An object of one app that changed name or namespace: deleted, then created."""

    def app(obj: Obj) -> tuple[Any, Any]:
        return obj.get("kind"), ((obj.get("metadata") or {}).get("labels") or {}).get("app.kubernetes.io/name")

    def runs(obj: Obj) -> bool:  # a Job named from its content: a new one is a new run, never a move
        labels = (obj.get("metadata") or {}).get("labels") or {}
        return obj.get("kind") == "Job" and labels.get("app.kubernetes.io/component") in ("migration", "job")

    by_app = {app(a): a for a in added if app(a)[1] and not runs(a)}
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


RULES: list[Callable[[Obj | None, Obj | None], list[Finding]]] = [
    service_exposure,
    network_policy_exposure,
    egress_exposure,
    route_exposure,
    replacement,
    stateful_data,
    claim_mounts,
    availability,
    migration,
    scheduled_jobs,
    security,
]
"""Every per-object rule, in the order the report lists their findings."""
