"""Unit tests of the storefront stacks, written with kubexpose's `kubexpose` pytest fixture."""

import subprocess
import sys
from pathlib import Path

from components import storefront

PROJECT = Path(__file__).resolve().parent.parent


def test_dev_exposes_the_api_on_a_node_port(kubexpose):
    run = kubexpose.run(storefront.main, stack="dev", stack_dir=PROJECT)
    assert run.services_by_type() == {"shop-api": "NodePort", "cache": "ClusterIP", "payments": "ExternalName"}
    assert run.exports["api_url"].startswith("http://localhost:3")


def test_prod_uses_a_restricted_load_balancer_and_three_replicas(kubexpose):
    run = kubexpose.run(storefront.main, stack="prod", stack_dir=PROJECT, load_balancer="hostname")
    assert run.manifest("Service", "shop-api")["spec"]["loadBalancerSourceRanges"] == ["10.0.0.0/8"]
    assert run.manifest("Deployment", "shop-api")["spec"]["replicas"] == 3
    assert ".elb." in run.exports["api_url"]


def test_prod_reaches_payments_by_ip_through_an_endpoint_slice(kubexpose):
    run = kubexpose.run(storefront.main, stack="prod", stack_dir=PROJECT)
    assert run.manifest("Service", "payments")["spec"]["type"] == "ClusterIP"
    slice_ = run.manifest("EndpointSlice", "payments-ipv4")
    assert [e["addresses"][0] for e in slice_["endpoints"]] == ["192.0.2.10", "192.0.2.11"]


def test_the_api_finds_its_dependencies_by_service_name(kubexpose):
    run = kubexpose.run(storefront.main, stack="dev", stack_dir=PROJECT)
    env = run.manifest("Deployment", "shop-api")["spec"]["template"]["spec"]["containers"][0]["env"]
    assert env == [{"name": "CACHE_ADDR", "value": "cache:6379"}, {"name": "PAYMENTS_ADDR", "value": "payments:443"}]


def test_the_program_written_as_top_level_code_runs_as_pulumi_up_runs_it(kubexpose):
    run = kubexpose.run("__main__.py", stack="prod")  # relative to the project the fixture found
    assert run.services_by_type()["shop-api"] == "LoadBalancer"


def test_a_relative_stack_dir_is_read_from_the_test_files_folder(kubexpose):
    run = kubexpose.run(storefront.main, stack="dev", stack_dir="..")
    assert run.services_by_type()["shop-api"] == "NodePort"


def test_the_namespace_is_created_first(kubexpose):
    run = kubexpose.run(storefront.main, stack="dev", stack_dir=PROJECT)
    assert [r.object_name for r in run.k8s("Namespace")] == ["storefront"]


def test_the_kubexpose_command_renders_a_stack_of_this_project(tmp_path):
    kubexpose_command = Path(sys.executable).with_name("kubexpose")
    result = subprocess.run(
        [str(kubexpose_command), "render", "--stack", "prod", "--out", str(tmp_path / "prod")],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "shop-api  LoadBalancer" in result.stdout
    texts = [p.read_text() for p in sorted((tmp_path / "prod").glob("*.yaml"))]  # each object once, a file each
    kinds = [line for text in texts for line in text.splitlines() if line.startswith("kind: ")]
    assert kinds.count("kind: Service") == 3
    assert kinds.count("kind: ServiceAccount") == 2  # one per app: a ServiceAccount of its own
