"""The offline path: a render folder goes to the API server as kubectl reads it, and `pulumi up` takes it over."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, eventually, ours, rendered

from kubexpose.live.engine import script_program

APPS = ("backend", "database", "external-service", "frontend", "myapp")


@pytest.fixture
def render_dir(tmp_path: Path) -> Path:
    out = tmp_path / "dev"
    result = subprocess.run(
        [sys.executable, "-m", "kubexpose", "render", "--stack", "dev", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return out


def _gone(cluster: Any) -> bool:
    return ours(cluster, APPS) == [] and cluster.kubectl("get", "namespace", "shop", check=False).returncode != 0


def test_kubectl_apply_create_and_kustomize_read_each_object_once(cluster: Any, render_dir: Path) -> None:
    count = len(rendered("dev").manifests)
    applied = cluster.kubectl("apply", "--server-side", "-f", str(render_dir))
    assert applied.stdout.count("serverside-applied") == count, applied.stdout
    cluster.kubectl("delete", "-f", str(render_dir), "--wait=true")
    eventually(lambda: _gone(cluster), timeout=120)
    created = cluster.kubectl("create", "-f", str(render_dir))  # fails on any object listed twice
    assert created.stdout.count(" created") == count, created.stdout
    cluster.kubectl("delete", "-f", str(render_dir), "--wait=true")
    eventually(lambda: _gone(cluster), timeout=120)
    kustomized = cluster.kubectl("apply", "-k", str(render_dir))
    assert kustomized.stdout.count("\n") == count, kustomized.stdout
    cluster.kubectl("delete", "-k", str(render_dir), "--wait=true")
    eventually(lambda: _gone(cluster), timeout=120)


def test_pulumi_up_takes_over_what_kubectl_applied_from_the_render(
    cluster: Any, kubexpose_live: Any, render_dir: Path
) -> None:
    cluster.kubectl("apply", "--server-side", "-f", str(render_dir))
    stack = kubexpose_live.stack("dev", script_program(ROOT / "__main__.py"), ROOT, copy_name="example-takeover")
    try:
        result = stack.up(on_output=print)
        assert result.summary.result == "succeeded"
        service = json.loads(
            cluster.kubectl("get", "service", "frontend", "-n", "shop", "-o", "json", "--show-managed-fields").stdout
        )
        managers = {m["manager"] for m in service["metadata"]["managedFields"]}
        assert any(m.startswith("pulumi-kubernetes") for m in managers), managers
        stack.preview(expect_no_changes=True, on_output=print)
    finally:
        stack.destroy(on_output=print)
        stack.workspace.remove_stack("dev")
    eventually(lambda: _gone(cluster), timeout=120)
