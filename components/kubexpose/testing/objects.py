"""Moved to :mod:`kubexpose.engine.objects` (the offline engine the render and the test kit share); this name stays."""

import sys

from ..engine import objects as _moved

sys.modules[__name__] = _moved
