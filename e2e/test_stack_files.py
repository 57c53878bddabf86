"""The committed stack files survive the real CLI: `pulumi stack init` changes nothing but adding its
`encryptionsalt` (the passphrase secrets provider's salt), comments and values stay as written; the live kit runs a
team's stack file made under the team's own passphrase."""

from __future__ import annotations

import difflib
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, STACKS

TEAM_PASSPHRASE = "the team's own passphrase"


@pytest.mark.parametrize("stack", STACKS)
def test_pulumi_stack_init_leaves_the_committed_stack_file_as_it_is_but_for_the_salt(
    kubexpose_live: Any, stack: str
) -> None:
    work = kubexpose_live.project_copy(ROOT, f"stack-init-{stack}")
    kubexpose_live.cli("stack", "init", stack, "--secrets-provider", "passphrase", cwd=work)
    try:
        before = (ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text().splitlines()
        after = (work / "stacks" / f"Pulumi.{stack}.yaml").read_text().splitlines()
        changed = [line for line in difflib.ndiff(before, after) if line[:2] in ("- ", "+ ")]
        assert [line for line in changed if not line.startswith("+ encryptionsalt: ")] == []
        shown = kubexpose_live.cli("config", "--stack", stack, "--json", cwd=work).stdout
        assert '"kubexpose:namespace"' in shown
    finally:
        kubexpose_live.cli("stack", "rm", stack, "--yes", "--force", cwd=work)


def _team_project(kubexpose_live: Any, tmp_path: Path, *, secret: bool) -> Path:
    """A team's project whose stack file `pulumi stack init` wrote under the team's own passphrase."""
    project = tmp_path / "team"
    (project / "stacks").mkdir(parents=True)
    (project / "Pulumi.yaml").write_text("name: team\nruntime: python\nstackConfigDir: stacks\n")
    (project / "stacks" / "Pulumi.dev.yaml").write_text("config:\n  kubexpose:namespace: shop\n")
    env = {**os.environ, **kubexpose_live.env, "PULUMI_CONFIG_PASSPHRASE": TEAM_PASSPHRASE}
    steps = [["stack", "init", "dev", "--secrets-provider", "passphrase"]]
    if secret:
        steps.append(["config", "set", "--secret", "dbPassword", "s3cret", "--stack", "dev"])
    for step in [*steps, ["stack", "rm", "dev", "--yes", "--force", "--preserve-config"]]:
        subprocess.run([str(kubexpose_live.pulumi), *step, "--non-interactive"], cwd=project, env=env, check=True)
    assert "encryptionsalt: " in (project / "stacks" / "Pulumi.dev.yaml").read_text()
    return project


def _program() -> None:
    import pulumi

    pulumi.export("namespace", pulumi.Config("kubexpose").require("namespace"))
    secret = pulumi.Config().get_secret("dbPassword")
    pulumi.export("has_secret", secret.apply(lambda value: value == "s3cret") if secret is not None else False)


def test_the_live_kit_runs_a_teams_stack_file_made_under_another_passphrase(
    kubexpose_live: Any, cluster: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kubexpose.live.engine import LiveEngine, PassphraseError

    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    plain = _team_project(kubexpose_live, tmp_path / "plain", secret=False)
    stack = kubexpose_live.stack("dev", _program, plain, copy_name="team-plain")  # the kit's own passphrase
    try:
        assert stack.up().outputs["namespace"].value == "shop"
    finally:
        stack.workspace.remove_stack("dev", force=True)

    secret = _team_project(kubexpose_live, tmp_path / "secret", secret=True)
    with pytest.raises(PassphraseError, match="dbPassword is encrypted under the passphrase this stack was created"):
        kubexpose_live.stack("dev", _program, secret, copy_name="team-refused")
    team = LiveEngine(tmp_path / "team-engine", cluster, passphrase=TEAM_PASSPHRASE)
    stack = team.stack("dev", _program, secret, copy_name="team-secret")
    try:
        assert stack.up().outputs["has_secret"].value is True  # decrypted with the team's passphrase
    finally:
        stack.workspace.remove_stack("dev", force=True)
