"""A fleet program's render: one folder per cluster, so no tool reading a folder puts one cluster's objects into another.

A program deploys to several clusters through one explicit `kubernetes.Provider` each (and the stack's default
provider). The objects of each go into their own folder, named after the provider resource (`default` for the
stack's default provider), each a whole render: its numbered objects, Kustomization, summary, topology, identity and
Secrets to create. The top folder holds no object and no Kustomization (`kubectl apply -k` of it fails instead of
mixing clusters), only :data:`CLUSTERS_FILE` and a summary listing the clusters. A program whose objects all go to one
cluster keeps the single-folder layout (whatever its provider).

Which cluster a resource belongs to: a Kubernetes object's is its provider's (the registration's provider reference,
explicit or inherited from a parent's `providers`); a provider resource's is its own. A component, or a resource of
another package, belongs to every cluster its children deploy to, and one with none to every cluster: the identity
file of each folder then holds the whole parent chain of its objects.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..engine.run import ProgramRun, Registration
from . import identity
from .diff import DiffError, Report, diff, load
from .findings import rank

CLUSTERS_FILE = "clusters.txt"
"""The top file of a fleet render: one cluster a line, `folder<TAB>provider URN` (not .yaml: kubectl skips it)."""
DEFAULT = "default"
"""The folder of the objects the stack's default kubernetes provider deploys."""
PROVIDER_TYPE = "pulumi:providers:kubernetes"


@dataclass(frozen=True)
class Cluster:
    """One cluster of a program: the folder of its render and the provider that deploys to it."""

    folder: str
    provider: str
    """The kubernetes provider's URN; empty for the stack's default provider."""


def _name(urn: str) -> str:
    return urn.split("::", 3)[3]


def _folder(name: str) -> str:
    """A folder name for a provider's Pulumi name (which may hold `/`, spaces, anything)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "provider"


def _own_cluster(reg: Registration) -> str | None:
    """The provider URN a registration deploys through ("" for the default), or None when it writes no object."""
    if reg.type == PROVIDER_TYPE:
        return reg.urn
    if reg.custom and reg.kind is not None:
        return reg.provider
    return None


def clusters(run: ProgramRun) -> list[Cluster]:
    """The clusters `run` deploys objects to, by folder name; one folder name per provider (a clash gets `-2`...)."""
    deployed = {r.provider for r in run.registrations if r.custom and r.kind is not None}
    out: list[Cluster] = []
    taken: set[str] = set()
    for provider in sorted(deployed, key=lambda p: (p != "", _name(p) if p else "", p)):
        base = _folder(_name(provider)) if provider else DEFAULT
        folder, n = base, 1
        while folder in taken:
            n += 1
            folder = f"{base}-{n}"
        taken.add(folder)
        out.append(Cluster(folder, provider))
    return sorted(out, key=lambda c: c.folder)


def split(run: ProgramRun, found: Sequence[Cluster]) -> list[tuple[Cluster, ProgramRun]]:
    """`run`'s registrations by cluster (each in registration order: a parent before its children)."""
    by_urn = {r.urn: r for r in run.registrations}
    reach: dict[str, set[str]] = {}
    for reg in run.registrations:
        own = _own_cluster(reg)
        if own is None:
            continue
        parent = reg.parent
        while parent and parent in by_urn:
            reach.setdefault(parent, set()).add(own)
            parent = by_urn[parent].parent
    everywhere = {c.provider for c in found}
    out = []
    for cluster in found:
        regs = []
        for reg in run.registrations:
            own = _own_cluster(reg)
            if own is not None and reg.type != PROVIDER_TYPE:
                ours = own == cluster.provider
            else:
                ours = cluster.provider in (reach.get(reg.urn) or ({own} if own is not None else everywhere))
            if ours:
                regs.append(reg)
        out.append((cluster, ProgramRun(regs, {})))
    return out


def top_summary(stack: str, counts: Mapping[Cluster, int], not_checked: str) -> str:
    """The top folder's summary: the clusters, where each one's render is and how to apply it."""
    lines = [
        f"Stack '{stack}' deploys to {len(counts)} clusters: one folder each, a whole render of that cluster's "
        "objects. Apply each folder with its own cluster's context (never this folder at once: `kubectl apply -R` "
        "would put every cluster's objects into one).",
        "",
    ]
    width = max(len(c.folder) for c in counts) + 1
    for cluster, count in counts.items():
        provider = cluster.provider or "the stack's default kubernetes provider"
        lines.append(f"  {cluster.folder + '/':<{width}}  {count:>4} objects  {provider}")
    lines += ["", "  kubectl --context <the cluster's context> apply -k <folder>/", ""]
    return "\n".join(lines) + not_checked


