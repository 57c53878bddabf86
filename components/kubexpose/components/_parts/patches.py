"""`patches`: JSON Patch operations (RFC 6902, applied by the `jsonpatch` library) on the objects a component writes,
the escape hatch for a field kubexpose has no argument for.

A patch addresses an object as `kubectl get -o yaml` shows it (camelCase names), so it is applied to the wire form
of the child's inputs (:mod:`kubexpose._wire`, the names the SDK sends), in one place every path goes through
(`KubexposeComponent.child`): the SDK, the render's fast path and the component provider register the same patched
object. The operations are checked before the first resource is registered, on the objects as the component builds
them (a dry run), and again on each child: an operation that does not apply, a field that is not one of the
Kubernetes type (with a "did you mean"), or a change to what kubexpose's guarantees rest on (names, namespace,
selectors, env and the Secret routing, the config files' volume, kubexpose's own annotations) is refused with the
reason. A patched object carries the annotation `kubexpose.dev/patched`, the operations' `op path` list, which the
render's identity file reports too.
"""

import difflib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jsonpatch
import jsonpointer
import pulumi

from ..._sdk import fast_internals
from ..._values import any_leaf
from ..._wire import shape, to_wire
from ...k8s.metadata import NAME_LABEL
from ...k8s.validation import Checker

PATCHED = "kubexpose.dev/patched"
"""Annotation on a patched object: its operations, `op path` each, `; `-separated."""
OPS = ("add", "remove", "replace", "test", "move", "copy")
_FIX = "give e.g. patches={'Deployment': [{'op': 'add', 'path': '/spec/template/spec/hostname', 'value': 'web'}]}"


@dataclass(frozen=True)
class Patches:
    """The checked `patches`: JSON Patch operations (with `from`, as the library takes them) by kind."""

    by_kind: Mapping[str, tuple[dict[str, Any], ...]]

    def __bool__(self) -> bool:
        return bool(self.by_kind)


def parse_patches(check: Checker, value: Any, kinds: Sequence[str]) -> Patches:
    """`patches` (`{kind: [operation, ...]}`): each kind one the component writes (`kinds`), each operation well
    formed, its value plain data."""
    if value is None:
        return Patches({})
    if not isinstance(value, Mapping):
        check.fail("patches", value, "is not a mapping of kinds to operations", _FIX)
    out: dict[str, tuple[dict[str, Any], ...]] = {}
    for kind, ops in value.items():
        if kind not in kinds:
            close = difflib.get_close_matches(str(kind), kinds, n=1)
            fix = f"did you mean {close[0]}?" if close else f"patch one of {', '.join(kinds)}"
            check.fail("patches key", kind, "is not a kind of object this component writes", fix)
        if isinstance(ops, str) or not isinstance(ops, Sequence) or not ops:
            check.fail(f"patches[{kind!r}]", ops, "is not a non-empty list of operations", _FIX)
        out[kind] = tuple(_operation(check, f"patches[{kind!r}][{i}]", op) for i, op in enumerate(ops))
    return Patches(out)


def _operation(check: Checker, field: str, op: Any) -> dict[str, Any]:
    if not isinstance(op, Mapping):
        check.fail(field, op, "is not an operation", "give {'op': 'add', 'path': '/spec/...', 'value': ...}")
    check.only_fields(field, op, frozenset({"op", "path", "value", "from_path"}), "a patch operation field")
    name = op.get("op")
    if name not in OPS:
        check.fail(f"{field}.op", name, "is not a JSON Patch operation", f"use one of {', '.join(OPS)}")
    out: dict[str, Any] = {"op": name, "path": _pointer(check, f"{field}.path", op.get("path"))}
    if name in ("add", "replace", "test"):
        if "value" not in op:
            check.missing(f"{field}.value", f"give the value to {name}")
        if any_leaf(op["value"], lambda leaf: isinstance(leaf, pulumi.Output)):
            check.fail(f"{field}.value", "<Output>", "is known only later", "a patch is checked before registration")
        out["value"] = _plain_data(check, f"{field}.value", op["value"])
    if name in ("move", "copy"):
        out["from"] = _pointer(check, f"{field}.from_path", op.get("from_path"))
    return out


def _plain_data(check: Checker, field: str, value: Any) -> Any:
    """`value` as JSON data; a whole number another language sent as a float (`5.0`) as the integer it is."""
    try:
        return json.loads(
            json.dumps(value), parse_float=lambda text: int(float(text)) if float(text).is_integer() else float(text)
        )
    except (TypeError, ValueError):
        check.fail(field, value, "is not plain data (text, numbers, booleans, lists, mappings)", "give JSON data")


