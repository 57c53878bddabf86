"""`pip install` of this repository gives `import components` (typed) and the pytest plugin, nothing else."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

from conftest import ROOT


def test_the_wheel_installs_into_a_fresh_virtualenv_and_exposes_the_public_surface(tmp_path: Path) -> None:
    # Build from a copy of the repository: setuptools writes build metadata into the source tree.
    source = tmp_path / "source"
    skip = shutil.ignore_patterns(".venv*", ".git", "__pycache__", "render", "build", "*.egg-info", ".*cache")
    shutil.copytree(ROOT, source, ignore=skip)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q", "-w", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("kubexpose-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "components/__init__.py" in names and "components/py.typed" in names
    assert not [
        n
        for n in names
        if n.startswith(("tests/", "policy/", "stacks/", "examples/")) or n in ("app.py", "__main__.py")
    ]
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "kubexpose = components.testing" in zipfile.ZipFile(wheel).read(entry_points).decode()

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    target = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", target, str(wheel)],
        check=True,
        capture_output=True,
    )
    # The fresh venv gets only our wheel; pulumi and pulumi-kubernetes come from the test environment.
    env = {**os.environ, "PYTHONPATH": sysconfig.get_paths()["purelib"]}
    probe = (
        "import components, importlib.metadata as md; "
        "from components import ExposedDeployment, ExposedDeploymentArgs, ExternalAlias, ExternalAliasArgs, Exposure, ValidationError; "
        "assert issubclass(ValidationError, ValueError); "
        "print(components.__file__); "
        "print([e.value for e in md.entry_points(group='pytest11') if e.name == 'kubexpose'])"
    )
    result = subprocess.run(
        [str(venv / "bin" / "python"), "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    location, plugins = result.stdout.splitlines()
    assert location.startswith(str(venv)), location
    assert plugins == "['components.testing']"
