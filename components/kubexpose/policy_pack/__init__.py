"""The kubexpose policy pack, shipped in the wheel: `kubexpose policy-pack DIR` writes it into a folder the
Pulumi CLI takes as `--policy-pack DIR`, with its own virtualenv.

The pack's files (`PulumiPolicy.yaml`, `__main__.py`, `kubexpose_policies.py`, `requirements.txt`, an example
config) are data here: the pack runs in its own environment with `pulumi-policy` only, never with kubexpose
installed, so its rules import nothing from kubexpose. :func:`check_manifests` runs the same rules over
rendered manifests in this environment (it needs `pulumi-policy`: `pip install 'kubexpose[policy]'`).
"""

import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

PACK_FILES = ("PulumiPolicy.yaml", "__main__.py", "kubexpose_policies.py", "requirements.txt", "config.example.json")
"""The files of the pack, as `kubexpose policy-pack` writes them."""
HERE = Path(__file__).resolve().parent


def write_pack(folder: Path, *, virtualenv: bool = True) -> list[Path]:
    """Write the pack into `folder` (made if missing; the pack's files replaced, anything else kept) and, unless
    `virtualenv` is False, create its `.venv` with `pulumi-policy` (the CLI does not create it for a local pack)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in PACK_FILES:
        shutil.copyfile(HERE / name, folder / name)
        written.append(folder / name)
    if virtualenv:
        venv = folder / ".venv"
        if not (venv / "bin" / "python").is_file():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "-r", str(folder / "requirements.txt")],
            check=True,
        )
    return written


def check_manifests(manifests: Iterable[Mapping[str, Any]], config: Mapping[str, Any] | None = None) -> list[str]:
    """Run the pack's policies over rendered manifests as a preview would; return the violations (empty: all pass).

    `config` maps a policy name to its config (as a `--policy-pack-config` file does); each policy's schema defaults
    fill the rest. The manifests are one cluster's (a fleet render's folder): every program-wide rule sees them all."""
    from pulumi_policy import (
        PolicyResource,
        ResourceValidationArgs,
        ResourceValidationPolicy,
        StackValidationArgs,
        StackValidationPolicy,
    )
    from pulumi_policy.proxy import unknown_checking_proxy

    from .kubexpose_policies import POLICIES, _name

    violations: list[str] = []

    def report(message: str, urn: str | None = None) -> None:
        violations.append(message)

    def configured(policy: ResourceValidationPolicy | StackValidationPolicy) -> dict[str, Any]:
        schema = policy.config_schema.properties if policy.config_schema else {}
        defaults = {key: spec["default"] for key, spec in schema.items() if "default" in spec}
        return {**defaults, **dict((config or {}).get(policy.name) or {})}

    resources: list[PolicyResource] = []
    for given in manifests:
        token = resource_type(given)
        name = _name(given, "unnamed")
        m = unknown_checking_proxy(dict(given))  # as the policy host hands a rule its props: lists and dicts proxied
        urn = f"urn:pulumi:render::project::{token}::{name}"
        for policy in POLICIES:
            if isinstance(policy, ResourceValidationPolicy):
                args = ResourceValidationArgs(token, m, urn, name, None, None, configured(policy))  # type: ignore[arg-type]
                policy.validate(args, report)
        resources.append(PolicyResource(token, m, urn, name, None, None, None, [], {}))  # type: ignore[arg-type]
    for policy in POLICIES:
        if isinstance(policy, StackValidationPolicy):
            policy.validate(StackValidationArgs(resources, configured(policy)), report)
    return violations


def resource_type(manifest: Mapping[str, Any]) -> str:
    """Pulumi's type token for a Kubernetes manifest (`v1` Service -> `kubernetes:core/v1:Service`)."""
    api_version = str(manifest.get("apiVersion"))
    group_version = "core/v1" if api_version == "v1" else api_version
    return f"kubernetes:{group_version}:{manifest.get('kind')}"
