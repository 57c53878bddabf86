"""Changing an app's exposure between versions: version 2 must be accepted as an update, or the user is told.

For every ordered pair of variants, version 1 and version 2 of the same app are rendered. Version 2
must pass the independent rules on its own, carry no field only version 1's type allows (a stale
`nodePort`, `clusterIP` or load-balancer field), and keep the Deployment selector. Where Kubernetes
cannot update in place (`spec.clusterIP` is immutable except to or from ExternalName, so headless
on/off means a replace), a warning must have been given at declaration time.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from conftest import CLOUD
from k8s_rules import render_violations

from kubexpose import ExposedDeployment, ExternalAlias
from kubexpose.engine.run import run_program
from kubexpose.render.manifests import manifests

IMAGE = "nginxinc/nginx-unprivileged:1.27-alpine"
APP_VARIANTS: dict[str, dict[str, Any]] = {
    "ClusterIP": {},
    "headless": {"headless": True},
    "NodePort": {"service_type": "NodePort"},
    "NodePort fixed": {"service_type": "NodePort", "ports": [{"port": 80, "node_port": 30080}]},
    "LoadBalancer": {"service_type": "LoadBalancer"},
}
ALIAS_VARIANTS: dict[str, dict[str, Any]] = {
    "DNS alias": {"target": "api.example.com", "port": 443},
    "IP alias": {"target": ["192.0.2.10"], "port": 443},
}
REPLACED = {("ClusterIP", "headless"), ("headless", "ClusterIP")} | {
    (a, b) for a in APP_VARIANTS for b in APP_VARIANTS if (a == "headless") != (b == "headless")
}
"""The pairs Kubernetes cannot update in place: `spec.clusterIP` changes between None and allocated."""
LB_ONLY = ("loadBalancerSourceRanges", "loadBalancerClass", "allocateLoadBalancerNodePorts")


def render_app(variant: dict[str, Any]) -> tuple[dict[str, dict[str, Any]], list[str]]:
    args = {"image": IMAGE, **({} if "ports" in variant else {"port": 80}), **variant}
    result = run_program(lambda: ExposedDeployment("app", args, profile=CLOUD))
    return {m["kind"]: m for m in manifests(result)}, result.warnings


def render_alias(variant: dict[str, Any]) -> tuple[dict[str, dict[str, Any]], list[str]]:
    result = run_program(lambda: ExternalAlias("ext", variant, profile=CLOUD))
    return {m["kind"]: m for m in manifests(result)}, result.warnings


def update_problems(old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]) -> tuple[list[str], bool]:
    """What the API server would refuse in `new` as an update of `old`, and whether a replace is needed."""
    problems = render_violations(list(new.values()))
    old_svc, new_svc = old["Service"]["spec"], new["Service"]["spec"]
    new_type = new_svc.get("type", "ClusterIP")
    if new_type not in ("NodePort", "LoadBalancer") and any("nodePort" in p for p in new_svc.get("ports") or []):
        problems.append(f"stale nodePort on {new_type}")
    if new_type != "LoadBalancer":
        problems += [f"stale {f} on {new_type}" for f in LB_ONLY if f in new_svc]
    if new_type == "ExternalName" and "clusterIP" in new_svc:
        problems.append("clusterIP on ExternalName")
    external = "ExternalName" in (old_svc.get("type"), new_type)
    replace = not external and old_svc.get("clusterIP") != new_svc.get("clusterIP")
    if (
        "Deployment" in old
        and "Deployment" in new
        and old["Deployment"]["spec"]["selector"] != new["Deployment"]["spec"]["selector"]
    ):
        replace = True
    return problems, replace


@pytest.mark.parametrize(("v1", "v2"), list(itertools.product(APP_VARIANTS, APP_VARIANTS)))
def test_an_app_can_move_between_service_types(v1: str, v2: str) -> None:
    old, old_warnings = render_app(APP_VARIANTS[v1])
    new, new_warnings = render_app(APP_VARIANTS[v2])
    problems, replace = update_problems(old, new)
    assert problems == []
    assert replace == ((v1, v2) in REPLACED)
    if replace:
        assert any("replace" in w for w in old_warnings + new_warnings), "a replacement must be announced"
    assert old["Deployment"]["spec"]["selector"] == new["Deployment"]["spec"]["selector"]


@pytest.mark.parametrize(("v1", "v2"), list(itertools.product(ALIAS_VARIANTS, ALIAS_VARIANTS)))
def test_an_alias_can_move_between_a_dns_name_and_ips(v1: str, v2: str) -> None:
    old, _ = render_alias(ALIAS_VARIANTS[v1])
    new, _ = render_alias(ALIAS_VARIANTS[v2])
    problems, replace = update_problems(old, new)
    assert problems == []
    assert not replace, "to and from ExternalName, Kubernetes updates the Service in place"


def test_the_update_check_catches_a_stale_node_port_and_a_headless_switch() -> None:
    old, _ = render_app(APP_VARIANTS["NodePort fixed"])
    new, _ = render_app(APP_VARIANTS["ClusterIP"])
    new["Service"]["spec"]["ports"][0]["nodePort"] = 30080
    problems, _ = update_problems(old, new)
    assert "stale nodePort on ClusterIP" in problems
    _, replace = update_problems(render_app(APP_VARIANTS["ClusterIP"])[0], render_app(APP_VARIANTS["headless"])[0])
    assert replace
