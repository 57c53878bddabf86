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

    `config` maps a policy name to its config, as a `--policy-pack-config` file does."""
    from .kubexpose_policies import check_manifests as run

    return run(manifests, config)
