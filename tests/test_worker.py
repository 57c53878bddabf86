"""Worker (issue 37, point 1): an app nobody calls (a queue consumer, a load generator) keeps everything an
ExposedDeployment's Pods get and has no Service, no route and a NetworkPolicy that admits no one; it may call others
(`allowed_callers` names it), and turning it into a served app shows in `kubexpose diff`."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from conftest import LOCAL, Runner
from test_fast_path import both_ways, fast_count

from kubexpose import ExposedDeployment, StackProfile, ValidationError, Worker
from kubexpose.engine.run import run_program
from kubexpose.render.diff import diff, markdown, namespace_of
from kubexpose.render.manifests import manifests

BASE: dict[str, Any] = {"image": "ghcr.io/acme/orders-consumer:1.4", "replicas": 2, "env": {"QUEUE": "orders"}}


def worker(args: dict[str, Any], profile: StackProfile = LOCAL) -> Any:
    def program() -> None:
        consumer = Worker("consumer", {**BASE, **args}, profile=profile)
        pulumi.export("logs", consumer.logs)

    return program


def objects(program: Any) -> dict[tuple[str, str, str], dict[str, Any]]:
    return {(o["kind"], namespace_of(o), o["metadata"]["name"]): o for o in manifests(run_program(program))}


def test_a_worker_has_the_apps_pods_and_no_service(run: Runner) -> None:
    result = run(worker({}))
    kinds = sorted(str(r.kind) for r in result.k8s())
    assert kinds == ["Deployment", "NetworkPolicy", "PodDisruptionBudget", "ServiceAccount"]
    pod = result.get("Deployment", "consumer").inputs["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True and pod["securityContext"]["runAsNonRoot"]
    assert {"name": "QUEUE", "value": "orders"} in container["env"]
    assert "ports" not in container and "readinessProbe" not in container and "livenessProbe" not in container
    assert pod["topologySpreadConstraints"]  # two replicas: spread over nodes, as any app's
    assert result.exports["logs"].startswith("kubectl logs -n shop --selector app.kubernetes.io/name=consumer")


def test_a_workers_network_policy_admits_no_one(run: Runner) -> None:
    """`policyTypes: [Ingress]` with no rule: nothing reaches the Pods (the `ingress` list is left out, as
    pulumi-kubernetes applies an empty one)."""
    spec = run(worker({})).get("NetworkPolicy", "consumer").inputs["spec"]
    assert spec == {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "consumer"}}, "policyTypes": ["Ingress"]}
    restricted = run(worker({"egress": {"restricted": True, "networks": [{"cidr": "10.20.0.0/16", "ports": [5672]}]}}))
    spec = restricted.get("NetworkPolicy", "consumer").inputs["spec"]
    assert spec["policyTypes"] == ["Ingress", "Egress"] and "ingress" not in spec


def test_a_worker_may_call_an_app_that_names_it_among_its_callers() -> None:
    def program() -> None:
        ExposedDeployment("orders", {"image": "ghcr.io/acme/orders:2.0", "port": 8080, "allowed_callers": ["loadgen"]})
        Worker("loadgen", {"image": "ghcr.io/acme/loadgen:1.0", "env": {"TARGET": "http://orders:8080"}})

    policy = objects(program)[("NetworkPolicy", "default", "orders")]
    assert policy["spec"]["ingress"][0]["from"] == [
        {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "loadgen"}}},
        {"podSelector": {"matchLabels": {"kubexpose.dev/run-of": "loadgen"}}},
    ]


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"port": 8080}, "port"),
        ({"ports": [{"port": 80}]}, "ports"),
        ({"exposure": "public"}, "exposure"),
        ({"http": {"host": "a.example.com"}}, "http"),
        ({"allowed_callers": ["web"]}, "allowed_callers"),
        ({"service_annotations": {"a": "b"}}, "service_annotations"),
    ],
)
def test_what_only_a_served_app_takes_is_refused_naming_the_way_to_serve(args: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as err:
        run_program(worker(args))
    assert err.value.field == field
    assert f"Worker 'consumer': {field} " in str(err.value)
    assert "a Worker has no Service" in str(err.value) and "make it an ExposedDeployment" in str(err.value)


def test_a_worker_and_an_app_of_the_same_name_in_one_namespace_are_refused() -> None:
    def program() -> None:
        Worker("orders", {"image": "ghcr.io/acme/orders-consumer:1.4"})
        ExposedDeployment("orders", {"image": "ghcr.io/acme/orders:2.0", "port": 8080})

    with pytest.raises(ValidationError, match="name 'orders' is already the app name of Worker 'orders'"):
        run_program(program)


def test_a_worker_renders_the_same_on_the_fast_path() -> None:
    args = {"image": BASE["image"], "autoscaling": {"min_replicas": 2, "max_replicas": 5}}
    fast = both_ways(lambda: Worker("consumer", args, profile=LOCAL))
    assert fast_count(fast) == 1


def test_kubexpose_diff_of_a_worker_that_gains_a_port_shows_the_new_service_and_who_may_now_call_it() -> None:
    old = objects(worker({}))
    new = objects(lambda: ExposedDeployment("consumer", {**BASE, "port": 8080}, profile=LOCAL))
    report = diff(old, new)
    assert [(c.key, c.status) for c in report.changes if c.status == "added"] == [
        (("Service", "shop", "consumer"), "added")
    ]
    exposure = [f for f in report.findings if f.cls == "exposure" and f.raised]
    assert [f.obj for f in exposure] == ["NetworkPolicy shop/consumer"]
    assert "admits more" in markdown(report)


def test_a_worker_that_becomes_an_exposed_deployment_keeps_its_objects_with_an_alias_to_its_old_type() -> None:
    """What the refusal's fix says: the Deployment, ServiceAccount and NetworkPolicy keep their URNs (the engine
    updates them in place) and the Service is new; without the alias every child would move (delete and create)."""
    from kubexpose.render.identity import compare, identities

    served = {"image": BASE["image"], "port": 8080}
    before = identities(run_program(lambda: Worker("consumer", {"image": BASE["image"]})))
    moved = identities(run_program(lambda: ExposedDeployment("consumer", served)))
    assert sorted((c.what, (c.old or c.new).ref) for c in compare(before, moved)) == [  # type: ignore[union-attr]
        ("created", "ExposedDeployment 'consumer'"),
        ("created", "Service default/consumer"),
        ("deleted", "Worker 'consumer'"),
        ("moved", "Deployment default/consumer"),
        ("moved", "NetworkPolicy default/consumer"),
        ("moved", "ServiceAccount default/consumer"),
    ]
    alias = pulumi.ResourceOptions(aliases=[pulumi.Alias(type_="kubexpose:index:Worker")])
    kept = identities(run_program(lambda: ExposedDeployment("consumer", served, alias)))
    assert sorted((c.what, (c.old or c.new).ref) for c in compare(before, kept)) == [  # type: ignore[union-attr]
        ("aliased", "Deployment default/consumer"),
        ("aliased", "NetworkPolicy default/consumer"),
        ("aliased", "ServiceAccount default/consumer"),
        ("aliased", "Worker 'consumer'"),
        ("created", "Service default/consumer"),
    ]
