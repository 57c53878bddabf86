"""Run Pulumi programs with the real Pulumi CLI and kubernetes provider against a :class:`ControlPlane`.

:class:`LiveEngine` gives every test run its own Pulumi home, a file backend and a passphrase secrets
provider in a temporary folder, installs the kubernetes provider plugin there (the version the
installed ``pulumi_kubernetes`` package asks for, from the binary :mod:`kubexpose.live.toolchain`
finds), and turns off every download: no plugin, update check or template is fetched.

Programs run through the Automation API as inline programs: this Python process serves the language
runtime to the CLI, so no ``pulumi-language-python`` is needed. A project folder is copied (its
``Pulumi.yaml`` and stack files only), so the CLI's rewrites of stack files (``encryptionsalt``)
never touch the original.

The passphrase is the team's when one is given (``passphrase=``, else ``PULUMI_CONFIG_PASSPHRASE`` or
``PULUMI_CONFIG_PASSPHRASE_FILE`` from the environment, as the CLI reads them), else the kit's own. A stack
file made by ``pulumi stack init`` under another passphrase carries that passphrase's ``encryptionsalt``:
with the team's passphrase the copy keeps it (its ``secure:`` values decrypt); with the kit's own, a copy
holding no ``secure:`` value drops the salt (the CLI makes a new one), and one holding secure values is
refused with :class:`PassphraseError`, naming the file, the keys and the fix::

    engine = LiveEngine(tmp_path, cluster)
    stack = engine.stack("dev", program=my_program.main, project_dir=Path("."))
    result = stack.up(on_output=print)
"""

import importlib.metadata
import os
import runpy
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from . import toolchain
from .cluster import ControlPlane

PASSPHRASE = "kubexpose-e2e"
"""The kit's own passphrase, used when the team gives none."""


class PassphraseError(RuntimeError):
    """A stack file holds secrets encrypted under a passphrase this engine was not given."""


POLICY_LAUNCHER = """#!/bin/sh
# Runs the Python policy pack in {pack} from its own virtualenv as an analyzer plugin: the Pulumi CLI
# runs a --policy-pack that is a file as the plugin itself, with the engine address as the argument.
cd "{pack}" && exec "{pack}/{venv}/bin/python" -u -m pulumi.policy "$1" .
"""


def provider_version() -> str:
    """The kubernetes plugin version the installed ``pulumi_kubernetes`` package asks the engine for."""
    return importlib.metadata.version("pulumi-kubernetes")


def find_provider() -> Path:
    """The provider binary: the plugin of exactly the installed SDK's version, when the user's Pulumi installed it
    (`pulumi plugin install resource kubernetes <version>`), else the one :mod:`kubexpose.live.toolchain` built. The
    built one reports 4.25.0 (the one version the Go module proxy serves): with a newer `pulumi-kubernetes` SDK the
    CLI then warns on every run that the plugin is older than the SDK asks for, which is true."""
    home = Path(os.environ.get("PULUMI_HOME") or Path.home() / ".pulumi")
    installed = home / "plugins" / f"resource-kubernetes-v{provider_version()}" / "pulumi-resource-kubernetes"
    if installed.is_file():
        return installed
    return toolchain.find("pulumi-resource-kubernetes")


def team_passphrase(given: str | None) -> tuple[str | None, dict[str, str]]:
    """Where the team's passphrase comes from (None: the kit's own) and the variable the CLI gets for it.

    As the CLI reads them: ``PULUMI_CONFIG_PASSPHRASE`` (even empty) before ``PULUMI_CONFIG_PASSPHRASE_FILE``."""
    if given is not None:
        return "passphrase=", {"PULUMI_CONFIG_PASSPHRASE": given}
    if "PULUMI_CONFIG_PASSPHRASE" in os.environ:
        return "PULUMI_CONFIG_PASSPHRASE", {"PULUMI_CONFIG_PASSPHRASE": os.environ["PULUMI_CONFIG_PASSPHRASE"]}
    if os.environ.get("PULUMI_CONFIG_PASSPHRASE_FILE"):
        return "PULUMI_CONFIG_PASSPHRASE_FILE", {
            "PULUMI_CONFIG_PASSPHRASE_FILE": os.environ["PULUMI_CONFIG_PASSPHRASE_FILE"]
        }
    return None, {"PULUMI_CONFIG_PASSPHRASE": PASSPHRASE}


def stack_file_copy(stack_file: Path, passphrase_from: str | None) -> str:
    """The text of ``stack_file`` as an engine can open it: as it is under the team's passphrase (``passphrase_from``
    names where it came from); under the kit's own, without the ``encryptionsalt`` of a passphrase it was not given
    (the CLI makes a new one), or :class:`PassphraseError` when ``secure:`` values need that passphrase."""
    import yaml

    text = stack_file.read_text()
    settings = yaml.safe_load(text) or {}
    if passphrase_from is not None or "encryptionsalt" not in settings:
        return text
    secure = sorted(
        str(key)
        for key, value in (settings.get("config") or {}).items()
        if isinstance(value, dict) and "secure" in value
    )
    if secure:
        raise PassphraseError(
            f"{stack_file}: {', '.join(secure)} {'is' if len(secure) == 1 else 'are'} encrypted under the "
            "passphrase this stack was created with, which the live kit was not given; set "
            "PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) to it before the test run, or pass "
            "LiveEngine(..., passphrase=...)"
        )
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith("encryptionsalt:"))


