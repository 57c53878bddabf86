"""`kubexpose diff`: every risk rule firing and not firing, the report, the flags, the git mode, and
properties (a render against itself has no finding; swapping the two turns widening into narrowing)."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, rendered
from hypothesis import given, settings
from hypothesis import strategies as st

from kubexpose.render import identity
from kubexpose.render.cli import main as cli
from kubexpose.render.diff import diff, load, markdown
from kubexpose.render.risk import (
    Finding,
    availability,
    moved,
    namespace_of,
    network_policy_exposure,
    replacement,
    route_exposure,
    security,
    service_exposure,
)

GOLDEN = ROOT / "tests" / "golden"


def obj(kind: str, name: str = "web", **spec: Any) -> dict[str, Any]:
    return {
        "kind": kind,
        "metadata": {"name": name, "namespace": "shop", "labels": {"app.kubernetes.io/name": name}},
        "spec": spec,
    }


def reasons(found: list[Finding]) -> list[tuple[str, bool, str]]:
    return [(f.cls, f.raised, f.reason) for f in found]


# -- exposure -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ("ClusterIP", "NodePort", [("exposure", True, "type ClusterIP -> NodePort")]),
        ("NodePort", "LoadBalancer", [("exposure", True, "type NodePort -> LoadBalancer")]),
        ("LoadBalancer", "ClusterIP", [("exposure", False, "type LoadBalancer -> ClusterIP")]),
        ("ClusterIP", "ClusterIP", []),
        ("ExternalName", "ClusterIP", []),
    ],
)
def test_a_service_moving_outwards_widens_exposure(before: str, after: str, expected: list[Any]) -> None:
    found = service_exposure(obj("Service", type=before), obj("Service", type=after))
    assert reasons(found) == expected


def test_a_new_public_service_widens_exposure_and_a_new_internal_one_does_not() -> None:
    assert reasons(service_exposure(None, obj("Service", type="LoadBalancer"))) == [
        ("exposure", True, "new public Service (LoadBalancer)")
    ]
    assert service_exposure(None, obj("Service", type="ClusterIP")) == []


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (["10.0.0.0/24"], [], (True, "loadBalancerSourceRanges removed: open to every address")),
        (["10.0.0.0/24"], ["10.0.0.0/16"], (True, "loadBalancerSourceRanges widened: 10.0.0.0/16")),
        (["10.0.0.0/24"], ["10.0.0.0/24", "192.0.2.0/24"], (True, "loadBalancerSourceRanges widened: 192.0.2.0/24")),
        (["10.0.0.0/24"], ["0.0.0.0/0"], (True, "loadBalancerSourceRanges widened: 0.0.0.0/0")),
        (
            ["10.0.0.0/16"],
            ["10.0.0.0/24"],
            (False, "loadBalancerSourceRanges narrowed: 10.0.0.0/16 no longer admitted"),
        ),
        ([], ["10.0.0.0/24"], (False, "loadBalancerSourceRanges added")),
        (["10.0.0.0/24"], ["10.0.0.0/25", "10.0.0.128/25"], None),
    ],
)
def test_source_ranges_widen_or_narrow(before: list[str], after: list[str], expected: Any) -> None:
    found = service_exposure(
        obj("Service", type="LoadBalancer", loadBalancerSourceRanges=before),
        obj("Service", type="LoadBalancer", loadBalancerSourceRanges=after),
    )
    if expected is None:
        assert [f for f in found if "Ranges" in f.reason] == [] or all(not f.raised for f in found)
    else:
        assert (found[0].raised, found[0].reason) == expected


def test_a_changed_external_traffic_policy_is_an_exposure_finding() -> None:
    found = service_exposure(
        obj("Service", type="NodePort"), obj("Service", type="NodePort", externalTrafficPolicy="Local")
    )
    assert reasons(found) == [("exposure", True, "externalTrafficPolicy (unset) -> Local")]
    assert (
        service_exposure(obj("Service", externalTrafficPolicy="Local"), obj("Service", externalTrafficPolicy="Local"))
        == []
    )


FRONTEND = {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "frontend"}}}
PORTS = [{"port": 8080, "protocol": "TCP"}]


def policy(*peers: Any, ports: Any = PORTS) -> dict[str, Any]:
    rule: dict[str, Any] = {"ports": ports}
    if peers != ("*",):
        rule["from"] = list(peers)
    return obj("NetworkPolicy", ingress=[rule])


@pytest.mark.parametrize(
    ("before", "after", "raised", "lowered"),
    [
        (
            policy(FRONTEND),
            policy(FRONTEND, {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "worker"}}}),
            True,
            False,
        ),
        (policy(FRONTEND), policy({"namespaceSelector": {}}), True, False),  # the new peer covers the old one
        (policy(FRONTEND), policy({"podSelector": {}}), True, False),  # loosened: every Pod of the namespace
        (policy(FRONTEND), policy("*"), True, False),
        (policy(FRONTEND, {"namespaceSelector": {}}), policy(FRONTEND), False, True),
        (policy({"podSelector": {}}), policy(FRONTEND), False, True),
        (policy(FRONTEND), policy(FRONTEND), False, False),
        (policy(FRONTEND), policy(FRONTEND, ports=[{"port": 9090, "protocol": "TCP"}]), True, True),
    ],
)
def test_a_network_policy_admitting_more_widens_and_less_narrows(
    before: dict[str, Any], after: dict[str, Any], raised: bool, lowered: bool
) -> None:
    found = network_policy_exposure(before, after)
    assert any(f.raised for f in found) is raised
    assert any(not f.raised for f in found) is lowered


def test_a_removed_network_policy_opens_the_pods() -> None:
    assert reasons(network_policy_exposure(policy(FRONTEND), None)) == [
        ("exposure", True, "NetworkPolicy removed: its Pods admit every caller")
    ]
    assert network_policy_exposure(None, policy(FRONTEND)) == []


def test_a_route_host_or_path_added_widens_exposure() -> None:
    def ingress(*paths: tuple[str, str]) -> dict[str, Any]:
        return obj("Ingress", rules=[{"host": h, "http": {"paths": [{"path": p}]}} for h, p in paths])

    assert reasons(
        route_exposure(ingress(("a.example.com", "/")), ingress(("a.example.com", "/"), ("a.example.com", "/admin")))
    ) == [("exposure", True, "routes added: a.example.com/admin")]
    assert reasons(
        route_exposure(
            None, obj("HTTPRoute", hostnames=["b.example.com"], rules=[{"matches": [{"path": {"value": "/"}}]}])
        )
    ) == [("exposure", True, "routes added: b.example.com/")]
    assert [f.raised for f in route_exposure(ingress(("a.example.com", "/")), None)] == [False]
    assert route_exposure(ingress(("a.example.com", "/")), ingress(("a.example.com", "/"))) == []


# -- replacement ------------------------------------------------------------------------------------------------
def test_fields_kubernetes_cannot_update_in_place_mean_a_replacement() -> None:
    assert reasons(replacement(obj("Deployment", selector={"a": 1}), obj("Deployment", selector={"a": 2}))) == [
        ("replacement", True, "spec.selector changed: the Deployment is deleted and created again")
    ]
    assert (
        replacement(obj("Deployment", selector={"a": 1}, replicas=1), obj("Deployment", selector={"a": 1}, replicas=2))
        == []
    )
    assert reasons(replacement(obj("Service", clusterIP="None"), obj("Service"))) == [
        ("replacement", True, "clusterIP None -> (unset): the Service is replaced")
    ]
    # pulumi-kubernetes updates a switch to or from ExternalName in place (e2e/test_service_switches.py)
    assert replacement(obj("Service", type="ClusterIP"), obj("Service", type="ExternalName", externalName="a.b")) == []
    assert replacement(obj("Service", type="ExternalName", externalName="a.b"), obj("Service")) == []
    assert replacement(obj("Service", type="ClusterIP"), obj("Service", type="NodePort")) == []


def test_an_object_that_moves_is_deleted_then_created() -> None:
    before = obj("Deployment", name="web")
    after = copy.deepcopy(before)
    after["metadata"]["namespace"] = "store"
    assert reasons(moved([before], [after])) == [
        ("replacement", True, "moved to Deployment store/web: deleted, then created")
    ]
    other = obj("Deployment", name="api")
    assert moved([before], [other]) == []


# -- availability -------------------------------------------------------------------------------------------------
def test_fewer_replicas_a_looser_or_missing_budget_and_removed_probes_lower_availability() -> None:
    assert reasons(availability(obj("Deployment", replicas=3), obj("Deployment", replicas=2))) == [
        ("availability", True, "replicas 3 -> 2")
    ]
    assert availability(obj("Deployment", replicas=2), obj("Deployment", replicas=3)) == []
    assert reasons(
        availability(obj("HorizontalPodAutoscaler", minReplicas=3), obj("HorizontalPodAutoscaler", minReplicas=2))
    ) == [("availability", True, "minReplicas 3 -> 2")]
    assert reasons(availability(obj("PodDisruptionBudget", maxUnavailable=1), None)) == [
        ("availability", True, "PodDisruptionBudget removed: a drain may take every Pod at once")
    ]
    assert reasons(
        availability(obj("PodDisruptionBudget", maxUnavailable=1), obj("PodDisruptionBudget", maxUnavailable=2))
    ) == [("availability", True, "maxUnavailable 1 -> 2")]
    assert reasons(
        availability(obj("PodDisruptionBudget", minAvailable="50%"), obj("PodDisruptionBudget", minAvailable="25%"))
    ) == [("availability", True, "minAvailable 50% -> 25%")]
    assert availability(obj("PodDisruptionBudget", minAvailable=1), obj("PodDisruptionBudget", minAvailable=2)) == []
    probed = {"containers": [{"name": "web", "readinessProbe": {"tcpSocket": {"port": 80}}}]}
    bare = {"containers": [{"name": "web"}]}
    assert reasons(
        availability(obj("Deployment", template={"spec": probed}), obj("Deployment", template={"spec": bare}))
    ) == [("availability", True, "readinessProbe removed (container web)")]
    assert availability(obj("Deployment", template={"spec": bare}), obj("Deployment", template={"spec": probed})) == []
    started = {"containers": [{"name": "web", "startupProbe": {"tcpSocket": {"port": 80}, "failureThreshold": 60}}]}
    assert reasons(
        availability(obj("Deployment", template={"spec": started}), obj("Deployment", template={"spec": bare}))
    ) == [("availability", True, "startupProbe removed (container web)")]


# -- security -------------------------------------------------------------------------------------------------------
SECURE = {
    "automountServiceAccountToken": False,
    "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
    "containers": [
        {
            "name": "web",
            "image": "nginx:1.27",
            "securityContext": {
                "allowPrivilegeEscalation": False,
                "readOnlyRootFilesystem": True,
                "capabilities": {"drop": ["ALL"]},
            },
        }
    ],
}


def deployment(pod: dict[str, Any]) -> dict[str, Any]:
    return obj("Deployment", template={"spec": pod})


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda p: p["securityContext"].update(runAsNonRoot=False), "runAsNonRoot turned off"),
        (
            lambda p: p["containers"][0]["securityContext"].update(readOnlyRootFilesystem=False),
            "readOnlyRootFilesystem turned off",
        ),
        (
            lambda p: p["containers"][0]["securityContext"].update(allowPrivilegeEscalation=True),
            "allowPrivilegeEscalation: false turned off",
        ),
        (
            lambda p: p["containers"][0]["securityContext"].update(capabilities={"drop": []}),
            "capabilities drop ALL turned off",
        ),
        (
            lambda p: p["containers"][0]["securityContext"].update(
                capabilities={"drop": ["ALL"], "add": ["NET_ADMIN"]}
            ),
            "no added capabilities turned off",
        ),
        (lambda p: p["containers"][0]["securityContext"].update(privileged=True), "not privileged turned off"),
        (
            lambda p: p["securityContext"].update(seccompProfile={"type": "Unconfined"}),
            "seccomp RuntimeDefault turned off",
        ),
        (lambda p: p.update(automountServiceAccountToken=True), "service-account token now mounted"),
        (
            lambda p: p["containers"][0].update(image="nginx:latest"),
            "image nginx:1.27 -> nginx:latest: no longer pinned",
        ),
        (lambda p: p["containers"][0].update(image="nginx"), "image nginx:1.27 -> nginx: no longer pinned"),
    ],
)
def test_a_secure_default_turned_off_lowers_security(change: Any, reason: str) -> None:
    after = copy.deepcopy(SECURE)
    change(after)
    found = security(deployment(SECURE), deployment(after))
    assert len(found) == 1 and found[0].cls == "security" and found[0].raised and found[0].reason.startswith(reason)
    assert security(deployment(after), deployment(SECURE)) == []  # turning it back on is no risk


def test_moving_between_pinned_images_is_no_security_finding() -> None:
    after = copy.deepcopy(SECURE)
    after["containers"][0]["image"] = "nginx@sha256:" + "a" * 64
    assert security(deployment(SECURE), deployment(after)) == []


# -- the report and the command -------------------------------------------------------------------------------------
def test_the_example_apps_dev_to_prod_report_names_the_frontends_new_load_balancer() -> None:
    identities = (identity.load(GOLDEN / "dev"), identity.load(GOLDEN / "prod"))
    report = diff(load(GOLDEN / "dev"), load(GOLDEN / "prod"), "dev", "prod", identities=identities)
    assert ("exposure", True, "Service shop/frontend", "type NodePort -> LoadBalancer") in [
        (f.cls, f.raised, f.obj, f.reason) for f in report.findings
    ]
    text = markdown(report)
    assert text.index("## Exposure") < text.index("## Changes")
    assert "- ⚠️ **Service shop/frontend**: type NodePort -> LoadBalancer." in text
    assert "  - `spec.type`: NodePort → LoadBalancer" in text
    quoted = "\n".join(f"> {line}" if line else ">" for line in text.split("## Changes")[0].strip().split("\n"))
    assert (ROOT / "docs" / "_index.md").read_text().count(quoted) == 1, "docs/_index.md report is stale"


def test_a_report_never_shows_a_secret_value(tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    for folder, value in ((old, "hunter2"), (new, "hunter3")):
        shutil.copytree(GOLDEN / "dev", folder)
        secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "shop"}}
        (folder / "099-secret-shop-db.yaml").write_text(
            json.dumps({**secret, "stringData": {"password": value, "user": "u"}})
        )
    text = markdown(diff(load(old), load(new)))
    assert "hunter" not in text
    new_secret = new / "099-secret-shop-db.yaml"
    new_secret.write_text(new_secret.read_text().replace('"user": "u"', '"user": "u", "token": "hunter4"'))
    text = markdown(diff(load(old), load(new)))
    assert "`stringData.token`: (none) → [secret]" in text and "hunter" not in text


def in_namespace(tmp_path: Path, stack: str, namespace: str) -> Path:
    """A golden render moved to `namespace` (as a stack with `kubexpose:namespace: shop-<stack>` renders)."""
    folder = tmp_path / namespace
    folder.mkdir()
    for path in (GOLDEN / stack).iterdir():
        text = path.read_text().replace("namespace: shop\n", f"namespace: {namespace}\n")
        (folder / path.name).write_text(text.replace("  name: shop\n", f"  name: {namespace}\n"))
    return folder


def test_renders_in_one_namespace_each_are_paired_across_them(tmp_path: Path) -> None:
    old, new = in_namespace(tmp_path, "dev", "shop-dev"), in_namespace(tmp_path, "prod", "shop-prod")
    report = diff(load(old), load(new), "dev", "prod")
    same = diff(load(GOLDEN / "dev"), load(GOLDEN / "prod"), "dev", "prod")
    assert report.namespaces == {"shop-dev": "shop-prod"}
    assert [(c.status, c.ref) for c in report.changes] == [
        (c.status, c.ref.replace("shop/", "shop-prod/")) for c in same.changes
    ]
    assert [f.reason for f in report.findings] == [f.reason for f in same.findings]
    assert not [f for f in report.findings if "removed" in f.reason or "moved" in f.reason]
    text = markdown(report)
    assert (
        "Namespaces paired (every namespaced object of each render is in one namespace): `shop-dev` → `shop-prod`"
        in text
    )
    assert cli(["diff", str(old), str(new), "--fail-on", "availability"]) == 0


def test_without_pairing_a_moved_render_is_every_object_removed_and_added(tmp_path: Path) -> None:
    old, new = load(in_namespace(tmp_path, "dev", "shop-dev")), load(in_namespace(tmp_path, "dev", "shop-prod"))
    report = diff(old, new, namespaces={})
    assert {c.status for c in report.changes} == {"added", "removed"} and len(report.changes) == 2 * len(old)
    assert ("removed", "Namespace shop-dev") in [(c.status, c.ref) for c in report.changes]
    assert diff(old, new).changes == []


def test_map_namespace_pairs_namespaces_explicitly(tmp_path: Path, capsys) -> None:
    old, new = in_namespace(tmp_path, "dev", "team-a"), in_namespace(tmp_path, "dev", "team-b")
    (new / "099-configmap-other-x.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: other\n"
    )
    assert cli(["diff", str(old), str(new), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["namespaces"] == {}  # two namespaces in NEW: not paired by itself
    assert cli(["diff", str(old), str(new), "--map-namespace", "team-a=team-b", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["namespaces"] == {"team-a": "team-b"}
    assert [(c["status"], c["object"]) for c in data["changes"]] == [("added", "ConfigMap other/x")]


def test_a_cluster_scoped_object_has_no_namespace_in_the_report() -> None:
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "payments-dev"}}
    report = diff({}, {("Namespace", namespace_of(namespace), "payments-dev"): namespace})
    assert [c.ref for c in report.changes] == ["Namespace payments-dev"]


@pytest.mark.parametrize(
    ("flags", "code"),
    [
        ([], 0),
        (["--fail-on", "exposure"], 3),
        (["--fail-on", "security,availability"], 0),
        (["--fail-on", "replacement,exposure"], 3),
        (["--fail-on", "exposure", "--format", "json"], 3),
    ],
)
def test_fail_on_exits_3_only_for_a_raised_finding_of_a_listed_class(flags: list[str], code: int, capsys) -> None:
    assert cli(["diff", str(GOLDEN / "dev"), str(GOLDEN / "prod"), *flags]) == code
    out = capsys.readouterr().out
    if "json" in flags:
        data = json.loads(out)
        assert {"class": "exposure", "raised": True, "object": "Service shop/frontend"}.items() <= data["findings"][
            0
        ].items()
    else:
        assert out.startswith("# kubexpose diff:")


def test_lowering_the_exposure_passes_fail_on_exposure() -> None:
    assert cli(["diff", str(GOLDEN / "prod"), str(GOLDEN / "dev"), "--fail-on", "exposure"]) == 3  # ETP changes too
    assert cli(["diff", str(GOLDEN / "dev"), str(GOLDEN / "dev"), "--fail-on", "exposure"]) == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fail-on", "danger"], "--fail-on 'danger' is not a finding class"),
        ([], "give OLD NEW (two render folders), --stack S --against REV, or --stack S --kubexpose-before SPEC"),
        (["--stack", "dev"], "give OLD NEW"),
        (["/nonexistent/a", "/nonexistent/b"], "/nonexistent/a is not a folder"),
        (["--map-namespace", "shop"], "--map-namespace 'shop' is not OLD=NEW"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(args: list[str], message: str, capsys) -> None:
    full = (
        ["diff", *args]
        if args[:1] not in (["--fail-on"], ["--map-namespace"])
        else ["diff", str(GOLDEN / "dev"), str(GOLDEN / "prod"), *args]
    )
    assert cli(full) == 2
    assert message in capsys.readouterr().err


# -- against a git revision ------------------------------------------------------------------------------------------
def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def test_against_a_revision_renders_it_in_a_worktree_and_never_touches_the_working_tree(tmp_path: Path, capsys) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "stacks").mkdir()
    (repo / "Pulumi.yaml").write_text("name: shop\nruntime: python\nstackConfigDir: stacks\n")
    (repo / "stacks" / "Pulumi.dev.yaml").write_text("config:\n  kubexpose:publicServiceType: NodePort\n")
    program = "from kubexpose import ExposedDeployment\nExposedDeployment('web', {{'image': 'nginx:1.27', 'port': 80, 'exposure': '{}'}})\n"
    (repo / "__main__.py").write_text(program.format("internal"))
    _git(repo, "init", "-q")
    _git(repo, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qam", "internal", "--allow-empty")
    _git(repo, "add", ".")
    _git(repo, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "internal")
    (repo / "__main__.py").write_text(program.format("public"))
    before = sorted(p.name for p in repo.iterdir())
    assert cli(["diff", "--stack", "dev", "--against", "HEAD", "--program", str(repo), "--fail-on", "exposure"]) == 3
    out = capsys.readouterr().out
    assert "# kubexpose diff: `dev@HEAD` → `dev@working-tree`" in out
    assert "- ⚠️ **Service default/web**: type ClusterIP -> NodePort." in out
    assert sorted(p.name for p in repo.iterdir()) == before
    assert "public" in (repo / "__main__.py").read_text()
    worktrees = subprocess.run(["git", "worktree", "list"], cwd=repo, capture_output=True, text=True).stdout
    assert len(worktrees.strip().splitlines()) == 1


def test_against_needs_a_repository_and_an_existing_revision(tmp_path: Path, capsys) -> None:
    assert cli(["diff", "--stack", "dev", "--against", "HEAD", "--program", str(tmp_path)]) == 2
    assert "is not in a git repository" in capsys.readouterr().err
    _git(tmp_path, "init", "-q")
    assert cli(["diff", "--stack", "dev", "--against", "no-such-branch", "--program", str(tmp_path)]) == 2
    assert "revision 'no-such-branch' does not exist" in capsys.readouterr().err


# -- properties ---------------------------------------------------------------------------------------------------------
STACK_OBJECTS = {stack: rendered(stack).manifests for stack in ("dev", "staging", "prod")}


def _keyed(objs: list[dict[str, Any]]) -> dict[tuple[str, str, str], dict[str, Any]]:
    return {(o["kind"], namespace_of(o), o["metadata"]["name"]): o for o in objs}


@st.composite
def mutated(draw: st.DrawFn) -> dict[tuple[str, str, str], dict[str, Any]]:
    """A stack's render with a few exposure-relevant fields changed."""
    objs = copy.deepcopy(STACK_OBJECTS[draw(st.sampled_from(sorted(STACK_OBJECTS)))])
    for o in objs:
        spec = o.get("spec") or {}
        if o["kind"] == "Service" and spec.get("type") != "ExternalName" and draw(st.booleans()):
            spec["type"] = draw(st.sampled_from(["ClusterIP", "NodePort", "LoadBalancer"]))
            spec.pop("loadBalancerSourceRanges", None) if spec["type"] != "LoadBalancer" else None
        if o["kind"] == "NetworkPolicy" and draw(st.booleans()):
            spec["ingress"] = draw(
                st.sampled_from([[{"from": [{"namespaceSelector": {}}]}], [{"from": [FRONTEND]}], [{"ports": PORTS}]])
            )
    return _keyed(objs)


