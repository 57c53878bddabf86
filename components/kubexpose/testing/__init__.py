"""The pytest test kit: unit-test a Pulumi program or a few component declarations without a cluster.

- :class:`KubexposeTester` (:mod:`kubexpose.testing.kit`), the value of the `kubexpose` fixture, and the
  :class:`KubexposeRun` it returns, with the errors it raises on the classic traps of Pulumi unit tests;
- :mod:`kubexpose.testing.plugin`: the pytest plugin that provides the fixtures (registered on install).

The engine it runs programs on is :mod:`kubexpose.engine` (`run_program`, `ClusterMocks`, `UNKNOWN`, ...); the
live tools (a real control plane and the Pulumi CLI) are :mod:`kubexpose.live`. The old names here
(`kubexpose.testing.run_program`, `kubexpose.testing.engine`, ...) keep working until 1.0.0 with a
DeprecationWarning. The kit needs a pulumi inside the supported range (:data:`kubexpose._sdk.SUPPORTED`) and
says so plainly otherwise. Names are imported on first use.
"""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .kit import ApplyNeverRanError as ApplyNeverRanError
    from .kit import KubexposeRun as KubexposeRun
    from .kit import KubexposeTester as KubexposeTester
    from .kit import NothingRegisteredError as NothingRegisteredError
    from .kit import UnknownOutputError as UnknownOutputError

_EXPORTS = {
    "ApplyNeverRanError": ".kit",
    "KubexposeRun": ".kit",
    "KubexposeTester": ".kit",
    "NothingRegisteredError": ".kit",
    "UnknownOutputError": ".kit",
}
__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
