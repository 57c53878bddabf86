"""Volumes: writable paths (emptyDirs under a read-only root) and ConfigMap or Secret mounts."""

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ...k8s.pod import (
    Mount,
)
from ...k8s.quantity import canonical, parse_quantity
from ...k8s.validation import CONFIG_KEY, Checker

_VOLUME_NAME_CHARS = re.compile(r"[^a-z0-9-]+")


_MOUNT_FIELDS = frozenset(
    {"config_map", "secret", "claim", "path", "items", "sub_path", "default_mode", "optional", "read_only", "shared"}
)
_SOURCES = {"config_map": "ConfigMap", "secret": "Secret", "claim": "PersistentVolumeClaim"}
_CONFIG_ONLY = ("items", "default_mode", "optional")
_CLAIM_ONLY = ("read_only", "shared")


def parse_mounts(check: Checker, value: Any, writable: tuple[tuple[str, str], ...]) -> tuple[Mount, ...]:
    """ConfigMaps and Secrets mounted read-only, claims writable unless read-only; no path inside another mount or a
    writable path (a source may be mounted at several paths)."""
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, Sequence):
        check.fail(
            "mounts", value, "is not a list", "give e.g. mounts=[{'config_map': 'settings', 'path': '/etc/app'}]"
        )
    out: list[Mount] = []
    taken = [(path, "writable_paths") for _, path in writable]
    for i, item in enumerate(value):
        field = f"mounts[{i}]"
        if not isinstance(item, Mapping):
            check.fail(field, item, "is not a mapping", "give {'config_map': NAME, 'path': '/etc/app'}")
        check.only_fields(field, item, _MOUNT_FIELDS, "a mount field")
        kinds = [k for k in _SOURCES if k in item]
        if len(kinds) != 1:
            check.fail(field, dict(item), "is not one source", "give one of config_map=NAME, secret=NAME, claim=NAME")
        kind = kinds[0]
        name = check.dns_subdomain(f"{field}.{kind}", item[kind], _SOURCES[kind])
        for key in _CLAIM_ONLY if kind != "claim" else _CONFIG_ONLY:
            if key in item:
                check.fail(
                    f"{field}.{key}",
                    item[key],
                    f"does not apply to a {_SOURCES[kind]}",
                    "drop it" + (" (a ConfigMap or Secret is always read-only)" if key == "read_only" else ""),
                )
        path = item.get("path")
        if not isinstance(path, str) or not path.startswith("/") or ":" in path or path.rstrip("/") == "":
            check.fail(f"{field}.path", path, "is not an absolute path below /", "give e.g. '/etc/app'")
        path = path.rstrip("/")
        for other, where in taken:
            if path == other or path.startswith(other.rstrip("/") + "/") or other.startswith(path + "/"):
                check.fail(f"{field}.path", path, f"overlaps {other!r} ({where})", "mount each source at its own path")
        items = _items(check, f"{field}.items", item.get("items"))
        sub_path = item.get("sub_path")
        if sub_path is not None:
            if items:
                check.fail(f"{field}.sub_path", sub_path, "is given with items", "mount one key (sub_path) or several")
            if not isinstance(sub_path, str) or not sub_path or sub_path.startswith("/") or ".." in sub_path.split("/"):
                check.fail(
                    f"{field}.sub_path", sub_path, "is not a relative path without '..'", "give e.g. 'nginx.conf'"
                )
        mode = item.get("default_mode")
        if mode is not None and (isinstance(mode, bool) or not isinstance(mode, int) or not 0 <= mode <= 0o777):
            check.fail(f"{field}.default_mode", mode, "is not a file mode from 0 to 511 (0o777)", "give e.g. 0o440")
        flags = {key: item.get(key) for key in ("optional", "read_only", "shared")}
        for key, flag in flags.items():
            if flag is not None and not isinstance(flag, bool):
                check.fail(f"{field}.{key}", flag, "is not true or false", "give True or False")
        base = _VOLUME_NAME_CHARS.sub("-", f"{kind.replace('_', '')}-{name}".lower()).strip("-")[:50].strip("-")
        out.append(
            Mount(
                f"m{i}-{base}",
                path,
                kind,
                name,
                items,
                sub_path,
                mode,
                flags["optional"],
                read_only=kind != "claim" or bool(flags["read_only"]),
                shared=bool(flags["shared"]),
            )
        )
        taken.append((path, field))
    return tuple(out)


