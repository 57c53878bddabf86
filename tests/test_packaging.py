"""`pip install` of this repository gives `import kubexpose` (typed), the `kubexpose` command and the pytest plugin, nothing else."""

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
    anywhere = shutil.ignore_patterns(".venv*", ".git", "__pycache__", "*.egg-info", ".*cache")

    def skip(directory: str, names: list[str]) -> set[str]:
        at_root = {"render", "build"} & set(names) if Path(directory) == ROOT else set()
        return set(anywhere(directory, names)) | at_root

    shutil.copytree(ROOT, source, ignore=skip)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q", "-w", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("kubexpose-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "kubexpose/__init__.py" in names and "kubexpose/py.typed" in names
    top_level = {n.split("/", 1)[0] for n in names if not n.split("/", 1)[0].endswith(".dist-info")}
    assert top_level == {"kubexpose"}, "only the kubexpose package is installed (no top-level 'components')"
    entry_points = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "kubexpose = kubexpose.testing.plugin" in entry_points
    assert "kubexpose = kubexpose.render.cli:run" in entry_points

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
    # A consumer project with the design card's layout has a `components/` package of its own.
    consumer = tmp_path / "consumer"
    (consumer / "components").mkdir(parents=True)
    (consumer / "components" / "__init__.py").write_text("OURS = True\n")
    probe = (
        "import kubexpose, components, importlib.metadata as md; "
        "from kubexpose import ExposedDeployment, ExposedDeploymentArgs, ExternalAlias, ExternalAliasArgs, Exposure, ValidationError; "
        "from kubexpose.testing import KubexposeTester; "
        "assert issubclass(ValidationError, ValueError) and components.OURS; "
        "print(kubexpose.__file__); "
        "print([e.value for e in md.entry_points(group='pytest11') if e.name == 'kubexpose'])"
    )
    result = subprocess.run(
        [str(venv / "bin" / "python"), "-c", probe], cwd=consumer, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    location, plugins = result.stdout.splitlines()
    assert location.startswith(str(venv)), location
    assert plugins == "['kubexpose.testing.plugin']"
