"""Broken stack config gives one clear error for pulumi up, tests and render alike; secrets never leak."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import ROOT

import app
from kubexpose import ConfigError, StackProfile
from kubexpose.engine.run import run_program
from kubexpose.render.build import render
from kubexpose.render.cli import main as cli
from kubexpose.stackfiles import Project
from kubexpose.testing.kit import KubexposeTester

BROKEN = [
    ("kubexpose:skipAwait: 3", r"config 'kubexpose:skipAwait' = '3' is not a boolean"),
    (
        "kubexpose:publicServiceType: Public",
        r"config 'kubexpose:publicServiceType' = 'Public' is not a public Service type",
    ),
    ("kubexpose:nodePortRange: 32767-30000", r"config 'kubexpose:nodePortRange' = '32767-30000' is reversed"),
    (
        "kubexpose:nodePortRange: 0-70000",
        r"config 'kubexpose:nodePortRange' = '0-70000' is reversed or outside 1-65535",
    ),
    (
        "kubexpose:aliases:\n    extrnal-service: api.example.com",
        r"config 'kubexpose:aliases' names 'extrnal-service', which is not an ExternalAlias",
    ),
    ("kubexpose:loadBalancer: [1, 2]", r"config 'kubexpose:loadBalancer' = \[1, 2\] is not a dict"),
    (
        "kubexpose:loadBalancer:\n    sourceRanges: 10.0.0.0/8",
        r"config 'kubexpose:loadBalancer' = '10.0.0.0/8' has sourceRanges that are not a list",
    ),
    (
        "kubexpose:loadBalancer:\n    sourceRange: [10.0.0.0/8]",
        r"config 'kubexpose:loadBalancer' = \{'sourceRange': \['10.0.0.0/8'\]\} has the unknown field 'sourceRange'",
    ),
    ("kubexpose:namespce: shop", r"config key 'kubexpose:namespce' is not known to kubexpose"),
]


def broken_project(tmp_path: Path, line: str) -> Project:
    """A copy of this project whose `broken` stack has one bad line."""
    project = tmp_path / "project"
    project.mkdir()
    for name in ("Pulumi.yaml", "__main__.py", "app.py"):
        shutil.copy(ROOT / name, project / name)
    (project / "stacks").mkdir()
    (project / "stacks" / "Pulumi.broken.yaml").write_text(f"config:\n  kubexpose:namespace: shop\n  {line}\n")
    return Project.load(project)


@pytest.mark.parametrize(("line", "message"), BROKEN)
def test_broken_config_fails_the_program_with_the_stack_and_key(tmp_path: Path, line: str, message: str) -> None:
    project = broken_project(tmp_path, line)
    with pytest.raises(ConfigError, match=rf"^stack 'broken': {message}"):
        run_program(app.main, stack="broken", config=project.stack_config("broken").values)


@pytest.mark.parametrize(("line", "message"), BROKEN)
def test_broken_config_fails_the_render_with_the_same_message(tmp_path: Path, capsys, line: str, message: str) -> None:
    project = broken_project(tmp_path, line)
    out = tmp_path / "out"
    assert (
        cli(["render", "--stack", "broken", "--program", str(project.directory), "--out", str(out)]) == 2
    )  # an input error, as an unknown stack is
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert re.search(
        rf"^error: {re.escape(str(project.directory))}/stacks/Pulumi.broken.yaml:3: stack 'broken': {message}", err
    ), err
    assert not out.exists()


@pytest.mark.parametrize(("line", "message"), BROKEN[:3])
def test_broken_config_fails_the_test_kit_with_the_same_message(tmp_path: Path, line: str, message: str) -> None:
    project = broken_project(tmp_path, line)
    with pytest.raises(ConfigError, match=rf"/stacks/Pulumi.broken.yaml:3: stack 'broken': {message}"):
        KubexposeTester().run(app.main, stack="broken", stack_dir=project.directory)


def test_a_kubexpose_key_stored_as_a_secret_is_refused_without_showing_it() -> None:
    with pytest.raises(ConfigError) as caught:
        run_program(
            app.main,
            config={"kubexpose:namespace": "Top-Secret-Namespace"},
            secret_keys=["kubexpose:namespace"],
        )
    assert "Top-Secret" not in str(caught.value)
    assert str(caught.value) == (
        "stack 'dev': config 'kubexpose:namespace' is a secret, but kubexpose writes its settings into cluster "
        "objects that anyone who can read them sees in clear text; store it as plain config "
        "(`pulumi config set kubexpose:namespace ...` without --secret)"
    )


def test_a_profile_built_from_secret_values_never_shows_them() -> None:
    with pytest.raises(ConfigError) as caught:
        StackProfile.from_mapping({"namespace": "Top-Secret"}, stack="dev", secret_keys=["namespace"])
    assert (
        str(caught.value)
        == "stack 'dev': config 'kubexpose:namespace' = [secret] is not valid; check the secret's value"
    )


def test_a_secret_output_in_env_never_appears_in_the_render(tmp_path: Path, capsys) -> None:
    project_dir = tmp_path / "secretive"
    (project_dir / "stacks").mkdir(parents=True)
    (project_dir / "Pulumi.yaml").write_text("name: secretive\nruntime: python\nstackConfigDir: stacks\n")
    (project_dir / "stacks" / "Pulumi.dev.yaml").write_text("config: {}\n")
    (project_dir / "__main__.py").write_text(
        "import pulumi\n"
        "from kubexpose import ExposedDeployment\n"
        "web = ExposedDeployment('web', {'image': 'nginxinc/nginx-unprivileged:1.27-alpine', 'port': 8080,\n"
        "    'env': {'API_TOKEN': pulumi.Output.secret('hunter2-token'), 'MODE': 'plain'}})\n"
        "pulumi.export('token', pulumi.Output.secret('hunter2-token'))\n"
    )
    rendered = render(Project.load(project_dir), "dev")
    assert all("hunter2" not in text for text in rendered.files.values())
    assert all("hunter2" not in w for w in rendered.warnings)
    env = next(m for m in rendered.manifests if m["kind"] == "Deployment")["spec"]["template"]["spec"]["containers"][0][
        "env"
    ]
    assert env == [
        {"name": "API_TOKEN", "valueFrom": {"secretKeyRef": {"name": "web-env", "key": "API_TOKEN"}}},
        {"name": "MODE", "value": "plain"},
    ]
    assert cli(["render", "--stack", "dev", "--program", str(project_dir), "--out", str(tmp_path / "out")]) == 0
    captured = capsys.readouterr()
    assert "hunter2" not in captured.out + captured.err
