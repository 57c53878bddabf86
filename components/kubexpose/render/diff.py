"""`kubexpose diff OLD NEW`: what changes between two renders, and the risks a reviewer must look at.

OLD and NEW are render folders (`kubexpose render --out`). Objects are matched by kind, namespace
and name; a changed object lists its changed fields as `path: old -> new` in a stable order. Renders of
two stacks often differ in namespace (`shop-dev`, `shop-prod`): when every namespaced object of OLD is in
one namespace and every one of NEW in another, the two are paired (objects and the Namespace object
itself) and the report says so; `--map-namespace OLD=NEW` pairs them explicitly. The
risk rules (:mod:`kubexpose.render.risk`) run over every pair. A render never holds a Secret's
values (they are left out of it), so none can appear in a report.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..k8s.validation import SECRET_SHOWN
from . import identity
from .findings import match_labels, rank
from .identity import IdentityFile
from .risk import CLASSES, RULES, Finding, moved, namespace_of, traffic_shifts

Key = tuple[str, str, str]


@dataclass
class Change:
    key: Key
    status: str
    """`added`, `removed`, `changed` or `renamed` (an object of a renamed app, compared with its old self)."""
    fields: list[tuple[str, Any, Any]] = field(default_factory=list)
    """Changed fields as `(path, old, new)` (a missing side is None)."""
    renamed_from: Key | None = None
    """For `renamed`: the key of the object before."""
    cluster: str = ""
    """In a fleet render, the cluster's folder (:mod:`kubexpose.render.fleet`); empty for a render of one cluster."""

    @property
    def ref(self) -> str:
        kind, namespace, name = self.key
        return f"{kind} {namespace}/{name}" if namespace else f"{kind} {name}"

    @property
    def shown(self) -> str:
        """`ref` in backquotes, with the cluster in a fleet render."""
        return f"`{self.ref}` in cluster `{self.cluster}`" if self.cluster else f"`{self.ref}`"


@dataclass
class Report:
    old: str
    new: str
    changes: list[Change]
    findings: list[Finding]
    namespaces: dict[str, str] = field(default_factory=dict)
    """Namespaces of OLD paired with namespaces of NEW (objects compared as if OLD's had NEW's)."""
    paired_automatically: bool = False
    notes: list[str] = field(default_factory=list)
    """What the report could not compare, and why (e.g. a render made before identity files)."""

    def raised(self, classes: set[str]) -> list[Finding]:
        return [f for f in self.findings if f.raised and f.cls in classes]


class DiffError(Exception):
    """A folder is not a render (the message says which and why)."""


def load(folder: Path) -> dict[Key, dict[str, Any]]:
    """The objects of a render folder, by kind, namespace and name."""
    if not folder.is_dir():
        raise DiffError(f"{folder} is not a folder; give two folders written by `kubexpose render`")
    files = sorted(p for p in folder.glob("*.yaml") if p.name != "all.yaml")  # all.yaml: renders before 0.3
    if not files and not (folder / ".kubexpose-render").is_file():
        raise DiffError(f"{folder} holds no render; give a folder written by `kubexpose render`")
    out: dict[Key, dict[str, Any]] = {}
    for path in files:
        for obj in yaml.safe_load_all(path.read_text()):
            if isinstance(obj, dict) and obj.get("kind"):
                obj = _redacted(obj)
                meta = obj.get("metadata") or {}
                out[(str(obj["kind"]), namespace_of(obj), str(meta.get("name")))] = obj
    return out


def paired_namespaces(old: Mapping[Key, dict[str, Any]], new: Mapping[Key, dict[str, Any]]) -> dict[str, str]:
    """`{OLD: NEW}` when every namespaced object of each render is in one namespace and the two differ."""
    before = {ns for _, ns, _ in old if ns}
    after = {ns for _, ns, _ in new if ns}
    if len(before) == 1 and len(after) == 1 and before != after:
        return {before.pop(): after.pop()}
    return {}


