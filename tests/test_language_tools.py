"""`kubexpose sdk` and `kubexpose node` without the tools they drive: what they refuse and name (e2e/test_languages.py
runs both for real on examples/ts-consumer)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubexpose.live import languages, toolchain
from kubexpose.render.cli import main as cli


def test_sdk_without_the_generator_names_its_build_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KUBEXPOSE_CACHE", str(tmp_path / "empty-cache"))
    monkeypatch.setattr(toolchain, "find", _only({"pulumi": tmp_path / "bin" / "pulumi"}))
    assert cli(["sdk", "nodejs", "--out", str(tmp_path / "sdk")]) == 2
    err = capsys.readouterr().err
    assert "the SDK generator is needed" in err and "--only gen-sdk" in err
    assert not (tmp_path / "sdk").exists()


def test_sdk_without_the_kubernetes_plugin_names_the_version_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pulumi = tmp_path / "pulumi"
    pulumi.write_text(
        '#!/bin/sh\ncase "$3" in kubexpose@*) echo "{}";; *) echo "error: no resource plugin found" >&2; exit 1;; esac\n'
    )
    pulumi.chmod(0o755)
    monkeypatch.setattr(toolchain, "find", _only({"pulumi": pulumi, "pulumi-gen-sdk": pulumi}))
    assert cli(["sdk", "go", "--out", str(tmp_path / "sdk")]) == 2
    err = capsys.readouterr().err
    assert "`pulumi package get-schema kubernetes@4.25.0` failed (error: no resource plugin found)" in err
    assert "pulumi plugin install resource kubernetes 4.25.0" in err


@pytest.mark.parametrize(
    ("prepare", "message"),
    [
        (lambda p: None, "has no Pulumi.yaml: run this from the project folder"),
        (lambda p: (p / "Pulumi.yaml").write_text("name: shop\n"), "has no @pulumi/pulumi: run npm install first"),
        (
            lambda p: (
                (p / "Pulumi.yaml").write_text("name: shop\n"),
                (p / "node_modules" / "@pulumi" / "pulumi").mkdir(parents=True),
            ),
            "does not exist: compile the program first (npx tsc)",
        ),
    ],
    ids=["no project", "no node_modules", "not compiled"],
)
def test_node_refuses_a_project_it_cannot_run(
    tmp_path: Path, prepare: object, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    prepare(tmp_path)  # type: ignore[operator]
    assert cli(["node", "up", "--stack", "dev", "bin/index.js", "--project", str(tmp_path)]) == 2
    assert message in capsys.readouterr().err


def test_the_node_runner_ships_with_the_package() -> None:
    text = languages.INLINE_RUNNER.read_text()
    assert 'require("@pulumi/pulumi/automation")' in text and "KUBEXPOSE-RESULT" in text


def _only(paths: dict[str, Path]) -> object:
    def find(binary: str) -> Path:
        if binary in paths:
            return paths[binary]
        raise toolchain.MissingToolError(
            f"{binary} not found; build it with `python -m kubexpose.live.toolchain build --only gen-sdk`"
        )

    return find
