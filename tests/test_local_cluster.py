"""`kubexpose cluster up | down | status` without a control plane: what it refuses and says (the real start, a
`pulumi up` against it and the stop are in `e2e/test_local_cluster.py`)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kubexpose.live import local, toolchain
from kubexpose.render.cli import main as cli


def test_up_without_the_binaries_names_the_build_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KUBEXPOSE_CACHE", str(tmp_path / "empty-cache"))
    monkeypatch.delenv("KUBEBUILDER_ASSETS", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    assert cli(["cluster", "up", "--dir", str(tmp_path / "cluster")]) == 2
    err = capsys.readouterr().err
    assert "binaries missing (etcd, kube-apiserver" in err and "python -m kubexpose.live.toolchain build" in err
    assert not (tmp_path / "cluster" / "cluster.json").exists()


def test_a_second_up_is_refused_while_the_first_holds_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(toolchain, "missing", lambda binaries: [])
    folder = tmp_path / "cluster"
    held = local._lock(folder)  # what a running (or starting) supervisor holds
    assert held is not None
    try:
        assert cli(["cluster", "up", "--dir", str(folder)]) == 2
        assert f"a local cluster is starting in {folder}" in capsys.readouterr().err
        state = {"supervisor": os.getpid(), "server": "https://127.0.0.1:6443", "kubeconfig": "/k/config", "nodes": 3}
        (folder / "cluster.json").write_text(json.dumps(state))
        assert cli(["cluster", "up", "--dir", str(folder)]) == 2
        err = capsys.readouterr().err
        assert "a local cluster already runs in" in err and "export KUBECONFIG=/k/config" in err
        assert f"`kubexpose cluster down --dir {folder}`" in err
        assert cli(["cluster", "status", "--dir", str(folder)]) == 0
        assert "export KUBECONFIG=/k/config" in capsys.readouterr().out
    finally:
        os.close(held)


def test_status_and_down_without_a_cluster_say_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["cluster", "status", "--dir", str(tmp_path)]) == 1
    assert cli(["cluster", "down", "--dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out == f"no local cluster runs in {tmp_path}\n" * 2


def test_the_state_folder_follows_the_flag_then_the_variable_then_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KUBEXPOSE_CLUSTER_DIR", raising=False)
    monkeypatch.setenv("KUBEXPOSE_CACHE", str(tmp_path / "cache"))
    assert local.state_dir() == tmp_path / "cache" / "cluster"
    monkeypatch.setenv("KUBEXPOSE_CLUSTER_DIR", str(tmp_path / "mine"))
    assert local.state_dir() == tmp_path / "mine"
    assert local.state_dir(tmp_path / "flag") == tmp_path / "flag"