def moved_to(objs: Mapping[Key, dict[str, Any]], namespaces: Mapping[str, str]) -> dict[Key, dict[str, Any]]:
    """`objs` as if their namespaces had the paired names: namespaced objects and the Namespace objects."""
    out: dict[Key, dict[str, Any]] = {}
    for (kind, namespace, name), obj in objs.items():
        if namespace in namespaces:
            namespace = namespaces[namespace]
            obj = {**obj, "metadata": {**(obj.get("metadata") or {}), "namespace": namespace}}
        elif kind == "Namespace" and name in namespaces:
            name = namespaces[name]
            meta = dict(obj.get("metadata") or {})
            meta["name"] = name
            labels = meta.get("labels")
            if isinstance(labels, dict) and "kubernetes.io/metadata.name" in labels:
                meta["labels"] = {**labels, "kubernetes.io/metadata.name": name}
            obj = {**obj, "metadata": meta}
        out[(kind, namespace, name)] = obj
    return out


def _redacted(obj: dict[str, Any]) -> dict[str, Any]:
    """A Secret's values never reach a report (a render leaves Secrets out; a hand-made folder may not)."""
    if obj.get("kind") != "Secret":
        return obj
    out = dict(obj)
    for key in ("data", "stringData"):
        if isinstance(out.get(key), dict):
            out[key] = {k: SECRET_SHOWN for k in out[key]}
    return out


def _flatten(value: Any, path: str = "") -> dict[str, Any]:
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key in sorted(value):
            out.update(_flatten(value[key], f"{path}.{key}" if path else str(key)))
        return out or {path: {}}
    if isinstance(value, list):
        out = {}
        for i, item in enumerate(value):
            out.update(_flatten(item, f"{path}[{i}]"))
        return out or {path: []}
    return {path: value}


def diff(
    old: Mapping[Key, dict[str, Any]],
    new: Mapping[Key, dict[str, Any]],
    old_name: str = "OLD",
    new_name: str = "NEW",
    namespaces: Mapping[str, str] | None = None,
    identities: tuple[IdentityFile | None, IdentityFile | None] | None = None,
) -> Report:
    """The changes from `old` to `new` and the risk findings, both in a stable order.

    `namespaces` pairs namespaces of `old` with those of `new`; None pairs them when each render has
    one namespace (see :func:`paired_namespaces`). `identities` are the two renders' identity files
    (:mod:`kubexpose.render.identity`, None for a render that has none): with both, of one project and stack,
    resources are paired by URN too; without the argument URNs are not compared and no note says so."""
    automatic = namespaces is None
    pairs = dict(paired_namespaces(old, new) if namespaces is None else namespaces)
    if pairs:
        old = moved_to(old, pairs)
    changes: list[Change] = []
    findings: list[Finding] = []
    notes: list[str] = []
    renamed = renamed_apps(old, new)
    renamed_to = {before: (app, after) for app in renamed for before, after in app.objects}
    renamed_new = {after for _, after in renamed_to.values()}
    for key in sorted(set(old) | set(new)):
        if key in renamed_new:
            continue
        before, after = old.get(key), new.get(key)
        status = "changed"
        judged = before
        if key in renamed_to:
            app, new_key = renamed_to[key]
            after, status = new[new_key], "renamed"
            judged = app.as_renamed(old[key], after)  # the rules judge what else changed, not the new names
        if before == after and status == "changed":
            continue
        for rule in RULES:
            findings += rule(judged, after)
        if before is None:
            changes.append(Change(key, "added"))
        elif after is None:
            changes.append(Change(key, "removed"))
        else:
            flat_old, flat_new = _flatten(before), _flatten(after)
            fields = [
                (path, flat_old.get(path), flat_new.get(path))
                for path in sorted(set(flat_old) | set(flat_new))
                if flat_old.get(path) != flat_new.get(path) and not (status == "renamed" and path == "metadata.name")
            ]
            if status == "renamed":
                changes.append(Change(renamed_to[key][1], status, fields, renamed_from=key))
            else:
                changes.append(Change(key, status, fields))
    findings += [finding for app in renamed for finding in app.findings(old, new)]
    removed = [old[k] for k in old if k not in new and k not in renamed_to]
    findings += moved(removed, [new[k] for k in new if k not in old and k not in renamed_new]) + traffic_shifts(
        old, new
    )
    if identities is not None:
        found, note = identity_findings(*identities, old_name, new_name)
        findings += found
        notes += [note] if note else []
    findings.sort(key=lambda f: (*rank(f), f.obj))  # stable: each rule's own order within
    return Report(old_name, new_name, changes, findings, pairs, automatic and bool(pairs), notes)


