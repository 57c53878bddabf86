"""Pulumi transforms through the real engine: the objects `pulumi up` applies are the render's, transforms and all
(a component's transform on its children, its parent's, stack transforms registered before), field for field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import drift, eventually, make_project, ours

NS = "transforms"


def program() -> None:
    from test_transforms import program as transformed

    transformed()


def test_the_objects_pulumi_up_applies_are_the_renders_transforms_and_all(
    kubexpose_live: Any, cluster: Any, tmp_path: Path
) -> None:
    from test_transforms import manifests

    from kubexpose.engine.run import run_program

    config = {"kubexpose:namespace": NS}
    rendered = manifests(run_program(program, config=config, stack="test", project="e2e-transforms"))
    assert rendered[("Deployment", "api")]["spec"]["template"]["spec"]["nodeSelector"] == {
        "kubernetes.io/arch": "amd64"
    }
    assert rendered[("Deployment", "api")]["metadata"]["annotations"]["order"] == "component,outer,stack-1"
    project = make_project(tmp_path / "project", "e2e-transforms", {"test": f"config:\n  kubexpose:namespace: {NS}\n"})
    stack = kubexpose_live.stack("test", program, project, copy_name="transforms")
    cluster.kubectl("create", "namespace", NS)
    try:
        assert stack.up(on_output=print).summary.result == "succeeded"
        objects = [o for key, o in sorted(rendered.items()) if key[0] != "Namespace"]
        assert drift(cluster, objects) == {}
        live = cluster.get_json("deployment", "api", "-n", NS)
        assert live["metadata"]["annotations"]["order"] == "component,outer,stack-1"
        assert (
            cluster.get_json("configmap", "settings", "-n", NS)["metadata"]["annotations"]["order"] == "stack-1,stack-2"
        )
    finally:
        stack.destroy(on_output=print)
        eventually(lambda: ours(cluster, ["api"]) == [], timeout=120)
        cluster.kubectl("delete", "namespace", NS, "--wait=false")
