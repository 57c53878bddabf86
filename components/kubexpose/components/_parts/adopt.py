"""`adopt`: children that take over the live objects of an earlier program's resources, with nothing deleted.

The Pulumi engine pairs the resources of two runs by URN. A Deployment written as a top-level
`k8s.apps.v1.Deployment("myapp", ...)` and the same object written by `ExposedDeployment("myapp", ...)`
have different URNs (`kubernetes:apps/v1:Deployment::myapp` and
`kubexpose:index:ExposedDeployment$kubernetes:apps/v1:Deployment::myapp-deployment`), so without an alias
`pulumi up` creates the new resource and deletes the old one, which deletes the live object. `adopt` gives
each named child the alias that keeps it: a Pulumi name is a top-level resource of the same type in the same
stack (`pulumi.Alias(name=..., parent=pulumi.ROOT_STACK_RESOURCE)`), a `urn:pulumi:...` is taken as it is.
A Deployment's selector is immutable, so `adopt.selector` keeps the live one (the Service, the
PodDisruptionBudget and the NetworkPolicy select by it too; the Pods carry it and kubexpose's name label).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi

from ...k8s.validation import Checker


@dataclass(frozen=True)
class Adoption:
    """The checked `adopt` argument."""

    selector: dict[str, str] | None = None
    aliases: dict[str, str] = field(default_factory=dict)
    """Child key (`deployment`) -> earlier resource (a Pulumi name or a URN)."""

    def opts(self, child: pulumi.ResourceOptions, key: str) -> pulumi.ResourceOptions:
        """The options of child `key`: `child`, plus the alias that keeps the earlier resource when one is adopted."""
        earlier = self.aliases.get(key)
        if earlier is None:
            return child
        alias: Any = earlier if earlier.startswith("urn:pulumi:") else pulumi.Alias(name=earlier, parent=None)
        return pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(aliases=[alias]))

    @property
    def slow_because(self) -> str | None:
        """Why the render's fast path cannot build the children (it records no aliases)."""
        return "its children adopt earlier resources (aliases)" if self.aliases else None


def parse_adopt(check: Checker, raw: Any, fields: frozenset[str]) -> Adoption:
    """The `adopt` argument: known keys, non-empty names or URNs, a valid label map for `selector`."""
    if raw is None:
        return Adoption()
    if not isinstance(raw, Mapping):
        check.fail("adopt", raw, "is not a mapping", 'pass e.g. {"deployment": "myapp", "service": "myapp"}')
    check.only_fields("adopt", raw, fields, "a child kubexpose can adopt")
    selector = None
    if "selector" in raw:
        selector = check.labels("adopt.selector", raw["selector"])
        if not selector or not all(isinstance(v, str) for v in selector.values()):
            check.fail(
                "adopt.selector",
                raw["selector"],
                "is not a non-empty map of plain label values",
                "give the live Deployment's spec.selector.matchLabels, e.g. {'app': 'myapp'}",
            )
    aliases: dict[str, str] = {}
    for key, value in raw.items():
        if key == "selector":
            continue
        if not isinstance(value, str) or not value.strip() or value != value.strip():
            check.fail(
                f"adopt.{key}",
                value,
                "is not a resource name or URN",
                "give the earlier resource's Pulumi name (a top-level resource of this stack) or its URN "
                "(pulumi stack --show-urns)",
            )
        aliases[key] = value
    return Adoption(selector, aliases)
