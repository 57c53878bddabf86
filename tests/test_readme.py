"""The README is the front door: its commands are the ones CI runs and its render excerpt is current."""

from __future__ import annotations

from conftest import ROOT

README = (ROOT / "README.md").read_text()


def test_the_readme_shows_the_current_dev_summary_and_topology() -> None:
    summary = (ROOT / "tests" / "golden" / "dev" / "summary.txt").read_text()
    topology = (ROOT / "tests" / "golden" / "dev" / "topology.md").read_text().split("\n", 2)[2]
    assert summary in README, "README summary is stale: copy tests/golden/dev/summary.txt"
    assert topology in README, "README topology is stale: copy tests/golden/dev/topology.md"


def test_ci_runs_the_readme_test_command() -> None:
    assert "make test     # run the whole test suite" in README
    assert (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1] == "make test"


def test_the_readme_render_command_is_the_make_target() -> None:
    assert "make render   # render the dev stack offline" in README
    makefile = (ROOT / "Makefile").read_text()
    assert "kubexpose render --stack $(STACK)" in makefile and "STACK ?= dev" in makefile
