"""Pulumi identity: which resource (URN) writes which Kubernetes object, and what the engine does when it changes.

The Pulumi engine pairs the resources of two runs by URN (type token, parent chain, name), not by the
Kubernetes object they write. A resource whose URN changes while its object stays the same is planned
as a create of the new URN and a delete of the old one: under server-side apply the create takes the live
object over and the delete then removes it. Only an alias (`ResourceOptions(aliases=[...])`, which a child
inherits from its parent's) keeps the old resource. A render records every resource's identity beside the
manifests (:data:`FILE`, JSON Lines); `kubexpose diff` and the committed identity snapshot
(`tests/identity/`) compare two of them with :func:`compare`.

The aliases a child inherits follow the engine's rule (pulumi `step_generator.generateAliases` and
`inheritedChildAlias`): for each alias of the parent, the child's URN under that alias, its name's prefix
replaced when it starts with the parent's name. The e2e suite checks the result against the real engine.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..components._parts.patches import PATCHED
from ..engine.mocks import make_urn
from ..engine.run import ProgramRun, Registration
from ..inputs import AdoptArgs, AdoptServiceArgs
from .findings import CLUSTER_SCOPED

FILE = "pulumi-identity.jsonl"
"""The identity file of a render folder (kubectl reads .yaml, .yml and .json only, so never this one)."""
FORMAT = "kubexpose-identity/1"
STACK_TYPE = "pulumi:pulumi:Stack"
ADOPTABLE = {
    "kubexpose:index:ExposedDeployment": frozenset(AdoptArgs.__annotations__) - {"selector"},
    "kubexpose:index:ExternalAlias": frozenset(AdoptServiceArgs.__annotations__),
}
"""The children (`<component name>-<suffix>`, the suffix in `snake_case`) each component's `adopt` argument takes:
the fields of its Args types, so a fix `kubexpose diff` suggests is one the component accepts."""


@dataclass(frozen=True)
class Identity:
    """One resource of a run as the engine knows it."""

    urn: str
    type: str
    name: str
    parent: str
    """The parent's URN; empty for a resource directly under the stack."""
    custom: bool
    aliases: tuple[str, ...] = ()
    """Earlier URNs the engine takes as this resource: declared, and inherited from the parent's aliases."""
    object: tuple[str, str, str] | None = None
    """`(kind, namespace, name)` of the Kubernetes object it writes (None for a component)."""
    replace_on: Mapping[str, Any] = field(default_factory=dict)
    """The fields whose change makes pulumi-kubernetes replace the object (besides name and namespace)."""
    patched: tuple[str, ...] = ()
    """The `patches` operations (`op path`) applied to the object: what kubexpose did not write itself."""

    @property
    def ref(self) -> str:
        """How a report names the Kubernetes object (`Service shop/backend`), or the component."""
        if self.object is None:
            return f"{self.type.rsplit(':', 1)[-1]} '{self.name}'"
        kind, namespace, name = self.object
        return f"{kind} {namespace}/{name}" if namespace else f"{kind} {name}"

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"urn": self.urn, "type": self.type, "name": self.name, "parent": self.parent}
        out["custom"] = self.custom
        if self.aliases:
            out["aliases"] = list(self.aliases)
        if self.object is not None:
            kind, namespace, name = self.object
            out["object"] = {"kind": kind, "namespace": namespace, "name": name}
            out["replaceOn"] = dict(self.replace_on)
        if self.patched:
            out["patched"] = list(self.patched)
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Identity:
        obj = data.get("object")
        key = (str(obj["kind"]), str(obj.get("namespace") or ""), str(obj["name"])) if obj else None
        return cls(
            str(data["urn"]),
            str(data["type"]),
            str(data["name"]),
            str(data.get("parent") or ""),
            bool(data.get("custom")),
            tuple(data.get("aliases") or ()),
            key,
            dict(data.get("replaceOn") or {}),
            tuple(data.get("patched") or ()),
        )


def _name_of(urn: str) -> str:
    return urn.split("::", 3)[3]


def _qualified(urn: str) -> str:
    return urn.split("::")[2]


