"""Inputs a user computes from other resources (Outputs) are accepted, checked with the same message as
soon as they are known, and carry their dependencies to the objects that use them."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s
import pytest
from conftest import LOCAL, Runner

from kubexpose import ExposedDeployment, ExternalAlias, ValidationError
from kubexpose.testing.engine import run_program

IMAGE = "ghcr.io/acme/orders:1.4.2"


def built_image(value: str) -> tuple[k8s.core.v1.ConfigMap, pulumi.Output[str]]:
    """A resource standing for an image build, and the image name it outputs."""
    build = k8s.core.v1.ConfigMap("build", metadata={"name": "build"}, data={"image": value})
    return build, build.data.apply(lambda data: data["image"])


def test_an_image_from_another_resource_reaches_the_deployment_with_its_dependency(run: Runner) -> None:
    def program() -> None:
        _, image = built_image(IMAGE)
        ExposedDeployment(
            "orders", {"image": image, "port": 80, "replicas": pulumi.Output.from_input(3)}, profile=LOCAL
        )

    result = run(program)
    deployment = result.get("Deployment", "orders")
    assert deployment.inputs["spec"]["template"]["spec"]["containers"][0]["image"] == IMAGE
    assert deployment.inputs["spec"]["replicas"] == 3
    build_urn = result.get("ConfigMap", "build").urn
    assert build_urn in deployment.dependencies


def test_a_bad_image_in_an_output_fails_the_run_with_the_same_message() -> None:
    def program() -> None:
        _, image = built_image("ghcr.io/acme/orders 1.4.2")
        ExposedDeployment("orders", {"image": image, "port": 80}, profile=LOCAL)

    with pytest.raises(
        ValidationError,
        match=r"^ExposedDeployment 'orders': image 'ghcr.io/acme/orders 1.4.2' is not an image reference; give e.g.",
    ):
        run_program(program)


def test_an_unknown_image_in_a_preview_is_not_an_error(run: Runner) -> None:
    def program() -> None:
        lb = k8s.core.v1.Service("lb", metadata={"name": "lb"}, spec={"type": "LoadBalancer", "ports": [{"port": 80}]})
        image = lb.status.apply(lambda _: "bad image")  # unknown in a preview: never checked there
        ExposedDeployment("orders", {"image": image, "port": 80}, profile=LOCAL)

    result = run(program, preview=True)
    assert "orders" in result.services_by_type()


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ({"replicas": pulumi.Output.from_input(-1)}, r"replicas -1 is not a whole number >= 0"),
        (
            {"env": {"MODE": pulumi.Output.from_input({"a": 1})}},
            r"env\['MODE'\] \{'a': 1\} is not a string, number or boolean",
        ),
        (
            {"labels": {"team": pulumi.Output.from_input("Shop Team")}},
            r"labels\['team'\] 'Shop Team' is not a valid label value",
        ),
        (
            {"service_annotations": {"a.example.com/x": pulumi.Output.from_input(5)}},
            r"service_annotations\['a.example.com/x'\] 5 is not a string",
        ),
    ],
)
def test_outputs_are_checked_when_known_with_the_field_in_the_message(args: dict, match: str) -> None:
    with pytest.raises(ValidationError, match=rf"^ExposedDeployment 'web': {match}"):
        run_program(lambda: ExposedDeployment("web", {"image": IMAGE, "port": 80, **args}, profile=LOCAL))


def test_numbers_and_booleans_in_env_outputs_become_text(run: Runner) -> None:
    env = {"WORKERS": pulumi.Output.from_input(4), "DEBUG": pulumi.Output.from_input(False), "RATIO": 0.5}
    result = run(lambda: ExposedDeployment("web", {"image": IMAGE, "port": 80, "env": env}, profile=LOCAL))
    container = result.get("Deployment", "web").inputs["spec"]["template"]["spec"]["containers"][0]
    assert container["env"] == [
        {"name": "WORKERS", "value": "4"},
        {"name": "DEBUG", "value": "false"},
        {"name": "RATIO", "value": "0.5"},
    ]


class _EchoMocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        return f"{args.name}_id", args.inputs

    def call(self, args: pulumi.runtime.MockCallArgs):
        return {}, None


def test_under_pulumis_own_mocks_an_image_output_is_accepted_and_checked() -> None:
    pulumi.runtime.set_mocks(_EchoMocks(), preview=False)

    @pulumi.runtime.test
    def good():
        _, image = built_image(IMAGE)
        app = ExposedDeployment("orders", {"image": image, "port": 80}, profile=LOCAL)
        return app.deployment.spec.apply(lambda spec: _equal(spec.template.spec.containers[0].image, IMAGE))

    @pulumi.runtime.test
    def bad():
        _, image = built_image("")
        ExposedDeployment("orders", {"image": image, "port": 80}, profile=LOCAL)

    good()
    # Pulumi reports it inside its own "While processing resource 'orders-deployment' ..." message, as `pulumi up`
    # does. (The SDK then logs "Future exception was never retrieved" for the run's failed futures at exit.)
    with pytest.raises(ValueError, match=r"ExposedDeployment 'orders': image '' is not an image reference"):
        bad()


def _equal(actual: object, expected: object) -> None:
    assert actual == expected


def database_host(host: str) -> pulumi.Output[str]:
    """A resource standing for a managed database, and the host name it outputs."""
    db = k8s.core.v1.ConfigMap("db", metadata={"name": "db"}, data={"host": host})
    return db.data.apply(lambda data: data["host"])


def test_an_alias_to_a_database_just_made_points_at_its_host(run: Runner) -> None:
    def program() -> None:
        alias = ExternalAlias(
            "orders-db",
            {"target": database_host("orders.abc123.eu-west-1.rds.amazonaws.com"), "port": 5432},
            profile=LOCAL,
        )
        pulumi.export("target", alias.target)

    result = run(program)
    service = result.get("Service", "orders-db")
    assert service.inputs["spec"] == {
        "type": "ExternalName",
        "externalName": "orders.abc123.eu-west-1.rds.amazonaws.com",
        "ports": [{"port": 5432, "protocol": "TCP", "targetPort": 5432}],
    }
    assert result.get("ConfigMap", "db").urn in service.dependencies
    assert result.exports["target"] == "orders.abc123.eu-west-1.rds.amazonaws.com"


@pytest.mark.parametrize(
    ("host", "match"),
    [
        ("10.0.0.5", r"target '10.0.0.5' is an IP address from an Output; .*pass the IPs as plain values"),
        ("https://db.example.com", r"target 'https://db.example.com' contains a URL scheme"),
    ],
)
def test_an_alias_target_from_an_output_is_checked_when_known(host: str, match: str) -> None:
    with pytest.raises(ValidationError, match=rf"^ExternalAlias 'orders-db': {match}"):
        run_program(lambda: ExternalAlias("orders-db", {"target": database_host(host), "port": 5432}, profile=LOCAL))


def test_a_namespace_from_a_namespace_resource_carries_its_dependency(run: Runner) -> None:
    def program() -> None:
        ns = k8s.core.v1.Namespace("team", metadata={"name": "team-orders"})
        app = ExposedDeployment("orders", {"image": IMAGE, "port": 80, "namespace": ns.metadata.name}, profile=LOCAL)
        pulumi.export("dns", app.cluster_dns)
        pulumi.export("forward", app.port_forward)

    result = run(program)
    namespace_urn = result.get("Namespace", "team-orders").urn
    for kind in ("Deployment", "Service", "NetworkPolicy"):
        obj = result.get(kind, "orders")
        assert obj.inputs["metadata"]["namespace"] == "team-orders"
        assert namespace_urn in obj.dependencies
    assert result.exports["dns"] == "orders.team-orders.svc.cluster.local"
    assert result.exports["forward"] == "kubectl port-forward -n team-orders service/orders 8080:80"


def test_a_bad_namespace_from_an_output_is_refused_when_known() -> None:
    def program() -> None:
        ns = k8s.core.v1.ConfigMap("names", metadata={"name": "names"}, data={"ns": "Team_Orders"})
        ExposedDeployment(
            "orders", {"image": IMAGE, "port": 80, "namespace": ns.data.apply(lambda d: d["ns"])}, profile=LOCAL
        )

    with pytest.raises(
        ValidationError, match=r"^ExposedDeployment 'orders': namespace 'Team_Orders' is not a DNS-1123 label"
    ):
        run_program(program)
