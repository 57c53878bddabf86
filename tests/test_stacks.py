"""Each stack file, loaded as Pulumi loads it, gives every app of the example the expected Service."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT, Runner

import app
from kubexpose import ConfigError
from kubexpose.stackfiles import SECRET_PLACEHOLDER, Project

DEV_TYPES = {
    "frontend": "NodePort",
    "myapp": "NodePort",
    "backend": "ClusterIP",
    "database": "ClusterIP",
    "database-pods": "ClusterIP",
    "external-service": "ExternalName",
}
EXPECTED_TYPES = {
    "dev": DEV_TYPES,
    "fleet": DEV_TYPES,  # the dev apps in each of two clusters (the names are the same in each)
    "staging": {
        "frontend": "LoadBalancer",
        "myapp": "LoadBalancer",
        "backend": "ClusterIP",
        "database": "ClusterIP",
        "database-pods": "ClusterIP",
        "external-service": "ExternalName",
    },
    "prod": {
        "frontend": "LoadBalancer",
        "myapp": "LoadBalancer",
        "backend": "ClusterIP",
        "database": "ClusterIP",
        "database-pods": "ClusterIP",
        "external-service": "ExternalName",
    },
}
PROJECT = Project.load(ROOT)


def run_stack(run: Runner, stack: str, **kwargs):
    config = PROJECT.stack_config(stack)
    return run(app.main, stack=stack, config=config.values, **kwargs)


def test_every_stack_file_has_expectations() -> None:
    assert sorted(PROJECT.stacks()) == sorted(EXPECTED_TYPES)


@pytest.mark.parametrize("stack", sorted(EXPECTED_TYPES))
def test_each_app_gets_the_service_type_its_stack_decides(run: Runner, stack: str) -> None:
    result = run_stack(run, stack)
    assert result.services_by_type() == EXPECTED_TYPES[stack]
    for service in result.k8s("Service"):
        assert service.inputs["metadata"]["namespace"] == "shop"


@pytest.mark.parametrize("stack", sorted(EXPECTED_TYPES))
def test_the_frontend_reaches_the_backend_by_its_service_name(run: Runner, stack: str) -> None:
    result = run_stack(run, stack)
    prefixes = ["east_", "west_"] if stack == "fleet" else [""]  # a fleet exports each cluster's apps
    frontends = [r for r in result.k8s("Deployment") if r.object_name == "frontend"]
    assert len(frontends) == len(prefixes)
    for frontend in frontends:
        env = frontend.inputs["spec"]["template"]["spec"]["containers"][0]["env"]
        assert env == [{"name": "BACKEND_URL", "value": "http://backend:5678"}]
    for prefix in prefixes:
        assert result.exports[f"{prefix}backend_endpoint"] == "backend:5678"
        assert result.exports[f"{prefix}database_dns"] == "database.shop.svc.cluster.local"


def test_dev_puts_myapp_on_node_port_30001_and_exports_local_urls(run: Runner) -> None:
    result = run_stack(run, "dev")
    assert result.get("Service", "myapp").inputs["spec"]["ports"][0]["nodePort"] == 30001
    assert result.exports["myapp_url"] == "http://localhost:30001"
    assert result.exports["frontend_url"].startswith("http://localhost:3")
    assert result.exports["frontend_port_forward"] == "kubectl port-forward -n shop service/frontend 8080:80"


def test_staging_aliases_the_external_service_to_the_sandbox(run: Runner) -> None:
    result = run_stack(run, "staging")
    assert result.get("Service", "external-service").inputs["spec"]["externalName"] == "sandbox.api.acmecorp.com"
    assert result.exports["external-service_endpoint"] == "external-service:9000"


def test_prod_load_balancers_are_restricted_to_the_listed_ranges(run: Runner) -> None:
    result = run_stack(run, "prod", load_balancer="hostname")
    for name in ("frontend", "myapp"):
        spec = result.get("Service", name).inputs["spec"]
        assert spec["loadBalancerSourceRanges"] == ["203.0.113.0/24", "198.51.100.0/24"]
        assert spec["externalTrafficPolicy"] == "Local"
    for name in ("backend", "database"):
        assert "loadBalancerSourceRanges" not in result.get("Service", name).inputs["spec"]
    assert result.get("Service", "external-service").inputs["spec"]["externalName"] == "api.acmecorp.com"
    assert ".elb." in result.exports["frontend_url"]


def test_the_example_runs_with_secure_defaults_on_for_every_app(run: Runner) -> None:
    result = run_stack(run, "dev")
    for deployment in result.k8s("Deployment"):
        pod = deployment.inputs["spec"]["template"]["spec"]
        container = pod["containers"][0]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert "readinessProbe" in container
    nginx = result.get("Deployment", "frontend").inputs["spec"]["template"]["spec"]
    assert nginx["containers"][0]["volumeMounts"] == [{"name": "w-tmp", "mountPath": "/tmp"}]


def test_the_namespace_is_created_by_the_program(run: Runner) -> None:
    result = run_stack(run, "dev")
    assert [r.object_name for r in result.k8s("Namespace")] == ["shop"]


def write_project(tmp_path: Path, stack_yaml: str, project_config: str = "") -> Project:
    (tmp_path / "Pulumi.yaml").write_text(f"name: demo\nruntime: python\nstackConfigDir: stacks\n{project_config}")
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "Pulumi.one.yaml").write_text(stack_yaml)
    return Project.load(tmp_path)


def test_config_is_loaded_as_pulumi_passes_it(tmp_path: Path) -> None:
    project = write_project(
        tmp_path,
        "config:\n  replicas: 3\n  demo:debug: true\n  kubexpose:loadBalancer:\n    sourceRanges: [10.0.0.0/8]\n"
        "  demo:password:\n    secure: AAABAJ0xyz\n",
        "config:\n  replicas: 1\n  region:\n    type: string\n    default: eu\n",
    )
    config = project.stack_config("one")
    assert config.values == {
        "demo:replicas": "3",
        "demo:region": "eu",
        "demo:debug": "true",
        "kubexpose:loadBalancer": '{"sourceRanges":["10.0.0.0/8"]}',
        "demo:password": SECRET_PLACEHOLDER,
    }
    assert config.secret_keys == ["demo:password"]


def test_an_unknown_stack_lists_the_known_ones(tmp_path: Path) -> None:
    project = write_project(tmp_path, "config: {}\n")
    with pytest.raises(ConfigError, match=r"stack 'two' has no file Pulumi.two.yaml .*; known stacks: one"):
        project.stack_config("two")


def test_a_broken_stack_file_fails_the_program_with_the_stack_and_key(run: Runner, tmp_path: Path) -> None:
    project = write_project(tmp_path, "config:\n  kubexpose:publicServiceType: Public\n")
    with pytest.raises(
        ConfigError, match=r"stack 'one': config 'kubexpose:publicServiceType' = 'Public' is not a public Service type"
    ):
        run(app.main, stack="one", config=project.stack_config("one").values)


def test_provider_render_mode_config_leaves_outputs_empty_but_the_program_intact(run: Runner) -> None:
    config = {**PROJECT.stack_config("prod").values, "kubernetes:renderYamlToDirectory": "rendered/prod"}
    result = run(app.main, stack="prod", config=config, load_balancer="pending")
    assert result.exports["frontend_url"] is None
    assert result.services_by_type() == EXPECTED_TYPES["prod"]


@pytest.mark.parametrize("path", sorted((ROOT / "stacks").glob("Pulumi.*.yaml")), ids=lambda p: p.name)
def test_committed_stack_files_hold_top_level_values_as_the_pulumi_cli_writes_them_back(path: Path) -> None:
    """Found by the e2e suite: `pulumi stack init` rewrote `skipAwait: false` as `"false"` (config values are
    strings; the CLI quotes a top-level scalar that YAML would read as another type), leaving a diff in git."""
    import yaml

    config = yaml.safe_load(path.read_text())["config"]
    unquoted = {key: value for key, value in config.items() if isinstance(value, bool | int | float)}
    assert unquoted == {}, f"{path.name}: quote these values as the CLI would: {unquoted}"
