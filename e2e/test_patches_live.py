"""Patches through the real engine (issue 36, point 5): a patch the program gives reaches the live object, which is
stored as the render writes it; a patch that breaks a guarantee fails the `up` before anything is registered."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import drift, eventually, namespaced_stack, ours
from pulumi import automation as auto

from kubexpose import ExposedDeployment, StackProfile
from kubexpose.engine.objects import manifests
from kubexpose.engine.run import run_program

NS = "patches"
IMAGE = "nginxinc/nginx-unprivileged:1.27-alpine"
ALIASES = {"op": "add", "path": "/spec/template/spec/hostAliases", "value": [{"ip": "10.0.0.1", "hostnames": ["db"]}]}
RENAME = {"op": "replace", "path": "/metadata/name", "value": "other"}
OPS: list[dict[str, Any]] = []
"""The Deployment's patches of the next run."""


def program() -> None:
    ExposedDeployment(
        "patched",
        {
            "image": IMAGE,
            "ports": [{"port": 80, "target_port": 8080, "name": "http"}],
            "writable_paths": ["/tmp"],
            "patches": {
                "Deployment": list(OPS),
                "Service": [{"op": "add", "path": "/spec/publishNotReadyAddresses", "value": True}],
            },
        },
        profile=StackProfile.from_config(),
    )


@pytest.fixture(scope="module")
def stack(kubexpose_live: Any, cluster: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    stack = namespaced_stack(kubexpose_live, cluster, tmp_path_factory.mktemp("patches"), program, "patches", NS)
    yield stack
    stack.destroy(on_output=print)
    eventually(lambda: ours(cluster, ["patched"]) == [], timeout=120)


def test_a_patch_that_breaks_a_guarantee_fails_the_up_before_anything_is_registered(stack: Any, cluster: Any) -> None:
    OPS[:] = [ALIASES, RENAME]
    with pytest.raises(auto.CommandError) as refused:
        stack.up(on_output=print)
    assert "patches['Deployment'] ['add /spec/template/spec/hostAliases', 'replace /metadata/name'] changes " in str(
        refused.value
    )
    assert "metadata.name, which names the object" in str(refused.value)
    resources = json.loads(json.dumps(stack.export_stack().deployment)).get("resources") or []
    assert [r["type"] for r in resources if r["type"].startswith("kubernetes:")] == []
    assert ours(cluster, ["patched", "other"]) == []


def test_a_patch_reaches_the_live_object_as_rendered(stack: Any, cluster: Any) -> None:
    OPS[:] = [ALIASES, {"op": "add", "path": "/spec/minReadySeconds", "value": 3}]
    assert stack.up(on_output=print).summary.result == "succeeded"
    live = cluster.get_json("deployment", "patched", "-n", NS)
    assert live["spec"]["template"]["spec"]["hostAliases"] == ALIASES["value"]
    assert live["spec"]["minReadySeconds"] == 3
    assert live["metadata"]["annotations"]["kubexpose.dev/patched"] == (
        "add /spec/template/spec/hostAliases; add /spec/minReadySeconds"
    )
    assert cluster.get_json("service", "patched", "-n", NS)["spec"]["publishNotReadyAddresses"] is True
    rendered = manifests(run_program(program, config={"kubexpose:namespace": NS}))
    assert drift(cluster, [m for m in rendered if m["kind"] != "Namespace"]) == {}
    preview = stack.preview(on_output=print)
    assert set(dict(preview.change_summary)) == {"same"}