def clusters_text(found: Sequence[Cluster]) -> str:
    header = "# The clusters of this render: `folder<TAB>provider URN` (empty: the stack's default provider).\n"
    return header + "".join(f"{c.folder}\t{c.provider}\n" for c in found)


def read_clusters(folder: Path) -> list[Cluster] | None:
    """The clusters of a fleet render folder, or None when `folder` is a single-cluster render."""
    path = folder / CLUSTERS_FILE
    if not path.is_file():
        return None
    out = []
    for line in path.read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, provider = line.partition("\t")
            out.append(Cluster(name, provider))
    return out


# -- `kubexpose diff` of fleet renders ----------------------------------------------------------------
def diff_folders(
    old: Path, new: Path, old_name: str, new_name: str, namespaces: Mapping[str, str] | None = None
) -> Report:
    """:func:`kubexpose.render.diff.diff` of two render folders, cluster with cluster when either is a fleet render:
    clusters are paired by folder (provider name); a render of one cluster is paired with the cluster of the other
    that holds most of its Pulumi resources (URNs). Every change and finding names its cluster."""
    old_clusters, new_clusters = _folders(old), _folders(new)
    if old_clusters is None and new_clusters is None:
        ids = (identity.load(old), identity.load(new))
        return diff(load(old), load(new), old_name, new_name, namespaces=namespaces, identities=ids)
    olds = old_clusters if old_clusters is not None else {"": old}
    news = new_clusters if new_clusters is not None else {"": new}
    notes: list[str] = []
    if "" in olds or "" in news:
        lone, others, side = (old, news, new_name) if "" in olds else (new, olds, old_name)
        partner = _partner(lone, others)
        notes.append(
            f"{old_name if lone == old else new_name} is a render of one cluster: it is compared with {side}'s cluster "
            f"`{partner}` (the most Pulumi resources in common)"
        )
        if "" in olds:
            olds = {partner: olds.pop("")}
        else:
            news = {partner: news.pop("")}
    changes, findings, paired = [], [], {}
    for cluster in sorted(set(olds) | set(news)):
        before, after = olds.get(cluster), news.get(cluster)
        if before is None or after is None:
            notes.append(
                f"cluster `{cluster}` is only in {new_name if before is None else old_name}: "
                + ("every object of it is added" if before is None else "`pulumi up` deletes every object of it")
            )
        both = None if before is None or after is None else (identity.load(before), identity.load(after))
        one = diff(
            load(before) if before is not None else {},
            load(after) if after is not None else {},
            old_name,
            new_name,
            namespaces=namespaces,
            identities=both,
        )
        changes += [replace(c, cluster=cluster) for c in one.changes]
        findings += [replace(f, cluster=cluster) for f in one.findings]
        notes += [f"cluster `{cluster}`: {note}" for note in one.notes]
        paired.update(one.namespaces)
    findings.sort(key=rank)  # stable: each cluster's own order within
    return Report(old_name, new_name, changes, findings, paired, namespaces is None and bool(paired), notes)


def _folders(render: Path) -> dict[str, Path] | None:
    """A fleet render's cluster folders by name; None for a render of one cluster."""
    if not render.is_dir():
        raise DiffError(f"{render} is not a folder; give two folders written by `kubexpose render`")
    found = read_clusters(render)
    return None if found is None else {c.folder: render / c.folder for c in found}


def _partner(lone: Path, clusters: Mapping[str, Path]) -> str:
    """The cluster of a fleet render holding most of `lone`'s URNs (ties: `default`, then the first by name)."""
    ours = {i.urn for i in (identity.load(lone) or identity.IdentityFile("", "", [])).resources}

    def common(name: str) -> tuple[int, bool]:
        theirs = identity.load(clusters[name])
        return len(ours & {i.urn for i in theirs.resources}) if theirs else 0, name == DEFAULT

    return max(sorted(clusters), key=common)
