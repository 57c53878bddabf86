"""Testing kubexpose programs without a cluster: the mock engine and the pytest test kit.

- :mod:`kubexpose.engine` (also importable as `kubexpose.testing.engine`): runs a Pulumi program in-process under
  recording mocks that answer like a cluster (generic: it knows nothing of kubexpose's components).
- :mod:`kubexpose.testing.kit`: :class:`KubexposeTester`, the value of the `kubexpose` fixture.
- :mod:`kubexpose.testing.plugin`: the pytest plugin that provides the fixture.

Both need a pulumi inside the supported range (:data:`kubexpose._sdk.SUPPORTED`) and say so
plainly otherwise. Names are imported on first use.
"""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from ..engine.run import (
        UNKNOWN as UNKNOWN,
    )
    from ..engine.run import (
        ClusterMocks as ClusterMocks,
    )
    from ..engine.run import (
        ProgramRun as ProgramRun,
    )
    from ..engine.run import (
        Registration as Registration,
    )
    from ..engine.run import (
        run_program as run_program,
    )
    from .kit import (
        ApplyNeverRanError as ApplyNeverRanError,
    )
    from .kit import (
        KubexposeRun as KubexposeRun,
    )
    from .kit import (
        KubexposeTester as KubexposeTester,
    )
    from .kit import (
        NothingRegisteredError as NothingRegisteredError,
    )
    from .kit import (
        UnknownOutputError as UnknownOutputError,
    )

_EXPORTS = {
    "ApplyNeverRanError": ".kit",
    "ClusterMocks": "..engine.run",
    "KubexposeRun": ".kit",
    "KubexposeTester": ".kit",
    "NothingRegisteredError": ".kit",
    "ProgramRun": "..engine.run",
    "Registration": "..engine.run",
    "UNKNOWN": "..engine.run",
    "UnknownOutputError": ".kit",
    "run_program": "..engine.run",
}
__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
