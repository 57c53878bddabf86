"""Offline render: the manifests `pulumi up` would apply for a stack, without a cluster or the Pulumi CLI.

The program runs in-process under the recording mocks (:mod:`kubexpose.engine`) with the
stack's config loaded as Pulumi loads it (:mod:`kubexpose.stackfiles`). Each Kubernetes
object becomes one YAML file, numbered so `kubectl apply -f DIR` creates namespaces first, and
appears once: `kubectl apply -f DIR`, `kubectl create -f DIR` and `kubectl apply -k DIR` read each
object once. `Kustomization` (kustomize's third file name, without an extension, so `kubectl -f`
skips it) lists the numbered files for `-k`, Argo CD and Flux. `summary.txt` and `topology.md` say
how each Service is reached. Secrets holding data are never written: `secrets-to-create.txt` gives
the `kubectl create secret` command for each. kubectl reads only .yaml, .yml and .json files of a
folder, so none of these reports is taken for an object.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..engine.programs import path_program, project_context
from ..engine.run import ClusterMocks, ProgramRun, run_program
from ..stackfiles import Project, StackConfig
from . import fleet, identity
from .manifests import (
    KUSTOMIZATION,
    REDACTED,
    SecretToCreate,
    file_name,
    kustomization,
    manifests,
    split_secrets,
    to_yaml,
)
from .report import (
    SECRETS_FILE,
    namespaces_summary,
    not_checked_summary,
    secrets_script,
    secrets_summary,
    summary,
    topology,
)
from .writer import write_render


@dataclass
class Rendered:
    """A rendered stack: ordered manifests and the texts written next to them."""

    stack: str
    manifests: list[dict[str, Any]]
    """The objects written (every one but the Secrets holding data)."""
    files: dict[str, str]
    warnings: list[str] = field(default_factory=list)
    secrets: list[SecretToCreate] = field(default_factory=list)
    """Secrets left out of the files: values are never written; `secrets-to-create.txt` says how to create them."""
    path: list[str] = field(default_factory=list)
    """Which components took the fast path and why others did not (`ProgramRun.path`)."""
    clusters: list[fleet.Cluster] = field(default_factory=list)
    """With objects for more than one cluster, the clusters (one folder each); empty for one cluster."""


class RenderError(Exception):
    """The program or its config failed; the message is the program's own error."""


# -- running a project's program -------------------------------------------------------------
def run_stack(
    project: Project, stack: str, mocks: ClusterMocks | None = None, *, reclaim: bool = True, fast: bool = True
) -> tuple[ProgramRun, StackConfig]:
    """Run the project's program for `stack` under the mocks, as `pulumi up` would run it.

    `reclaim=False` suits a process that renders once and exits (see :func:`run_program`). `fast=False`
    keeps every component on the SDK path (the fast path, :mod:`kubexpose.engine.fast`, renders the same bytes)."""
    config = project.stack_config(stack)
    entry = project.entry
    if not entry.is_file():
        raise RenderError(f"{entry}: the program Pulumi would run does not exist")
    with config.errors_name_the_file(), project_context(project.directory):
        result = run_program(
            path_program(entry),
            stack=stack,
            project=project.name,
            config=config.values,
            secret_keys=config.secret_keys,
            mocks=mocks,
            reclaim=reclaim,
            fast=fast,
        )
    return result, config


def render(project: Project, stack: str, *, reclaim: bool = True, fast: bool = True) -> Rendered:
    """Run `stack` and build every file of its render (nothing is written); `fast` as in :func:`run_stack`."""
    result, config = run_stack(project, stack, reclaim=reclaim, fast=fast)
    rendered = render_run(result, stack, config.values, config.secret_keys)
    rendered.path = result.path
    return rendered


def render_run(
    result: ProgramRun, stack: str, config: Mapping[str, str] | None = None, secret_keys: Sequence[str] = ()
) -> Rendered:
    """Build every file of a render from a finished program run (nothing is written): one folder's files, or with
    objects for more than one cluster a folder per cluster (:mod:`kubexpose.render.fleet`)."""
    warnings = list(result.warnings)
    if secret_keys:
        warnings.append(
            f"secure config values cannot be decrypted offline and render as {REDACTED!r}: " + ", ".join(secret_keys)
        )
    found = fleet.clusters(result)
    node_address = (config or {}).get("kubexpose:nodeAddress")
    if len(found) <= 1:
        return _render_cluster(result, stack, node_address, warnings)
    files: dict[str, str] = {}
    counts: dict[fleet.Cluster, int] = {}
    objs: list[dict[str, Any]] = []
    secrets: list[SecretToCreate] = []
    for cluster, part in fleet.split(result, found):
        # The node address is the default cluster's (the stack's config names one address).
        one = _render_cluster(part, stack, None if cluster.provider else node_address, [])
        files.update({f"{cluster.folder}/{name}": text for name, text in one.files.items()})
        counts[cluster] = len(one.manifests)
        objs += one.manifests
        secrets += one.secrets
        warnings += [f"cluster {cluster.folder}: {w}" for w in one.warnings]
    files[fleet.CLUSTERS_FILE] = fleet.clusters_text(found)
    files["summary.txt"] = fleet.top_summary(stack, counts, not_checked_summary(warnings))
    return Rendered(stack, objs, files, warnings, secrets, clusters=list(counts))


def _render_cluster(result: ProgramRun, stack: str, node_address: str | None, warnings: list[str]) -> Rendered:
    """The files of one cluster's render (`node_address` for its summary's node-port URLs); `warnings` are the
    program's (its own are added)."""
    objs, secrets = split_secrets(manifests(result, share=True))  # the render changes no object
    warnings = list(warnings)
    for reg in result.k8s():
        if reg.custom and not (reg.inputs.get("metadata") or {}).get("name"):
            warnings.append(
                f"{reg.kind} '{reg.name}' has no metadata.name: pulumi up gives it a random suffix, "
                f"so its real name will differ from '{reg.object_name}'"
            )
    texts = [to_yaml(obj) for obj in objs]
    files: dict[str, str] = {file_name(i, obj): text for i, (obj, text) in enumerate(zip(objs, texts, strict=True), 1)}
    files[KUSTOMIZATION] = kustomization(list(files))
    files["summary.txt"] = (
        summary(objs, node_address)
        + namespaces_summary(objs, secrets)
        + secrets_summary(secrets)
        + not_checked_summary(warnings)
    )
    if secrets:
        files[SECRETS_FILE] = secrets_script(secrets)
    files["topology.md"] = topology(stack, objs)
    found = identity.identities(result)
    project = found[0].urn.split("::")[1] if found else ""
    files[identity.FILE] = identity.to_text(found, project, stack)
    return Rendered(stack, objs, files, warnings, secrets)


def write_atomically(rendered: Rendered, out: Path) -> None:
    """Replace `out` with the render in one step, only if `out` is new, empty or a previous render
    (:func:`kubexpose.render.writer.write_render`); raises :class:`~kubexpose.render.writer.OutputRefusedError`."""
    write_render(rendered.files, out)
