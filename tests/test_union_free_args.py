"""The union-free shapes every language can write (target_port_name, probe `disabled`, typed sub-objects),
next to the Python shortcuts they stand for (a named target_port, a None probe)."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import LOCAL, Runner
from test_validation import assert_rejected

from kubexpose import ExposedDeployment

IMAGE = "nginxinc/nginx-unprivileged:1.27-alpine"
NAMED = {"container_ports": [{"container_port": 8080, "name": "http"}]}


def container(result: Any) -> dict[str, Any]:
    return result.get("Deployment", "web").inputs["spec"]["template"]["spec"]["containers"][0]


def test_target_port_name_is_the_typed_way_to_name_a_container_port(run: Runner) -> None:
    typed = run(
        lambda: ExposedDeployment(
            "web", {"image": IMAGE, "ports": [{"port": 80, "target_port_name": "http"}], **NAMED}, profile=LOCAL
        )
    )
    python = run(
        lambda: ExposedDeployment(
            "web", {"image": IMAGE, "ports": [{"port": 80, "target_port": "http"}], **NAMED}, profile=LOCAL
        )
    )
    assert typed.get("Service", "web").inputs["spec"]["ports"] == [
        {"port": 80, "targetPort": "http", "protocol": "TCP"}
    ]
    assert typed.get("Service", "web").inputs == python.get("Service", "web").inputs


@pytest.mark.parametrize(
    ("port", "match"),
    [
        (
            {"port": 80, "target_port": 8080, "target_port_name": "http"},
            r"ports\[0\].target_port_name 'http' is given together with target_port",
        ),
        ({"port": 80, "target_port_name": 8080}, r"ports\[0\].target_port_name 8080 is not a port name"),
        ({"port": 80, "target_port_name": "web"}, r"ports\[0\].target_port 'web' names no port of the container"),
    ],
)
def test_target_port_name_is_checked(port: dict[str, Any], match: str) -> None:
    assert_rejected({"ports": [port], **NAMED}, match)


def test_a_probe_disabled_is_like_none(run: Runner) -> None:
    off = container(
        run(
            lambda: ExposedDeployment(
                "web", {"image": IMAGE, "port": 8080, "liveness_probe": {"disabled": True}}, profile=LOCAL
            )
        )
    )
    none = container(
        run(lambda: ExposedDeployment("web", {"image": IMAGE, "port": 8080, "liveness_probe": None}, profile=LOCAL))
    )
    assert "livenessProbe" not in off and "livenessProbe" not in none
    assert off["readinessProbe"] == {"tcpSocket": {"port": 8080}, "periodSeconds": 5}


def test_a_probe_not_disabled_keeps_the_default_or_the_users_fields(run: Runner) -> None:
    kept = container(
        run(
            lambda: ExposedDeployment(
                "web", {"image": IMAGE, "port": 8080, "readiness_probe": {"disabled": False}}, profile=LOCAL
            )
        )
    )
    assert kept["readinessProbe"] == {"tcpSocket": {"port": 8080}, "periodSeconds": 5}
    mine = {"disabled": False, "http_get": {"path": "/healthz", "port": 8080}}
    own = container(
        run(lambda: ExposedDeployment("web", {"image": IMAGE, "port": 8080, "readiness_probe": mine}, profile=LOCAL))
    )
    assert own["readinessProbe"] == {"httpGet": {"path": "/healthz", "port": 8080}}


@pytest.mark.parametrize(
    ("probe", "match"),
    [
        ({"disabled": "yes"}, r"readiness_probe.disabled 'yes' is not a boolean"),
        ({"disabled": True, "period_seconds": 5}, r"readiness_probe \{.*\} is disabled and set at once"),
        ({"period_second": 5}, r"readiness_probe.period_second .* did you mean period_seconds\?"),
    ],
)
def test_probe_arguments_are_checked(probe: dict[str, Any], match: str) -> None:
    assert_rejected({"port": 8080, "readiness_probe": probe}, match)
