"""The kubexpose component provider: the entry point the Python language host runs (`python provider/ ...`)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "components"))

from kubexpose.provider import serve

if __name__ == "__main__":
    serve()
