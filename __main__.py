"""Pulumi entry point: `pulumi up --stack dev|staging|prod` runs the example app.

The kubexpose package lives in `components/kubexpose/` (src layout); the example program imports it
from there, so `pulumi up` needs nothing beyond `requirements.txt` in `.venv`.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "components"))

import app

app.main()