def _pointer(check: Checker, field: str, value: Any) -> str:
    if not isinstance(value, str) or not value.startswith("/"):
        check.fail(field, value, "is not a JSON Pointer into the object", "give e.g. '/spec/template/spec/hostname'")
    try:
        jsonpointer.JsonPointer(value)
    except jsonpointer.JsonPointerException as err:
        check.fail(field, value, f"is not a JSON Pointer ({err})", "write '~0' for '~' and '~1' for '/' in a name")
    return value


# -- applying ------------------------------------------------------------------------------------------------------
def patched(
    check: Checker, owner: str, kind: str, cls: type, props: Mapping[str, Any], ops: Sequence[dict[str, Any]]
) -> dict[str, Any]:
    """The constructor arguments `props` of a child of class `cls` with the operations applied to its wire form
    (camelCase below the top level), checked; a value known only later stays in place (a patch cannot look into
    it). `owner` is the component's name, `kind` the child's."""
    args_type = _args_type(cls)
    names = fast_internals().metadata(args_type)[0]
    doc: dict[str, Any] = {"apiVersion": "", "kind": kind}
    doc.update(to_wire(dict(props), args_type, keep=_later))
    before = {what: (why, _frozen(value)) for what, (why, value) in _guarded(kind, owner, doc).items()}
    for i, op in enumerate(ops):
        field = f"patches[{kind!r}][{i}]"
        if any(_through_later(doc, op[key]) for key in ("path", "from") if key in op):
            check.fail(field, _shown(op), "goes into a value known only later", "patch a field given as plain data")
        try:
            jsonpatch.apply_patch(doc, [op], in_place=True)
        except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException) as err:
            check.fail(field, _shown(op), f"does not apply to the {kind} ({err})", _fix_for(err))
        except TypeError:
            check.fail(field, _shown(op), "goes into a value known only later", "patch a field given as plain data")
    after = {what: (why, _frozen(value)) for what, (why, value) in _guarded(kind, owner, doc).items()}
    for what, (reason, value) in before.items():
        if after.get(what, (reason, None))[1] != value:
            check.fail(
                f"patches[{kind!r}]",
                [_shown(op) for op in ops],
                f"changes {what}, which {reason}",
                "give it through the component's own arguments, or leave it as kubexpose writes it",
            )
    unknown = _unknown_field(doc, args_type, "")
    if unknown is not None:
        path, problem, fix = unknown
        check.fail(f"patches[{kind!r}]", path, problem, fix)
    metadata = dict(doc.get("metadata") or {})
    metadata["annotations"] = {**(metadata.get("annotations") or {}), PATCHED: "; ".join(_shown(op) for op in ops)}
    doc["metadata"] = metadata
    back = {wire: py for py, wire in names.items()}
    return {back.get(key, key): value for key, value in doc.items() if key not in ("apiVersion", "kind")}


def _through_later(doc: Any, pointer: str) -> bool:
    """Whether the walk to `pointer` meets a value known only later (an Output) before its last step."""
    for part in jsonpointer.JsonPointer(pointer).parts:
        if _later(doc):
            return True
        if isinstance(doc, Mapping):
            doc = doc.get(part)
        elif isinstance(doc, list) and part.isdigit() and int(part) < len(doc):
            doc = doc[int(part)]
        else:
            return False
    return False


def _later(value: Any) -> bool:
    return isinstance(value, pulumi.Output) or hasattr(value, "__await__")


def _shown(op: Mapping[str, Any]) -> str:
    return f"{op['op']} {op['path']}"


def _fix_for(err: Exception) -> str:
    return (
        "check the path against `kubectl get -o yaml` of the object (or the render); `add` makes the last step "
        "only, and '-' appends to a list"
        if "test" not in str(err)
        else "the object does not hold the tested value: drop the test or fix its value"
    )


def _args_type(cls: type) -> type:
    module = __import__(cls.__module__.rsplit(".", 1)[0], fromlist=["_"])
    return getattr(module, f"{cls.__name__}Args")  # type: ignore[no-any-return]


