"""`versions`: several Deployments of one app behind its one Service (a canary, blue/green).

Each version is the Deployment `<app>-<version>`: the app's Pod with its own image, replicas and plain env values over
the app's, its Pods labelled `kubexpose.dev/version: <version>` beside the app's labels. The app's Service,
NetworkPolicy and PodDisruptionBudget select the app's labels, so they cover every version: the Service spreads its
callers over every ready Pod, and the split follows the replicas. Where the stack routes through a Gateway, `weight`s
split the routed traffic instead: each version gets the ClusterIP Service `<app>-<version>` and the HTTPRoute one
weighted backend per version (an Ingress has no weights, so they are refused there).

A version removed from the program goes last: Pulumi deletes after every create and update of the `up`, so the
route no longer names it and the other versions run before its Deployment is deleted; each of its Pods then leaves
the Service's endpoints, drains (`drain_seconds`) and stops, as in a scale to zero.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from ...k8s.validation import Checker
from .base import whole_number
from .env import env_values
from .replicas import check_replicas
from .workload import check_image

VERSION_LABEL = "kubexpose.dev/version"
MAX_WEIGHT = 1_000_000
"""The Gateway API's largest backend weight."""
_FIELDS = frozenset({"image", "replicas", "env", "weight"})


@dataclass(frozen=True)
class Version:
    key: str
    image: Any
    """None: the app's image."""
    replicas: Any
    """An int, or the app's replicas (maybe an Output)."""
    env: tuple[tuple[str, str], ...]
    """Plain values over the app's env."""
    weight: int | None


def parse_versions(check: Checker, raw: Any, name: str, replicas: Any, router: str | None) -> tuple[Version, ...]:
    """The app's `versions` (none: one Deployment named like the app). `router` is how the app's `http` is routed:
    `gateway`, `ingress`, or None (no route)."""
    if raw is None:
        return ()
    if not isinstance(raw, Mapping) or not raw:
        check.fail(
            "versions", raw, "is not a mapping of versions", "give e.g. versions={'v1': {}, 'v2': {'image': ...}}"
        )
    out = []
    for key, given in raw.items():
        field = f"versions[{key!r}]"
        if not isinstance(key, str) or not key[:1].isalpha():
            check.fail("versions key", key, "does not start with a letter", "name it e.g. 'v1', 'stable' or 'canary'")
        check.service_name("versions key", key)
        if len(name) + 1 + len(key) > 63:
            check.fail(
                "versions key",
                key,
                f"makes the name {name}-{key} longer than 63 characters",
                f"shorten it to at most {62 - len(name)} characters",
            )
        if not isinstance(given, Mapping):
            check.fail(field, given, "is not a mapping", "give e.g. {'image': 'ghcr.io/acme/api:2.0', 'replicas': 1}")
        check.only_fields(field, given, _FIELDS, "a version field")
        image = None if given.get("image") is None else check_image(check.within(f"{field}."), given["image"])
        count = replicas
        if given.get("replicas") is not None:
            count = check_replicas(check.within(f"{field}."), given["replicas"])
        env = env_values(check.within(f"{field}."), given.get("env") or {})
        for env_name, value in env:
            if not isinstance(value, str):
                check.fail(
                    f"{field}.env[{env_name!r}]",
                    "<an Output>" if isinstance(value, pulumi.Output) else value,
                    "is not a plain string",
                    "give a version plain values only; a secret or computed value belongs in the app's env",
                )
        weight = given.get("weight")
        if weight is not None:
            weight = whole_number(check, f"{field}.weight", weight, f"give a share from 0 to {MAX_WEIGHT}, e.g. 90")
            if weight > MAX_WEIGHT:
                check.fail(f"{field}.weight", weight, f"is above {MAX_WEIGHT}", "give the shares in smaller numbers")
        out.append(Version(key, image, count, env, weight))
    weighted = [v for v in out if v.weight is not None]
    if weighted:
        _check_weights(check, out, weighted, router)
    return tuple(out)


def _check_weights(check: Checker, versions: list[Version], weighted: list[Version], router: str | None) -> None:
    first = weighted[0]
    if router is None:
        check.fail(
            f"versions[{first.key!r}].weight",
            first.weight,
            "splits the app's routed traffic, and the app has no `http` route",
            "drop the weights: callers inside the cluster reach the Service, which splits by replicas",
        )
    if router == "ingress":
        check.fail(
            f"versions[{first.key!r}].weight",
            first.weight,
            "needs a router with backend weights, and this stack routes through an Ingress, which has none",
            "drop the weights and give the replicas in the proportion you want, or route the stack through a Gateway "
            "(kubexpose:gateway)",
        )
    missing = next((v for v in versions if v.weight is None), None)
    if missing is not None:
        check.fail(
            f"versions[{missing.key!r}]",
            {"weight": None},
            f"has no weight while versions[{first.key!r}] has one",
            "give every version a weight (0 sends it no routed traffic)",
        )
    empty = next((v for v in versions if v.weight and v.replicas == 0), None)
    if empty is not None:
        check.fail(
            f"versions[{empty.key!r}].weight",
            empty.weight,
            "sends routed traffic to a version with no Pods (replicas 0): those requests fail",
            "give it weight 0, or replicas",
        )
    if not sum(v.weight or 0 for v in versions):
        check.fail("versions", {v.key: 0 for v in versions}, "weigh 0 in all", "give one version a weight above 0")


def version_env(env: Any, overrides: tuple[tuple[str, str], ...]) -> Any:
    """The app container's `env` list (or an Output of one) with a version's plain values over it: a name the app
    has keeps its place, a new one comes last."""
    if not overrides:
        return env
    if isinstance(env, pulumi.Output):
        return env.apply(lambda known: version_env(known, overrides))
    values = dict(overrides)
    out = [{"name": e["name"], "value": values.pop(e["name"])} if e["name"] in values else e for e in env or []]
    return out + [{"name": k, "value": v} for k, v in values.items()]