@settings(max_examples=40, deadline=None)
@given(a=mutated())
def test_a_render_against_itself_has_no_finding_and_no_change(a: dict[Any, Any]) -> None:
    report = diff(a, copy.deepcopy(a))
    assert report.findings == [] and report.changes == []


@settings(max_examples=60, deadline=None)
@given(a=mutated(), b=mutated())
def test_swapping_old_and_new_turns_widening_into_narrowing(a: dict[Any, Any], b: dict[Any, Any]) -> None:
    forward = {
        (f.obj, f.reason.split(":")[0]) for f in diff(a, b).findings if f.cls == "exposure" and f.directed and f.raised
    }
    backward = {
        (f.obj, f.reason.split(":")[0])
        for f in diff(b, a).findings
        if f.cls == "exposure" and f.directed and not f.raised
    }
    fwd_objs = {o for o, _ in forward}
    back_objs = {o for o, _ in backward}
    assert fwd_objs == back_objs


# -- day two: renamed apps and Pulumi identity ----------------------------------------------------------------
def _policy(name: str, *peers: dict[str, Any]) -> dict[str, Any]:
    return obj(
        "NetworkPolicy",
        name,
        podSelector={"matchLabels": {"app.kubernetes.io/name": name}},
        ingress=[{"from": list(peers), "ports": [{"port": 8080, "protocol": "TCP"}]}],
    )


