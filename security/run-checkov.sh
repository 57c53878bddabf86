#!/bin/sh
# Runs checkov (Kubernetes framework) with the checked-in skip list. checkov lives in its own
# virtualenv (.venv-checkov), created here on first use: its dependencies conflict with pulumi's.
# Usage: security/run-checkov.sh -d DIR [-o json]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.venv-checkov"
if [ ! -x "$venv/bin/checkov" ]; then
    "${PYTHON:-python3}" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --upgrade pip
    "$venv/bin/python" -m pip install --quiet "checkov==3.3.30"
fi
skips=$(grep -v '^#' "$root/security/checkov-skips.txt" | awk 'NF {print $1}' | paste -sd, -)
exec "$venv/bin/checkov" --framework kubernetes --skip-download --quiet --compact \
    ${skips:+--skip-check "$skips"} "$@"
