"""`pip install` of this repository gives `import kubexpose` (typed), the `kubexpose` command and the pytest plugin, nothing else."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT

from kubexpose import _sdk


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel `pip wheel .` builds, from a copy of the repository; the build leaves the copy as it was."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    anywhere = shutil.ignore_patterns(".venv*", ".git", "__pycache__", "*.egg-info", ".*cache")

    def skip(directory: str, names: list[str]) -> set[str]:
        at_root = {"render", "build"} & set(names) if Path(directory) == ROOT else set()
        return set(anywhere(directory, names)) | at_root

    shutil.copytree(ROOT, source, ignore=skip)
    before = sorted(p.relative_to(source) for p in source.rglob("*"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q", "-w", str(tmp)],
        check=True,
        capture_output=True,
    )
    written = sorted(set(p.relative_to(source) for p in source.rglob("*")) - set(before))
    assert written == [], f"building the package wrote into the checkout: {written}"  # no egg-info, no build/
    (built,) = tmp.glob("kubexpose-*.whl")
    return built


def _fresh_venv_with(wheel: Path, where: Path) -> tuple[Path, Path]:
    """A virtualenv holding only the wheel; returns its python and its site-packages."""
    venv = where / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    target = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", target, str(wheel)],
        check=True,
        capture_output=True,
    )
    return python, Path(target)


def test_the_wheel_holds_only_the_kubexpose_package_its_command_and_its_plugin(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "kubexpose/__init__.py" in names and "kubexpose/py.typed" in names
    top_level = {n.split("/", 1)[0] for n in names if not n.split("/", 1)[0].endswith(".dist-info")}
    assert top_level == {"kubexpose"}, "only the kubexpose package is installed (no top-level 'components')"
    entry_points = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "kubexpose = kubexpose.testing.plugin" in entry_points
    assert "kubexpose = kubexpose.render.cli:run" in entry_points


def test_a_consumer_project_with_its_own_components_folder_imports_kubexpose(wheel: Path, tmp_path: Path) -> None:
    python, _ = _fresh_venv_with(wheel, tmp_path)
    # The design card's layout gives every consumer project a `components/` package of its own.
    consumer = tmp_path / "consumer"
    (consumer / "components").mkdir(parents=True)
    (consumer / "components" / "__init__.py").write_text("OURS = True\n")
    probe = (
        "import kubexpose, components, importlib.metadata as md; "
        "from kubexpose import ExposedDeployment, ExposedDeploymentArgs, ExternalAlias, ExternalAliasArgs, Exposure, ValidationError; "
        "from kubexpose.testing import KubexposeTester; "
        "import pulumi; assert issubclass(ValidationError, pulumi.RunError) and not issubclass(ValidationError, ValueError); "
        "assert components.OURS; "
        "print(kubexpose.__file__); "
        "print([e.value for e in md.entry_points(group='pytest11') if e.name == 'kubexpose'])"
    )
    # The fresh venv gets only our wheel; pulumi and pulumi-kubernetes come from the test environment.
    env = {**os.environ, "PYTHONPATH": sysconfig.get_paths()["purelib"]}
    result = subprocess.run([str(python), "-c", probe], cwd=consumer, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    location, plugins = result.stdout.splitlines()
    assert location.startswith(str(tmp_path / "venv")), location
    assert plugins == "['kubexpose.testing.plugin']"


def test_with_a_pulumi_below_the_floor_unrelated_tests_pass_and_the_fixture_names_the_versions(
    wheel: Path, tmp_path: Path
) -> None:
    python, site = _fresh_venv_with(wheel, tmp_path)
    # An old pulumi: its metadata says 3.100.0, and importing it fails, so any import at plugin load shows.
    old = tmp_path / "old-pulumi"
    (old / "pulumi").mkdir(parents=True)
    (old / "pulumi" / "__init__.py").write_text("raise ImportError('pulumi 3.100.0 was imported')\n")
    (old / "pulumi-3.100.0.dist-info").mkdir()
    (old / "pulumi-3.100.0.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: pulumi\nVersion: 3.100.0\n"
    )
    project = tmp_path / "project"
    project.mkdir()
    (project / "test_mixed.py").write_text(
        "def test_unrelated():\n    assert 1 + 1 == 2\n\n\ndef test_uses_the_kit(kubexpose):\n    assert kubexpose\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(old), sysconfig.get_paths()["purelib"]])}
    result = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rA"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    assert "PASSED test_mixed.py::test_unrelated" in result.stdout, result.stdout + result.stderr
    assert "1 passed, 1 error" in result.stdout, result.stdout
    assert "During handling" not in result.stdout, "one plain message, no chained traceback"
    low, high = _sdk.SUPPORTED
    assert f"need pulumi>={low},<{high}, but pulumi 3.100.0 is installed" in result.stdout
    assert "was imported" not in result.stdout + result.stderr

    cli = subprocess.run(
        [str(python), "-m", "kubexpose", "render", "--stack", "dev"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert cli.returncode == 2, cli.stderr
    assert cli.stderr.startswith("error: kubexpose's test kit and render need pulumi>="), cli.stderr
    assert (site / "kubexpose").is_dir()


@pytest.mark.parametrize(
    ("version", "supported"),
    [
        ("3.199.0", False),
        ("3.199.99", False),
        ("3.200.0", True),
        ("3.272.0", True),
        ("3.999.1", True),
        ("4.0.0", False),
    ],
)
def test_the_sdk_version_gate_accepts_exactly_the_declared_range(version: str, supported: bool) -> None:
    if supported:
        _sdk.require_supported_sdk(version)
    else:
        with pytest.raises(_sdk.UnsupportedSdkError, match=rf"need pulumi>=3\.200\.0,<4, but pulumi {version} is"):
            _sdk.require_supported_sdk(version)


def test_the_declared_floor_is_the_one_the_gate_and_ci_use() -> None:
    low, high = _sdk.SUPPORTED
    pyproject = (ROOT / "pyproject.toml").read_text()
    requirements = (ROOT / "requirements.txt").read_text()
    floor = (ROOT / "requirements-floor.txt").read_text()
    assert f'"pulumi>={low},<{high}"' in pyproject
    assert f"pulumi>={low},<{high}" in requirements
    assert re.search(rf"^pulumi=={re.escape(low)}$", floor, re.M)
    k8s_floor = re.search(r'"pulumi-kubernetes>=([\d.]+),<5"', pyproject)
    assert k8s_floor and f"pulumi-kubernetes=={k8s_floor.group(1)}" in floor
    assert f"pulumi-kubernetes>={k8s_floor.group(1)},<5" in requirements


def test_the_wheel_carries_the_policy_pack_and_the_command_writes_it(wheel: Path, tmp_path: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    for name in (
        "PulumiPolicy.yaml",
        "__main__.py",
        "kubexpose_policies.py",
        "requirements.txt",
        "config.example.json",
    ):
        assert f"kubexpose/policy_pack/{name}" in names
    python, _ = _fresh_venv_with(wheel, tmp_path / "venv")
    done = subprocess.run(
        [str(python), "-m", "kubexpose", "policy-pack", str(tmp_path / "pack"), "--no-venv"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "pack").iterdir()) == sorted(
        ["PulumiPolicy.yaml", "__main__.py", "kubexpose_policies.py", "requirements.txt", "config.example.json"]
    )
    assert "pulumi-policy" in (tmp_path / "pack" / "requirements.txt").read_text()
    assert "kubexpose" not in (tmp_path / "pack" / "requirements.txt").read_text()  # the pack needs only pulumi-policy


def test_the_readme_requirement_lines_are_valid_for_the_pip_python_3_11_venv_installs(tmp_path: Path) -> None:
    """The pip a new virtualenv gets (ensurepip's, 23.2 with Python 3.11) parses requirement lines with its own
    packaging; it refused `git+file:///<path>` ("It looks like a path"), which the README therefore does not give."""
    readme = (ROOT / "README.md").read_text() + (ROOT / "docs" / "installation-configuration.md").read_text()
    lines = re.findall(r"^kubexpose @ git\+\S+$", readme, re.M)
    assert len(lines) >= 2, lines  # a git host's URL and a local clone's
    subprocess.run([sys.executable, "-m", "venv", str(tmp_path / "venv")], check=True, capture_output=True)
    python = tmp_path / "venv" / "bin" / "python"
    parse = (
        "import sys, pip; from pip._vendor.packaging.requirements import Requirement, InvalidRequirement\n"
        "for line in sys.argv[1:]:\n"
        "    try: Requirement(line)\n"
        "    except InvalidRequirement: print('refused:', line)\n"
        "print('pip', pip.__version__)"
    )
    done = subprocess.run([str(python), "-c", parse, *lines], check=True, capture_output=True, text=True)
    assert "refused:" not in done.stdout, done.stdout
    if int(done.stdout.split("pip ")[-1].split(".")[0]) < 24:  # the form it refuses is refused: the check can fail
        old = subprocess.run(
            [str(python), "-c", parse, "kubexpose @ git+file:///srv/kubexpose"], capture_output=True, text=True
        )
        assert "refused:" in old.stdout