def _app_objects(name: str, *peers: dict[str, Any]) -> dict[tuple[str, str, str], dict[str, Any]]:
    objs = [
        obj("Deployment", name, selector={"matchLabels": {"app.kubernetes.io/name": name}}, replicas=2),
        obj("Service", name, selector={"app.kubernetes.io/name": name}, ports=[{"port": 80}]),
        obj("PodDisruptionBudget", name, maxUnavailable=1),
        _policy(name, *peers),
    ]
    return {(o["kind"], "shop", o["metadata"]["name"]): o for o in objs}


FRONTEND = {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "frontend"}}}
MONITORING = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}


def test_a_renamed_app_is_compared_with_its_old_self_and_a_widening_in_the_same_change_is_flagged() -> None:
    report = diff(_app_objects("ledger", FRONTEND), _app_objects("ledger-worker", FRONTEND, MONITORING))
    assert [(c.status, c.ref) for c in report.changes] == [
        ("renamed", "Deployment shop/ledger-worker"),
        ("renamed", "NetworkPolicy shop/ledger-worker"),
        ("renamed", "PodDisruptionBudget shop/ledger-worker"),
        ("renamed", "Service shop/ledger-worker"),
    ]
    reasons = [(f.cls, f.raised, f.obj, f.reason.split(":")[0]) for f in report.findings]
    assert ("exposure", True, "NetworkPolicy shop/ledger-worker", "admits more") in reasons
    assert not any("removed" in f.reason for f in report.findings), report.findings
    renamed = [f for f in report.findings if f.cls == "replacement"]
    assert [(f.raised, f.obj) for f in renamed] == [(True, "app shop/ledger")]
    assert (
        "renamed to 'ledger-worker'" in renamed[0].reason and "keep the component's name 'ledger'" in renamed[0].check
    )
    text = markdown(report)
    assert "- renamed `NetworkPolicy shop/ledger` → `NetworkPolicy shop/ledger-worker`" in text
    assert "0 added, 0 removed, 0 changed, 4 renamed." in text


