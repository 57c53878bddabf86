"""Old import paths keep working until 1.0.0, each with a DeprecationWarning that names the new path and the
release that removes it; the new paths import silently, and there is one of them per public name."""

from __future__ import annotations

import subprocess
import sys
import warnings

import pytest
from conftest import ROOT

import kubexpose
import kubexpose.testing
from kubexpose import _moved


def _fresh_python(code: str) -> subprocess.CompletedProcess[str]:
    """`code` in a new interpreter (the module cache of this one already holds the old names), warnings shown."""
    return subprocess.run(
        [sys.executable, "-W", "default::DeprecationWarning", "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


@pytest.mark.parametrize(("old", "new"), sorted(_moved.MOVED_MODULES.items()))
def test_an_old_module_name_is_the_new_module_and_warns(old: str, new: str) -> None:
    proc = _fresh_python(f"import importlib, {old} as old; assert old is importlib.import_module('{new}'), old")
    assert proc.returncode == 0, proc.stderr
    assert f"DeprecationWarning: {old} moved to {new}; the old name is removed in kubexpose 1.0.0" in proc.stderr


def test_from_import_of_an_old_module_warns_too() -> None:
    proc = _fresh_python(
        "from kubexpose.testing import engine; import kubexpose.engine.run as run; assert engine is run"
    )
    assert proc.returncode == 0, proc.stderr
    assert "kubexpose.testing.engine moved to kubexpose.engine.run" in proc.stderr


def test_the_new_module_keeps_its_own_spec() -> None:
    proc = _fresh_python(
        "import kubexpose.testing.mocks, kubexpose.engine.mocks as m; assert m.__spec__.name == 'kubexpose.engine.mocks'"
    )
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("name", sorted(_moved.MOVED_NAMES["kubexpose.testing"]))
def test_an_engine_name_read_from_the_test_kit_warns_and_is_the_engines(name: str) -> None:
    import kubexpose.engine

    with pytest.warns(
        DeprecationWarning, match=rf"kubexpose\.testing\.{name} moved to kubexpose\.engine\.{name}; .* 1\.0\.0"
    ):
        value = getattr(kubexpose.testing, name)
    assert value is getattr(kubexpose.engine, name)


def test_new_paths_import_without_a_warning() -> None:
    proc = _fresh_python(
        "import warnings; warnings.simplefilter('error', DeprecationWarning)\n"
        "from kubexpose import ExposedDeployment, PortArgs, ProbeArgs, Exposure\n"
        "from kubexpose.testing import KubexposeTester\n"
        "from kubexpose.engine import run_program, ClusterMocks, UNKNOWN\n"
        "import kubexpose.components.exposed_deployment, kubexpose.components._parts.workload\n"
    )
    assert proc.returncode == 0, proc.stderr


def test_an_unknown_name_is_still_an_attribute_error() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
            kubexpose.testing.nothing  # noqa: B018
        with pytest.raises(AttributeError):
            kubexpose.nothing  # noqa: B018


def test_one_import_path_per_public_name() -> None:
    """The package, the test kit and the engine export disjoint names (old ones only through the warning)."""
    import kubexpose.engine

    assert not set(kubexpose.__all__) & set(kubexpose.testing.__all__)
    assert not set(kubexpose.testing.__all__) & set(kubexpose.engine.__all__)
    assert not set(kubexpose.__all__) & set(kubexpose.engine.__all__)
