"""The `kubexpose` command (also `python -m kubexpose`): `kubexpose render --stack STACK [--program DIR] [--out DIR]`;
`kubexpose diff OLD NEW`; `kubexpose cluster up|down|status` runs a local loopback control plane;
`kubexpose schema [--root DIR] [--check]` writes (or checks) the provider schema and the API reference."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path
from typing import Any

from .._sdk import UnsupportedSdkError, require_supported_sdk

EXIT_CODES = """exit status:
  0  done
  1  the program failed (a component's arguments, a crash): its own message, with the line
  2  the command could not run as asked: a flag, no Pulumi.yaml, an unknown stack, a stack file or
     config value that is malformed, an output folder that is not a render
  3  kubexpose diff --fail-on: a raised finding of a listed class"""


def version() -> str:
    """The installed kubexpose's version (its distribution's metadata)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("kubexpose")
    except PackageNotFoundError:  # imported from a source tree without being installed (`pulumi up` of this repo)
        return "(not installed: see pyproject.toml)"


def main(argv: list[str] | None = None) -> int:
    """Render a stack offline; exit 1 with the program's own message when it fails, 2 on a usage or input error."""
    parser = argparse.ArgumentParser(
        prog="kubexpose", description=__doc__, epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"kubexpose {version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    cmd = sub.add_parser(
        "render",
        help="write the manifests `pulumi up` would apply for a stack",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cmd.add_argument(
        "--stack", required=True, help="stack name: its file Pulumi.<stack>.yaml is in the project's stackConfigDir"
    )
    cmd.add_argument("--program", default=".", type=Path, help="Pulumi project directory (default: .)")
    cmd.add_argument("--out", type=Path, help="output directory (default: render/<stack> in the project directory)")
    cmd.add_argument("--traceback", action="store_true", help="print the whole traceback when the program fails")
    cmd.add_argument(
        "--verbose",
        action="store_true",
        help="say which components took the fast path (children built without SDK registration) and why others did not",
    )
    cmd.add_argument(
        "--sdk-path",
        action="store_true",
        help="register every resource through the Pulumi SDK, as before the fast path (the files are the same)",
    )
    schema = sub.add_parser("schema", help="write provider/schema.json and docs/reference.md from the components")
    schema.add_argument("--root", default=".", type=Path, help="repository root (default: .)")
    schema.add_argument("--check", action="store_true", help="write nothing; exit 1 when a file is stale")
    compare = sub.add_parser("diff", help="what changes between two renders, and the risks a reviewer must check")
    compare.add_argument("old", nargs="?", type=Path, help="the render before the change")
    compare.add_argument("new", nargs="?", type=Path, help="the render after the change")
    compare.add_argument("--stack", help="with --against: render this stack at REV and in the working tree")
    compare.add_argument("--against", metavar="REV", help="a git revision (branch, tag, commit)")
    compare.add_argument(
        "--kubexpose-before",
        metavar="SPEC",
        help="with --stack: render the stack with this kubexpose (a pip requirement, e.g. kubexpose==0.2.0 or a git "
        "URL with a tag) and with the installed one: what upgrading kubexpose changes",
    )
    compare.add_argument("--program", default=".", type=Path, help="Pulumi project directory (default: .)")
    compare.add_argument(
        "--fail-on",
        default="",
        help="exit 3 on a raised finding of these classes: exposure,replacement,data,availability,security",
    )
    compare.add_argument("--format", choices=("markdown", "json"), default="markdown")
    compare.add_argument(
        "--map-namespace",
        action="append",
        default=[],
        metavar="OLD=NEW",
        help="compare objects of namespace OLD with those of NEW (repeatable; by default two renders with one "
        "namespace each are paired)",
    )
    pack = sub.add_parser(
        "policy-pack",
        help="write kubexpose's policy pack into DIR (for `pulumi preview --policy-pack DIR`) with its virtualenv",
    )
    pack.add_argument("dir", type=Path, help="folder to write the pack into (made if missing)")
    pack.add_argument("--no-venv", action="store_true", help="write the files only; create DIR/.venv yourself")
    local = sub.add_parser(
        "cluster",
        help="a local loopback Kubernetes control plane (the test kit's) that stays up until `kubexpose cluster down`",
    )
    local.add_argument("action", choices=("up", "down", "status"))
    local.add_argument(
        "--dir", type=Path, help="its state folder (default: $KUBEXPOSE_CLUSTER_DIR, else ~/.cache/kubexpose/cluster)"
    )
    sdk = sub.add_parser(
        "sdk",
        help="generate the kubexpose SDK for Node.js or Go as `pulumi package add` does (no language host needed)",
    )
    sdk.add_argument("language", choices=("nodejs", "go"))
    sdk.add_argument("--out", type=Path, default=Path("sdks/kubexpose"), help="folder (default: sdks/kubexpose)")
    node = sub.add_parser(
        "node", help="run a compiled Node.js Pulumi program as an Automation API inline program (no language host)"
    )
    node.add_argument("operation", choices=("up", "preview", "destroy"))
    node.add_argument("program", type=Path, help="the compiled program, relative to the project (e.g. bin/index.js)")
    node.add_argument("--stack", required=True, help="the stack (created when missing)")
    node.add_argument("--project", type=Path, default=Path("."), help="the project folder (default: .)")
    args = parser.parse_args(argv)
    if args.command in ("sdk", "node"):
        return _languages(args)
    if args.command == "cluster":
        return _cluster(args.action, args.dir)
    if args.command == "policy-pack":
        return _policy_pack(args.dir, not args.no_venv)
    if args.command == "schema":
        return _schema(args.root, args.check)
    if args.command == "diff":
        return _diff(args)

    try:
        require_supported_sdk()
    except UnsupportedSdkError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    from ..errors import ConfigError, ValidationError
    from ..stackfiles import Project
    from .build import RenderError, render, write_atomically
    from .writer import OutputRefusedError, verify_target

    out = args.out or args.program / "render" / args.stack
    try:
        verify_target(out)  # refuse a bad --out before running anything
        project = Project.load(args.program)
        if args.stack not in project.stacks():
            known = ", ".join(project.stacks()) or "none"
            print(f"error: unknown stack '{args.stack}'; available stacks: {known}", file=sys.stderr)
            return 2
        # One render, then the process exits.
        rendered = render(project, args.stack, reclaim=False, fast=not args.sdk_path)
    except OutputRefusedError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        _traceback(err, args.traceback)
        return 2
    except (ValidationError, RenderError) as err:
        print(f"error: {err}{_where(err, args.program)}", file=sys.stderr)
        _traceback(err, args.traceback)
        return 1
    except Exception as err:
        print(
            f"error: the program of stack '{args.stack}' failed: {type(err).__name__}: {err}{_where(err, args.program)}",
            file=sys.stderr,
        )
        _traceback(err, args.traceback)
        return 1
    try:
        write_atomically(rendered, out)
    except OutputRefusedError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    for warning in rendered.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.verbose:
        for line in rendered.path or ["SDK path for every component (--sdk-path)"]:
            print(f"path: {line}", file=sys.stderr)
    if rendered.clusters:
        folders = ", ".join(f"{out}/{c.folder}/" for c in rendered.clusters)
        print(
            f"Rendered stack '{args.stack}': {len(rendered.manifests)} objects for {len(rendered.clusters)} clusters, "
            f"one folder each: {folders} (apply each with its cluster's context: kubectl --context C apply -k FOLDER)"
        )
    else:
        print(
            f"Rendered stack '{args.stack}': {len(rendered.manifests)} objects in {out}/ "
            f"(apply with kubectl apply -f {out}/)"
        )
    print()
    print(rendered.files["summary.txt"], end="")
    return 0


def _diff(args: argparse.Namespace) -> int:
    import tempfile

    from . import identity
    from .diff import DiffError, as_json, markdown
    from .fleet import diff_folders
    from .risk import CLASSES
    from .upgrade import render_at

    fail_on = {c.strip() for c in args.fail_on.split(",") if c.strip()}
    unknown = sorted(fail_on - set(CLASSES))
    if unknown:
        print(f"error: --fail-on {unknown[0]!r} is not a finding class; use {','.join(CLASSES)}", file=sys.stderr)
        return 2
    namespaces: dict[str, str] | None = None
    for pair in args.map_namespace:
        before, sep, after = pair.partition("=")
        if not sep or not before or not after or "=" in after:
            print(
                f"error: --map-namespace {pair!r} is not OLD=NEW; give e.g. --map-namespace shop-dev=shop-prod",
                file=sys.stderr,
            )
            return 2
        namespaces = {**(namespaces or {}), before: after}
    usage = "error: give OLD NEW (two render folders), --stack S --against REV, or --stack S --kubexpose-before SPEC"
    git_mode = args.stack is not None or args.against is not None or args.kubexpose_before is not None
    if git_mode and (
        args.stack is None or (args.against is None) == (args.kubexpose_before is None) or args.old or args.new
    ):
        print(usage, file=sys.stderr)
        return 2
    if not git_mode and (args.old is None or args.new is None):
        print(usage, file=sys.stderr)
        return 2
    try:
        with tempfile.TemporaryDirectory(prefix="kubexpose-diff-") as tmp:
            if git_mode and args.kubexpose_before is not None:
                from .upgrade import render_before_and_after

                old, new = render_before_and_after(args.program, args.stack, args.kubexpose_before, Path(tmp))
                names = (f"{args.stack} with {args.kubexpose_before}", f"{args.stack} with kubexpose {version()}")
            elif git_mode:
                old, new = render_at(args.program, args.stack, args.against, Path(tmp))
                names = (f"{args.stack}@{args.against}", f"{args.stack}@working-tree")
            else:
                old, new = args.old, args.new
            if not git_mode:
                names = _render_names((old, new), (_identity_of(old), _identity_of(new)))
            report = diff_folders(old, new, *names, namespaces=namespaces)
    except (DiffError, identity.IdentityFileError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(markdown(report) if args.format == "markdown" else as_json(report), end="")
    return 3 if report.raised(fail_on) else 0


def _identity_of(folder: Path) -> Any:
    """A render's identity file (a fleet render's first cluster's: all hold the project and stack), or None."""
    from . import identity
    from .fleet import read_clusters

    if not folder.is_dir():
        return None  # diff_folders then says what is wrong with it
    found = read_clusters(folder)
    return identity.load(folder / found[0].folder if found else folder)


def _render_names(folders: tuple[Path, Path], ids: tuple[Any, Any]) -> tuple[str, str]:
    """How the report heads the two renders: their stacks (from their identity files), with the folders when both
    are renders of one stack; the folders for renders made before identity files."""
    if ids[0] is None or ids[1] is None:
        return str(folders[0]), str(folders[1])
    stacks = [i.stack if i.project == ids[0].project == ids[1].project else f"{i.project}/{i.stack}" for i in ids]
    if stacks[0] == stacks[1]:
        return f"{stacks[0]} ({folders[0]})", f"{stacks[1]} ({folders[1]})"
    return stacks[0], stacks[1]


def _languages(args: argparse.Namespace) -> int:
    """`kubexpose sdk` and `kubexpose node` (:mod:`kubexpose.live.languages`): exit 2 when a tool is missing."""
    from ..live import languages

    try:
        if args.command == "sdk":
            languages.generate_sdk(args.language, args.out, sys.stdout)
            return 0
        return languages.run_node(args.operation, args.stack, args.program, args.project)
    except languages.LanguageToolError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


def _cluster(action: str, folder: Path | None) -> int:
    """`kubexpose cluster up|down|status` (:mod:`kubexpose.live.local`): exit 2 when it cannot do as asked."""
    from ..live import local

    where = local.state_dir(folder)
    try:
        if action == "up":
            local.up(where, sys.stdout)
        elif action == "down":
            local.down(where, sys.stdout)
        else:
            return 0 if local.status(where, sys.stdout) else 1
    except local.LocalClusterError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


def _policy_pack(folder: Path, virtualenv: bool) -> int:
    import subprocess

    from ..policy_pack import write_pack

    try:
        write_pack(folder, virtualenv=virtualenv)
    except (OSError, subprocess.CalledProcessError) as err:
        print(f"error: writing the policy pack into {folder} failed: {err}", file=sys.stderr)
        return 2
    print(f"wrote the kubexpose policy pack to {folder}/" + ("" if virtualenv else " (no virtualenv: create .venv)"))
    print(f"use it with: pulumi preview --policy-pack {folder}")
    return 0


def _schema(root: Path, check: bool) -> int:
    from .reference import generated, write

    if check:
        stale = [
            str(p) for p, text in generated().items() if not (root / p).is_file() or (root / p).read_text() != text
        ]
        for name in stale:
            print(f"error: {name} is stale; run `make schema`", file=sys.stderr)
        return 1 if stale else 0
    for path in write(root):
        print(f"wrote {path}")
    return 0


def _where(err: BaseException, program: Path) -> str:
    """` (at app.py:45)`: the last line of the project's own code the error passed through, else the line that
    declared the component (an error raised inside an Output); never a file of kubexpose or of a virtualenv."""
    from ..k8s.validation import installed

    project = Path(os.path.abspath(program))
    package = Path(__file__).resolve().parent.parent

    def shown(filename: str, line: int) -> str:
        path = Path(os.path.abspath(filename))
        if not path.is_relative_to(project) or path.is_relative_to(package) or installed(str(path)):
            return ""
        inner = path.relative_to(project)
        if any((project / Path(*inner.parts[: i + 1]) / "pyvenv.cfg").is_file() for i in range(len(inner.parts) - 1)):
            return ""  # a virtualenv inside the project, whatever its name
        return f" (at {inner}:{line})"

    found = ""
    for frame, line in traceback.walk_tb(err.__traceback__):
        found = shown(frame.f_code.co_filename, line) or found
    origin = getattr(err, "origin", None)
    if not found and origin is not None:
        found = shown(*origin)
    return found


def _traceback(err: BaseException, wanted: bool) -> None:
    if wanted:
        traceback.print_exception(err, file=sys.stderr)


def run() -> int:
    """Entry point of the console script: `main()`, then close the event loops the SDK left open."""
    code = main()
    if "kubexpose.engine.run" in sys.modules:
        from ..engine.run import close_event_loops

        close_event_loops()
    return code