def test_two_apps_of_one_shape_gone_and_one_new_are_not_guessed_as_a_rename() -> None:
    old = {**_app_objects("ledger"), **_app_objects("billing")}
    report = diff(old, _app_objects("ledger-worker"))
    assert sorted(c.status for c in report.changes) == ["added"] * 4 + ["removed"] * 8


def _ident(urn_name: str, parent: str = "", obj_name: str = "web", aliases: tuple[str, ...] = ()) -> Any:
    from kubexpose.render.identity import Identity

    qualified = (
        "kubexpose:index:ExposedDeployment$kubernetes:core/v1:Service" if parent else "kubernetes:core/v1:Service"
    )
    return Identity(
        f"urn:pulumi:dev::shop::{qualified}::{urn_name}",
        "kubernetes:core/v1:Service",
        urn_name,
        parent,
        True,
        aliases,
        ("Service", "shop", obj_name),
        {"spec.clusterIP": None, "externalName": False},
    )


def test_a_resource_whose_urn_changes_while_its_object_stays_is_a_replacement_naming_the_alias() -> None:
    from kubexpose.render.identity import IdentityFile

    objs = {("Service", "shop", "web"): obj("Service", "web", ports=[{"port": 80}])}
    component = "urn:pulumi:dev::shop::kubexpose:index:ExposedDeployment::web"
    before = IdentityFile("shop", "dev", [_ident("web")])
    after = IdentityFile("shop", "dev", [_ident("web-service", component)])
    report = diff(objs, objs, identities=(before, after))
    assert [(f.cls, f.raised, f.obj) for f in report.findings] == [("replacement", True, "Service shop/web")]
    assert "deletes the old one, and that delete removes the live object" in report.findings[0].reason
    assert report.raised({"replacement"})
    kept = IdentityFile("shop", "dev", [_ident("web-service", component, aliases=(before.resources[0].urn,))])
    report = diff(objs, objs, identities=(before, kept))
    assert [(f.cls, f.raised) for f in report.findings] == [("replacement", False)]
    assert not report.raised({"replacement"})


