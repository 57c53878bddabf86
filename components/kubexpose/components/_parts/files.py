"""Config files given as content: a ConfigMap (a Secret for secret content) the component owns, each file mounted
read-only at its path, and a Pod template annotation that changes exactly when a file does (so the Pods roll once).

A running Pod never re-reads a file mounted with `subPath`, and Kubernetes restarts nothing when a ConfigMap
changes; the annotation makes the Deployment roll its Pods on a change and leaves them alone otherwise. Plain
content is hashed (`kubexpose.dev/files-sha256`: the same text in the render and on the server); a secret file's
content never reaches the Pod template, so a secret file rolls the Pods through its Secret's `resourceVersion`
(`kubexpose.dev/files-secret-version`, as the env Secret does; under mocks, which give none, it is left out).
"""

import functools
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import pulumi
import pulumi_kubernetes as k8s

from ...k8s.metadata import object_metadata
from ...k8s.pod import template_metadata
from ...k8s.validation import Checker
from .base import child_resource_name

FILES_SHA256 = "kubexpose.dev/files-sha256"
"""Pod template annotation: the SHA-256 of the plain files (keys and contents)."""
FILES_SECRET_VERSION = "kubexpose.dev/files-secret-version"
"""Pod template annotation: the `resourceVersion` of the Secret holding the secret files."""
FILES_VOLUME = "files"
MAX_OBJECT_DATA = 1024 * 1024
"""What the API server takes in one ConfigMap's or Secret's data, in bytes (`MaxSecretSize`, 1 MiB)."""

_PATH = re.compile(r"^(/[-._a-zA-Z0-9]+)+$")


@dataclass(frozen=True)
class FileModel:
    path: str
    key: str
    """The ConfigMap or Secret key: the path without its first `/`, each `/` a `-`."""
    content: Any
    """A string, or an Output of one (secret or not)."""


@dataclass(frozen=True)
class PodFiles:
    """What the Pod template gains: the volume (a dict, an Output of one, or None), the app container's mounts (a list
    or an Output of one) and the template annotations (a dict or an Output of one)."""

    volume: Any = None
    mounts: Any = ()
    annotations: Any = None


def file_key(path: str) -> str:
    return path.lstrip("/").replace("/", "-")


def overlap(path: str, taken: Sequence[tuple[str, str]]) -> str | None:
    """The `taken` entry (`(path, where)`) that `path` equals, lies inside or holds, shown; None when it is free."""
    for other, where in taken:
        if path == other or path.startswith(other.rstrip("/") + "/") or other.startswith(path.rstrip("/") + "/"):
            return f"{other!r} ({where})"
    return None


def parse_files(check: Checker, value: Any, taken: Sequence[tuple[str, str]]) -> Any:
    """`files` (`{path: content}`): each path absolute, free of the other mounts, a valid key; the contents strings
    within the API server's limit. Returns a tuple of :class:`FileModel`, or an Output of one for a map that is
    one Output (computed, or sent by another language as one secret), checked when known."""
    if value is None:
        return ()
    if isinstance(value, pulumi.Output):
        return check.input(
            "files", value, functools.partial(_files, check, taken=tuple(taken), late=True), secret_ok=True
        )
    return _files(check, value, taken=tuple(taken), late=False)


