"""`kubexpose diff --stack S --kubexpose-before SPEC`: the same program rendered with another kubexpose and with the
installed one (`e2e/test_upgrade.py` runs it with the last release, installed from a git tag as the README says)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import ROOT, make_project

from kubexpose.render import upgrade  # imported at collection, as every module the suite reaches (test_architecture)
from kubexpose.render.cli import main as cli

PROGRAM = """
from kubexpose import ExposedDeployment

ExposedDeployment("web", {"image": "nginxinc/nginx-unprivileged:1.27-alpine", "ports": [{"port": 80, "target_port": 8080}]})
"""


def _older_kubexpose(tmp_path: Path) -> Path:
    """A copy of this repository whose objects carry one more label: a kubexpose that writes something else."""
    copy = tmp_path / "older"
    anywhere = shutil.ignore_patterns(".venv*", ".git", "__pycache__", ".*cache")

    def skip(directory: str, names: list[str]) -> set[str]:
        at_root = {"render", "build", "policy", "tests", "examples"} & set(names) if Path(directory) == ROOT else set()
        return set(anywhere(directory, names)) | at_root

    shutil.copytree(ROOT, copy, ignore=skip)
    metadata = copy / "components" / "kubexpose" / "k8s" / "metadata.py"
    text = metadata.read_text()
    patched = text.replace('"labels": dict(labels)}', '"labels": {**dict(labels), "team": "platform"}}')
    assert patched != text
    metadata.write_text(patched)
    return copy


def test_an_upgrade_review_renders_with_both_kubexposes_and_diffs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(tmp_path, PROGRAM, "config:\n  kubexpose:namespace: shop\n")
    older = _older_kubexpose(tmp_path)
    code = cli(["diff", "--stack", "test", "--program", str(project), "--kubexpose-before", str(older)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.startswith(f"# kubexpose diff: `test with {older}` → `test with kubexpose ")
    assert "`metadata.labels.team`: platform → (none)" in out  # the label only the older kubexpose writes
    assert "its Pulumi resource" not in out  # same URNs: nothing an upgrade would replace


@pytest.mark.parametrize(
    "args",
    [
        ["--kubexpose-before", "kubexpose==0.2.0"],
        ["--stack", "dev", "--kubexpose-before", "kubexpose==0.2.0", "--against", "main"],
        ["a", "b", "--stack", "dev", "--kubexpose-before", "kubexpose==0.2.0"],
    ],
)
def test_kubexpose_before_needs_a_stack_and_no_other_pair(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert "runpy.run_module" in upgrade.OLD_KUBEXPOSE  # `python -m kubexpose`: every release has it
    assert cli(["diff", *args]) == 2
    assert "--stack S --kubexpose-before SPEC" in capsys.readouterr().err


def test_a_requirement_pip_cannot_install_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project(tmp_path, PROGRAM)
    missing = tmp_path / "no-such-kubexpose"
    assert cli(["diff", "--stack", "test", "--program", str(project), "--kubexpose-before", str(missing)]) == 2
    assert f"pip could not install {str(missing)!r} for the render before the upgrade" in capsys.readouterr().err
