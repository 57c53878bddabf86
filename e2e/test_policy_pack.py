"""The policy pack through the real CLI's `--policy-pack`, in the virtualenv `make policy` makes.

With a Python language host on PATH the suite passes the folder (`--policy-pack policy/`, as the
README gives it). Without one (no registry serves it here) it passes a launcher file that starts the
pack from `policy/.venv`: the CLI runs a `--policy-pack` that is a file as the analyzer plugin itself
(:meth:`kubexpose.live.engine.LiveEngine.policy_pack`). Either way the engine sends every resource of
the preview to the pack and enforces its verdicts."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest
from conftest import ROOT, make_project
from pulumi import automation as auto

from kubexpose.live.engine import script_program

POLICY = ROOT / "policy"


@pytest.fixture(scope="module")
def policy_pack(kubexpose_live: Any) -> str:
    subprocess.run(["make", "policy"], cwd=ROOT, check=True, capture_output=True)
    return str(kubexpose_live.policy_pack(POLICY))


def test_the_example_prod_stack_passes_the_policy_pack(kubexpose_live: Any, policy_pack: str) -> None:
    stack = kubexpose_live.stack("prod", script_program(ROOT / "__main__.py"), ROOT, copy_name="policy-prod")
    output: list[str] = []
    try:
        stack.preview(policy_packs=[policy_pack], on_output=output.append)
    finally:
        stack.workspace.remove_stack("prod")
    text = "\n".join(output)
    assert "kubexpose-exposure" in text, text[-2000:]


def orphan() -> None:
    ns = k8s.core.v1.Namespace("policy", metadata={"name": "policy"})
    k8s.core.v1.Service(
        "orphan",
        metadata={"name": "orphan", "namespace": "policy"},
        spec={"selector": {"app": "nobody"}, "ports": [{"port": 80}]},
        opts=pulumi.ResourceOptions(depends_on=[ns]),
    )


def test_a_service_that_selects_no_deployment_fails_the_preview(
    kubexpose_live: Any, policy_pack: str, tmp_path: Path
) -> None:
    project = make_project(tmp_path, "e2e-policy", {"test": "config: {}\n"})
    stack = kubexpose_live.stack("test", orphan, project, copy_name="policy-orphan")
    output: list[str] = []
    with pytest.raises(auto.errors.CommandError) as caught:
        stack.preview(policy_packs=[policy_pack], on_output=output.append)
    text = str(caught.value) + "\n".join(output)
    assert "mandatory" in text.lower() and "orphan" in text, text[-3000:]
