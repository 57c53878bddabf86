"""Where an app's Pods may run: node selector, tolerations, node affinity, Pod affinity and anti-affinity, priority.

The same rules serve an app's arguments and the stack's defaults (`kubexpose:scheduling`): each field is checked as
the API server's `ValidatePodSpec` checks it (tolerations, node selector requirements, affinity terms), with the fix
in the message. Another app's Pods are named by the app (`apps`, its `app.kubernetes.io/name`) or by labels.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

from .metadata import NAME_LABEL
from .validation import Checker

HOSTNAME = "kubernetes.io/hostname"
"""The topology key of a Pod affinity term that does not name one: one node."""

_TOLERATION_FIELDS = frozenset({"key", "operator", "value", "effect", "toleration_seconds"})
_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
_NODE_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt")
_TERM_FIELDS = frozenset({"apps", "labels", "topology_key", "namespaces", "weight"})
FIELDS = ("node_selector", "tolerations", "node_affinity", "pod_affinity", "pod_anti_affinity", "priority_class_name")
"""The scheduling arguments of an app, and the keys of the stack's `kubexpose:scheduling`."""


@dataclass(frozen=True)
class Scheduling:
    """Checked scheduling fields as the Pod spec takes them (snake_case); None: not given."""

    node_selector: Mapping[str, str] | None = None
    tolerations: tuple[Mapping[str, Any], ...] | None = None
    node_affinity: Mapping[str, Any] | None = None
    pod_affinity: Mapping[str, Any] | None = None
    pod_anti_affinity: Mapping[str, Any] | None = None
    priority_class_name: str | None = None

    def over(self, stack: Scheduling) -> Scheduling:
        """These fields over the stack's: a field the app gives replaces the stack's (an empty one clears it)."""
        return replace(
            stack, **{f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}
        )

    def pod_fields(self) -> dict[str, Any]:
        """The Pod spec fields: `node_selector`, `tolerations`, `affinity`, `priority_class_name` (only those set)."""
        out: dict[str, Any] = {}
        if self.node_selector:
            out["node_selector"] = dict(self.node_selector)
        if self.tolerations:
            out["tolerations"] = [dict(t) for t in self.tolerations]
        affinity = {
            key: value
            for key, value in (
                ("node_affinity", self.node_affinity),
                ("pod_affinity", self.pod_affinity),
                ("pod_anti_affinity", self.pod_anti_affinity),
            )
            if value
        }
        if affinity:
            out["affinity"] = affinity
        if self.priority_class_name:
            out["priority_class_name"] = self.priority_class_name
        return out


def parse_scheduling(check: Checker, args: Mapping[str, Any], prefix: str = "") -> Scheduling:
    """The scheduling fields of `args` (an app's arguments, or the stack's `kubexpose:scheduling` block)."""
    anti = _pod_terms(check, f"{prefix}pod_anti_affinity", args.get("pod_anti_affinity"))
    together = _pod_terms(check, f"{prefix}pod_affinity", args.get("pod_affinity"))
    for term in (together or {}).get("required_during_scheduling_ignored_during_execution", []):
        if term in (anti or {}).get("required_during_scheduling_ignored_during_execution", []):
            check.fail(
                f"{prefix}pod_anti_affinity",
                args.get("pod_anti_affinity"),
                f"requires what pod_affinity requires ({_shown(term)}): no node could ever take the Pods",
                "drop the term from one of them",
            )
    priority = args.get("priority_class_name")
    return Scheduling(
        node_selector=None
        if args.get("node_selector") is None
        else check.labels(f"{prefix}node_selector", args["node_selector"]),
        tolerations=_tolerations(check, f"{prefix}tolerations", args.get("tolerations")),
        node_affinity=_node_affinity(check, f"{prefix}node_affinity", args.get("node_affinity")),
        pod_affinity=together,
        pod_anti_affinity=anti,
        priority_class_name=None
        if priority is None
        else check.dns_subdomain(f"{prefix}priority_class_name", priority, "PriorityClass"),
    )


def _shown(term: Mapping[str, Any]) -> str:
    selector = term["label_selector"]
    return f"{selector.get('match_labels') or selector.get('match_expressions')} per {term['topology_key']}"


def _list(check: Checker, field: str, value: Any, example: str) -> Sequence[Any]:
    if isinstance(value, (str, Mapping)) or not isinstance(value, Sequence):
        check.fail(field, value, "is not a list", f"give e.g. {field.rsplit('.', 1)[-1]}={example}")
    return value


