"""Releases: the version the package reports, the changelog's entry for it, and the baseline of the upgrade scenario."""

from __future__ import annotations

import re
import subprocess
import tomllib

import pytest
from conftest import ROOT

from kubexpose.render.cli import main as cli

VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def test_kubexpose_version_prints_the_packages_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        cli(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"kubexpose {VERSION}"


def test_the_changelog_opens_with_the_current_version_and_every_version_has_upgrade_notes() -> None:
    text = (ROOT / "CHANGELOG.md").read_text()
    versions = re.findall(r"^## \[(\d+\.\d+\.\d+)\]", text, re.M)
    assert versions[0] == VERSION, "add a CHANGELOG.md section for the version in pyproject.toml"
    sections = re.split(r"^## \[", text, flags=re.M)[1:]
    for section in sections[:-1]:  # the first version has nothing to upgrade from
        assert "**Upgrade from " in section, section.splitlines()[0]


def test_the_baseline_is_a_release_of_this_history_older_than_the_current_version() -> None:
    lines = [line for line in (ROOT / "RELEASES").read_text().splitlines() if line and not line.startswith("#")]
    assert len(lines) == 1
    version, commit = lines[0].split()
    assert re.fullmatch(r"[0-9a-f]{40}", commit)
    assert version in re.findall(r"^## \[(\d+\.\d+\.\d+)\]", (ROOT / "CHANGELOG.md").read_text(), re.M)[1:]
    shown = subprocess.run(["git", "show", f"{commit}:pyproject.toml"], cwd=ROOT, capture_output=True, text=True)
    if shown.returncode != 0:
        pytest.fail(f"the baseline commit {commit} of RELEASES is not in this clone's history (a shallow clone?)")
    assert tomllib.loads(shown.stdout)["project"]["version"] == version


def test_the_baselines_changelog_date_is_its_release_commits() -> None:
    version, commit = next(
        line.split() for line in (ROOT / "RELEASES").read_text().splitlines() if line and not line.startswith("#")
    )
    dated = re.search(
        rf"^## \[{re.escape(version)}\] - (\d{{4}}-\d{{2}}-\d{{2}})$", (ROOT / "CHANGELOG.md").read_text(), re.M
    )
    assert dated, f"CHANGELOG.md: no dated section for {version}"
    shown = subprocess.run(
        ["git", "show", "-s", "--format=%cd", "--date=short", commit], cwd=ROOT, capture_output=True, text=True
    )
    if shown.returncode != 0:
        pytest.fail(f"the baseline commit {commit} of RELEASES is not in this clone's history (a shallow clone?)")
    assert dated.group(1) == shown.stdout.strip()