def kind_key(urn: str) -> str:
    """`urn` without the API group and version of a Kubernetes type (`kubernetes:apps/v1:Deployment` -> `kubernetes:Deployment`).

    pulumi-kubernetes' SDK gives every resource aliases for the other API versions of its kind (a
    `Deployment` of `apps/v1` is also the one of `apps/v1beta1`, `extensions/v1beta1` ...), so two URNs that
    differ only there are one resource to the engine (their objects' names tell them apart). The identity file
    leaves those aliases out."""
    head, _, name = urn.rpartition("::")
    chain = head.split("::")[-1].split("$")
    last = chain[-1]
    if last.startswith("kubernetes:") and last.count(":") == 2:
        chain[-1] = "kubernetes:" + last.rsplit(":", 1)[1]
    return "::".join([*head.split("::")[:-1], "$".join(chain), name])


def inherited_alias(child_type: str, child_name: str, parent_name: str, parent_alias: str) -> str:
    """The URN a child had under its parent's alias `parent_alias` (pulumi's `inheritedChildAlias`)."""
    alias_name = child_name
    if child_name.startswith(parent_name):
        alias_name = _name_of(parent_alias) + child_name[len(parent_name) :]
    stack, project = parent_alias.split("::")[0].removeprefix("urn:pulumi:"), parent_alias.split("::")[1]
    return make_urn(stack, project, parent_alias, child_type, alias_name)


