"""Moved to :mod:`kubexpose.live.cluster` (the live tools); this name stays."""

import sys

from ..live import cluster as _moved

sys.modules[__name__] = _moved