def check_claim_mounts(check: Checker, mounts: Sequence[Mount], replicas: Any, recreate: bool | None) -> None:
    """A writable claim that is not shared (ReadWriteOnce) takes one Pod, and a rollout that stops the old Pod first
    (`recreate` None: the workload stops it first by itself, as a StatefulSet does)."""
    for i, mount in enumerate(mounts):
        if mount.kind != "claim" or mount.read_only or mount.shared:
            continue
        field = f"mounts[{i}]"
        if replicas is None or (isinstance(replicas, int) and replicas > 1):
            check.fail(
                field,
                {"claim": mount.name, "path": mount.path},
                "is a writable claim for several Pods (a ReadWriteOnce claim attaches to one node: the other Pods "
                "wait for it)",
                "give replicas=1, read_only=True, or shared=True if the claim is ReadWriteMany",
            )
        if recreate is False:
            check.fail(
                field,
                {"claim": mount.name, "path": mount.path},
                "is a writable claim under a rolling update (the new Pod starts while the old one holds the claim, "
                "and may wait for it forever)",
                "give rollout={'strategy': 'Recreate'}, read_only=True, or shared=True if the claim is ReadWriteMany",
            )


def _items(check: Checker, field: str, value: Any) -> tuple[tuple[str, str], ...]:
    """`{key: relative path}`: which keys to project, and where under the mount path."""
    if value is None:
        return ()
    if not isinstance(value, Mapping) or not value:
        check.fail(field, value, "is not a non-empty mapping", "give {'app.yaml': 'app.yaml'}")
    out = []
    for key, path in value.items():
        if not isinstance(key, str) or not CONFIG_KEY.match(key) or len(key) > 253:
            check.fail(f"{field} key", key, "is not a ConfigMap or Secret key", "use at most 253 of [-._a-zA-Z0-9]")
        if not isinstance(path, str) or not path or path.startswith("/") or ".." in path.split("/"):
            check.fail(f"{field}[{key!r}]", path, "is not a relative path without '..'", "give e.g. 'conf/app.yaml'")
        out.append((key, path))
    return tuple(out)


def parse_memory_paths(
    check: Checker, value: Any, writable: tuple[tuple[str, str], ...]
) -> tuple[tuple[tuple[str, str], ...], dict[str, str | None]]:
    """`{path: size limit}`: writable `emptyDir`s in memory (tmpfs; what they hold counts against the container's
    memory limit), as `(volume, path)` pairs and each volume's `sizeLimit` (None: none beyond the memory limit)."""
    if value is None:
        return (), {}
    if not isinstance(value, Mapping):
        check.fail("memory_paths", value, "is not a mapping", "give e.g. memory_paths={'/dev/shm': '256Mi'}")
    paths: list[tuple[str, str]] = []
    sizes: dict[str, str | None] = {}
    taken = {path for _, path in writable}
    for path, size in value.items():
        field = f"memory_paths[{path!r}]"
        if not isinstance(path, str) or not path.startswith("/") or ":" in path:
            check.fail("memory_paths key", path, "is not an absolute path", "give e.g. '/dev/shm'")
        if path in taken:
            check.fail(field, size, "is also in writable_paths", "list the path once: here for memory, there for disk")
        if size in (None, ""):
            size = None
        elif (amount := parse_quantity(size)) is None or amount <= 0:
            check.fail(field, size, "is not a size above 0", "give e.g. '64Mi', or '' for none beyond the memory limit")
        base = _VOLUME_NAME_CHARS.sub("-", path.lower()).strip("-")[:53].strip("-") or "root"
        paths.append((f"mem-{base}", path))
        sizes[f"mem-{base}"] = None if size is None else canonical(size)
    return tuple(paths), sizes


def parse_writable_paths(check: Checker, paths: Any) -> tuple[tuple[str, str], ...]:
    if paths is None:
        return ()
    if isinstance(paths, str) or not isinstance(paths, Sequence):
        check.fail("writable_paths", paths, "is not a list", "give e.g. writable_paths=['/tmp']")
    out: list[tuple[str, str]] = []
    for i, path in enumerate(paths):
        if not isinstance(path, str) or not path.startswith("/") or ":" in path:
            check.fail(f"writable_paths[{i}]", path, "is not an absolute path", "give e.g. '/tmp'")
        base = _VOLUME_NAME_CHARS.sub("-", path.lower()).strip("-")[:55].strip("-") or "root"
        volume = f"w-{base}"
        if any(v == volume for v, _ in out) or any(p == path for _, p in out):
            check.fail(f"writable_paths[{i}]", path, "repeats an earlier path", "list each path once")
        out.append((volume, path))
    return tuple(out)