def replace_on(kind: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of `inputs` whose change replaces the object (pulumi-kubernetes `provider/pkg/provider/diff.go`),
    besides name and namespace: a Deployment's selector; a Service's clusterIP, and whether it is an ExternalName
    (the switch to or from one is a replacement in kubexpose's diff); a Secret's type."""
    spec = inputs.get("spec") or {}
    if kind == "Deployment":
        return {"spec.selector": spec.get("selector")}
    if kind == "Service":
        return {"spec.clusterIP": spec.get("clusterIP"), "externalName": spec.get("type") == "ExternalName"}
    if kind == "Secret":
        return {"type": inputs.get("type", "Opaque")}
    if kind == "StatefulSet":
        fields = ("volumeClaimTemplates", "serviceName", "podManagementPolicy", "revisionHistoryLimit", "selector")
        return {f"spec.{f}": spec.get(f) for f in fields if f in spec}
    return {}


def identities(run: ProgramRun) -> list[Identity]:
    """Every resource of `run` but the stack, by URN, with its aliases (declared and inherited)."""
    aliases: dict[str, tuple[str, ...]] = {}
    out = []
    for reg in run.registrations:  # a parent is registered before its children
        if reg.type == STACK_TYPE:
            continue
        parent = "" if not reg.parent or _qualified(reg.parent) == STACK_TYPE else reg.parent
        found = list(reg.aliases)
        if parent:
            found += [inherited_alias(reg.type, reg.name, _name_of(parent), a) for a in aliases.get(parent, ())]
        own = kind_key(reg.urn)
        aliases[reg.urn] = tuple(dict.fromkeys(a for a in found if a != reg.urn and kind_key(a) != own))
        out.append(_identity(reg, parent, aliases[reg.urn]))
    return sorted(out, key=lambda i: i.urn)


def _identity(reg: Registration, parent: str, aliases: tuple[str, ...]) -> Identity:
    kind = reg.kind
    if kind is None or not reg.custom:
        return Identity(reg.urn, reg.type, reg.name, parent, reg.custom, aliases)
    namespace = str((reg.inputs.get("metadata") or {}).get("namespace") or "")
    namespace = "" if kind in CLUSTER_SCOPED else namespace or "default"  # as `kubexpose diff` keys objects
    key = (str(kind), namespace, str(reg.object_name))
    marked = ((reg.inputs.get("metadata") or {}).get("annotations") or {}).get(PATCHED)
    patched = tuple(marked.split("; ")) if isinstance(marked, str) and marked else ()
    return Identity(reg.urn, reg.type, reg.name, parent, True, aliases, key, replace_on(str(kind), reg.inputs), patched)


def to_text(found: Sequence[Identity], project: str, stack: str) -> str:
    """The identity file: a header line, then one resource a line (sorted by URN, so a git diff reads well)."""
    header = {"format": FORMAT, "project": project, "stack": stack}
    lines = [json.dumps(header, sort_keys=True)] + [json.dumps(i.as_json(), sort_keys=True) for i in found]
    return "\n".join(lines) + "\n"


class IdentityFileError(ValueError):
    """A file named like an identity file is not one (the message names the file)."""


@dataclass(frozen=True)
class IdentityFile:
    """A render's identity file: the project and stack it was made for, and every resource."""

    project: str
    stack: str
    resources: list[Identity]


def parse(text: str, where: str) -> IdentityFile:
    """An identity file's text; :class:`IdentityFileError` naming `where` when it is not one."""
    lines = [line for line in text.splitlines() if line.strip()]
    try:
        header = json.loads(lines[0]) if lines else {}
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise IdentityFileError(
                f"{where}: not a kubexpose identity file (first line {lines[:1]!r}); expected {FORMAT}"
            )
        found = [Identity.from_json(json.loads(line)) for line in lines[1:]]
        return IdentityFile(str(header.get("project", "")), str(header.get("stack", "")), found)
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as err:
        raise IdentityFileError(f"{where}: malformed identity file ({err})") from None


def load(folder: Path) -> IdentityFile | None:
    """The identities a render folder recorded, or None for a render made before kubexpose recorded them."""
    path = folder / FILE
    return parse(path.read_text(), str(path)) if path.is_file() else None


# -- comparing two runs ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Change:
    """What the engine does with one resource between two runs."""

    what: str
    """`kept` (same URN), `aliased` (a new URN whose alias keeps the old), `replaced` (same URN or alias, but a
    field that forces a replacement changed), `moved` (its object stays, its URN changes and no alias keeps it:
    the engine deletes the live object), `deleted`, `created`."""
    old: Identity | None
    new: Identity | None
    detail: str = ""


def compare(old: Iterable[Identity], new: Iterable[Identity]) -> list[Change]:
    """Pair the resources of two runs as the engine does (URN, then aliases) and say what becomes of each."""
    old, new = list(old), list(new)
    by_key = {kind_key(a): i for i in new for a in i.aliases}
    by_key.update({kind_key(i.urn): i for i in new})  # a resource's own URN wins over another's alias
    pairs = {o.urn: by_key.get(kind_key(o.urn)) for o in old}
    matched = {n.urn for n in pairs.values() if n is not None}
    by_object = {i.object: i for i in new if i.object is not None and i.urn not in matched}
    out: list[Change] = []
    for before in old:
        after = pairs[before.urn]
        if after is not None:
            what = "kept" if after.urn == before.urn else "aliased"
            detail = _replaced_because(before, after)
            out.append(Change("replaced" if detail else what, before, after, detail))
        elif before.object is not None and before.object in by_object:
            out.append(Change("moved", before, by_object.pop(before.object)))
        else:
            out.append(Change("deleted", before, None))
    taken = matched | {c.new.urn for c in out if c.what == "moved" and c.new is not None}
    out += [Change("created", None, i) for i in new if i.urn not in taken]
    return out


def _replaced_because(before: Identity, after: Identity) -> str:
    if before.object != after.object and before.object is not None and after.object is not None:
        return f"its object changes from {before.ref} to {after.ref}"
    keys = sorted(set(before.replace_on) | set(after.replace_on))
    fields = [k for k in keys if before.replace_on.get(k) != after.replace_on.get(k)]
    if fields:
        return ", ".join(
            f"{k} {json.dumps(before.replace_on.get(k))} -> {json.dumps(after.replace_on.get(k))}" for k in fields
        )
    return ""


def keeping_alias(change: Change, new: Sequence[Identity]) -> str:
    """The exact alias that keeps `change.old` (a `moved` change) as `change.new`."""
    before, after = change.old, change.new
    if before is None or after is None:
        raise ValueError(f"only a moved resource has a keeping alias, not a {change.what} one")
    parents = {i.urn: i for i in new}
    parent = parents.get(after.parent)
    if parent is not None and parent.type in ADOPTABLE:
        suffix = after.name[len(parent.name) + 1 :] if after.name.startswith(parent.name + "-") else ""
        key = suffix.replace("-", "_")
        if key in ADOPTABLE[parent.type] and before.type == after.type:
            value = before.name if not before.parent else before.urn
            return (
                f'give {parent.ref} the argument `"adopt": {{"{key}": "{value}"}}` (the child alias kubexpose offers)'
            )
    if parent is not None and before.parent and after.name.startswith(parent.name):
        old_parent_name = _name_of(before.parent)
        if before.name == old_parent_name + after.name[len(parent.name) :] and before.type == after.type:
            return (
                f'give {parent.ref} `opts=pulumi.ResourceOptions(aliases=["{before.parent}"])` '
                "(its children inherit the alias)"
            )
    return f'give the resource `{after.urn}` `opts=pulumi.ResourceOptions(aliases=["{before.urn}"])`'
