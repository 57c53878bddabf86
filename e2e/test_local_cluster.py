"""`kubexpose cluster up` / `down` for real: a second control plane on loopback that outlives the command, a
`pulumi up` of a kubexpose app against it through the printed kubeconfig, a second `up` refused, and `down`
leaving no process and no folder behind."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from conftest import make_project

from kubexpose.live.engine import LiveEngine
from kubexpose.live.toolchain import find

IMAGE = "nginxinc/nginx-unprivileged:1.27-alpine"


def kubexpose(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kubexpose", *args], capture_output=True, text=True, timeout=600, check=False
    )


class Attached:
    """A running local cluster as the live kit sees a control plane: the environment that points at it."""

    def __init__(self, kubeconfig: str, folder: Path) -> None:
        self.kubeconfig, self.folder = kubeconfig, folder

    def env(self) -> dict[str, str]:
        return {"KUBECONFIG": self.kubeconfig, "KUBECACHEDIR": str(self.folder / "kubecache")}


def program() -> None:
    import pulumi_kubernetes as k8s

    from kubexpose import ExposedDeployment

    namespace = k8s.core.v1.Namespace("rehearsal", metadata={"name": "rehearsal"})
    ExposedDeployment(
        "orders",
        {"image": IMAGE, "ports": [{"port": 80, "target_port": 8080}], "writable_paths": ["/tmp"]},
        __import__("pulumi").ResourceOptions(depends_on=[namespace]),
    )


def test_a_local_cluster_outlives_the_command_takes_a_pulumi_up_and_goes_with_down(
    kubexpose_live: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "cluster"
    started = kubexpose("cluster", "up", "--dir", str(folder))
    assert started.returncode == 0, started.stderr
    try:
        lines = started.stdout.splitlines()
        assert lines[0].startswith("local cluster up: API server https://127.0.0.1:")
        kubeconfig = lines[1].removeprefix("kubeconfig: ")
        assert lines[2] == f"export KUBECONFIG={kubeconfig}"
        state = json.loads((folder / "cluster.json").read_text())
        kubectl = [str(find("kubectl")), "--kubeconfig", kubeconfig]
        nodes = json.loads(
            subprocess.run([*kubectl, "get", "nodes", "-o", "json"], capture_output=True, check=True).stdout
        )
        assert len(nodes["items"]) == 3

        again = kubexpose("cluster", "up", "--dir", str(folder))
        assert again.returncode == 2 and "a local cluster already runs in" in again.stderr
        assert json.loads((folder / "cluster.json").read_text()) == state  # the running one is untouched

        engine = LiveEngine(tmp_path / "pulumi", Attached(kubeconfig, folder))  # type: ignore[arg-type]
        project = make_project(
            tmp_path / "project", "rehearsal", {"dev": "config:\n  kubexpose:namespace: rehearsal\n"}
        )
        stack = engine.stack("dev", program, project)
        assert stack.up(on_output=print).summary.result == "succeeded"
        service = json.loads(
            subprocess.run(
                [*kubectl, "get", "service", "orders", "-n", "rehearsal", "-o", "json"], capture_output=True, check=True
            ).stdout
        )
        assert service["spec"]["clusterIP"]
        stack.destroy(on_output=print)
    finally:
        stopped = kubexpose("cluster", "down", "--dir", str(folder))
    assert stopped.returncode == 0, stopped.stderr
    assert not (folder / "cluster.json").exists()
    assert [p for p in [state["supervisor"], *state["processes"]] if _alive(p)] == []
    assert [p.name for p in folder.iterdir() if p.name.startswith("kubexpose-cp-")] == []


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
