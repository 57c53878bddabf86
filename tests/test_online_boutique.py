"""Online Boutique written with kubexpose (issue 37, point 5): `examples/online-boutique/` renders, and every
difference from upstream's manifests (`examples/online-boutique/upstream/`, as Google ships them) is one a reason
explains. The differences, grouped by reason, are `examples/online-boutique/DIFFERENCES.md` (`pytest
--update-golden` writes it; review it like a snapshot)."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from pulumi_kubernetes.core.v1 import ServiceSpecType

from kubexpose import StackProfile
from kubexpose.engine.run import run_program
from kubexpose.render.manifests import manifests

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "online-boutique"
UPSTREAM = EXAMPLE / "upstream" / "kubernetes-manifests.yaml"
DIFFERENCES = EXAMPLE / "DIFFERENCES.md"
PROFILE = StackProfile(namespace="boutique", public_service_type=ServiceSpecType.NODE_PORT)
Key = tuple[str, str]

# (kind, "+" kubexpose writes it / "-" upstream's only / "~" both, other value, path pattern, reason)
REASONS: list[tuple[str, str, str, str]] = [
    ("*", "+", r"\.metadata\.namespace", "kubexpose writes the stack's namespace (`kubexpose:namespace`) on every object"),
    ("*", "+-", r"(\.metadata\.labels|\.spec(\.template\.metadata\.labels|\.selector\.matchLabels|\.selector))\.(app|app\.kubernetes\.io/name)",
     "the selector label is `app.kubernetes.io/name` (upstream: `app`); `adopt.selector` keeps an old one when taking over live objects"),
    ("Deployment", "+", r"\.spec\.replicas", "the replica count is written (1, Kubernetes' default, which upstream leaves out)"),
    ("Deployment", "+", r"\.spec\.strategy\..*", "rolling updates start a new Pod before they stop an old one (`maxUnavailable: 0`, `maxSurge: 25%`)"),
    ("*", "+", r"(\.spec\.template\.spec)?\.automountServiceAccountToken", "no service-account token is mounted (the apps never call the Kubernetes API)"),
    ("Deployment", "+", r"\.spec\.template\.spec\.(containers|initContainers)\[\]\.imagePullPolicy", "`imagePullPolicy: Always`: a moved tag or a revoked pull right is noticed at each Pod start"),
    ("Deployment", "+", r"\.spec\.template\.spec\.containers\[\]\.lifecycle\.preStop\.sleep\.seconds", "a 5 s drain before SIGTERM where upstream keeps Kubernetes' 30 s grace period (where it sets 5 s, the example gives `drain_seconds=0`)"),
    ("Deployment", "+", r"\.spec\.template\.spec\.containers\[\]\.ports\[\]\.(name|protocol)", "container ports are named after the Service port and carry their protocol"),
    ("Deployment", "+", r"\.spec\.template\.spec\.(containers|initContainers)\[\]\.securityContext\.runAsNonRoot", "every container says `runAsNonRoot` (upstream: the Pod does)"),
    ("Deployment", "+", r"\.spec\.template\.spec\.securityContext\.seccompProfile\.type", "the `RuntimeDefault` seccomp profile (Pod Security `restricted`)"),
    ("Deployment", "+", r"\.spec\.template\.spec\.(containers|initContainers)\[\]\.terminationMessagePolicy", "`FallbackToLogsOnError`: a crashing container's last log lines reach `pulumi up`"),
    ("Deployment", "+", r"\.spec\.template\.spec\.initContainers\[\]\.resources\..*", "the init step gets kubexpose's default requests and limits (upstream gives it none)"),
    ("Deployment", "~", r"\.spec\.template\.spec\.(containers\[\]\.name|containers\[\]\.volumeMounts\[\]\.name|volumes\[\]\.name)", "the container is named after the app (upstream: `server`, `redis`, `main`), and a writable path's volume after its path"),
    ("Deployment", "-", r"\.spec\.template\.spec\.restartPolicy", "`restartPolicy: Always`, Kubernetes' default for a Deployment, is left out"),
    ("*", "+", r"\.spec\.template\.spec\.serviceAccountName|ServiceAccount", "each app gets a ServiceAccount of its own (upstream's redis-cart runs as `default`)"),
    ("Service", "+", r"\.spec\.ports\[\]\.protocol", "Service ports carry their protocol (TCP, Kubernetes' default)"),
    ("Service", "~-", r"\.spec\.type|frontend-external", "the public frontend is one Service of the stack's public type (NodePort here, LoadBalancer in prod), not a ClusterIP `frontend` beside a LoadBalancer `frontend-external`"),
    ("NetworkPolicy", "+", r"NetworkPolicy", "each service admits only the apps whose `*_ADDR` names it (`allowed_callers`); the frontend is public; the load generator admits no one"),
]  # fmt: skip


def _flat(value: Any, path: str = "") -> dict[str, Any]:
    """Paths to leaves; list items by their `name` (containers by position: their names differ), else position."""
    if isinstance(value, dict) and value:
        return {p: v for k, item in value.items() for p, v in _flat(item, f"{path}.{k}").items()}
    if isinstance(value, list) and value and all(isinstance(i, dict) for i in value):
        keyed = not path.endswith(("containers", "ports", "volumeMounts", "volumes")) and all(
            "name" in i for i in value
        )
        return {
            p: v
            for n, item in enumerate(value)
            for p, v in _flat(item, f"{path}[{item['name'] if keyed else n}]").items()
        }
    return {path: value}


def differences(upstream: dict[Key, dict[str, Any]], ours: dict[Key, dict[str, Any]]) -> Iterator[tuple[str, str, str]]:
    """`(kind/name, side, path)` for every object one side has alone and every field that differs."""
    for key in sorted(set(upstream) | set(ours)):
        kind, name = key
        if key not in ours or key not in upstream:
            yield f"{kind}/{name}", "+" if key in ours else "-", kind if key in ours else name
            continue
        a, b = _flat(upstream[key]), _flat(ours[key])
        for path in sorted(set(a) | set(b)):
            if a.get(path) != b.get(path):
                yield (
                    f"{kind}/{name}",
                    "+" if path not in a else "-" if path not in b else "~",
                    re.sub(r"\[[^\]]+\]", "[]", path),
                )


def reason_of(kind: str, side: str, path: str) -> str | None:
    for rule_kind, sides, pattern, reason in REASONS:
        if rule_kind in ("*", kind) and side in sides and re.fullmatch(pattern, path):
            return reason
    return None


@pytest.fixture(scope="module")
def objects() -> tuple[dict[Key, dict[str, Any]], dict[Key, dict[str, Any]]]:
    sys.path.insert(0, str(EXAMPLE))
    try:
        import boutique

        rendered = manifests(run_program(lambda: boutique.main(PROFILE), fast=True))
    finally:
        sys.path.remove(str(EXAMPLE))
    upstream = [d for d in yaml.safe_load_all(UPSTREAM.read_text()) if d]
    return {(d["kind"], d["metadata"]["name"]): d for d in upstream}, {
        (d["kind"], d["metadata"]["name"]): d for d in rendered
    }


def test_the_example_writes_every_app_of_upstream_under_its_name(objects: Any) -> None:
    upstream, ours = objects
    assert sorted(n for k, n in upstream if k == "Deployment") == sorted(n for k, n in ours if k == "Deployment")
    assert {k for k in upstream if k[0] == "Service"} - {k for k in ours if k[0] == "Service"} == {
        ("Service", "frontend-external")
    }
    for (kind, name), obj in ours.items():  # every caller's *_ADDR reaches the same name and port
        if kind == "Service":
            assert obj["spec"]["ports"][0]["port"] == upstream[(kind, name)]["spec"]["ports"][0]["port"], name


def test_the_shop_passes_the_policy_pack(objects: Any) -> None:
    """kubexpose's policies over the render: secure Pod defaults (Pod Security `restricted`), every call admitted by
    the callee's NetworkPolicy (the `*_ADDR` graph), budgets, routes."""
    from kubexpose.policy_pack import check_manifests

    assert check_manifests(list(objects[1].values())) == []


