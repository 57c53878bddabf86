"""The test harness itself: it can fail, it waits for every output, and its mocks act like a cluster."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s
import pytest
from conftest import CLOUD, LOCAL, EchoMocks, Runner

from kubexpose import ExposedDeployment, Exposure
from kubexpose.engine.run import UNKNOWN, run_program

IMAGE = "nginxinc/nginx-unprivileged:1.27-alpine"


def public_app() -> None:
    component = ExposedDeployment("web", {"image": IMAGE, "port": 80, "exposure": Exposure.PUBLIC}, profile=LOCAL)
    pulumi.export("url", component.url)


def test_a_deliberately_wrong_expectation_is_detected(run: Runner) -> None:
    result = run(public_app)
    with pytest.raises(AssertionError):
        assert result.services_by_type() == {"web": "LoadBalancer"}
    assert result.services_by_type() == {"web": "NodePort"}


def test_an_assertion_inside_an_awaited_apply_fails_the_program() -> None:
    def program() -> None:
        component = ExposedDeployment("web", {"image": IMAGE, "port": 80}, profile=LOCAL)

        def check(endpoint: str) -> None:
            assert endpoint == "web:8080", endpoint

        pulumi.export("checked", component.endpoint.apply(check))

    with pytest.raises(AssertionError, match="web:80"):
        run_program(program)


def test_pulumi_runtime_test_decorated_checks_fail_when_wrong() -> None:
    """The classic pattern also fails as it should when the test returns the Output it checks."""
    pulumi.runtime.set_mocks(EchoMocks(), preview=False)

    @pulumi.runtime.test
    def wrong_port():
        component = ExposedDeployment("web", {"image": IMAGE, "port": 80}, profile=LOCAL)
        return component.endpoint.apply(lambda e: _assert_equal(e, "web:81"))

    with pytest.raises(AssertionError):
        wrong_port()


def _assert_equal(actual: str, expected: str) -> None:
    assert actual == expected


def test_the_mock_cluster_allocates_a_cluster_ip_and_node_ports_like_a_cluster(run: Runner) -> None:
    result = run(public_app)
    state = result.get("Service", "web").state["spec"]
    assert state["clusterIP"].startswith("10.")
    assert 30000 <= state["ports"][0]["nodePort"] <= 32767
    assert "clusterIP" not in result.get("Service", "web").inputs["spec"], "inputs stay what the program sent"


def test_the_mock_cluster_auto_names_objects_without_a_name(run: Runner) -> None:
    result = run(lambda: k8s.core.v1.ConfigMap("settings", data={"a": "b"}))
    (config_map,) = result.k8s("ConfigMap")
    assert config_map.object_name.startswith("settings-")
    assert len(config_map.object_name) == len("settings-") + 8


def test_numbers_arrive_as_ints_not_the_floats_of_the_wire(run: Runner) -> None:
    result = run(public_app)
    port = result.get("Service", "web").inputs["spec"]["ports"][0]["port"]
    assert port == 80 and isinstance(port, int)


def test_in_preview_a_load_balancer_address_is_unknown_and_the_url_export_stays_empty(run: Runner) -> None:
    def program() -> None:
        component = ExposedDeployment("web", {"image": IMAGE, "port": 80, "exposure": Exposure.PUBLIC}, profile=CLOUD)
        pulumi.export("url", component.url)
        pulumi.export("dns", component.cluster_dns)

    result = run(program, preview=True, load_balancer="pending")
    assert result.exports["url"] is UNKNOWN
    assert result.exports["dns"] == "web.shop.svc.cluster.local"
