"""Offline render: the manifests `pulumi up` would apply for a stack, without a cluster or the Pulumi CLI.

The program runs in-process under the recording mocks (:mod:`components.mockrun`) with the stack's
config loaded as Pulumi loads it (:mod:`components.stackconfig`). Each Kubernetes object becomes
one YAML file, numbered so `kubectl apply -f DIR` creates namespaces first; `all.yaml` holds them
all; `summary.txt` and `topology.md` say how each Service is reached.
"""

from __future__ import annotations

import contextlib
import os
import re
import runpy
import shutil
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .mockrun import ClusterMocks, ProgramRun, Registration, run_program
from .stackconfig import SECRET_PLACEHOLDER, Project, StackConfig

REDACTED = "[secret]"
"""What a value that came from a secret (a secret Output or a `secure:` config value) renders as."""

# Creation order, after Helm's install order (`pkg/release/util/kind_sorter.go`); kinds not listed go last.
KIND_ORDER = [
    "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodDisruptionBudget", "ServiceAccount",
    "Secret", "ConfigMap", "StorageClass", "PersistentVolume", "PersistentVolumeClaim",
    "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding",
    "Service", "EndpointSlice", "DaemonSet", "Pod", "ReplicaSet", "Deployment",
    "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress",
]  # fmt: skip
TOP_LEVEL_ORDER = ["apiVersion", "kind", "metadata"]
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
"""libyaml's emitter when PyYAML has it (5x faster, same bytes), else PyYAML's own."""


@dataclass
class Rendered:
    """A rendered stack: ordered manifests and the texts written next to them."""

    stack: str
    manifests: list[dict[str, Any]]
    files: dict[str, str]
    warnings: list[str] = field(default_factory=list)


class RenderError(Exception):
    """The program or its config failed; the message is the program's own error."""


# -- running a project's program -------------------------------------------------------------
@contextlib.contextmanager
def _program_context(directory: Path) -> Iterator[None]:
    """Run as Pulumi does: cwd and import path at the project; forget its modules afterwards."""
    before = set(sys.modules)
    old_cwd, old_path = os.getcwd(), list(sys.path)
    os.chdir(directory)
    sys.path.insert(0, str(directory))
    try:
        yield
    finally:
        os.chdir(old_cwd)
        sys.path[:] = old_path
        for name in set(sys.modules) - before:
            module_file = getattr(sys.modules[name], "__file__", None) or ""
            if module_file.startswith(str(directory)) and not module_file.startswith(str(directory / ".venv")):
                del sys.modules[name]


def run_stack(project: Project, stack: str, mocks: ClusterMocks | None = None) -> tuple[ProgramRun, StackConfig]:
    """Run the project's program for `stack` under the mocks, as `pulumi up` would run it."""
    config = project.stack_config(stack)
    entry = project.entry
    if not entry.is_file():
        raise RenderError(f"{entry}: the program Pulumi would run does not exist")
    with _program_context(project.directory):
        result = run_program(
            lambda: runpy.run_path(str(entry), run_name="__main__"),
            stack=stack,
            project=project.name,
            config=config.values,
            secret_keys=config.secret_keys,
            mocks=mocks,
        )
    return result, config


# -- manifests -------------------------------------------------------------------------------
def manifest(reg: Registration) -> dict[str, Any]:
    """The object as applied: inputs in camelCase, the name the cluster sees, secrets redacted."""
    obj = _redact(reg.inputs, reg.secrets)
    meta = dict(obj.get("metadata") or {})
    meta["name"] = reg.object_name
    obj["metadata"] = meta
    return obj


def _redact(inputs: dict[str, Any], paths: tuple[tuple[str | int, ...], ...]) -> dict[str, Any]:
    obj = _scrub(inputs)
    for path in paths:
        target: Any = obj
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = REDACTED
    return obj


def _scrub(value: Any) -> Any:
    """Deep copy; config values that could not be decrypted offline render as the redaction mark."""
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    if isinstance(value, str) and SECRET_PLACEHOLDER in value:
        return REDACTED
    return value


def sort_key(obj: dict[str, Any]) -> tuple[int, str, str]:
    kind = obj.get("kind", "")
    rank = KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)
    meta = obj.get("metadata") or {}
    return rank, str(meta.get("namespace") or ""), str(meta.get("name") or "")


def manifests(result: ProgramRun) -> list[dict[str, Any]]:
    """Every Kubernetes object of the run, in creation order."""
    return sorted((manifest(r) for r in result.k8s() if r.custom), key=sort_key)


