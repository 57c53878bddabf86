"""The pytest plugin kubexpose registers (entry point `pytest11`): the `kubexpose` fixture.

pytest loads this module in every run of an environment where kubexpose is installed, so it imports
nothing but pytest: the SDK is checked and the test kit imported only when a test asks for the
fixture. An environment with a pulumi outside the supported range still runs its other tests; a
test that uses the fixture then fails with a message naming the versions kubexpose needs.
"""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

INLINE_PROGRAM_LEFTOVER = (
    "ignore:Exception ignored in. <coroutine object run_(in_stack|pulumi_func) :pytest.PytestUnraisableExceptionWarning"
)
"""The one unraisable report the live kit lets through silently. When a live preview or up fails (or the CLI is
killed), the Automation API's inline-program server can be left holding the program's unfinished `run_in_stack`
coroutine (or the `run_pulumi_func` it awaits); when the garbage collector reaches it, perhaps during a later test,
its `finally` asks for a running event loop that no longer exists ("RuntimeError: no running event loop" in the SDK's callback shutdown). The
failure itself was already reported by the operation; every other unraisable exception is still reported."""


def pytest_configure(config: pytest.Config) -> None:
    """Put a Pulumi project's own directory first on the import path when pytest runs from it, as `pulumi up`
    does for the program: tests import the program's modules (`import storefront`, `from components import
    ...`) with a bare `pytest`, without `pythonpath = .` in the project's pytest settings. Silence
    :data:`INLINE_PROGRAM_LEFTOVER` (and nothing else)."""
    import sys

    config.addinivalue_line("filterwarnings", INLINE_PROGRAM_LEFTOVER)
    root = Path(str(config.rootpath)).resolve()
    if _is_project(root) and str(root) not in sys.path:
        sys.path.insert(0, str(root))


@pytest.fixture
def kubexpose(request: pytest.FixtureRequest) -> Any:
    """Run Pulumi programs under kubexpose's cluster-like mocks: `kubexpose.run(program, stack=...)`.

    The value is a :class:`kubexpose.testing.KubexposeTester` that reads the stack files of the
    nearest Pulumi project above the test file, as the Pulumi CLI would.
    """
    from .._sdk import UnsupportedSdkError, require_supported_sdk

    problem = None
    try:
        require_supported_sdk()
    except UnsupportedSdkError as err:
        problem = str(err)
    if problem is not None:
        pytest.fail(problem, pytrace=False)
    from .kit import KubexposeTester

    here = Path(str(request.path)).resolve().parent
    project = next((d for d in (here, *here.parents) if _is_project(d)), None)
    return KubexposeTester(project_dir=project, test_dir=here)


def _is_project(directory: Path) -> bool:
    """The folder holds a Pulumi project file."""
    return (directory / "Pulumi.yaml").is_file() or (directory / "Pulumi.yml").is_file()


def _missing_tools_outcome(message: str) -> None:
    """Skip a test that needs binaries that are not there, or fail when the run asked for them."""
    import os

    if os.environ.get("KUBEXPOSE_E2E_REQUIRE") == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def kubexpose_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A real control plane on loopback for the whole session (:class:`kubexpose.live.cluster.ControlPlane`).

    Skipped with the build command when a binary is missing (failed instead with
    ``KUBEXPOSE_E2E_REQUIRE=1``); stopped, with everything it started, at the end of the session.
    """
    from ..live.cluster import ControlPlane
    from ..live.toolchain import CONTROL_PLANE, MissingToolError, require

    try:
        require(CONTROL_PLANE)  # every binary checked before anything starts
    except MissingToolError as err:
        _missing_tools_outcome(str(err))
    plane = ControlPlane(workdir=tmp_path_factory.mktemp("control-plane"))
    try:
        plane.start()
    except MissingToolError as err:
        _missing_tools_outcome(str(err))
    yield plane
    plane.stop()


@pytest.fixture
def kubexpose_clusters(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Any]]:
    """More real control planes on loopback, for a test of a program that deploys to several clusters: each call
    starts one, `east = kubexpose_clusters("east")`, whose kubeconfig (`east.kubeconfig`) names its cluster and
    context `east`; `east.provider()` is a kubernetes provider for it, to create inside a program. Keyword arguments
    go to :class:`kubexpose.live.cluster.ControlPlane`. Every plane started is stopped when the test ends; skipped
    (or failed) like ``kubexpose_cluster`` when a binary is missing."""
    from ..live.cluster import ControlPlane
    from ..live.toolchain import CONTROL_PLANE, MissingToolError, require

    started: list[Any] = []

    def start(name: str, **kwargs: Any) -> Any:
        if any(plane.context == name for plane in started):
            raise ValueError(f"kubexpose_clusters: a cluster named {name!r} is already running in this test")
        try:
            require(CONTROL_PLANE)
            plane = ControlPlane(workdir=tmp_path_factory.mktemp(f"control-plane-{name}"), context=name, **kwargs)
            started.append(plane)
            plane.start()
        except MissingToolError as err:
            _missing_tools_outcome(str(err))
        return plane

    yield start
    for plane in reversed(started):
        plane.stop()


@pytest.fixture(scope="session")
def kubexpose_live(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The real Pulumi CLI and kubernetes provider, pointed at ``kubexpose_cluster``
    (:class:`kubexpose.live.engine.LiveEngine`); skipped like it when a binary is missing, before the control
    plane starts."""
    from ..live.engine import LiveEngine, find_provider
    from ..live.toolchain import MissingToolError, find

    try:
        find("pulumi")
        find_provider()
    except MissingToolError as err:
        _missing_tools_outcome(str(err))
    cluster = request.getfixturevalue("kubexpose_cluster")
    try:
        return LiveEngine(tmp_path_factory.mktemp("pulumi"), cluster)
    except MissingToolError as err:
        _missing_tools_outcome(str(err))