def _files(check: Checker, value: Any, taken: tuple[tuple[str, str], ...], late: bool) -> tuple[FileModel, ...]:
    fix = "give e.g. files={'/etc/app/config.yaml': 'level: info\\n'}"
    if not isinstance(value, Mapping):
        check.fail("files", value, "is not a mapping of absolute paths to contents", fix)
    out: list[FileModel] = []
    seen = list(taken)
    keys: dict[str, str] = {}
    size = 0
    for path, content in value.items():
        if not isinstance(path, str) or not _PATH.match(path) or ".." in path.split("/") or len(path) > 254:
            check.fail(
                "files key",
                path,
                "is not an absolute file path of letters, digits, '-', '_' and '.' (it names the ConfigMap key too)",
                "give e.g. '/etc/app/config.yaml'",
            )
        field = f"files[{path!r}]"
        clash = overlap(path, seen)
        if clash is not None:
            check.fail("files key", path, f"overlaps {clash}", "give each file a path of its own")
        key = file_key(path)
        if key in keys:
            check.fail(
                "files key",
                path,
                f"gives the same ConfigMap key {key!r} as {keys[key]!r} ('/' becomes '-')",
                "rename one of the two files",
            )
        keys[key] = path
        if isinstance(content, pulumi.Output) and not late:
            content = check.input(field, content, functools.partial(_content, check, field), secret_ok=True)
        else:
            size += len(_content(check, field, content).encode())
        seen.append((path, "files"))
        out.append(FileModel(path, key, content))
    if size > MAX_OBJECT_DATA:
        check.fail(
            "files",
            f"{size} bytes",
            f"is more than the {MAX_OBJECT_DATA} bytes (1 MiB) the API server takes in one ConfigMap",
            "keep large files in the image or on a volume",
        )
    return tuple(out)


def _content(check: Checker, field: str, content: Any) -> str:
    if not isinstance(content, str):
        check.fail(field, content, "is not text", "give the file's content as a string")
    if len(content.encode()) > MAX_OBJECT_DATA:
        check.fail(
            field,
            f"{len(content.encode())} bytes",
            f"is more than the {MAX_OBJECT_DATA} bytes (1 MiB) the API server takes in one ConfigMap or Secret",
            "keep large files in the image or on a volume",
        )
    return content


def files_digest(data: Mapping[str, str]) -> str:
    """The SHA-256 of the keys and contents, in key order: the same for the same files, whatever their order."""
    return hashlib.sha256(json.dumps(dict(sorted(data.items())), ensure_ascii=False).encode()).hexdigest()


def _mounts(files: Sequence[FileModel]) -> list[dict[str, Any]]:
    return [
        {"name": FILES_VOLUME, "mount_path": f.path, "sub_path": f.key, "read_only": True}
        for f in sorted(files, key=lambda f: f.path)
    ]


def _volume(name: str, plain: bool, secret: bool) -> dict[str, Any]:
    if plain and secret:
        sources = [{"config_map": {"name": f"{name}-files"}}, {"secret": {"name": f"{name}-files"}}]
        return {"name": FILES_VOLUME, "projected": {"sources": sources}}
    if secret:
        return {"name": FILES_VOLUME, "secret": {"secret_name": f"{name}-files"}}
    return {"name": FILES_VOLUME, "config_map": {"name": f"{name}-files"}}


def plain_files(name: str, files: Any) -> PodFiles:
    """What the Pod template gains from `files` as declared (a dry run of the children: nothing is declared; a
    content known only later counts as plain)."""
    if isinstance(files, pulumi.Output) or not files:
        return PodFiles()
    data = {f.key: f.content for f in files}
    known = not any(isinstance(v, pulumi.Output) for v in data.values())
    return PodFiles(_volume(name, True, False), _mounts(files), {FILES_SHA256: files_digest(data)} if known else {})


