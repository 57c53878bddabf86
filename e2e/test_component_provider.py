"""The component provider as an executable plugin, through the real engine: what every other language's SDK does.

`pulumi-resource-kubexpose` (a console script of the wheel) is installed with `pulumi plugin install resource
kubexpose <version> --file ...`, and a program registers `kubexpose:index:ExposedDeployment` as a remote component,
exactly as a generated TypeScript or Go SDK registers it, so the engine starts the plugin and calls `Construct`.
The objects it makes equal what the Python component makes for the same inputs, field for field; a secret env
value never reaches the state in plain text.

The generated SDKs themselves, in TypeScript, Go and YAML programs, run in `test_languages.py`."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest
from conftest import drift, eventually, make_project

from kubexpose import ExposedDeployment, StackProfile
from kubexpose.engine.objects import manifests
from kubexpose.engine.run import run_program
from kubexpose.provider import VERSION

NS = "remote"
IMAGE = "nginxinc/nginx-unprivileged:1.27-alpine"
SECRET = "lvl-s3cret-9f2c"


class RemoteExposedDeployment(pulumi.ComponentResource):
    """What a generated SDK declares: the type token, the inputs in the schema's names, `remote=True`."""

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None) -> None:
        outputs = {"serviceName": None, "endpoint": None, "clusterDns": None}
        super().__init__("kubexpose:index:ExposedDeployment", name, {**props, **outputs}, opts, remote=True)


def program() -> None:
    namespace = k8s.core.v1.Namespace(NS, metadata={"name": NS})
    web = RemoteExposedDeployment(
        "web",
        {
            "image": IMAGE,
            "ports": [{"port": 80, "targetPort": 8080, "name": "http"}],
            "replicas": 2,
            "writablePaths": ["/tmp"],
            # The secret value goes into the Secret `web-env`, the plain one stays a plain value.
            "env": {"MODE": "plain-mode", "LEVEL": pulumi.Output.secret(SECRET)},
        },
        pulumi.ResourceOptions(depends_on=[namespace]),
    )
    pulumi.export("endpoint", web.endpoint)  # type: ignore[attr-defined]
    pulumi.export("cluster_dns", web.clusterDns)  # type: ignore[attr-defined]


def python_manifests() -> list[dict[str, Any]]:
    """The objects the Python component makes for the same inputs, with the difference the README lists for other
    languages: env variables by name (a map has no order on the wire). The Secret's values are not compared (the
    render never holds them)."""
    args = {
        "image": IMAGE,
        "ports": [{"port": 80, "target_port": 8080, "name": "http"}],
        "replicas": 2,
        "writable_paths": ["/tmp"],
        "env": {"LEVEL": pulumi.Output.secret(SECRET), "MODE": "plain-mode"},
    }
    result = run_program(lambda: ExposedDeployment("web", args, profile=StackProfile(namespace=NS)))  # type: ignore[arg-type]
    return [m for m in manifests(result) if m["kind"] != "Secret"]


@pytest.fixture(scope="module")
def plugin(kubexpose_live: Any) -> Path:
    launcher = shutil.which("pulumi-resource-kubexpose", path=str(Path(sys.executable).parent))
    assert launcher, "pulumi-resource-kubexpose is not installed beside this Python (pip install kubexpose)"
    kubexpose_live.cli("plugin", "install", "resource", "kubexpose", VERSION, "--file", launcher)
    return Path(launcher)


def test_a_remote_component_comes_up_with_the_objects_the_python_component_makes(
    kubexpose_live: Any, cluster: Any, plugin: Path, tmp_path: Path
) -> None:
    project = make_project(tmp_path / "remote", "e2e-remote", {"test": f"config:\n  kubexpose:namespace: {NS}\n"})
    stack = kubexpose_live.stack("test", program, project, copy_name="remote")
    try:
        result = stack.up(on_output=print)
        assert result.summary.result == "succeeded"
        assert {k: v.value for k, v in stack.outputs().items()} == {
            "endpoint": "web:80",
            "cluster_dns": f"web.{NS}.svc.cluster.local",
        }
        assert drift(cluster, python_manifests()) == {}
        state = json.dumps(stack.export_stack().deployment)
        assert SECRET not in state  # the secret env value stays encrypted in the state
        secret = cluster.get_json("secret", "web-env", "-n", NS)
        assert sorted(secret["data"]) == ["LEVEL"]  # the plain variable stays a plain value
        stack.preview(expect_no_changes=True, on_output=print)
    finally:
        stack.destroy(on_output=print)
        stack.workspace.remove_stack("test")
        eventually(lambda: cluster.kubectl("get", "namespace", NS, check=False).returncode != 0, timeout=120)