APP_LABEL = "app.kubernetes.io/name"


@dataclass
class RenamedApp:
    """An app whose objects all changed name with it: one removed and one added set of the same kinds."""

    old: str
    new: str
    objects: list[tuple[Key, Key]]
    """`(old key, new key)` for each object, paired by kind."""

    def as_renamed(self, obj: dict[str, Any], like: dict[str, Any]) -> dict[str, Any]:
        """`obj` as if it had always had the new name: a value that is the old app name (or starts with `<old>-` or
        `<old>.`) takes the new one where `like` (the new object) holds exactly that, so that the rules judge only
        what else changed. A value the new object keeps (an adopted selector `app: cache`) stays as it is."""

        def swap(value: Any, new: Any) -> Any:
            if isinstance(value, dict):
                return {k: swap(v, new.get(k) if isinstance(new, dict) else None) for k, v in value.items()}
            if isinstance(value, list):
                others = new if isinstance(new, list) else []
                return [swap(v, others[i] if i < len(others) else None) for i, v in enumerate(value)]
            if isinstance(value, str) and (value == self.old or value.startswith((f"{self.old}-", f"{self.old}."))):
                renamed = self.new + value[len(self.old) :]  # a name derived from the app's, or its cluster DNS name
                return renamed if renamed == new else value
            return value

        return swap(obj, like)

    def findings(self, old: Mapping[Key, dict[str, Any]], new: Mapping[Key, dict[str, Any]]) -> list[Finding]:
        """The rename itself, and the selector both sides keep (an adopted one), which overlaps while both exist."""
        kinds = ", ".join(k for (k, _, _), _ in self.objects)
        namespace = self.objects[0][1][1]
        out = [
            Finding(
                "replacement",
                True,
                f"app {namespace}/{self.old}",
                f"renamed to {self.new!r}: its objects ({kinds}) get new names, so pulumi creates new ones, then "
                f"deletes the old (new Pods, a new ClusterIP, the DNS name {self.new!r} instead of {self.old!r}; "
                f"callers of {self.old!r} fail from the delete on)",
                f"that nothing calls {self.old!r} any more. To rename without an outage, take two `pulumi up`s: first "
                f"declare {self.new!r} beside {self.old!r} (a second component with the same arguments, no `adopt`) "
                f"and move every caller to {self.new!r}; then remove {self.old!r}. To keep the live objects instead, "
                f"keep the component's name {self.old!r} (an alias keeps a Pulumi resource, never a Kubernetes name)",
            )
        ]
        for before, after in self.objects:
            if before[0] != "Deployment":
                continue
            kept = match_labels(old[before])
            if kept and kept == match_labels(new[after]):
                shown = ", ".join(f"{k}: {v}" for k, v in sorted(kept.items()))
                out.append(
                    Finding(
                        "replacement",
                        True,
                        f"Deployment {namespace}/{self.new}",
                        f"keeps the selector {{{shown}}} of Deployment {self.old!r} (an adopted selector): while pulumi "
                        f"creates {self.new!r} before it deletes {self.old!r}, the new Deployment, Service and "
                        f"PodDisruptionBudget select the old Pods too, the old Service selects the new Pods, and the "
                        "two Deployments' selectors overlap (Kubernetes: controllers with overlapping selectors fight)",
                        f"drop `adopt.selector` from {self.new!r}: its objects then select "
                        f"app.kubernetes.io/name: {self.new} (a new app has no live selector to keep)",
                    )
                )
        return out


