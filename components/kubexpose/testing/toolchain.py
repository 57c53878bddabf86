"""Moved to :mod:`kubexpose.live.toolchain` (the live tools); this name, and `python -m kubexpose.testing.toolchain`,
stay."""

import sys

from ..live import toolchain as _moved

if __name__ == "__main__":
    sys.exit(_moved.main())
sys.modules[__name__] = _moved