def test_every_difference_from_upstream_has_a_reason(objects: Any, update_golden: bool) -> None:
    found = list(differences(*objects))
    unexplained = [d for d in found if reason_of(d[0].split("/")[0], d[1], d[2]) is None]
    assert unexplained == [], "differences no reason explains (add a reason, or make the example write it)"
    by_reason: dict[str, dict[str, set[str]]] = {}
    for obj, side, path in found:
        reason = reason_of(obj.split("/")[0], side, path)
        assert reason is not None
        by_reason.setdefault(reason, {}).setdefault(f"{side} {path}", set()).add(obj)
    assert [r for _, _, _, r in REASONS if r not in by_reason] == [], "a reason explains nothing: drop it"
    lines = [
        "# Online Boutique with kubexpose: every difference from upstream",
        "",
        "Written by `tests/test_online_boutique.py` (`pytest --update-golden`): the render of `boutique.py` (stack",
        "`dev`) against `upstream/kubernetes-manifests.yaml`, field by field. `+` kubexpose writes it, `-` upstream",
        "only, `~` both, with other values. Each group is one reason.",
        "",
    ]
    for _, _, _, reason in REASONS:
        lines.append(f"- **{reason}**")
        for change, objs in sorted(by_reason[reason].items()):
            shown = ", ".join(sorted(objs)[:3]) + (f" and {len(objs) - 3} more" if len(objs) > 3 else "")
            lines.append(f"  - `{change}` ({shown})")
    text = "\n".join(lines) + "\n"
    if update_golden:
        DIFFERENCES.write_text(text)
    assert DIFFERENCES.read_text() == text, "DIFFERENCES.md is stale: run `pytest --update-golden` and review it"
