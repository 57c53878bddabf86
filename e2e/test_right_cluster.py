"""No deploy to the wrong cluster (issue 38, point 4) through the real engine and provider: a stack that expects
another cluster (`kubexpose:cluster`) than the ambient kubeconfig's current context fails before anything is created;
with the default kubernetes provider disabled, a component without a provider of its own is refused with the fix and
one with an explicit provider comes up."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest
from conftest import eventually, namespaced_stack, ours
from pulumi import automation as auto

from kubexpose import ExposedDeployment, StackProfile

NS = "target"
ARGS = {"image": "nginxinc/nginx-unprivileged:1.27-alpine", "port": 80, "writable_paths": ["/tmp"]}


def _failed_up(stack: Any) -> str:
    output: list[str] = []
    with pytest.raises(auto.CommandError) as failed:
        stack.up(on_output=output.append)
    return "".join(output) + str(failed.value)


def test_a_stack_expecting_another_cluster_creates_nothing(
    kubexpose_live: Any, cluster: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KUBECONFIG", str(cluster.kubeconfig))  # the ambient kubeconfig, as the program reads it

    def program() -> None:
        ExposedDeployment("web", ARGS, profile=StackProfile.from_config())

    stack = namespaced_stack(kubexpose_live, cluster, tmp_path, program, "target", NS)
    stack.set_config("kubexpose:cluster", auto.ConfigValue("prod-eu"))
    shown = _failed_up(stack)
    assert "stack 'test' expects cluster 'prod-eu' (kubexpose:cluster)" in shown, shown[-3000:]
    assert f"would use context '{cluster.context}' (from $KUBECONFIG)" in shown, shown[-3000:]
    assert ours(cluster, ["web"]) == []
    stack.set_config("kubexpose:cluster", auto.ConfigValue(cluster.context))
    assert stack.up(on_output=print).summary.result == "succeeded"
    stack.destroy(on_output=print)
    eventually(lambda: ours(cluster, ["web"]) == [], timeout=120)


def test_with_the_default_provider_disabled_only_a_component_with_a_provider_comes_up(
    kubexpose_live: Any, cluster: Any, tmp_path: Any
) -> None:
    def program() -> None:
        explicit = pulumi.Config("e2e").get_bool("explicit")
        opts = pulumi.ResourceOptions(provider=k8s.Provider("loopback", kubeconfig=str(cluster.kubeconfig)))
        ExposedDeployment("api", ARGS, opts if explicit else None, profile=StackProfile.from_config())

    stack = namespaced_stack(kubexpose_live, cluster, tmp_path, program, "strict", NS)
    stack.set_config("pulumi:disable-default-providers[0]", auto.ConfigValue("kubernetes"), path=True)
    shown = _failed_up(stack)
    assert "ExposedDeployment 'api': stack 'test' disables the default kubernetes provider" in shown, shown[-3000:]
    assert ours(cluster, ["api"]) == []
    stack.set_config("e2e:explicit", auto.ConfigValue("true"))
    assert stack.up(on_output=print).summary.result == "succeeded"
    assert cluster.get_json("deployment", "api", "-n", NS)["spec"]["template"]["spec"]["containers"][0]["image"]
    stack.destroy(on_output=print)
    eventually(lambda: ours(cluster, ["api"]) == [], timeout=120)
