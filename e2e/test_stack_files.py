"""The committed stack files survive the real CLI: `pulumi stack init` changes nothing but adding its
`encryptionsalt` (the passphrase secrets provider's salt), comments and values stay as written."""

from __future__ import annotations

import difflib
from typing import Any

import pytest
from conftest import ROOT, STACKS


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
