"""Command line: `python -m components render --stack STACK [--program DIR] [--out DIR]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import ValidationError
from .mockrun import close_event_loops
from .render import RenderError, render, write_atomically
from .stackconfig import Project


def main(argv: list[str] | None = None) -> int:
    """Render a stack offline; exit 1 with the program's own message when it fails."""
    parser = argparse.ArgumentParser(prog="python -m components", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    cmd = sub.add_parser("render", help="write the manifests `pulumi up` would apply for a stack")
    cmd.add_argument("--stack", required=True, help="stack name (stacks/Pulumi.<stack>.yaml)")
    cmd.add_argument("--program", default=".", type=Path, help="Pulumi project directory (default: .)")
    cmd.add_argument("--out", type=Path, help="output directory (default: render/<stack>)")
    args = parser.parse_args(argv)

    try:
        project = Project.load(args.program)
        if args.stack not in project.stacks():
            known = ", ".join(project.stacks()) or "none"
            print(f"error: unknown stack '{args.stack}'; available stacks: {known}", file=sys.stderr)
            return 2
        rendered = render(project, args.stack)
    except (ValidationError, RenderError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except Exception as err:
        print(f"error: the program of stack '{args.stack}' failed: {type(err).__name__}: {err}", file=sys.stderr)
        return 1
    out = args.out or Path("render") / args.stack
    write_atomically(rendered, out)
    for warning in rendered.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(
        f"Rendered stack '{args.stack}': {len(rendered.manifests)} objects in {out}/ (apply with kubectl apply -f {out}/)"
    )
    print()
    print(rendered.files["summary.txt"], end="")
    return 0


def _run() -> int:
    code = main()
    close_event_loops()
    return code


if __name__ == "__main__":
    sys.exit(_run())
