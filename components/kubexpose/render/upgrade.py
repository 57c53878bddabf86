"""`kubexpose diff --stack S --against REV` and `--kubexpose-before SPEC`: a stack rendered at two points.

`--against REV` renders the stack at a git revision and in the working tree (:func:`render_at`).
`--kubexpose-before SPEC`, what upgrading kubexpose itself changes in a stack:

The same program and stack file are rendered twice: with the kubexpose ``SPEC`` names (a pip requirement:
``kubexpose==0.2.0``, ``kubexpose @ git+https://<host>/kubexpose.git@v0.2.0``, a path) and with the kubexpose
installed here. The older kubexpose is installed alone (``pip install --no-deps --target``) into a temporary
folder and put first on the import path of its render's process, so both renders share this environment's pulumi,
pulumi-kubernetes and the program's own dependencies, and differ only by kubexpose. The two renders are then
compared like any two (identities, risks): a URN an upgrade would lose is a `replacement` finding.
"""

import os
import subprocess
import sys
from pathlib import Path

from .diff import DiffError

OLD_KUBEXPOSE = """
import runpy, sys
folder = sys.argv[1]
sys.path.insert(0, folder)
import kubexpose
if not kubexpose.__file__.startswith(folder):
    sys.exit(f"error: kubexpose came from {kubexpose.__file__}, not from the requirement installed into {folder}")
sys.argv = ["kubexpose", *sys.argv[2:]]
runpy.run_module("kubexpose", run_name="__main__", alter_sys=True)
"""


def render_before_and_after(project: Path, stack: str, requirement: str, out: Path) -> tuple[Path, Path]:
    """Render `stack` of `project` with the kubexpose of `requirement` into `out/before`, and with the installed
    kubexpose into `out/after`; :class:`DiffError` names what failed."""
    folder = out / "kubexpose-before"
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(folder), requirement],
        capture_output=True,
        text=True,
    )
    if installed.returncode != 0:
        last = (installed.stderr.strip() or installed.stdout.strip() or "no output").splitlines()[-1]
        raise DiffError(f"pip could not install {requirement!r} for the render before the upgrade: {last}")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    renders = []
    for name, command in (
        ("before", [sys.executable, "-c", OLD_KUBEXPOSE, str(folder)]),
        ("after", [sys.executable, "-m", "kubexpose"]),
    ):
        target = out / name
        done = subprocess.run(
            [*command, "render", "--stack", stack, "--program", str(project.resolve()), "--out", str(target)],
            cwd=project,
            capture_output=True,
            text=True,
            env=env,
        )
        if done.returncode != 0:
            which = f"the kubexpose of {requirement!r}" if name == "before" else "the installed kubexpose"
            raise DiffError(f"rendering stack '{stack}' with {which} failed: {done.stderr.strip()}")
        renders.append(target)
    return renders[0], renders[1]


def render_at(project: Path, stack: str, rev: str, out: Path) -> tuple[Path, Path]:
    """Render `stack` at git revision `rev` (in a temporary worktree) and in the working tree, into
    `out/<rev>` and `out/working-tree`; the working tree is never touched. Each render runs in its
    own process with the kubexpose of its own tree, as `make render` there would."""
    import os
    import subprocess
    import sys

    def git(*args: str, cwd: Path = project) -> str:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
        if done.returncode != 0:
            raise DiffError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"git {args[0]} failed")
        return done.stdout.strip()

    try:
        top = Path(git("rev-parse", "--show-toplevel"))
    except (DiffError, FileNotFoundError):
        raise DiffError(f"{project.resolve()} is not in a git repository; --against needs one") from None
    try:
        commit = git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    except DiffError:
        raise DiffError(f"revision {rev!r} does not exist in {top}; give a branch, tag or commit") from None
    relative = project.resolve().relative_to(top)
    worktree = out / "worktree"
    git("worktree", "add", "--detach", str(worktree), commit, cwd=top)
    try:
        renders = []
        for tree, name in ((worktree, rev.replace("/", "_")), (top, "working-tree")):
            target = out / name
            env = {
                **os.environ,
                "PYTHONPATH": os.pathsep.join([str(tree / "components"), os.environ.get("PYTHONPATH", "")]),
            }
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "kubexpose",
                    "render",
                    "--stack",
                    stack,
                    "--program",
                    str(tree / relative),
                    "--out",
                    str(target),
                ],
                cwd=tree / relative,
                capture_output=True,
                text=True,
                env=env,
            )
            if done.returncode != 0:
                where = f"revision {rev}" if tree == worktree else "the working tree"
                raise DiffError(f"rendering stack '{stack}' at {where} failed: {done.stderr.strip()}")
            renders.append(target)
        return renders[0], renders[1]
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(worktree)], cwd=top, capture_output=True)
