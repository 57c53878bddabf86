"""Pulumi's package metaschema (`pkg/codegen/schema/pulumi.json` of pulumi/pulumi), for validating our schema.

It is not on PyPI; the Go module proxy serves the pulumi `pkg/v3` module as a zip, so it is fetched
from there once (plain HTTPS, no Go needed), checked against a pinned SHA-256 and kept in `build/`.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

MODULE = "github.com/pulumi/pulumi/pkg/v3"
VERSION = "v3.274.1"
MEMBER = f"{MODULE}@{VERSION}/codegen/schema/pulumi.json"
SHA256 = "0fac7ee6c935817ec0192e9a4de3ee6484a189a6ddcbc5090fd9825141733def"
CACHE = Path(__file__).resolve().parent.parent / "build" / f"pulumi-metaschema-{VERSION}.json"


def metaschema() -> dict[str, Any]:
    """The metaschema, its ECMAScript named groups `(?<name>` spelled as Python's `re` wants: `(?P<name>`."""
    if not CACHE.is_file():
        proxy = os.environ.get("GOPROXY", "https://proxy.golang.org").split(",")[0]
        if proxy in ("direct", "off"):
            proxy = "https://proxy.golang.org"
        with urllib.request.urlopen(f"{proxy}/{MODULE}/@v/{VERSION}.zip", timeout=120) as response:
            data = zipfile.ZipFile(io.BytesIO(response.read())).read(MEMBER)
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        CACHE.write_bytes(data)
    data = CACHE.read_bytes()
    found = hashlib.sha256(data).hexdigest()
    if found != SHA256:
        CACHE.unlink()
        raise AssertionError(f"{MEMBER}: sha256 {found}, expected {SHA256}")
    return json.loads(re.sub(r"\(\?<(?=[A-Za-z])", "(?P<", data.decode()))