def renamed_apps(old: Mapping[Key, dict[str, Any]], new: Mapping[Key, dict[str, Any]]) -> list[RenamedApp]:
    """Apps (objects sharing an `app.kubernetes.io/name` label) gone from `old` and one new in `new` with the same
    kinds in the same namespace: paired when the match is unique both ways."""

    def groups(objs: Mapping[Key, dict[str, Any]], others: Mapping[Key, dict[str, Any]]) -> dict[str, list[Key]]:
        apps: dict[str, list[Key]] = {}
        for key, obj in objs.items():
            label = ((obj.get("metadata") or {}).get("labels") or {}).get(APP_LABEL)
            if isinstance(label, str):
                apps.setdefault(label, []).append(key)
        in_others = {((o.get("metadata") or {}).get("labels") or {}).get(APP_LABEL) for o in others.values()}
        return {app: sorted(keys) for app, keys in apps.items() if app not in in_others}

    def shape(keys: list[Key]) -> tuple[Any, ...]:
        return tuple(sorted((kind, namespace) for kind, namespace, _ in keys))

    gone, came = groups(old, new), groups(new, old)
    out = []
    for app, keys in sorted(gone.items()):
        matches = [b for b, other in came.items() if shape(other) == shape(keys)]
        back = [a for a, other in gone.items() if matches and shape(other) == shape(came[matches[0]])]
        if len(matches) == 1 and back == [app]:
            by_kind = {(k, ns): key for key in came[matches[0]] for k, ns, _ in [key]}
            out.append(RenamedApp(app, matches[0], [(key, by_kind[(key[0], key[1])]) for key in keys]))
    return out


def identity_findings(
    old_ids: IdentityFile | None, new_ids: IdentityFile | None, old_name: str, new_name: str
) -> tuple[list[Finding], str | None]:
    """Resources whose Kubernetes object stays while their URN changes: with no alias the engine deletes the live
    object (raised); with one it keeps it (lowered). Or, when the two renders cannot be compared so, why not."""
    if old_ids is None or new_ids is None:
        missing = [n for n, i in ((old_name, old_ids), (new_name, new_ids)) if i is None]
        return [], (
            f"{' and '.join(missing)} {'has' if len(missing) == 1 else 'have'} no {identity.FILE} (a render made "
            "before kubexpose 0.3.0): Pulumi identities (URNs) are not compared, so a resource whose URN changes "
            "while its object stays is not found"
        )
    if (old_ids.project, old_ids.stack) != (new_ids.project, new_ids.stack):
        return [], (
            f"the renders are of different stacks ({old_ids.project}/{old_ids.stack} and "
            f"{new_ids.project}/{new_ids.stack}): Pulumi identities (URNs) are compared only within one stack"
        )
    old, new = old_ids.resources, new_ids.resources
    out = []
    for change in identity.compare(old, new):
        before, after = change.old, change.new
        if before is None or after is None or before.object is None:
            continue
        if change.what == "moved":
            out.append(
                Finding(
                    "replacement",
                    True,
                    after.ref,
                    f"its Pulumi resource changes from `{before.urn}` to `{after.urn}` and no alias keeps it: the "
                    "engine creates the new resource and deletes the old one, and that delete removes the live object",
                    "keep it: " + identity.keeping_alias(change, new),
                )
            )
        elif change.what == "aliased":
            out.append(
                Finding(
                    "replacement",
                    False,
                    after.ref,
                    f"its Pulumi resource moves from `{before.urn}` to `{after.urn}`; an alias keeps the live object",
                    "that the alias stays until every stack has run `pulumi up` once",
                )
            )
    return out, None


