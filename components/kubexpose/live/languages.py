"""`kubexpose sdk` and `kubexpose node`: the TypeScript and Go paths where Pulumi's language hosts are not installed.

With a normal Pulumi installation, `pulumi package add kubexpose@<version>` generates the SDK (it asks the program's
language host, `pulumi-language-nodejs` or `pulumi-language-go`, to do it) and `pulumi up` runs the program through
that host. Where those hosts are missing (a locked-down CI image, or this project's own CI: no registry serves them),
two commands of the package take their place:

- `kubexpose sdk nodejs|go [--out DIR]` reads the schemas as `pulumi package add` does (`pulumi package get-schema`
  of the installed kubexpose plugin, and of the kubernetes plugin at the version the schema refers to) and runs the
  same code generators of the Pulumi CLI's module (`pulumi-gen-sdk`, built by `python -m kubexpose.live.toolchain
  build --only gen-sdk`) into DIR (default `sdks/kubexpose`), then says how to link it, as `package add` records it;
- `kubexpose node up|preview|destroy --stack S PROGRAM.js` runs a compiled Node.js program as an Automation API
  inline program (the runner `inline.js` beside this module; `@pulumi/pulumi` from the project's `node_modules`),
  with the project's `Pulumi.yaml` and stack files, the Pulumi CLI on PATH (or the toolchain's) and the
  environment's backend and passphrase, as `pulumi up` would.
"""

import os
import shutil
import subprocess
from pathlib import Path
from typing import TextIO

from . import toolchain

INLINE_RUNNER = Path(__file__).resolve().parent / "inline.js"


class LanguageToolError(RuntimeError):
    """A tool or plugin the command needs is missing, or a step failed (the message says what to do)."""


def _pulumi() -> Path:
    try:
        return toolchain.find("pulumi")
    except toolchain.MissingToolError as err:
        raise LanguageToolError(f"the Pulumi CLI is needed: {err}") from None


def _schema(pulumi: Path, package: str, install: str) -> str:
    done = subprocess.run(
        [str(pulumi), "package", "get-schema", package, "--non-interactive"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        last = (done.stderr.strip() or "no output").splitlines()[-1]
        raise LanguageToolError(f"`pulumi package get-schema {package}` failed ({last}); install the plugin: {install}")
    return done.stdout


def generate_sdk(language: str, out: Path, report: TextIO) -> None:
    """Write the kubexpose SDK for `language` (`nodejs` or `go`) into `out`, as `pulumi package add` would."""
    from ..provider import KUBERNETES_SCHEMA, VERSION

    pulumi = _pulumi()
    try:
        generator = toolchain.find("pulumi-gen-sdk")
    except toolchain.MissingToolError as err:
        raise LanguageToolError(f"the SDK generator is needed: {err}") from None
    kubexpose = _schema(
        pulumi,
        f"kubexpose@{VERSION}",
        f'pulumi plugin install resource kubexpose {VERSION} --file "$(which pulumi-resource-kubexpose)"',
    )
    kubernetes = _schema(
        pulumi,
        f"kubernetes@{KUBERNETES_SCHEMA}",
        f"pulumi plugin install resource kubernetes {KUBERNETES_SCHEMA} (it downloads the plugin; where downloads are "
        f"off, add --file and a pulumi-resource-kubernetes binary that reports {KUBERNETES_SCHEMA})",
    )
    out = out.resolve()
    schemas = out.parent / f".{out.name}-schemas"
    schemas.mkdir(parents=True, exist_ok=True)
    try:
        (schemas / "kubexpose.json").write_text(kubexpose)
        (schemas / "kubernetes.json").write_text(kubernetes)
        if out.exists():
            shutil.rmtree(out)
        done = subprocess.run(
            [
                str(generator),
                "--language",
                language,
                "--schema",
                str(schemas / "kubexpose.json"),
                "--dependency",
                str(schemas / "kubernetes.json"),
                "--out",
                str(out),
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0:
            raise LanguageToolError(f"pulumi-gen-sdk failed: {done.stderr.strip() or done.stdout.strip()}")
    finally:
        shutil.rmtree(schemas, ignore_errors=True)
    print(f"kubexpose {VERSION} SDK for {language} in {out}", file=report)
    if language == "nodejs":
        relative = os.path.relpath(out, Path.cwd())
        print(f'link it in package.json: "@pulumi/kubexpose": "file:{relative}", then npm install', file=report)
    else:
        module = (
            (out / "kubexpose" / "go.mod").read_text().split()[1] if (out / "kubexpose" / "go.mod").is_file() else "?"
        )
        print(f"link it in go.mod: require {module} v0.0.0 and replace {module} => {out / 'kubexpose'}", file=report)


def run_node(operation: str, stack: str, program: Path, project: Path) -> int:
    """Run the compiled Node.js `program` of `project` as an inline program: `operation` on `stack`; the exit code."""
    if not (project / "Pulumi.yaml").is_file():
        raise LanguageToolError(f"{project} has no Pulumi.yaml: run this from the project folder (or give --project)")
    if not (project / "node_modules" / "@pulumi" / "pulumi").is_dir():
        raise LanguageToolError(f"{project}/node_modules has no @pulumi/pulumi: run npm install first")
    if not (project / program).is_file():
        raise LanguageToolError(f"{project / program} does not exist: compile the program first (npx tsc)")
    node = shutil.which("node")
    if node is None:
        raise LanguageToolError("node is not on PATH: install Node.js 20 or newer")
    modules = str(project.resolve() / "node_modules")
    env = {
        **os.environ,
        "NODE_PATH": os.pathsep.join(filter(None, [modules, os.environ.get("NODE_PATH")])),
        "KUBEXPOSE_PULUMI_ROOT": str(_pulumi().parent.parent),
    }
    return subprocess.run([node, str(INLINE_RUNNER), operation, stack, str(program)], cwd=project, env=env).returncode
