"""Moved to :mod:`kubexpose.engine.programs` (the offline engine the render and the test kit share); this name stays."""

import sys

from ..engine import programs as _moved

sys.modules[__name__] = _moved
