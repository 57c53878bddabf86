"""A render's files: the objects of :mod:`kubexpose.engine.objects` as ordered YAML, the Secrets left out, the kustomization."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import yaml

from ..engine.objects import KIND_ORDER, REDACTED, manifest, manifests, sort_key

__all__ = [
    "KIND_ORDER",
    "KUSTOMIZATION",
    "REDACTED",
    "SecretToCreate",
    "file_name",
    "kustomization",
    "manifest",
    "manifests",
    "sort_key",
    "split_secrets",
    "to_yaml",
]

TOP_LEVEL_ORDER = ["apiVersion", "kind", "metadata"]
KUSTOMIZATION = "Kustomization"
"""The render's kustomization: kustomize, Argo CD and Flux read this name; `kubectl -f DIR` skips it (no .yaml)."""


def kustomization(files: list[str]) -> str:
    """A kustomization listing the numbered object files, so `kubectl apply -k DIR` reads each object once."""
    listed = "".join(f"  - {name}\n" for name in files if name[:1].isdigit() and name.endswith(".yaml"))
    return (
        "# Every object of this render, once: `kubectl apply -k .` (or `kubectl apply -f .`, which skips this file).\n"
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n" + listed
    )


_BASE_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
"""libyaml's emitter when PyYAML has it (5x faster, same bytes), else PyYAML's own."""
_STR, _INT, _BOOL, _NULL = (f"tag:yaml.org,2002:{tag}" for tag in ("str", "int", "bool", "null"))
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


class _Dumper(_BASE_DUMPER):  # type: ignore[misc]
    """The safe dumper, with the nodes of plain data (dicts, lists, strings, integers, booleans, None) made
    directly: the same nodes `SafeRepresenter` makes, without its per-node type dispatch and alias
    bookkeeping. `to_yaml` gives it fresh dicts and lists, never one object twice, so a document never
    has anchors either way. Anything else (floats) goes through `SafeRepresenter`."""

    def represent_data(self, data: Any) -> yaml.Node:
        kind = type(data)
        if kind is str:
            return yaml.ScalarNode(_STR, data)
        if kind is dict:
            pairs = [(self.represent_data(k), self.represent_data(v)) for k, v in data.items()]
            return yaml.MappingNode(_MAP, pairs, flow_style=False)
        if kind is list:
            return yaml.SequenceNode(_SEQ, [self.represent_data(v) for v in data], flow_style=False)
        if kind is int:
            return yaml.ScalarNode(_INT, str(data))
        if kind is bool:
            return yaml.ScalarNode(_BOOL, "true" if data else "false")
        if data is None:
            return yaml.ScalarNode(_NULL, "null")
        return super().represent_data(data)  # type: ignore[no-any-return]

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        """The resolver's answer (a pure function of its arguments for the safe dumper, which has no path
        resolvers), remembered: the emitter asks it for every scalar, and keys repeat in every object."""
        if kind is yaml.ScalarNode:
            return _resolve(value, tuple(implicit))
        return _RESOLVER.resolve(kind, value, implicit)


@functools.lru_cache(maxsize=1 << 16)
def _resolve(value: str, implicit: tuple[bool, bool]) -> Any:
    return _RESOLVER.resolve(yaml.ScalarNode, value, implicit)


_RESOLVER = yaml.resolver.Resolver()
assert not _RESOLVER.yaml_path_resolvers, "the YAML resolver cache assumes no path resolvers"


@dataclass(frozen=True)
class SecretToCreate:
    """A Secret the render leaves out: its values are never written, only how to create it."""

    name: str
    namespace: str
    type: str
    keys: tuple[str, ...]

    def command(self) -> str:
        """The `kubectl create secret generic` command, with a placeholder for each value."""
        parts = [f"kubectl create secret generic {self.name} --namespace {self.namespace}"]
        if self.type != "Opaque":
            parts.append(f"--type={self.type}")
        parts += [f"--from-literal={key}='<{key}>'" for key in self.keys]
        return " \\\n    ".join(parts)


def split_secrets(objs: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[SecretToCreate]]:
    """The objects a render writes, and the Secrets holding data it leaves out.

    A Secret's values are never written, wherever they came from (a render folder is reviewed and
    committed); `kubectl apply -f` of the folder needs those Secrets created first."""
    written: list[dict[str, Any]] = []
    left_out: list[SecretToCreate] = []
    for obj in objs:
        if obj.get("kind") == "Secret" and (obj.get("data") or obj.get("stringData")):
            meta = obj.get("metadata") or {}
            keys = {*(obj.get("data") or {}), *(obj.get("stringData") or {})}
            left_out.append(
                SecretToCreate(
                    str(meta.get("name")),
                    str(meta.get("namespace") or "default"),
                    str(obj.get("type") or "Opaque"),
                    tuple(sorted(keys)),
                )
            )
        else:
            written.append(obj)
    return written, left_out


def to_yaml(obj: dict[str, Any]) -> str:
    """YAML with `apiVersion, kind, metadata` first and every nested key sorted, as `kubectl get -o yaml`."""
    ordered = {k: _sorted(obj[k]) for k in TOP_LEVEL_ORDER if k in obj}
    ordered.update({k: _sorted(obj[k]) for k in sorted(obj) if k not in ordered})
    return yaml.dump(ordered, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=1000)


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


def file_name(index: int, obj: dict[str, Any]) -> str:
    meta = obj.get("metadata") or {}
    parts = [f"{index:03d}", obj.get("kind", "object").lower(), meta.get("namespace") or "", meta.get("name") or ""]
    return "-".join(p for p in parts if p) + ".yaml"