def _mapping(check: Checker, field: str, value: Any, example: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        check.fail(field, value, "is not a mapping", f"give e.g. {example}")
    return value


def _tolerations(check: Checker, field: str, value: Any) -> tuple[Mapping[str, Any], ...] | None:
    """`ValidateTolerations`: a key is a qualified name (none only with `Exists`), `Exists` takes no value, an effect
    Kubernetes knows, `toleration_seconds` only with `NoExecute`."""
    if value is None:
        return None
    example = "[{'key': 'pool', 'value': 'prod', 'effect': 'NoSchedule'}]"
    out = []
    for i, item in enumerate(_list(check, field, value, example)):
        at = f"{field}[{i}]"
        item = _mapping(check, at, item, example)
        check.only_fields(at, item, _TOLERATION_FIELDS, "a toleration field")
        toleration: dict[str, Any] = {}
        operator = check.one_of(
            f"{at}.operator", item.get("operator", "Equal"), ("Equal", "Exists"), "use 'Equal' or 'Exists'"
        )
        if item.get("key") not in (None, ""):
            toleration["key"] = check.label_key(f"{at}.key", item["key"], "use the taint's key, e.g. 'pool'")
        elif operator != "Exists":
            check.fail(
                f"{at}.operator", operator, "is not 'Exists' for a toleration without a key", "give the taint's key, "
                "or operator 'Exists' to tolerate every taint (of the effect given)"
            )  # fmt: skip
        if operator == "Exists":
            if item.get("value") not in (None, ""):
                check.fail(f"{at}.value", item["value"], "is given with operator 'Exists'", "drop it, or use 'Equal'")
        elif item.get("value") not in (None, ""):  # "" is no value, as pulumi-kubernetes applies it
            toleration["value"] = check.label_value(f"{at}.value", item["value"])
        if "operator" in item:
            toleration["operator"] = operator
        effect = item.get("effect")
        if effect not in (None, ""):
            toleration["effect"] = check.one_of(
                f"{at}.effect", effect, _EFFECTS, "use 'NoSchedule', 'PreferNoSchedule' or 'NoExecute' (none: all)"
            )
        seconds = item.get("toleration_seconds")
        if seconds is not None:
            if effect != "NoExecute":
                check.fail(
                    f"{at}.toleration_seconds",
                    seconds,
                    "is given for an effect other than 'NoExecute'",
                    "give effect 'NoExecute' (how long the Pod stays on a node that gets the taint), or drop it",
                )
            if isinstance(seconds, bool) or not isinstance(seconds, int):
                check.fail(f"{at}.toleration_seconds", seconds, "is not a whole number", "give e.g. 300")
            toleration["toleration_seconds"] = seconds
        out.append(toleration)
    return tuple(out)


def _requirements(check: Checker, field: str, value: Any) -> list[dict[str, Any]]:
    """`ValidateNodeSelectorRequirement`: a label key, an operator, values for `In`/`NotIn` only, one integer for
    `Gt`/`Lt`."""
    example = "[{'key': 'kubernetes.io/arch', 'operator': 'In', 'values': ['arm64']}]"
    given = _list(check, field, value, example)
    if not given:
        check.fail(field, value, "is empty: the term would match no node", f"give e.g. {example}")
    out = []
    for i, item in enumerate(given):
        at = f"{field}[{i}]"
        item = _mapping(check, at, item, example)
        check.only_fields(at, item, {"key", "operator", "values"}, "a node requirement field")
        key = check.label_key(f"{at}.key", item.get("key"), "use a node label key, e.g. 'kubernetes.io/arch'")
        operator = check.one_of(
            f"{at}.operator", item.get("operator"), _NODE_OPERATORS, f"use one of {_NODE_OPERATORS}"
        )
        values = item.get("values")
        values = [] if values is None else list(_list(check, f"{at}.values", values, "['arm64']"))
        if not all(isinstance(v, str) for v in values):
            check.fail(f"{at}.values", values, "is not a list of strings", "give e.g. values=['arm64']")
        if operator in ("In", "NotIn") and not values:
            check.fail(f"{at}.values", values, f"is empty for operator '{operator}'", "give at least one value")
        if operator in ("Exists", "DoesNotExist") and values:
            check.fail(f"{at}.values", values, f"is given for operator '{operator}'", "drop values")
        if operator in ("Gt", "Lt") and (len(values) != 1 or not values[0].lstrip("-").isdigit()):
            check.fail(f"{at}.values", values, f"is not one whole number for '{operator}'", "give e.g. values=['4']")
        requirement: dict[str, Any] = {"key": key, "operator": operator}
        if values:
            requirement["values"] = values
        out.append(requirement)
    return out


def _node_affinity(check: Checker, field: str, value: Any) -> dict[str, Any] | None:
    """`{required: [{match_expressions}], preferred: [{weight, match_expressions}]}`: the required terms are ORed."""
    if value is None:
        return None
    example = (
        "{'required': [{'match_expressions': [{'key': 'kubernetes.io/arch', 'operator': 'In', 'values': ['arm64']}]}]}"
    )
    value = _mapping(check, field, value, f"node_affinity={example}")
    check.only_fields(field, value, {"required", "preferred"}, "a node_affinity field")
    out: dict[str, Any] = {}
    if value.get("required") is not None:
        terms = []
        required = _list(check, f"{field}.required", value["required"], "[{'match_expressions': [...]}]")
        if not required:
            check.fail(f"{field}.required", required, "is empty", "give at least one term, or drop required")
        for i, term in enumerate(required):
            at = f"{field}.required[{i}]"
            term = _mapping(check, at, term, "{'match_expressions': [...]}")
            check.only_fields(at, term, {"match_expressions"}, "a node term field")
            terms.append(
                {"match_expressions": _requirements(check, f"{at}.match_expressions", term.get("match_expressions"))}
            )
        out["required_during_scheduling_ignored_during_execution"] = {"node_selector_terms": terms}
    if value.get("preferred") is not None:
        preferred = []
        for i, term in enumerate(_list(check, f"{field}.preferred", value["preferred"], "[{'weight': 50, ...}]")):
            at = f"{field}.preferred[{i}]"
            term = _mapping(check, at, term, "{'weight': 50, 'match_expressions': [...]}")
            check.only_fields(at, term, {"weight", "match_expressions"}, "a preferred node term field")
            preferred.append(
                {
                    "weight": _weight(check, f"{at}.weight", term.get("weight")),
                    "preference": {
                        "match_expressions": _requirements(
                            check, f"{at}.match_expressions", term.get("match_expressions")
                        )
                    },
                }
            )
        out["preferred_during_scheduling_ignored_during_execution"] = preferred
    return out


def _weight(check: Checker, field: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100:
        check.fail(
            field, value, "is not a weight from 1 to 100", "give e.g. weight=50 (the scheduler adds the weights)"
        )
    return value


def _pod_terms(check: Checker, field: str, value: Any) -> dict[str, Any] | None:
    """`[{apps or labels, topology_key?, namespaces?, weight?}]`: a term with a weight is a preference, one without
    a requirement."""
    if value is None:
        return None
    example = "[{'apps': ['cache'], 'topology_key': 'kubernetes.io/hostname'}]"
    required, preferred = [], []
    for i, item in enumerate(_list(check, field, value, example)):
        at = f"{field}[{i}]"
        item = _mapping(check, at, item, example)
        check.only_fields(at, item, _TERM_FIELDS, "a Pod affinity term field")
        if (item.get("apps") is None) == (item.get("labels") is None):
            check.fail(
                at, dict(item), "names the Pods neither or twice", "give apps=['cache'] or labels={...}, one of them"
            )
        if item.get("apps") is not None:
            apps = [
                check.dns_label(f"{at}.apps[{j}]", a)
                for j, a in enumerate(_list(check, f"{at}.apps", item["apps"], "['cache']"))
            ]
            if not apps:
                check.fail(f"{at}.apps", apps, "is empty", "name at least one app")
            selector: dict[str, Any] = {"match_expressions": [{"key": NAME_LABEL, "operator": "In", "values": apps}]}
        else:
            labels = check.labels(f"{at}.labels", item["labels"])
            if not labels:
                check.fail(f"{at}.labels", labels, "is empty: it would select every Pod", "give the Pods' labels")
            selector = {"match_labels": labels}
        term: dict[str, Any] = {
            "label_selector": selector,
            "topology_key": check.label_key(
                f"{at}.topology_key",
                item.get("topology_key", HOSTNAME),
                "use a node label key, e.g. 'topology.kubernetes.io/zone'",
            ),
        }
        if item.get("namespaces") is not None:
            term["namespaces"] = [
                check.dns_label(f"{at}.namespaces[{j}]", n)
                for j, n in enumerate(_list(check, f"{at}.namespaces", item["namespaces"], "['shop']"))
            ]
        if item.get("weight") is None:
            required.append(term)
        else:
            preferred.append({"weight": _weight(check, f"{at}.weight", item["weight"]), "pod_affinity_term": term})
    out: dict[str, Any] = {}
    if required:
        out["required_during_scheduling_ignored_during_execution"] = required
    if preferred:
        out["preferred_during_scheduling_ignored_during_execution"] = preferred
    return out
