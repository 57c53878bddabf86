"""Writing a render to disk without ever touching what kubexpose did not write.

A render folder holds a marker file (:data:`MARKER`) listing the files the render wrote. An `--out`
folder is replaced only when it is missing, empty, or holds a previous render and nothing else;
a file, a project root or any folder with other content is refused (:class:`OutputRefusedError`) before
anything is touched. The new render is written next to the target and swapped in with renames,
under an exclusive lock on the parent folder, so concurrent renders into one folder run one after
another and a failure leaves the previous render intact.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

MARKER = ".kubexpose-render"
"""The file in every render folder that lists what the render wrote (one relative path a line)."""
_MARKER_HEADER = "# written by `kubexpose render`; kubexpose replaces this folder only while it holds nothing else\n"


class OutputRefusedError(Exception):
    """The `--out` target is not a folder kubexpose may replace; nothing was touched."""


def written_files(folder: Path) -> set[str] | None:
    """The files a previous render in `folder` wrote, or None when `folder` holds no render marker."""
    marker = folder / MARKER
    if not marker.is_file() or marker.is_symlink():
        return None
    return {line for line in marker.read_text().splitlines() if line and not line.startswith("#")}


def check_target(out: Path) -> None:
    """Raise :class:`OutputRefusedError` unless `out` is missing, empty, or a previous render and nothing else."""
    fix = "pass --out with a new or empty folder, or with the folder of an earlier render"
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise OutputRefusedError(f"refusing to write the render to {out}: it is not a folder; {fix}")
    if not out.exists():
        return
    entries = sorted(os.listdir(out))
    if not entries:
        return
    ours = written_files(out)
    if ours is None:
        raise OutputRefusedError(
            f"refusing to write the render into {out}: it holds {entries[0]!r}, and no kubexpose render wrote "
            f"that folder; {fix}"
        )
    folders = {str(parent) for name in ours for parent in Path(name).parents if str(parent) != "."}
    for path in sorted(out.rglob("*")):
        relative = str(path.relative_to(out))
        expected = relative in folders if path.is_dir() and not path.is_symlink() else relative in ours
        if relative != MARKER and not expected:
            raise OutputRefusedError(
                f"refusing to replace the render in {out}: it also holds {relative!r}, which the render did not "
                f"write; move it away or {fix}"
            )


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on `folder` (flock on the folder itself: no lock file is left behind)."""
    try:
        import fcntl
    except ImportError:  # not on POSIX: renders into one folder must not overlap
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def verify_target(out: Path) -> None:
    """:func:`check_target` under the parent folder's lock: a render being swapped in meanwhile is never
    seen half-way (a check without the lock could read one render's marker and the next one's files)."""
    out = Path(os.path.abspath(out))
    if not out.parent.is_dir():
        check_target(out)
        return
    with _locked(out.parent):
        check_target(out)


def write_render(files: Mapping[str, str], out: Path) -> None:
    """Replace `out` with `files` (relative path -> text) in one step, if `out` may be replaced."""
    out = Path(os.path.abspath(out))
    try:
        out.parent.mkdir(parents=True, exist_ok=True)  # only when `out` is missing too, so it may be written
    except (FileExistsError, NotADirectoryError):
        raise OutputRefusedError(f"refusing to write the render to {out}: a folder above it is a file") from None
    with _locked(out.parent):
        check_target(out)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
        staging.chmod(0o777 & ~_umask())  # mkdtemp makes 0700: a render folder is as readable as any other
        backup = None
        try:
            for name, text in files.items():
                path = staging / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
            (staging / MARKER).write_text(_MARKER_HEADER + "".join(f"{name}\n" for name in sorted(files)))
            if out.exists():
                backup = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
                out.rename(backup / out.name)
            staging.rename(out)
        except BaseException:
            if backup is not None and not out.exists():
                (backup / out.name).rename(out)  # put the previous render back
            raise
        finally:
            for leftover in (staging, backup):
                if leftover is not None and leftover.exists():
                    shutil.rmtree(leftover)
