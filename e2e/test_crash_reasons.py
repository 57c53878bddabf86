"""Why a rollout failed (issue 35, point 5), through the real engine: a Deployment whose container fails makes `up`
fail, and the user sees the container's reason in the engine's output. The loopback cluster runs no container:
kwok's chaos stage `pod-container-running-failed` (in the suite's stages) fails the containers of a Pod that carries
its label, with the termination message of its annotation, as a kubelet reports a container that exited."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
import pytest
from conftest import eventually, namespaced_stack, ours
from pulumi import automation as auto

NS = "crash"
STAGE = "pod-container-running-failed.stage.kwok.x-k8s.io"
REASON = "open /etc/app/settings.yaml: no such file or directory"


def crashing() -> None:
    from kubexpose import ExposedDeployment

    ExposedDeployment(
        "crashing",
        {
            "image": "nginxinc/nginx-unprivileged:1.27-alpine",
            "port": 80,
            "labels": {STAGE: "true"},
            "pod_annotations": {f"{STAGE}/message": REASON},
        },
        pulumi.ResourceOptions(custom_timeouts=pulumi.CustomTimeouts(create="45s")),
    )


def test_a_failing_container_fails_up_with_its_reason(kubexpose_live: Any, cluster: Any, tmp_path: Path) -> None:
    stack = namespaced_stack(kubexpose_live, cluster, tmp_path, crashing, "crash", NS)
    output: list[str] = []
    try:
        with pytest.raises(auto.CommandError) as failed:
            stack.up(on_output=output.append)
        shown = "".join(output) + str(failed.value)
        assert "crashing-deployment" in shown
        assert REASON in shown, f"the container's reason is not in what the user sees:\n{shown[-3000:]}"
        print("what the user sees:", *[line for line in shown.splitlines() if REASON in line], sep="\n")
        pods = cluster.get_json("pods", "-n", NS, "-l", "app.kubernetes.io/name=crashing")["items"]
        spec = pods[0]["spec"]["containers"][0]
        assert spec["terminationMessagePolicy"] == "FallbackToLogsOnError"
    finally:
        stack.destroy(on_output=print)
        eventually(lambda: ours(cluster, ["crashing"]) == [], timeout=120)
