"""One app in several clusters (issue 38, points 1 and 2): the app's name in the cluster apart from its Pulumi name,
and every claim (names, node ports, routes, callers) keyed by the cluster a component deploys to (its provider)."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest

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