def declare_files(
    child: Any, name: str, namespace: Any, labels: Mapping[str, Any], files: Any, opts: pulumi.ResourceOptions
) -> PodFiles:
    """The ConfigMap `<name>-files` (plain contents) and Secret `<name>-files` (secret ones) the component owns, and
    what the Pod template gains. `child(cls, name, opts, **props)` registers a child. A secret Output's content goes
    into the Secret, whose data is secret in Pulumi's state; whether an Output is secret is known once it resolves
    (in a preview too), so with Output contents the objects are declared then."""
    if not isinstance(files, pulumi.Output) and not files:
        return PodFiles()

    def config_map(data: Any) -> None:
        metadata = object_metadata(f"{name}-files", namespace, labels)
        child(k8s.core.v1.ConfigMap, f"{name}-files", opts, metadata=metadata, data=data)

    if not isinstance(files, pulumi.Output) and not any(isinstance(f.content, pulumi.Output) for f in files):
        data = {f.key: f.content for f in files}
        config_map(data)
        return PodFiles(_volume(name, True, False), _mounts(files), {FILES_SHA256: files_digest(data)})

    async def secrecy(known: Sequence[FileModel]) -> list[bool]:
        return [isinstance(f.content, pulumi.Output) and await f.content.is_secret() for f in known]

    def declare(known: Sequence[FileModel], whole_secret: bool, flags: list[bool]) -> Any:
        if not known:
            return pulumi.Output.from_input({"volume": None, "mounts": [], "annotations": {}})
        flags = [whole_secret or flag for flag in flags]
        plain = {f.key: f.content for f, flag in zip(known, flags, strict=True) if not flag}
        hidden = {f.key: f.content for f, flag in zip(known, flags, strict=True) if flag}
        annotations: list[Any] = []
        if plain:
            data = pulumi.Output.from_input(plain).apply(lambda d: _within_limit(d, name))
            config_map(data)
            annotations.append(data.apply(lambda d: {FILES_SHA256: files_digest(d)}))
        if hidden:
            secret = k8s.core.v1.Secret(
                child_resource_name(opts, f"{name}-secret-files"),
                metadata=object_metadata(f"{name}-files", namespace, labels),
                type="Opaque",
                string_data=pulumi.Output.secret(hidden).apply(lambda d: _within_limit(d, name)),
                opts=opts,
            )
            annotations.append(
                secret.metadata.apply(
                    lambda meta: (
                        {FILES_SECRET_VERSION: meta["resource_version"]} if meta.get("resource_version") else {}
                    )
                )
            )
        merged = pulumi.Output.all(*annotations).apply(lambda parts: {k: v for p in parts for k, v in p.items()})
        return pulumi.Output.from_input(
            {"volume": _volume(name, bool(plain), bool(hidden)), "mounts": _mounts(known), "annotations": merged}
        )

    async def resolve() -> Any:
        if isinstance(files, pulumi.Output):
            whole_secret, known = await files.is_secret(), await _known(files)
        else:
            whole_secret, known = False, files
        return declare(known, whole_secret, await secrecy(known))

    both = pulumi.Output.from_input(cast(Any, resolve()))
    return PodFiles(
        both.apply(lambda d: d["volume"]), both.apply(lambda d: d["mounts"]), both.apply(lambda d: d["annotations"])
    )


async def _known(files: Any) -> Sequence[FileModel]:
    """The file models of an Output of them (paths known once it resolves); contents stay as they are."""
    future: Any = files.future(with_unknowns=True)
    value = await future
    return value if isinstance(value, Sequence) else ()


def _within_limit(data: Mapping[str, str], name: str) -> Mapping[str, str]:
    size = sum(len(v.encode()) for v in data.values() if isinstance(v, str))
    if size > MAX_OBJECT_DATA:
        raise ValueError(
            f"ExposedDeployment '{name}': files: {size} bytes is more than the {MAX_OBJECT_DATA} bytes (1 MiB) the API "
            "server takes in one ConfigMap or Secret; keep large files in the image or on a volume"
        )
    return data


def with_annotations(
    metadata: Any, extra: Any, labels: Mapping[str, Any], annotations: Mapping[str, Any], extra_labels: Any = None
) -> Any:
    """The Pod template's `metadata` (None: the labels and the Pods' `annotations`) with the `extra` annotations (a
    dict, an Output of one, or None) and `extra_labels` added; an Output when either is one."""
    if not extra and not extra_labels:
        return metadata
    base = template_metadata(labels, annotations) if metadata is None else metadata
    if isinstance(base, pulumi.Output) or isinstance(extra, pulumi.Output):
        return pulumi.Output.all(base, extra or {}).apply(lambda both: _annotated(both[0], both[1], extra_labels or {}))
    return _annotated(base, extra or {}, extra_labels or {})


def _annotated(
    metadata: Mapping[str, Any], extra: Mapping[str, Any], extra_labels: Mapping[str, Any]
) -> dict[str, Any]:
    merged = {**(metadata.get("annotations") or {}), **extra}
    out = {**metadata, "labels": {**(metadata.get("labels") or {}), **extra_labels}}
    if merged:
        out["annotations"] = merged
    return out
