"""`kubexpose cluster up | down | status`: the loopback control plane of the test kit, kept running between commands.

A migration rehearsal, a demo or a `pulumi up` against a throwaway cluster needs the control plane the live kit
starts (:class:`~kubexpose.live.cluster.ControlPlane`: etcd, kube-apiserver, controller-manager, scheduler and kwok
nodes, all on 127.0.0.1) to outlive one command. `up` starts a supervisor process, detached from the terminal,
that starts the plane in the state folder (``--dir``, else ``$KUBEXPOSE_CLUSTER_DIR``, else
``~/.cache/kubexpose/cluster``), writes ``cluster.json`` once the API server and the nodes are ready, and stops
the plane on SIGTERM. The supervisor holds an exclusive lock on ``<dir>/lock`` for its whole life, so a second
`up` for the same folder is refused at once (exit 2) naming the running one, even while the first still starts.
`down` signals the supervisor and waits until every process of the plane has ended and its folder is gone.
"""

import fcntl
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, TextIO

from . import toolchain

CONTEXT = "kubexpose-local"
START_TIMEOUT = 300.0
STOP_TIMEOUT = 60.0


class LocalClusterError(RuntimeError):
    """The command could not do what was asked (the message says what and what to do)."""


def state_dir(given: Path | None = None) -> Path:
    """The folder a local cluster keeps its state in (see the module docstring)."""
    if given is not None:
        return given
    return Path(os.environ.get("KUBEXPOSE_CLUSTER_DIR") or toolchain.cache_dir() / "cluster")


def _state(folder: Path) -> dict[str, Any] | None:
    try:
        return dict(json.loads((folder / "cluster.json").read_text()))
    except (OSError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _kill_left_over(state: dict[str, Any] | None) -> None:
    """Kill the plane's processes of ``state`` that still run."""
    for pid in (state or {}).get("processes", []):
        if _alive(int(pid)):
            os.kill(int(pid), signal.SIGKILL)


def _lock(folder: Path) -> int | None:
    """An fd holding the folder's exclusive lock, or None when another process holds it."""
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / "lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def export_line(kubeconfig: str) -> str:
    return f"export KUBECONFIG={kubeconfig}"


def up(folder: Path, out: TextIO) -> None:
    """Start a local cluster in ``folder`` and return once it is ready; print its kubeconfig and an export line."""
    try:
        toolchain.require(toolchain.CONTROL_PLANE)
    except toolchain.MissingToolError as err:
        raise LocalClusterError(str(err)) from None
    fd = _lock(folder)
    if fd is None:
        raise LocalClusterError(_running_message(folder))
    log = folder / "supervisor.log"
    _kill_left_over(_state(folder))  # a supervisor killed without `down` left them
    (folder / "cluster.json").unlink(missing_ok=True)
    try:
        with log.open("wb") as handle:
            supervisor = subprocess.Popen(
                [sys.executable, "-m", "kubexpose.live.local", "serve", str(folder), str(fd)],
                stdin=subprocess.DEVNULL,
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                pass_fds=(fd,),
            )
    finally:
        os.close(fd)  # the supervisor's copy keeps the lock
    deadline = time.monotonic() + START_TIMEOUT
    while (state := _state(folder)) is None or state.get("supervisor") != supervisor.pid:
        if supervisor.poll() is not None:
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
            raise LocalClusterError(f"the control plane did not start (exit status {supervisor.returncode}):\n{tail}")
        if time.monotonic() > deadline:
            supervisor.terminate()
            raise LocalClusterError(f"the control plane was not ready after {START_TIMEOUT:.0f} s; see {log}")
        time.sleep(0.5)
    print(f"local cluster up: API server {state['server']}, {state['nodes']} nodes (kwok), context {CONTEXT}", file=out)
    print(f"kubeconfig: {state['kubeconfig']}", file=out)
    print(export_line(state["kubeconfig"]), file=out)
    print("stop it with: kubexpose cluster down" + _dir_flag(folder), file=out)


def _dir_flag(folder: Path) -> str:
    return "" if folder == state_dir() else f" --dir {folder}"


def _running_message(folder: Path) -> str:
    state = _state(folder)
    if state is None:
        return f"a local cluster is starting in {folder}; wait for it, or stop it with `kubexpose cluster down`"
    return (
        f"a local cluster already runs in {folder} (supervisor pid {state['supervisor']}, API server "
        f"{state['server']}); use it ({export_line(state['kubeconfig'])}) or stop it first with "
        f"`kubexpose cluster down{_dir_flag(folder)}`"
    )


def status(folder: Path, out: TextIO) -> bool:
    """Print whether a local cluster runs in ``folder`` (and how to use it); True when one does."""
    state = _state(folder)
    if state is None or not _alive(int(state["supervisor"])):
        print(f"no local cluster runs in {folder}", file=out)
        return False
    print(f"local cluster running: API server {state['server']} (supervisor pid {state['supervisor']})", file=out)
    print(export_line(state["kubeconfig"]), file=out)
    return True


def down(folder: Path, out: TextIO) -> None:
    """Stop the local cluster of ``folder`` and wait for every one of its processes to end."""
    state = _state(folder)
    if state is None:
        print(f"no local cluster runs in {folder}", file=out)
        return
    supervisor = int(state["supervisor"])
    if _alive(supervisor):
        os.kill(supervisor, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    while _alive(supervisor) and time.monotonic() < deadline:
        time.sleep(0.2)
    _kill_left_over(state)  # processes are left only when the supervisor was killed
    if _alive(supervisor):
        raise LocalClusterError(f"the supervisor (pid {supervisor}) did not stop within {STOP_TIMEOUT:.0f} s")
    (folder / "cluster.json").unlink(missing_ok=True)
    print(f"local cluster stopped ({state['server']})", file=out)


def serve(folder: Path) -> None:
    """The supervisor: start the plane, publish ``cluster.json``, stop everything on SIGTERM or SIGINT."""
    from .cluster import ControlPlane

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: stop.set())
    plane = ControlPlane(workdir=folder, context=CONTEXT)
    plane.start()
    try:
        state = {
            "supervisor": os.getpid(),
            "server": plane.server,
            "kubeconfig": str(plane.kubeconfig),
            "nodes": plane.nodes,
            "processes": [proc.pid for _, proc, _ in plane._procs],
        }
        temporary = folder / "cluster.json.tmp"
        temporary.write_text(json.dumps(state, indent=2) + "\n")
        temporary.replace(folder / "cluster.json")
        print(f"ready: {plane.server}", flush=True)
        while not stop.wait(1.0):
            plane._check_alive()
    finally:
        plane.stop()
        (folder / "cluster.json").unlink(missing_ok=True)
        print("stopped", flush=True)


if __name__ == "__main__":  # the supervisor process `up` starts: serve FOLDER LOCK_FD
    if len(sys.argv) == 4 and sys.argv[1] == "serve":
        serve(Path(sys.argv[2]))
    else:
        sys.exit("usage: python -m kubexpose.live.local serve FOLDER LOCK_FD (started by `kubexpose cluster up`)")
