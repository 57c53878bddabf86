"""The offline engine: a Pulumi program run in-process under recording mocks that answer like a cluster.

The render runs on it, and so does the test kit (:mod:`kubexpose.testing`). It is generic: it knows nothing of
kubexpose's components.

- :mod:`kubexpose.engine.run`: :func:`run_program`, :class:`ProgramRun`, the recording monitor;
- :mod:`kubexpose.engine.mocks`: :class:`ClusterMocks` (what a small cluster answers) and :class:`Registration`;
- :mod:`kubexpose.engine.objects`: registrations as the objects `pulumi up` applies;
- :mod:`kubexpose.engine.programs`: a project's program run as the Pulumi CLI runs it.

Names are imported on first use (the SDK internals the engine needs load with it).
"""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .mocks import ClusterMocks as ClusterMocks
    from .mocks import LoadBalancerMode as LoadBalancerMode
    from .mocks import Registration as Registration
    from .run import UNKNOWN as UNKNOWN
    from .run import ProgramRun as ProgramRun
    from .run import close_event_loops as close_event_loops
    from .run import run_program as run_program

_EXPORTS = {
    "ClusterMocks": ".mocks",
    "LoadBalancerMode": ".mocks",
    "ProgramRun": ".run",
    "Registration": ".mocks",
    "UNKNOWN": ".run",
    "close_event_loops": ".run",
    "run_program": ".run",
}
__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
