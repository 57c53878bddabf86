"""The Pulumi CLI and kubectl commands of README.md and CONTRIBUTING.md, checked against the real binaries:
each subcommand exists and takes every flag the docs give it (`tests/test_docs.py` runs the rest)."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest
from test_docs import blocks, commands

from kubexpose.live.toolchain import find

LINES = [
    (str(b), words)
    for b in blocks()
    if b.lang in ("sh", "bash")
    for words in commands(b)
    if words[0] in ("pulumi", "kubectl")
]


def _help(run: Any, words: list[str]) -> tuple[list[str], str]:
    """The subcommand path of `words` (the words before the first flag or argument) and its --help text."""
    path = []
    for word in words[1:]:
        if word.startswith("-") or not word.isalpha():
            break
        path.append(word)
    return path, run([*path, "--help"])


@pytest.mark.parametrize(("where", "words"), LINES, ids=[f"{w} {' '.join(c[:3])}" for w, c in LINES])
def test_each_documented_command_exists_with_every_flag_it_is_given(
    kubexpose_live: Any, kubexpose_cluster: Any, where: str, words: list[str]
) -> None:
    if words[0] == "pulumi":

        def run(args: list[str]) -> str:
            return kubexpose_live.cli(*args).stdout

    else:

        def run(args: list[str]) -> str:
            done = subprocess.run([str(find("kubectl")), *args], capture_output=True, text=True, check=True)
            return done.stdout

    path, text = _help(run, words)
    assert path, f"{where}: {' '.join(words)} names no subcommand"
    for flag in (w.split("=", 1)[0] for w in words if w.startswith("--")):
        assert f"{flag} " in text or f"{flag}=" in text or f"{flag}\n" in text, (
            f"{where}: {' '.join(path)} has no {flag}"
        )