def _dig(value: Any, *keys: Any) -> Any:
    """`value[k1][k2]...`, None where a key is missing; a value known only later (an Output) is returned where the
    walk meets it, as one opaque value (a patch cannot change what it holds, only replace it)."""
    for key in keys:
        if isinstance(value, Mapping):
            value = value.get(key)
        elif isinstance(value, list) and isinstance(key, int):
            value = value[key] if key < len(value) else None
        else:
            return value
    return value


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _guarded(kind: str, owner: str, doc: Mapping[str, Any]) -> dict[str, tuple[str, Any]]:
    """What a patch may not change, by what a message calls it: `(why it matters, its value)`."""
    out: dict[str, tuple[str, Any]] = {
        "metadata.name": ("names the object (and the DNS name of a Service)", _dig(doc, "metadata", "name")),
        "metadata.namespace": ("places it with the app", _dig(doc, "metadata", "namespace")),
        f"the label {NAME_LABEL}": ("selects the app's Pods", _dig(doc, "metadata", "labels", NAME_LABEL)),
        "kubexpose's annotations": ("kubexpose reads back", _own(_dig(doc, "metadata", "annotations"))),
    }
    if kind in ("Deployment", "StatefulSet"):
        selector = _dig(doc, "spec", "selector")
        matched = _dig(selector, "matchLabels")
        labels = _dig(doc, "spec", "template", "metadata", "labels")
        pod = _dig(doc, "spec", "template", "spec")
        containers = [*_items(_dig(pod, "containers")), *_items(_dig(pod, "initContainers"))]
        out["spec.selector"] = ("is immutable: a change replaces the Deployment", selector)
        out["the Pods' selector labels"] = ("the Service, budget and policy select by", _pick(labels, matched))
        out["a container's env"] = (
            "routes secret values through the app's Secret (give env / env_refs)",
            [(_dig(c, "name"), _dig(c, "env"), _dig(c, "envFrom")) for c in containers],
        )
        out["the config files' volume"] = (
            "the files' ConfigMap and Secret are mounted from (give files)",
            [v for v in _items(_dig(pod, "volumes")) if _dig(v, "name") == "files"],
        )
        out["spec.serviceName"] = (
            "names the Service that gives each Pod its DNS name",
            _dig(doc, "spec", "serviceName"),
        )
        out["kubexpose's Pod template annotations"] = (
            "roll the Pods when a Secret or file changes",
            _own(_dig(doc, "spec", "template", "metadata", "annotations")),
        )
    elif kind in ("Service", "NetworkPolicy", "PodDisruptionBudget"):
        key = {"Service": "selector", "NetworkPolicy": "podSelector", "PodDisruptionBudget": "selector"}[kind]
        out[f"spec.{key}"] = ("selects the app's Pods", _dig(doc, "spec", key))
    elif kind == "HorizontalPodAutoscaler":
        out["spec.scaleTargetRef"] = ("names the app's Deployment", _dig(doc, "spec", "scaleTargetRef"))
    return out


def _frozen(value: Any) -> Any:
    """`value` with every mapping and list copied into a tuple (the patch changes the document in place); a leaf,
    an Output among them, stays the same object."""
    if isinstance(value, Mapping):
        return tuple(sorted(((str(k), _frozen(v)) for k, v in value.items()), key=lambda kv: kv[0]))
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    return value


def _own(annotations: Any) -> Any:
    if not isinstance(annotations, Mapping):
        return annotations
    return {k: v for k, v in annotations.items() if isinstance(k, str) and k.startswith("kubexpose.dev/")}


def _pick(labels: Any, keys: Any) -> Any:
    if isinstance(labels, Mapping) and isinstance(keys, Mapping):
        return {k: labels.get(k) for k in keys}
    return labels


def _unknown_field(value: Any, typ: Any, path: str) -> tuple[str, str, str] | None:
    """The first field of `value` that is not one of its Kubernetes type (as pulumi-kubernetes types it), or a scalar
    of the wrong type: `(path, problem, fix)`; None when every field is one."""
    if isinstance(value, pulumi.Output):
        return None
    form = shape(typ)
    if form[0] == "input" and isinstance(value, Mapping):
        names, types = form[1], form[2]
        known = set(names.values()) | set(types)
        for key, item in value.items():
            if key in ("apiVersion", "kind") and not path:
                continue
            if key not in known:
                close = difflib.get_close_matches(str(key), sorted(known), n=1)
                fix = (
                    f"did you mean {close[0]}?" if close else f"use a field of {form[3].__name__.removesuffix('Args')}"
                )
                return f"{path}/{key}", "is not a field of the Kubernetes type", fix
            found = _unknown_field(item, types.get(key), f"{path}/{key}")
            if found is not None:
                return found
        return None
    if form[0] == "map" and isinstance(value, Mapping):
        for key, item in value.items():
            found = _unknown_field(item, form[1], f"{path}/{key}")
            if found is not None:
                return found
        return None
    if form[0] == "list" and isinstance(value, list):
        for i, item in enumerate(value):
            found = _unknown_field(item, form[1], f"{path}/{i}")
            if found is not None:
                return found
        return None
    if form[0] == "input" or form[0] == "list":
        return (
            path,
            f"is {type(value).__name__}, not {'a mapping' if form[0] == 'input' else 'a list'}",
            "fix its value",
        )
    want = form[-1]
    if want in (str, int, bool, float) and value is not None:
        ok = isinstance(value, want) and not (want is int and isinstance(value, bool))
        ok = ok or (want is float and isinstance(value, int) and not isinstance(value, bool))
        if not ok:
            return path, f"is {json.dumps(value)}, not {_SCALARS[want]}", f"give {_SCALARS[want]}"
    return None


_SCALARS = {str: "text", int: "a whole number", bool: "true or false", float: "a number"}