def _text_change(path: str, old: Any, new: Any) -> list[str]:
    """A change of a text of several lines (a config file in a ConfigMap) as a unified diff; none for anything else."""
    texts = [v for v in (old, new) if v is not None]
    if not texts or not all(isinstance(v, str) for v in texts) or not any("\n" in v.rstrip("\n") for v in texts):
        return []
    body = difflib.unified_diff((old or "").splitlines(), (new or "").splitlines(), "before", "after", lineterm="", n=2)
    return [f"  - `{path}`:", "", "    ```diff", *(f"    {line}" for line in body), "    ```", ""]


def _show(value: Any) -> str:
    return "(none)" if value is None else json.dumps(value) if not isinstance(value, str) else value


_TITLES = {
    "exposure": "Exposure",
    "replacement": "Replacement / downtime",
    "data": "Data",
    "availability": "Availability",
    "security": "Security",
}


def markdown(report: Report) -> str:
    """The report as a reviewer reads it in a pull request: risks first, then every change."""
    lines = [f"# kubexpose diff: `{report.old}` → `{report.new}`", ""]
    added = sum(c.status == "added" for c in report.changes)
    removed = sum(c.status == "removed" for c in report.changes)
    changed = sum(c.status == "changed" for c in report.changes)
    renamed = sum(c.status == "renamed" for c in report.changes)
    lines.append(f"{added} added, {removed} removed, {changed} changed" + (f", {renamed} renamed." if renamed else "."))
    lines.append("")
    if report.namespaces:
        how = (
            "every namespaced object of each render is in one namespace"
            if report.paired_automatically
            else "--map-namespace"
        )
        shown = ", ".join(f"`{a}` → `{b}`" for a, b in sorted(report.namespaces.items()))
        lines += [f"Namespaces paired ({how}): {shown}; objects are compared across them.", ""]
    lines += [f"Note: {note}." for note in report.notes] + ([""] if report.notes else [])
    if not report.findings:
        lines += ["No risk found.", ""]
    for cls in CLASSES:
        found = [f for f in report.findings if f.cls == cls]
        if not found:
            continue
        lines += [f"## {_TITLES[cls]}", ""]
        for f in found:
            mark = "⚠️" if f.raised else "✅"
            lines.append(f"- {mark} **{f.where}**: {f.reason}. Check: {f.check}.")
        lines.append("")
    lines += ["## Changes", ""]
    for c in report.changes:
        if c.status not in ("changed", "renamed"):
            lines.append(f"- {c.status} {c.shown}")
            continue
        if c.renamed_from is not None:
            lines.append(f"- renamed `{Change(c.renamed_from, '').ref}` → {c.shown}")
        else:
            lines.append(f"- changed {c.shown}")
        for path, a, b in c.fields:
            lines += _text_change(path, a, b) or [f"  - `{path}`: {_show(a)} → {_show(b)}"]
    return "\n".join(lines).rstrip() + "\n"


def as_json(report: Report) -> str:
    return (
        json.dumps(
            {
                "old": report.old,
                "new": report.new,
                "namespaces": report.namespaces,
                "notes": report.notes,
                "findings": [
                    {
                        "class": f.cls,
                        "raised": f.raised,
                        "object": f.obj,
                        "reason": f.reason,
                        "check": f.check,
                        **({"cluster": f.cluster} if f.cluster else {}),
                    }
                    for f in report.findings
                ],
                "changes": [
                    {
                        "object": c.ref,
                        **({"cluster": c.cluster} if c.cluster else {}),
                        "status": c.status,
                        **({"from": Change(c.renamed_from, "").ref} if c.renamed_from else {}),
                        "fields": [{"path": p, "old": a, "new": b} for p, a, b in c.fields],
                    }
                    for c in report.changes
                ],
            },
            indent=2,
            sort_keys=True,
        )
        + "\n"
    )