def to_yaml(obj: dict[str, Any]) -> str:
    """YAML with `apiVersion, kind, metadata` first and every nested key sorted, as `kubectl get -o yaml`."""
    ordered = {k: _sorted(obj[k]) for k in TOP_LEVEL_ORDER if k in obj}
    ordered.update({k: _sorted(obj[k]) for k in sorted(obj) if k not in ordered})
    return yaml.dump(ordered, Dumper=_DUMPER, sort_keys=False, default_flow_style=False, width=1000)


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


# -- summary and topology --------------------------------------------------------------------
def _services(objs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [o for o in objs if o.get("kind") == "Service"]


def _ports_text(spec: dict[str, Any]) -> str:
    out = []
    for p in spec.get("ports") or []:
        text = f"{p['port']}/{p.get('protocol', 'TCP')}"
        if p.get("targetPort") not in (None, p["port"]):
            text += f"->{p['targetPort']}"
        if "nodePort" in p:
            text += f" (node {p['nodePort']})"
        out.append(text)
    return ", ".join(out) or "-"


def _reached(obj: dict[str, Any], slices: dict[str, list[str]], node_address: str | None) -> str:
    spec = obj.get("spec") or {}
    kind = spec.get("type", "ClusterIP")
    ports = spec.get("ports") or []
    if kind == "ExternalName":
        return f"alias of {spec.get('externalName')}"
    if kind == "NodePort":
        fixed = [str(p["nodePort"]) for p in ports if "nodePort" in p]
        where = ", ".join(f"{node_address or '<node>'}:{n}" for n in fixed) if fixed else "an allocated node port"
        return f"every node at {where}"
    if kind == "LoadBalancer":
        ranges = spec.get("loadBalancerSourceRanges")
        return "cloud load balancer" + (f" from {', '.join(ranges)}" if ranges else " (open to all)")
    name = (obj.get("metadata") or {}).get("name", "")
    if name in slices:
        return f"in-cluster only; alias of {', '.join(slices[name])}"
    if spec.get("clusterIP") == "None":
        return "in-cluster only (headless: DNS lists Pod IPs)"
    return "in-cluster only"


def _alias_ips(objs: list[dict[str, Any]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for o in objs:
        if o.get("kind") == "EndpointSlice":
            service = ((o.get("metadata") or {}).get("labels") or {}).get("kubernetes.io/service-name")
            if service:
                out.setdefault(service, []).extend(
                    a for e in o.get("endpoints") or [] for a in e.get("addresses") or []
                )
    return out


def summary(objs: list[dict[str, Any]], node_address: str | None = None) -> str:
    """A table: every Service with its type, ports, in-cluster DNS name and how it is reached from outside."""
    slices = _alias_ips(objs)
    rows = [("SERVICE", "TYPE", "PORTS", "IN-CLUSTER DNS", "FROM OUTSIDE")]
    for o in _services(objs):
        meta, spec = o.get("metadata") or {}, o.get("spec") or {}
        namespace = meta.get("namespace") or "default"
        rows.append(
            (
                str(meta.get("name")),
                str(spec.get("type", "ClusterIP")) + (" (headless)" if spec.get("clusterIP") == "None" else ""),
                _ports_text(spec),
                f"{meta.get('name')}.{namespace}.svc.cluster.local",
                _reached(o, slices, node_address),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() + "\n" for r in rows)


def _node_id(prefix: str, obj: dict[str, Any]) -> str:
    meta = obj.get("metadata") or {}
    return re.sub(r"[^A-Za-z0-9_]", "_", f"{prefix}_{meta.get('namespace') or 'default'}_{meta.get('name')}")


_CALLED_HOST = re.compile(r"(?:^|[/@])([a-z0-9-]+)(?:\.[a-z0-9.-]+)?(?=:\d|/|$)")


def _pod_labels(deployment: dict[str, Any]) -> dict[str, Any]:
    return (((deployment.get("spec") or {}).get("template") or {}).get("metadata") or {}).get("labels") or {}


def _called_names(deployment: dict[str, Any]) -> set[str]:
    """Service names a Deployment's env values call as `name:port`, `//name` or `name.<ns>.svc...`."""
    containers = (((deployment.get("spec") or {}).get("template") or {}).get("spec") or {}).get("containers") or []
    values = [e.get("value") for c in containers for e in c.get("env") or []]
    return {name for v in values if isinstance(v, str) for name in _CALLED_HOST.findall(v)}


def topology(stack: str, objs: list[dict[str, Any]]) -> str:
    """A Mermaid flowchart: external callers -> public Services -> Deployments; aliases -> external hosts."""
    services, deployments = _services(objs), [o for o in objs if o.get("kind") == "Deployment"]
    slices = _alias_ips(objs)
    lines = ["flowchart LR", '  callers(("external callers"))']
    by_ns: dict[str, list[str]] = {}
    edges: list[str] = []
    # Indexes keep this linear in the number of objects: (namespace, label, value) -> Deployments, name -> callers.
    by_label: dict[tuple[str, str, Any], set[int]] = {}
    callers: dict[str, set[int]] = {}
    for i, d in enumerate(deployments):
        meta, spec = d.get("metadata") or {}, d.get("spec") or {}
        label = f"Deployment {meta.get('name')}<br/>{spec.get('replicas', 1)} replica(s)"
        by_ns.setdefault(meta.get("namespace") or "default", []).append(f'    {_node_id("d", d)}["{label}"]')
        for key, value in _pod_labels(d).items():
            by_label.setdefault((str(meta.get("namespace")), key, value), set()).add(i)
        for name in _called_names(d):
            callers.setdefault(name, set()).add(i)
    for s in services:
        meta, spec = s.get("metadata") or {}, s.get("spec") or {}
        kind = spec.get("type", "ClusterIP")
        ports = ", ".join(str(p["port"]) for p in spec.get("ports") or [])
        sid = _node_id("s", s)
        by_ns.setdefault(meta.get("namespace") or "default", []).append(
            f'    {sid}{{{{"Service {meta.get("name")}<br/>{kind} :{ports or "-"}"}}}}'
        )
        if kind in ("NodePort", "LoadBalancer"):
            edges.append(f"  callers -->|{kind}| {sid}")
        selector = spec.get("selector") or {}
        selected: set[int] = set()
        if selector:
            groups = [by_label.get((str(meta.get("namespace")), k, v), set()) for k, v in selector.items()]
            selected = set.intersection(*groups)
        calling = callers.get(str(meta.get("name")), set())
        for i in sorted(selected | calling):
            if i in selected:
                edges.append(f"  {sid} --> {_node_id('d', deployments[i])}")
            if i in calling:
                edges.append(f"  {_node_id('d', deployments[i])} -.->|calls| {sid}")
        external = [spec["externalName"]] if kind == "ExternalName" else slices.get(str(meta.get("name")), [])
        for host in external:
            hid = re.sub(r"[^A-Za-z0-9_]", "_", f"ext_{host}")
            lines.append(f'  {hid}[("{host}")]')
            edges.append(f"  {sid} -->|alias| {hid}")
    for namespace, members in sorted(by_ns.items()):
        lines.append(f'  subgraph ns_{re.sub(r"[^A-Za-z0-9_]", "_", namespace)}["namespace {namespace}"]')
        lines.extend(members)
        lines.append("  end")
    lines.extend(edges)
    body = "\n".join(lines)
    return f"# Topology of stack `{stack}`\n\n```mermaid\n{body}\n```\n"


# -- writing ---------------------------------------------------------------------------------
def render(project: Project, stack: str) -> Rendered:
    """Run `stack` and build every file of its render (nothing is written)."""
    result, config = run_stack(project, stack)
    return render_run(result, stack, config.values, config.secret_keys)


def render_run(
    result: ProgramRun, stack: str, config: Mapping[str, str] | None = None, secret_keys: Sequence[str] = ()
) -> Rendered:
    """Build every file of a render from a finished program run (nothing is written)."""
    objs = manifests(result)
    warnings = list(result.warnings)
    if secret_keys:
        warnings.append(
            f"secure config values cannot be decrypted offline and render as {REDACTED!r}: " + ", ".join(secret_keys)
        )
    for reg in result.k8s():
        if reg.custom and not (reg.inputs.get("metadata") or {}).get("name"):
            warnings.append(
                f"{reg.kind} '{reg.name}' has no metadata.name: pulumi up gives it a random suffix, "
                f"so its real name will differ from '{reg.object_name}'"
            )
    node_address = (config or {}).get("kubexpose:nodeAddress")
    texts = [to_yaml(obj) for obj in objs]
    files: dict[str, str] = {file_name(i, obj): text for i, (obj, text) in enumerate(zip(objs, texts, strict=True), 1)}
    files["all.yaml"] = "---\n".join(texts)
    files["summary.txt"] = summary(objs, node_address)
    files["topology.md"] = topology(stack, objs)
    return Rendered(stack, objs, files, warnings)


def write_atomically(rendered: Rendered, out: Path) -> None:
    """Replace `out` with the render in one step; a failure leaves the previous render intact."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        for name, text in rendered.files.items():
            (staging / name).write_text(text)
        backup = out.parent / f".{out.name}.old"
        if backup.exists():
            shutil.rmtree(backup)
        if out.exists():
            out.rename(backup)
        staging.rename(out)
        if backup.exists():
            shutil.rmtree(backup)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
