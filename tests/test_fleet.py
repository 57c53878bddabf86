"""One app in several clusters (issue 38): the app's name in the cluster apart from its Pulumi name, every claim
(names, node ports, routes, callers) keyed by the cluster a component deploys to (its provider), and a render folder and
a `kubexpose diff` per cluster."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest
import yaml

from kubexpose import ExposedDeployment, ExternalAlias, ValidationError, Worker
from kubexpose.engine.run import run_program
from kubexpose.render.manifests import manifests

API = {"name": "api", "image": "ghcr.io/acme/api:2.1.0", "ports": [{"port": 8080, "node_port": 30080}]}


def fleet(extra: dict[str, Any] | None = None, regions: tuple[str, ...] = ("east", "west")) -> Any:
    def program() -> None:
        for region in regions:
            provider = k8s.Provider(region, kubeconfig=f"/clusters/{region}.yaml")
            opts = pulumi.ResourceOptions(provider=provider)
            ExposedDeployment(f"api-{region}", {**API, "service_type": "NodePort", **(extra or {})}, opts)
            ExternalAlias(
                f"payments-{region}", {"name": "payments", "target": "api.payments.example.com", "port": 443}, opts
            )

    return program


def test_one_app_in_two_clusters_has_the_same_objects_and_its_own_pulumi_names() -> None:
    program = fleet()
    result = run_program(program)
    by_name: dict[str, list[str]] = {}
    for reg in result.registrations:
        if reg.custom and reg.type.startswith("kubernetes:") and not reg.type.startswith("pulumi:providers"):
            by_name.setdefault(str(reg.object_name), []).append(reg.name)
    assert sorted(by_name["api"]) == [
        "api-east-deployment", "api-east-network-policy", "api-east-service", "api-east-service-account",
        "api-west-deployment", "api-west-network-policy", "api-west-service", "api-west-service-account",
    ]  # fmt: skip
    assert sorted(by_name["payments"]) == ["payments-east-service", "payments-west-service"]
    east, west = (
        [o for o in manifests(run_program(fleet(regions=(r,)))) if o["kind"] != "Namespace"] for r in ("east", "west")
    )
    assert east == west  # the same objects in each cluster


def test_the_outputs_follow_the_apps_name_in_the_cluster() -> None:
    def program() -> None:
        app = ExposedDeployment("api-east", {"name": "api", "image": "ghcr.io/acme/api:2.1.0", "port": 80})
        for key in ("service_name", "cluster_dns", "endpoint", "port_forward", "logs"):
            pulumi.export(key, getattr(app, key))

    exports = run_program(program).exports
    assert exports["service_name"] == "api"
    assert exports["cluster_dns"] == "api.default.svc.cluster.local"
    assert exports["endpoint"] == "api:80"
    assert exports["port_forward"] == "kubectl port-forward -n default service/api 8080:80"
    assert "app.kubernetes.io/name=api " in exports["logs"]


def test_the_same_name_twice_in_one_cluster_is_refused() -> None:
    def program() -> None:
        ExposedDeployment("api-a", {"name": "api", "image": "ghcr.io/acme/api:2.1.0", "port": 80})
        ExposedDeployment("api-b", {"name": "api", "image": "ghcr.io/acme/api:2.1.0", "port": 80})

    with pytest.raises(ValidationError, match=r"ExposedDeployment 'api-b': name 'api' is already the Service name of"):
        run_program(program)


def test_a_node_port_is_claimed_per_cluster() -> None:
    run_program(fleet())  # the same node port in two clusters: no clash

    def program() -> None:
        provider = k8s.Provider("east", kubeconfig="/clusters/east.yaml")
        opts = pulumi.ResourceOptions(provider=provider)
        ExposedDeployment("api", {**API, "service_type": "NodePort"}, opts)
        ExposedDeployment("web", {**API, "name": "web", "service_type": "NodePort"}, opts)

    with pytest.raises(ValidationError, match=r"is already a node port of ExposedDeployment 'api' in cluster 'east'"):
        run_program(program)


def test_a_caller_in_another_cluster_is_refused_naming_its_cluster() -> None:
    def program() -> None:
        east = pulumi.ResourceOptions(provider=k8s.Provider("east", kubeconfig="/clusters/east.yaml"))
        west = pulumi.ResourceOptions(provider=k8s.Provider("west", kubeconfig="/clusters/west.yaml"))
        Worker("loadgen", {"image": "ghcr.io/acme/loadgen:1.0"}, west)
        ExposedDeployment("api", {"image": "ghcr.io/acme/api:2.1.0", "port": 80, "allowed_callers": ["loadgen"]}, east)

    with pytest.raises(ValidationError) as error:
        run_program(program)
    message = str(error.value)
    assert (
        "allowed_callers[0] 'loadgen' names no app of this program in namespace 'default' in cluster 'east'" in message
    )
    assert "(it is one in cluster 'west': no Pod of it runs here)" in message


def test_a_bad_name_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"ExposedDeployment 'api-east': name 'Api'"):
        run_program(
            lambda: ExposedDeployment("api-east", {"name": "Api", "image": "ghcr.io/acme/api:2.1.0", "port": 80})
        )


# -- point 3: a render and a review per cluster ----------------------------------------------------------------
def fleet_render(program: Any, stack: str = "dev") -> Any:
    from kubexpose.render.build import render_run

    return render_run(run_program(program), stack)


def objects_of(files: dict[str, str], folder: str = "") -> list[dict[str, Any]]:
    prefix = f"{folder}/" if folder else ""
    return [
        yaml.safe_load(text)
        for name, text in sorted(files.items())
        if name.startswith(prefix) and "/" not in name[len(prefix) :] and name.endswith(".yaml")
    ]


def test_a_fleet_render_has_a_whole_render_per_cluster_and_no_object_on_top() -> None:
    rendered = fleet_render(fleet())
    assert [c.folder for c in rendered.clusters] == ["east", "west"]
    assert objects_of(rendered.files) == []  # `kubectl apply -f` of the top folder applies nothing
    assert "Kustomization" not in rendered.files  # nor does `kubectl apply -k` (it fails: no kustomization)
    assert rendered.files["clusters.txt"].splitlines()[1:] == [
        "east\turn:pulumi:dev::project::pulumi:providers:kubernetes::east",
        "west\turn:pulumi:dev::project::pulumi:providers:kubernetes::west",
    ]
    for cluster in ("east", "west"):
        for name in ("Kustomization", "summary.txt", "topology.md", "pulumi-identity.jsonl"):
            assert f"{cluster}/{name}" in rendered.files
        objs = objects_of(rendered.files, cluster)
        assert sorted((o["kind"], o["metadata"]["name"]) for o in objs) == [
            ("Deployment", "api"), ("NetworkPolicy", "api"), ("Service", "api"), ("Service", "payments"),
            ("ServiceAccount", "api"),
        ]  # fmt: skip
        urns = [json.loads(line)["urn"] for line in rendered.files[f"{cluster}/pulumi-identity.jsonl"].splitlines()[1:]]
        other = "west" if cluster == "east" else "east"
        assert all(other not in urn for urn in urns), urns  # only this cluster's resources ...
        assert f"urn:pulumi:dev::project::kubexpose:index:ExposedDeployment::api-{cluster}" in urns  # ... and parents
        assert f"urn:pulumi:dev::project::pulumi:providers:kubernetes::{cluster}" in urns
        assert f"{cluster}/ " in rendered.files["summary.txt"].replace("/    ", "/ ")
    assert objects_of(rendered.files, "east") == objects_of(rendered.files, "west")


def test_each_cluster_allocates_its_own_node_ports() -> None:
    free = {**API, "ports": [{"port": 8080}], "service_type": "NodePort"}
    result = run_program(fleet(free))
    ports = {r.name: r.state["spec"]["ports"][0]["nodePort"] for r in result.k8s("Service") if r.object_name == "api"}
    assert ports["api-east-service"] == ports["api-west-service"]  # one app, one port in each cluster


def test_objects_of_one_cluster_keep_todays_layout_whatever_their_provider() -> None:
    one = fleet_render(fleet(regions=("east",)))
    assert one.clusters == [] and "clusters.txt" not in one.files and "Kustomization" in one.files

    def default_and_east() -> None:
        ExposedDeployment("api", {"image": "ghcr.io/acme/api:2.1.0", "port": 80})
        east = k8s.Provider("east", kubeconfig="/clusters/east.yaml")
        ExposedDeployment(
            "api-east",
            {"name": "api", "image": "ghcr.io/acme/api:2.1.0", "port": 80},
            opts=pulumi.ResourceOptions(provider=east),
        )

    two = fleet_render(default_and_east)
    assert [(c.folder, c.provider) for c in two.clusters] == [
        ("default", ""),
        ("east", "urn:pulumi:dev::project::pulumi:providers:kubernetes::east"),
    ]
    assert "the stack's default kubernetes provider" in two.files["summary.txt"]


def write_fleet(program: Any, out: Path) -> Path:
    from kubexpose.render.build import write_atomically

    write_atomically(fleet_render(program), out)
    return out


def test_kubexpose_diff_compares_cluster_with_cluster_and_names_the_cluster(tmp_path: Path) -> None:
    from kubexpose.render.diff import as_json, markdown
    from kubexpose.render.fleet import diff_folders

    def changed(regions: tuple[str, ...], public_in: str) -> Any:
        def program() -> None:
            for region in regions:
                opts = pulumi.ResourceOptions(provider=k8s.Provider(region, kubeconfig=f"/clusters/{region}.yaml"))
                kind = "LoadBalancer" if region == public_in else "ClusterIP"
                ExposedDeployment(f"api-{region}", {**API, "ports": [{"port": 8080}], "service_type": kind}, opts)

        return program

    old = write_fleet(changed(("east", "west"), ""), tmp_path / "old")
    new = write_fleet(changed(("east", "west"), "west"), tmp_path / "new")
    report = diff_folders(old, new, "old", "new")
    assert [(c.cluster, c.ref, c.status) for c in report.changes] == [
        ("west", "NetworkPolicy default/api", "changed"),  # admits callers from outside
        ("west", "Service default/api", "changed"),
    ]
    raised = [f for f in report.findings if f.raised]
    assert raised and all(f.cluster == "west" for f in report.findings)
    text = markdown(report)
    assert "**Service default/api in cluster west**: type ClusterIP -> LoadBalancer" in text
    assert "- changed `Service default/api` in cluster `west`" in text
    assert {f["cluster"] for f in json.loads(as_json(report))["findings"]} == {"west"}

    # A cluster added: every object of it added there, a note saying so; the other cluster unchanged.
    single = write_fleet(changed(("east",), ""), tmp_path / "single")
    grown = diff_folders(single, old, "single", "old")
    assert {c.cluster for c in grown.changes} == {"west"} and all(c.status == "added" for c in grown.changes)
    assert any("is a render of one cluster: it is compared with old's cluster `east`" in n for n in grown.notes)
    assert any("cluster `west` is only in old" in n for n in grown.notes)
    shrunk = diff_folders(old, single, "old", "single")
    assert {(c.cluster, c.status) for c in shrunk.changes} == {("west", "removed")}


def test_the_diff_command_reads_fleet_renders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from kubexpose.render.cli import main as cli

    old = write_fleet(fleet(), tmp_path / "old")
    new = write_fleet(fleet({"replicas": 3}), tmp_path / "new")
    assert cli(["diff", str(old), str(new)]) == 0
    out = capsys.readouterr().out
    assert "- changed `Deployment default/api` in cluster `east`" in out
    assert "- changed `Deployment default/api` in cluster `west`" in out
