"""Inputs a user computes from other resources (Outputs) are accepted, checked with the same message as
soon as they are known, and carry their dependencies to the objects that use them."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s
import pytest
from conftest import LOCAL, EchoMocks, Runner

from kubexpose import ExposedDeployment, ExternalAlias, ValidationError
from kubexpose.engine.run import run_program

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


def test_under_pulumis_own_mocks_an_image_output_is_accepted_and_checked() -> None:
    pulumi.runtime.set_mocks(EchoMocks(), preview=False)

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
    with pytest.raises(ValidationError, match=r"ExposedDeployment 'orders': image '' is not an image reference"):
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
        (
            "10.0.0.5",
            r"target '10.0.0.5' is an IP address, which an ExternalName Service cannot point at; "
            r"pass it as addresses=\[\.\.\.\] \(an Output is fine there\)",
        ),
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


# -- ExternalAlias: addresses and ports from Outputs ---------------------------------------------------
def database(**data: str) -> k8s.core.v1.ConfigMap:
    """A resource standing for a managed database, whose outputs give its addresses and port."""
    return k8s.core.v1.ConfigMap("db", metadata={"name": "db"}, data=data)


def test_addresses_from_an_output_give_both_families_slices_with_their_dependency(run: Runner) -> None:
    def program() -> None:
        db = database(ips="10.0.0.5,fd00::5,10.0.0.6")
        alias = ExternalAlias(
            "orders-db", {"addresses": db.data.apply(lambda d: d["ips"].split(",")), "port": 5432}, profile=LOCAL
        )
        pulumi.export("target", alias.target)

    result = run(program)
    service = result.get("Service", "orders-db")
    assert service.inputs["spec"] == {
        "type": "ClusterIP",
        "ports": [{"port": 5432, "protocol": "TCP", "targetPort": 5432}],
    }
    ipv4, ipv6 = result.get("EndpointSlice", "orders-db-ipv4"), result.get("EndpointSlice", "orders-db-ipv6")
    assert [e["addresses"] for e in ipv4.inputs["endpoints"]] == [["10.0.0.5"], ["10.0.0.6"]]
    assert [e["addresses"] for e in ipv6.inputs["endpoints"]] == [["fd00::5"]]
    assert ipv4.inputs["addressType"] == "IPv4" and ipv6.inputs["addressType"] == "IPv6"
    db_urn = result.get("ConfigMap", "db").urn
    assert db_urn in ipv4.dependencies and db_urn in ipv6.dependencies
    assert result.exports["target"] == "10.0.0.5,fd00::5,10.0.0.6"


def test_a_family_without_addresses_gets_an_empty_slice_that_kubernetes_accepts(run: Runner) -> None:
    import kubernetes_validate

    from kubexpose.render.manifests import manifest

    def program() -> None:
        db = database(ip="10.0.0.5")
        ExternalAlias("orders-db", {"addresses": [db.data.apply(lambda d: d["ip"])], "port": 5432}, profile=LOCAL)

    result = run(program)
    assert result.get("EndpointSlice", "orders-db-ipv6").inputs["endpoints"] == []
    assert [e["addresses"] for e in result.get("EndpointSlice", "orders-db-ipv4").inputs["endpoints"]] == [["10.0.0.5"]]
    for reg in result.k8s():
        if reg.custom and reg.kind != "ConfigMap":
            kubernetes_validate.validate(manifest(reg), "1.35", strict=True)


def test_plain_addresses_give_only_the_families_present(run: Runner) -> None:
    result = run(lambda: ExternalAlias("orders-db", {"addresses": ["10.0.0.5"], "port": 5432}, profile=LOCAL))
    assert [r.object_name for r in result.k8s("EndpointSlice")] == ["orders-db-ipv4"]


@pytest.mark.parametrize(
    ("ips", "match"),
    [
        ("10.0.0.5,db.internal", r"addresses\[1\] 'db.internal' is not an IP address"),
        ("10.0.0.5,10.0.0.5", r"addresses \['10.0.0.5', '10.0.0.5'\] repeats an address"),
        ("127.0.0.1", r"addresses\[0\] '127.0.0.1' is an unspecified, loopback"),
    ],
)
def test_addresses_from_an_output_are_checked_when_known(ips: str, match: str) -> None:
    def program() -> None:
        db = database(ips=ips)
        ExternalAlias(
            "orders-db", {"addresses": db.data.apply(lambda d: d["ips"].split(",")), "port": 5432}, profile=LOCAL
        )

    with pytest.raises(ValidationError, match=rf"^ExternalAlias 'orders-db': {match}"):
        run_program(program)


def test_unknown_addresses_in_a_preview_are_not_an_error(run: Runner) -> None:
    def program() -> None:
        lb = k8s.core.v1.Service("lb", metadata={"name": "lb"}, spec={"type": "LoadBalancer", "ports": [{"port": 80}]})
        ExternalAlias("orders-db", {"addresses": lb.status.apply(lambda _: ["nonsense"]), "port": 5432}, profile=LOCAL)

    result = run(program, preview=True)
    assert {r.object_name for r in result.k8s("EndpointSlice")} == {"orders-db-ipv4", "orders-db-ipv6"}


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (
            {"target": "db.example.com", "addresses": ["10.0.0.5"], "port": 5432},
            r"addresses \['10.0.0.5'\] is given together with target",
        ),
        ({"port": 5432}, r"target is required; give target='api.example.com' or addresses=\['10.0.0.5'\]"),
        ({"addresses": [], "port": 5432}, r"addresses \[\] is not a list of IP addresses"),
        ({"addresses": ["10.0.0.5"]}, r"ports is required; an IP target has no name to carry a port"),
    ],
)
def test_target_and_addresses_are_one_or_the_other(args: dict, match: str) -> None:
    with pytest.raises(ValidationError, match=rf"^ExternalAlias 'orders-db': {match}"):
        run_program(lambda: ExternalAlias("orders-db", args, profile=LOCAL))


@pytest.mark.parametrize("number", [1, 65535])
def test_an_alias_port_from_an_output_reaches_the_service_the_slice_and_the_endpoint(run: Runner, number: int) -> None:
    def program() -> None:
        db = database(port=str(number))
        port = db.data.apply(lambda d: int(d["port"]))
        alias = ExternalAlias("orders-db", {"addresses": ["10.0.0.5"], "port": port}, profile=LOCAL)
        pulumi.export("endpoint", alias.endpoint)

    result = run(program)
    assert result.get("Service", "orders-db").inputs["spec"]["ports"] == [
        {"port": number, "protocol": "TCP", "targetPort": number}
    ]
    assert result.get("EndpointSlice", "orders-db-ipv4").inputs["ports"] == [
        {"name": "", "port": number, "protocol": "TCP"}
    ]
    assert result.exports["endpoint"] == f"orders-db:{number}"
    assert result.get("ConfigMap", "db").urn in result.get("Service", "orders-db").dependencies


@pytest.mark.parametrize(
    ("number", "match"),
    [(0, r"ports\[0\].port 0 is outside 1-65535"), (65536, r"ports\[0\].port 65536 is outside 1-65535")],
)
def test_an_alias_port_from_an_output_is_checked_when_known(number: int, match: str) -> None:
    def program() -> None:
        db = database(port=str(number))
        ports = [{"port": db.data.apply(lambda d: int(d["port"])), "name": "pg"}]
        ExternalAlias("orders-db", {"target": "db.example.com", "ports": ports}, profile=LOCAL)

    with pytest.raises(ValidationError, match=rf"^ExternalAlias 'orders-db': {match}"):
        run_program(program)


def test_under_pulumis_own_mocks_an_alias_from_outputs_has_whole_number_ports() -> None:
    pulumi.runtime.set_mocks(EchoMocks(), preview=False)

    @pulumi.runtime.test
    def program():
        db = database(ips="10.0.0.5", port="5432")
        alias = ExternalAlias(
            "orders-db",
            {"addresses": db.data.apply(lambda d: [d["ips"]]), "port": db.data.apply(lambda d: int(d["port"]))},
            profile=LOCAL,
        )
        return pulumi.Output.all(alias.endpoint, alias.target).apply(
            lambda both: _equal(both, ["orders-db:5432", "10.0.0.5"])
        )

    program()


def test_an_error_raised_inside_an_output_reaches_the_engine_as_itself_not_wrapped_by_the_sdk() -> None:
    """The SDK re-raises ValueErrors met while it serializes a resource's inputs as "While processing input
    ..." with every input printed (the real CLI then shows a traceback): a ValidationError is no ValueError,
    so the message that reaches `pulumi up` is kubexpose's own."""
    pulumi.runtime.set_mocks(EchoMocks(), preview=False)

    @pulumi.runtime.test
    def program():
        image = pulumi.Output.from_input("ghcr.io/acme/orders 1.4.2")
        return ExposedDeployment("orders", {"image": image, "port": 80}, profile=LOCAL).service_name

    with pytest.raises(ValidationError) as caught:
        program()
    assert str(caught.value).startswith("ExposedDeployment 'orders': image 'ghcr.io/acme/orders 1.4.2' is not")
    assert "While processing" not in str(caught.value)
