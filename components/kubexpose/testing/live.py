"""Moved to :mod:`kubexpose.live.engine` (the live tools); this name stays."""

import sys

from ..live import engine as _moved

sys.modules[__name__] = _moved
