"""The render's reports: every way into an app is listed, in the summary and in the topology."""

from __future__ import annotations

from kubexpose import ExposedDeployment, StackProfile
from kubexpose.engine import run_program
from kubexpose.profile import IngressSettings
from kubexpose.render.build import render_run

PROFILE = StackProfile(namespace="pay", ingress=IngressSettings("nginx", namespace="ingress-nginx"))


def _routed_and_balanced() -> None:
    ExposedDeployment(
        "api",
        {
            "image": "ghcr.io/acme/api:1.0",
            "ports": [{"port": 80, "target_port": 8080, "name": "http"}],
            "http": {"host": "pay.example.com", "path": "/"},
            "service_type": "LoadBalancer",
            "load_balancer": {"source_ranges": ["10.0.0.0/8"]},
        },
        profile=PROFILE,
    )


def test_an_app_behind_a_route_and_a_load_balancer_lists_both_ways_in() -> None:
    files = render_run(run_program(_routed_and_balanced), "pay").files
    row = files["summary.txt"].splitlines()[1]
    assert row.endswith("http://pay.example.com/ via Ingress nginx; cloud load balancer from 10.0.0.0/8"), row
    assert '  callers -->|"LoadBalancer from 10.0.0.0/8"| s_pay_api' in files["topology.md"]
    assert '  router_Ingress_nginx -->|"http://pay.example.com/"| s_pay_api' in files["topology.md"]


def test_a_fixed_node_port_is_named_on_the_topologys_edge() -> None:
    program = lambda: ExposedDeployment(  # noqa: E731
        "myapp",
        {
            "image": "nginx:1.27",
            "ports": [{"port": 80, "target_port": 8080, "node_port": 30001}],
            "service_type": "NodePort",
        },
        profile=PROFILE,
    )
    files = render_run(run_program(program), "pay").files
    assert '  callers -->|"NodePort 30001"| s_pay_myapp' in files["topology.md"]


def test_the_summary_lists_the_namespaces_the_program_writes_into_but_does_not_create() -> None:
    def program() -> None:
        ExposedDeployment(
            "api", {"image": "ghcr.io/acme/api:1.0", "port": 80}, profile=StackProfile(namespace="payments-dev")
        )
        ExposedDeployment("web", {"image": "ghcr.io/acme/web:1.0", "port": 80}, profile=StackProfile())

    summary = render_run(run_program(program), "dev").files["summary.txt"]
    assert (
        "\nNAMESPACES NOT CREATED HERE: create them before `pulumi up` (kubectl create namespace NAME), or declare a "
        "k8s.core.v1.Namespace in the program\n  payments-dev\n"
    ) in summary
    assert "  default\n" not in summary