def test_renders_without_an_identity_file_or_of_two_stacks_say_why_urns_were_not_compared() -> None:
    from kubexpose.render.identity import IdentityFile

    objs = {("Service", "shop", "web"): obj("Service", "web", ports=[{"port": 80}])}
    report = diff(objs, objs, "old", "new", identities=(None, IdentityFile("shop", "dev", [])))
    assert report.notes == [
        "old has no pulumi-identity.jsonl (a render made before kubexpose 0.3.0): Pulumi identities (URNs) are not "
        "compared, so a resource whose URN changes while its object stays is not found"
    ]
    assert "Note: old has no pulumi-identity.jsonl" in markdown(report)
    report = diff(objs, objs, identities=(IdentityFile("shop", "dev", []), IdentityFile("shop", "prod", [])))
    assert "compared only within one stack" in report.notes[0]


def test_the_diff_command_fails_on_a_moved_resource(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(GOLDEN / "dev", tmp_path / "old")
    shutil.copytree(GOLDEN / "dev", tmp_path / "new")
    ids = tmp_path / "new" / "pulumi-identity.jsonl"
    ids.write_text(ids.read_text().replace('backend-service"', 'backend-svc"'))
    assert cli(["diff", str(tmp_path / "old"), str(tmp_path / "new"), "--fail-on", "replacement"]) == 3
    out = capsys.readouterr().out
    assert "**Service shop/backend**: its Pulumi resource changes from" in out
    assert (
        'aliases=["urn:pulumi:dev::kubexpose::kubexpose:index:ExposedDeployment$kubernetes:core/v1:Service::backend-service"]'
        in out
    )
    assert cli(["diff", str(tmp_path / "old"), str(tmp_path / "old"), "--fail-on", "replacement"]) == 0


def test_the_report_is_headed_by_the_stacks_the_renders_were_made_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(["diff", str(GOLDEN / "dev"), str(GOLDEN / "prod")]) == 0
    assert capsys.readouterr().out.startswith("# kubexpose diff: `dev` → `prod`\n")
    assert cli(["diff", str(GOLDEN / "dev"), str(GOLDEN / "dev")]) == 0
    assert capsys.readouterr().out.startswith(
        f"# kubexpose diff: `dev ({GOLDEN / 'dev'})` → `dev ({GOLDEN / 'dev'})`\n"
    )
    shutil.copytree(GOLDEN / "dev", tmp_path / "old")
    (tmp_path / "old" / "pulumi-identity.jsonl").unlink()  # a render made before identity files
    assert cli(["diff", str(tmp_path / "old"), str(GOLDEN / "prod")]) == 0
    assert capsys.readouterr().out.startswith(f"# kubexpose diff: `{tmp_path / 'old'}` → `{GOLDEN / 'prod'}`\n")
