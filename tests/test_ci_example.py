"""The example GitHub Actions workflow parses and runs only commands and flags that exist."""

from __future__ import annotations

import re
import shlex

import yaml
from conftest import ROOT

from kubexpose.render.cli import main as cli

WORKFLOW = ROOT / "examples" / "ci" / "kubexpose-diff.yml"


def _steps() -> list[dict]:
    data = yaml.safe_load(WORKFLOW.read_text())
    assert data["name"] == "kubexpose diff"
    assert "pull_request" in data[True]  # YAML 1.1 reads the `on:` key as true
    (job,) = data["jobs"].values()
    return job["steps"]


def test_the_workflow_parses_and_posts_the_report_and_gates_on_a_label() -> None:
    steps = _steps()
    names = [s.get("name") for s in steps]
    assert names[-3:] == [
        "Diff every stack against the base branch",
        "Post the report",
        "Exposure widened without approval",
    ]
    assert "exposure-approved" in steps[-1]["if"] and steps[-1]["run"].strip().endswith("exit 1")
    assert next(s for s in steps if s.get("uses", "").startswith("actions/checkout"))["with"]["fetch-depth"] == 0


def test_every_kubexpose_command_in_the_workflow_exists_with_its_flags(capsys) -> None:
    commands = [
        shlex.split(line.strip().split(" > ")[0])
        for step in _steps()
        for line in str(step.get("run", "")).splitlines()
        if ".venv/bin/kubexpose " in line
    ]
    assert commands, "the workflow runs kubexpose"
    for words in commands:
        sub = words[1]
        flags = {w for w in words if w.startswith("--")}
        try:
            cli([sub, "--help"])  # argparse prints the usage and exits 0
        except SystemExit as done:
            assert done.code == 0
        else:
            raise AssertionError(f"kubexpose {sub} --help did not print its usage")
        usage = capsys.readouterr().out
        for flag in flags:
            assert flag in usage, f"kubexpose {sub} has no {flag}"
        assert "exposure" in words[words.index("--fail-on") + 1]


def test_the_stacks_the_workflow_loops_over_exist() -> None:
    text = WORKFLOW.read_text()
    pattern = re.search(r"for file in (\S+); do", text).group(1)
    assert sorted(p.name for p in ROOT.glob(pattern)) == [
        "Pulumi.dev.yaml",
        "Pulumi.fleet.yaml",
        "Pulumi.prod.yaml",
        "Pulumi.staging.yaml",
    ]
    assert "pip install --quiet -r requirements.txt -e ." in text and (ROOT / "requirements.txt").is_file()
