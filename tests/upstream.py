"""Schemas kept upstream rather than on PyPI, fetched once from the Go module proxy and pinned by SHA-256.

- Pulumi's package metaschema (`pkg/codegen/schema/pulumi.json` of pulumi/pulumi), for the provider schema;
- the Gateway API HTTPRoute CRD (standard channel), for the HTTPRoutes kubexpose renders (kubernetes-validate
  knows only built-in kinds).

The module is fetched by the `go` command (`go mod download`, which knows the machine's proxy configuration), or,
without Go, as a zip from the proxy `GOPROXY` names; the file is taken from it, checked against its pinned SHA-256
and kept in `build/`. With neither, the checks that need it are skipped with that reason.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tempfile
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

BUILD = Path(__file__).resolve().parent.parent / "build"


def go_module_file(module: str, version: str, member: str, sha256: str) -> bytes:
    """`member` of Go module `module@version`, verified; downloaded on first use."""
    cache = BUILD / "upstream" / f"{module.replace('/', '_')}@{version}" / member
    if not cache.is_file():
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_bytes(_fetch(module, version, member))
    data = cache.read_bytes()
    found = hashlib.sha256(data).hexdigest()
    if found != sha256:
        cache.unlink()
        raise AssertionError(f"{module}@{version}/{member}: sha256 {found}, expected {sha256}")
    return data


def _fetch(module: str, version: str, member: str) -> bytes:
    if shutil.which("go"):
        with tempfile.TemporaryDirectory() as scratch:
            done = subprocess.run(
                ["go", "mod", "download", "-json", f"{module}@{version}"],
                cwd=scratch,
                capture_output=True,
                text=True,
                env={**os.environ, "GOFLAGS": "-mod=mod", "GO111MODULE": "on"},
            )
            if done.returncode != 0:
                raise RuntimeError(f"go mod download {module}@{version} failed: {done.stdout}{done.stderr}")
            return (Path(json.loads(done.stdout)["Dir"]) / member).read_bytes()
    proxies = [p for p in os.environ.get("GOPROXY", "").replace("|", ",").split(",") if p.startswith("http")]
    if not proxies:
        pytest.skip(f"fetching {module}@{version} needs the go command or a GOPROXY address")
    with urllib.request.urlopen(f"{proxies[0]}/{module.lower()}/@v/{version}.zip", timeout=120) as response:
        return zipfile.ZipFile(io.BytesIO(response.read())).read(f"{module}@{version}/{member}")


def metaschema() -> dict[str, Any]:
    """Pulumi's package metaschema, its ECMAScript named groups `(?<name>` spelled as Python's `re` wants."""
    data = go_module_file(
        "github.com/pulumi/pulumi/pkg/v3",
        "v3.274.1",
        "codegen/schema/pulumi.json",
        "0fac7ee6c935817ec0192e9a4de3ee6484a189a6ddcbc5090fd9825141733def",
    )
    return json.loads(re.sub(r"\(\?<(?=[A-Za-z])", "(?P<", data.decode()))


def http_route_schema() -> dict[str, Any]:
    """The HTTPRoute v1 OpenAPI schema of the Gateway API CRD, made strict as kubernetes-validate's
    strict mode is (an object with declared properties takes no other key; the API server would prune
    one silently). The CRD's CEL rules (`x-kubernetes-validations`) are not evaluated."""
    data = go_module_file(
        "sigs.k8s.io/gateway-api",
        "v1.6.3",
        "config/crd/standard/gateway.networking.k8s.io_httproutes.yaml",
        "a89d17ff5ed060fa0eac015524f9252bb291f616412c13ac8cb952ed9c25c5ad",
    )
    crd = yaml.safe_load(data)
    (version,) = [v for v in crd["spec"]["versions"] if v["name"] == "v1"]
    schema = copy.deepcopy(version["schema"]["openAPIV3Schema"])
    schema["properties"]["metadata"] = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "namespace": {"type": "string"},
            "labels": {"type": "object", "additionalProperties": {"type": "string"}},
            "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
        },
        "required": ["name"],
    }
    schema["properties"]["apiVersion"] = {"const": "gateway.networking.k8s.io/v1"}
    schema["properties"]["kind"] = {"const": "HTTPRoute"}
    schema["required"] = ["apiVersion", "kind", "metadata", "spec"]
    return _strict(schema)


def _strict(schema: Any) -> Any:
    if isinstance(schema, dict):
        out = {k: _strict(v) for k, v in schema.items()}
        if out.get("type") == "object" and "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [_strict(v) for v in schema]
    return schema


def validate_http_route(obj: dict[str, Any]) -> None:
    """Raise `jsonschema.ValidationError` unless `obj` is an HTTPRoute the v1 CRD schema accepts (strictly)."""
    import jsonschema

    jsonschema.Draft7Validator(http_route_schema()).validate(obj)
