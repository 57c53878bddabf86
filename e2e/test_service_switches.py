"""What pulumi-kubernetes plans, through the real engine, when a Service switches between the shapes kubexpose
writes: an ExternalAlias between a DNS target (an ExternalName Service) and IP addresses (a selector-less
ClusterIP Service with EndpointSlices), and an ExposedDeployment between ClusterIP and headless. `kubexpose diff`'s
replacement rule, run on renders of the same two programs, must say what the engine does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest
from conftest import eventually, make_project, ours
from pulumi import automation as auto

from kubexpose import ExposedDeployment, ExternalAlias, StackProfile
from kubexpose.engine import run_program
from kubexpose.engine.objects import manifests
from kubexpose.render.risk import replacement

NS = "switches"
IMAGE = "nginxinc/nginx-unprivileged:1.27-alpine"
STACK_FILE = f"config:\n  kubexpose:namespace: {NS}\n"


def program() -> None:
    config = pulumi.Config("e2e")
    profile = StackProfile.from_config()
    opts = pulumi.ResourceOptions(depends_on=[k8s.core.v1.Namespace(NS, metadata={"name": NS})])
    target = {"addresses": ["10.20.0.5"]} if config.get("alias") == "ips" else {"target": "api.payments.example.com"}
    ExternalAlias("payments", {**target, "port": 443}, opts, profile=profile)
    web = {"image": IMAGE, "ports": [{"port": 80, "target_port": 8080, "name": "http"}], "writable_paths": ["/tmp"]}
    ExposedDeployment("web", {**web, "headless": config.get_bool("headless") or False}, opts, profile=profile)


def _config(alias: str, headless: bool) -> dict[str, str]:
    return {"e2e:alias": alias, "e2e:headless": "true" if headless else "false"}


def _planned(stack: Any, steps: dict[str, list[str]] | None = None) -> dict[str, str]:
    """The step the engine plans for each kubexpose Service (`update`, `replace`, `same`, ...); `steps` gets every
    step of each (a replacement's `create-replacement` and `delete-replaced` too), even when the preview fails."""
    steps = {} if steps is None else steps

    def on_event(event: Any) -> None:
        pre = event.resource_pre_event
        if pre and pre.metadata.type == "kubernetes:core/v1:Service":
            steps.setdefault(pre.metadata.urn.rsplit("::", 1)[1], []).append(str(pre.metadata.op.value))

    stack.preview(on_event=on_event, on_output=print)
    return {name: ops[0] for name, ops in steps.items()}


def _diff_says(before: dict[str, str], after: dict[str, str], name: str) -> list[str]:
    """The classes of `kubexpose diff`'s replacement findings for Service `name` between renders of both configs."""

    def service(config: dict[str, str]) -> dict[str, Any]:
        run = run_program(program, stack="test", config={**config, "kubexpose:namespace": NS})
        return next(o for o in manifests(run) if o["kind"] == "Service" and o["metadata"]["name"] == name)

    return [finding.cls for finding in replacement(service(before), service(after)) if finding.raised]


@pytest.fixture(scope="module")
def stack(kubexpose_live: Any, cluster: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    project = make_project(tmp_path_factory.mktemp("switches"), "e2e-switches", {"test": STACK_FILE})
    stack = kubexpose_live.stack("test", program, Path(project), copy_name="switches")
    yield stack
    stack.destroy(on_output=print)
    eventually(lambda: ours(cluster, ["web", "payments"]) == [], timeout=120)


def _set(stack: Any, config: dict[str, str]) -> None:
    for key, value in config.items():
        stack.set_config(key, auto.ConfigValue(value))


def test_an_alias_switches_between_a_dns_target_and_ip_addresses_in_place(stack: Any, cluster: Any) -> None:
    dns, ips = _config("dns", False), _config("ips", False)
    _set(stack, dns)
    assert stack.up(on_output=print).summary.result == "succeeded"
    assert cluster.get_json("service", "payments", "-n", NS)["spec"]["type"] == "ExternalName"

    _set(stack, ips)
    planned = _planned(stack)
    print("engine plans, DNS -> IPs:", planned)
    assert planned["payments-service"] == "update"
    assert _diff_says(dns, ips, "payments") == []  # kubexpose diff agrees: no replacement
    assert stack.up(on_output=print).summary.result == "succeeded"
    service = cluster.get_json("service", "payments", "-n", NS)
    assert service["spec"]["type"] == "ClusterIP" and service["spec"]["clusterIP"] not in ("", "None")
    assert "externalName" not in service["spec"]

    _set(stack, dns)
    planned = _planned(stack)
    print("engine plans, IPs -> DNS:", planned)
    assert planned["payments-service"] == "update"
    assert _diff_says(ips, dns, "payments") == []
    assert stack.up(on_output=print).summary.result == "succeeded"
    service = cluster.get_json("service", "payments", "-n", NS)
    assert service["spec"]["type"] == "ExternalName" and not service["spec"].get("clusterIP")
    stack.preview(expect_no_changes=True, on_output=print)


def test_an_app_switching_to_headless_is_replaced_and_its_preview_fails(stack: Any, cluster: Any) -> None:
    """The engine plans a replacement (pulumi-kubernetes' force-new `spec.clusterIP`), which `kubexpose diff`
    reports. The preview of it fails: the provider's dry run of the replacement's create meets the live Service of
    the same name, whose cluster IP may not change; the `up` itself (the Automation API's skips the preview, as
    `pulumi up --skip-preview` does) deletes the Service, then creates it headless."""
    plain, headless = _config("dns", False), _config("dns", True)
    _set(stack, plain)
    assert stack.up(on_output=print).summary.result == "succeeded"
    _set(stack, headless)
    steps: dict[str, list[str]] = {}
    with pytest.raises(auto.errors.CommandError) as failed:
        _planned(stack, steps)
    print("engine plans, ClusterIP -> headless:", steps)
    # delete, then create: the name is fixed, so pulumi-kubernetes asks for delete-before-replace
    assert steps["web-service"] == ["delete-replaced", "replace", "create-replacement"]
    assert 'Service "web" is invalid: spec.clusterIPs[0]: Invalid value: ["None"]: may not change once set' in str(
        failed.value
    )
    assert _diff_says(plain, headless, "web") == ["replacement"]
    before = cluster.get_json("service", "web", "-n", NS)["metadata"]["uid"]
    result = stack.up(on_output=print)
    assert result.summary.result == "succeeded" and result.summary.resource_changes.get("replace") == 1
    after = cluster.get_json("service", "web", "-n", NS)
    assert after["spec"]["clusterIP"] == "None" and after["metadata"]["uid"] != before
    stack.preview(expect_no_changes=True, on_output=print)
