"""No deploy to the wrong cluster (issue 38, point 4): `kubexpose:cluster` names the cluster a stack expects, and a
program whose default kubernetes provider would go elsewhere fails before anything is registered; with the default
provider disabled (`pulumi:disable-default-providers`) a component without a provider of its own is refused with the
fix. Under mocks only the stack config is read (never this machine's kubeconfig)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest

from kubexpose import ConfigError, ExposedDeployment, ExternalAlias
from kubexpose.engine.mocks import ClusterMocks
from kubexpose.engine.run import run_program
from kubexpose.target import default_target

KUBECONFIG = """apiVersion: v1
kind: Config
current-context: kind-dev
contexts:
- name: kind-dev
  context: {cluster: dev, user: admin}
- name: prod-eu
  context: {cluster: prod, user: admin}
clusters:
- name: dev
  cluster: {server: 'https://127.0.0.1:6443'}
- name: prod
  cluster: {server: 'https://10.0.0.1:6443'}
"""


def web() -> None:
    ExposedDeployment("web", {"image": "ghcr.io/acme/web:1.0", "port": 80})
    ExternalAlias("payments", {"target": "api.payments.example.com", "port": 443})


def with_provider() -> None:
    east = k8s.Provider("east", context="prod-us")
    ExposedDeployment("web", {"image": "ghcr.io/acme/web:1.0", "port": 80}, pulumi.ResourceOptions(provider=east))


def refused(program: Any, config: dict[str, str]) -> str:
    with pytest.raises(ConfigError) as error:
        run_program(program, config=config)
    return str(error.value)


def kinds(program: Any, config: dict[str, str]) -> list[str]:
    return sorted({r.type.rsplit(":", 1)[-1] for r in run_program(program, config=config).registrations})


def test_a_stack_whose_default_provider_uses_another_context_fails_before_anything_is_registered() -> None:
    mocks = ClusterMocks()
    with pytest.raises(ConfigError) as error:
        run_program(web, config={"kubexpose:cluster": "prod-eu", "kubernetes:context": "kind-dev"}, mocks=mocks)
    assert str(error.value) == (
        "ExposedDeployment 'web': stack 'dev' expects cluster 'prod-eu' (kubexpose:cluster), but the default "
        "kubernetes provider would use context 'kind-dev' (from kubernetes:context); point it at the expected one "
        "(`pulumi config set kubernetes:context prod-eu`), or give the component an explicit provider"
    )
    assert [r.type for r in mocks.registrations if r.type != "pulumi:pulumi:Stack"] == []


def test_the_expected_context_passes() -> None:
    assert "Deployment" in kinds(web, {"kubexpose:cluster": "prod-eu", "kubernetes:context": "prod-eu"})


def test_the_kubeconfigs_current_context_and_server_are_compared(tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_text(KUBECONFIG)
    for given in (str(path), KUBECONFIG):  # a path, or the kubeconfig itself, as pulumi-kubernetes takes both
        message = refused(web, {"kubexpose:cluster": "prod-eu", "kubernetes:kubeconfig": given})
        assert "would use context 'kind-dev' (from kubernetes:kubeconfig)" in message
        by_url = {"kubexpose:cluster": "https://10.0.0.1:6443", "kubernetes:kubeconfig": given}
        assert "would use the API server 'https://127.0.0.1:6443'" in refused(web, by_url)
        by_url["kubernetes:context"] = "prod-eu"  # the context set beside the kubeconfig picks the server
        assert "Deployment" in kinds(web, by_url)


def test_a_component_with_its_own_provider_is_not_checked() -> None:
    assert "Deployment" in kinds(with_provider, {"kubexpose:cluster": "prod-eu", "kubernetes:context": "kind-dev"})


def test_under_mocks_the_machines_kubeconfig_is_never_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config"
    path.write_text(KUBECONFIG)
    monkeypatch.setenv("KUBECONFIG", str(path))
    assert "Deployment" in kinds(web, {"kubexpose:cluster": "prod-eu"})  # not known from the stack's config
    assert default_target(under_mocks=False)[:2] == ("kind-dev", "https://127.0.0.1:6443")  # on the real engine


def test_with_the_default_provider_disabled_a_component_without_one_is_refused_with_the_fix() -> None:
    message = refused(web, {"pulumi:disable-default-providers": '["kubernetes"]'})
    assert message.startswith("ExposedDeployment 'web': stack 'dev' disables the default kubernetes provider")
    assert "give it one: opts=pulumi.ResourceOptions(provider=k8s.Provider(...))" in message
    assert "Deployment" in kinds(with_provider, {"pulumi:disable-default-providers": '["*"]'})


def test_a_bad_cluster_setting_is_refused() -> None:
    message = refused(web, {"kubexpose:cluster": "prod eu"})
    assert message.startswith("stack 'dev': config 'kubexpose:cluster' = 'prod eu' is not a context name")
