"""Memory of repeated runs in one process, and the long fuzz profile's peak, for two versions side by side.

    .venv/bin/python bench/memory.py                      # this checkout only
    .venv/bin/python bench/memory.py --before <git rev>   # also the given revision, in a temporary worktree

Each measurement runs in a fresh process with the checkout's `components/` first on the import path:
- `renders`: the dev stack of the example app rendered N times in a row (`kubexpose.render.build.render`);
- `kit`: the `kubexpose` fixture's tester running the example app N times (`KubexposeTester.run`);
- `fuzz`: `HYPOTHESIS_PROFILE=long pytest tests/test_fuzz.py` (3,000 examples per property).
Reported: peak RSS after the first run, after the last, the growth between them, and the wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_in_process(kind: str, runs: int, checkout: Path) -> dict[str, Any]:
    """Run `kind` `runs` times in this process (imports from `checkout`); peak RSS after the first and last."""
    sys.path[:0] = [str(checkout / "components"), str(checkout)]
    os.chdir(checkout)
    from kubexpose.render.build import render
    from kubexpose.stackfiles import Project

    project = Project.load(checkout)
    if kind == "renders":

        def once() -> None:
            render(project, "dev")
    else:
        import app
        from kubexpose.testing.kit import KubexposeTester

        tester = KubexposeTester()

        def once() -> None:
            tester.run(app.main, stack="dev", stack_dir=checkout)

    start = time.perf_counter()
    once()
    first = _peak_mb()
    for _ in range(runs - 1):
        once()
    return {
        "kind": kind,
        "runs": runs,
        "first_mb": round(first, 1),
        "last_mb": round(_peak_mb(), 1),
        "growth_mb": round(_peak_mb() - first, 1),
        "seconds": round(time.perf_counter() - start, 1),
    }


def measure_fuzz(checkout: Path) -> dict[str, Any]:
    """The long fuzz profile in a child process: its peak RSS and wall time."""
    env = {**os.environ, "HYPOTHESIS_PROFILE": "long", "PYTHONPATH": str(checkout / "components")}
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_fuzz.py"],
        cwd=checkout,
        env=env,
        check=True,
        capture_output=True,
    )
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"kind": "fuzz", "runs": 1, "peak_mb": round(peak, 1), "seconds": round(time.perf_counter() - start, 1)}


def measure(kind: str, runs: int, checkout: Path) -> dict[str, Any]:
    """One measurement in a fresh process."""
    out = subprocess.run(
        [sys.executable, __file__, "--one", kind, str(runs), str(checkout)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", help="a git revision to measure side by side with this checkout")
    parser.add_argument("--runs", type=int, default=300, help="runs per in-process measurement (default 300)")
    parser.add_argument("--no-fuzz", action="store_true", help="skip the long fuzz profile (about 2 minutes)")
    parser.add_argument("--one", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        kind, runs, checkout = args.one
        result = measure_fuzz(Path(checkout)) if kind == "fuzz" else measure_in_process(kind, int(runs), Path(checkout))
        print(json.dumps(result))
        return

    trees = {"this checkout": ROOT}
    worktree = None
    if args.before:
        worktree = Path(tempfile.mkdtemp(prefix="kubexpose-before-")) / "tree"
        subprocess.run(["git", "worktree", "add", "--detach", str(worktree), args.before], cwd=ROOT, check=True)
        trees = {f"before ({args.before})": worktree, "after (this checkout)": ROOT}
    kinds = ["renders", "kit"] + ([] if args.no_fuzz else ["fuzz"])
    try:
        print(
            "| version | measurement | runs | peak after 1st run (MB) | peak after last (MB) | growth (MB) | time (s) |"
        )
        print("|---|---|---|---|---|---|---|")
        for kind in kinds:
            for label, tree in trees.items():
                r = measure(kind, args.runs, tree)
                if kind == "fuzz":
                    print(f"| {label} | long fuzz profile | 1 | - | {r['peak_mb']} | - | {r['seconds']} |")
                else:
                    print(
                        f"| {label} | {kind} | {r['runs']} | {r['first_mb']} | {r['last_mb']} | {r['growth_mb']} | {r['seconds']} |"
                    )
                sys.stdout.flush()
    finally:
        if worktree is not None:
            subprocess.run(["git", "worktree", "remove", "--force", str(worktree)], cwd=ROOT, check=False)


if __name__ == "__main__":
    main()