def script_program(path: Path) -> Callable[[], None]:
    """A program written as top-level code (a ``__main__.py``), run as the CLI would run it."""

    def program() -> None:
        folder = str(path.resolve().parent)
        sys.path.insert(0, folder)
        try:
            runpy.run_path(str(path), run_name="__main__")
        finally:
            if folder in sys.path:
                sys.path.remove(folder)

    return program


class LiveEngine:
    """The real Pulumi engine for tests: one Pulumi home, backend and plugin set under ``workdir``."""

    def __init__(self, workdir: Path, cluster: ControlPlane, *, passphrase: str | None = None) -> None:
        from pulumi import automation as auto

        self.workdir = workdir
        self.cluster = cluster
        self.home = workdir / "pulumi-home"
        self.state = workdir / "state"
        self.home.mkdir(parents=True, exist_ok=True)
        self.state.mkdir(parents=True, exist_ok=True)
        pulumi_bin = toolchain.find("pulumi")
        self.pulumi = pulumi_bin
        self.passphrase_from, passphrase_env = team_passphrase(passphrase)
        self.env: dict[str, str] = {
            "PULUMI_HOME": str(self.home),
            "PULUMI_BACKEND_URL": f"file://{self.state}",
            **passphrase_env,
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK": "true",
            "PULUMI_SKIP_CONFIRMATIONS": "true",
            "PULUMI_DIY_BACKEND_NO_LEGACY_WARNING": "true",
            **cluster.env(),
        }
        self._command = auto.PulumiCommand(root=str(pulumi_bin.parent.parent), skip_version_check=True)
        self.cli("plugin", "install", "resource", "kubernetes", provider_version(), "--file", str(find_provider()))

    def policy_pack(self, folder: Path) -> str:
        """What to pass as ``--policy-pack`` for the Python pack in ``folder``.

        With a Python language host on PATH, the folder itself (as users run it). Without one (no
        registry serves it), a launcher file that runs the pack from its virtualenv: the CLI runs a
        ``--policy-pack`` that is a file as the analyzer plugin itself."""
        import yaml

        if shutil.which("pulumi-language-python"):
            return str(folder)
        settings = yaml.safe_load((folder / "PulumiPolicy.yaml").read_text()) or {}
        venv = ((settings.get("runtime") or {}).get("options") or {}).get("virtualenv", "venv")
        if not (folder / venv / "bin" / "python").is_file():
            raise FileNotFoundError(f"{folder / venv} does not exist: create the policy pack's virtualenv first")
        launcher = self.workdir / f"policy-pack-{folder.name}"
        launcher.write_text(POLICY_LAUNCHER.format(pack=folder.resolve(), venv=venv))
        launcher.chmod(0o755)
        return str(launcher)

    def cli(self, *args: str, cwd: Path | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run the Pulumi CLI with this engine's home, backend and passphrase."""
        proc = subprocess.run(
            [str(self.pulumi), *args, "--non-interactive"],
            cwd=cwd or self.workdir,
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            timeout=900,
        )
        if check and proc.returncode != 0:
            raise subprocess.CalledProcessError(proc.returncode, proc.args, proc.stdout, proc.stderr)
        return proc

    def project_copy(self, project_dir: Path, name: str) -> Path:
        """A copy of ``project_dir``'s ``Pulumi.yaml`` and stack files under ``workdir/projects/name``."""
        import yaml

        target = self.workdir / "projects" / name
        target.mkdir(parents=True, exist_ok=True)
        pulumi_yaml = project_dir / "Pulumi.yaml"
        shutil.copy2(pulumi_yaml, target / "Pulumi.yaml")
        config_dir = (yaml.safe_load(pulumi_yaml.read_text()) or {}).get("stackConfigDir") or "."
        (target / config_dir).mkdir(parents=True, exist_ok=True)
        for stack_file in (project_dir / config_dir).glob("Pulumi.*.y*ml"):
            (target / config_dir / stack_file.name).write_text(stack_file_copy(stack_file, self.passphrase_from))
        return target

    def stack(
        self,
        stack_name: str,
        program: Callable[[], Any],
        project_dir: Path,
        *,
        copy_name: str | None = None,
        config: Mapping[str, str] | None = None,
    ) -> Any:
        """An Automation API stack running ``program`` inline with ``project_dir``'s settings and stack file."""
        import yaml
        from pulumi import automation as auto

        work = self.project_copy(project_dir, copy_name or stack_name)
        project_name = yaml.safe_load((work / "Pulumi.yaml").read_text())["name"]
        stack = auto.create_or_select_stack(
            stack_name=stack_name,
            project_name=project_name,
            program=program,
            opts=auto.LocalWorkspaceOptions(
                work_dir=str(work),
                pulumi_home=str(self.home),
                env_vars=self.env,
                secrets_provider="passphrase",
                pulumi_command=self._command,
            ),
        )
        for key, value in (config or {}).items():
            stack.set_config(key, auto.ConfigValue(value=value))
        return stack
