"""`python -m kubexpose render --stack dev` is the `kubexpose` command."""

import sys

from .render.cli import run

if __name__ == "__main__":
    sys.exit(run())
