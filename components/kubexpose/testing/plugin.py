"""The pytest plugin kubexpose registers (entry point `pytest11`): the `kubexpose` fixture.

pytest loads this module in every run of an environment where kubexpose is installed, so it imports
nothing but pytest: the SDK is checked and the test kit imported only when a test asks for the
fixture. An environment with a pulumi outside the supported range still runs its other tests; a
test that uses the fixture then fails with a message naming the versions kubexpose needs.
"""

from pathlib import Path
from typing import Any

import pytest


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
    project = next(
        (d for d in (here, *here.parents) if (d / "Pulumi.yaml").is_file() or (d / "Pulumi.yml").is_file()), None
    )
    return KubexposeTester(project_dir=project)
