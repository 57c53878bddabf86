"""ExposedDeployment's replicas, PodDisruptionBudget and HorizontalPodAutoscaler arguments."""

import re
from collections.abc import Mapping
from typing import Any

from ...k8s.availability import Autoscaling, Budget
from ...k8s.validation import Checker
from .base import check_bool


def enabled(check: Checker, args: Mapping[str, Any], field: str) -> bool:
    """`{field: {"enabled": bool}}`, true when absent."""
    raw = args.get(field)
    if raw is None:
        return True
    if not isinstance(raw, Mapping):
        check.fail(field, raw, "is not a mapping", f"give {field}={{'enabled': False}}")
    check.only_fields(field, raw, {"enabled"}, f"a {field} field")
    return check_bool(check, raw, "enabled", True) if "enabled" in raw else True


def percent_number(value: Any) -> Any:
    """A percent text (`"25%"`) as its number; any other value as given (its checks then refuse it)."""
    if isinstance(value, str) and re.fullmatch(r"\d{1,9}%", value):
        return int(value[:-1])
    return value


BUDGET_KEYS = ("max_unavailable", "max_unavailable_percent", "min_available", "min_available_percent")


def parse_budget(check: Checker, raw: Any, count: int | None) -> Budget | None:
    """The disruption budget for `count` replicas (None: unknown yet), or None for no PodDisruptionBudget."""
    several = count is None or count >= 2
    if raw is None:
        return Budget(max_unavailable=1) if several else None
    if not isinstance(raw, Mapping):
        check.fail("disruption_budget", raw, "is not a mapping", "give {'max_unavailable': 1} or {'enabled': False}")
    check.only_fields("disruption_budget", raw, {"enabled", *BUDGET_KEYS}, "a disruption_budget field")
    enabled = check_bool(check, raw, "enabled", True)
    given = [k for k in BUDGET_KEYS if k in raw]
    if not enabled:
        if given:
            check.fail(
                "disruption_budget", dict(raw), "is disabled and set at once", "drop enabled, or drop the budget"
            )
        return None
    if len(given) > 1:
        check.fail("disruption_budget", dict(raw), "sets more than one bound", f"give one of {', '.join(BUDGET_KEYS)}")
    if not several:
        if given:
            check.fail(
                "disruption_budget",
                dict(raw),
                f"is set for {count} replica: a budget for one Pod either blocks every node drain or protects nothing",
                "give replicas >= 2 (or autoscaling.min_replicas >= 2), or drop it",
            )
        return None
    if not given:
        return Budget(max_unavailable=1)
    key = given[0]
    field = f"disruption_budget.{key}"
    value = raw[key]
    minimum = key.startswith("min")
    if key.endswith("_percent") or isinstance(value, str):
        number = percent_number(value)
        if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= 99:
            check.fail(
                field, value, "is not a percent from 1 to 99", "0% or 100% would block every drain or protect nothing"
            )
        percent = f"{number}%"
        return Budget(min_available=percent) if minimum else Budget(max_unavailable=percent)
    if isinstance(value, bool) or not isinstance(value, int):
        check.fail(field, value, "is not a whole number", f"give e.g. {key}=1, or a percent such as '25%'")
    if value < 1:
        why = "protects nothing" if minimum else "blocks every node drain"
        check.fail(field, value, f"is below 1: it {why}", "give at least 1")
    if count is not None and value >= count:
        why = "blocks every node drain" if minimum else "protects nothing"
        check.fail(field, value, f"is not below the {count} replicas: it {why}", f"give at most {count - 1}")
    return Budget(min_available=value) if minimum else Budget(max_unavailable=value)


_SCALING_FIELDS = frozenset({"min_replicas", "max_replicas", "cpu_utilization", "memory_utilization"})


def parse_autoscaling(check: Checker, args: Mapping[str, Any]) -> Autoscaling | None:
    raw = args.get("autoscaling")
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        check.fail("autoscaling", raw, "is not a mapping", "give {'min_replicas': 2, 'max_replicas': 10}")
    check.only_fields("autoscaling", raw, _SCALING_FIELDS, "an autoscaling field")
    if "replicas" in args:
        check.fail(
            "replicas",
            args["replicas"],
            "is set together with autoscaling",
            "drop replicas: the autoscaler sets the number of Pods between min_replicas and max_replicas",
        )
    bounds = {}
    for key in ("min_replicas", "max_replicas"):
        value = raw.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            check.fail(
                f"autoscaling.{key}", value, "is not a whole number >= 1", "give e.g. min_replicas=2, max_replicas=10"
            )
        bounds[key] = value
    if bounds["min_replicas"] > bounds["max_replicas"]:
        check.fail(
            "autoscaling.max_replicas",
            bounds["max_replicas"],
            f"is below min_replicas {bounds['min_replicas']}",
            "give max_replicas >= min_replicas",
        )
    targets = {}
    for key in ("cpu_utilization", "memory_utilization"):
        value = raw.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 500):
            check.fail(
                f"autoscaling.{key}", value, "is not a percent from 1 to 500", "give e.g. 70 (percent of the request)"
            )
        targets[key] = value
    if targets["cpu_utilization"] is None and targets["memory_utilization"] is None:
        targets["cpu_utilization"] = 80
    return Autoscaling(bounds["min_replicas"], bounds["max_replicas"], **targets)


def check_requests(check: Checker, scaling: Autoscaling, resources: Mapping[str, Any]) -> None:
    """Utilization is measured against the request: a target needs the request it is a percent of."""
    requests = resources.get("requests") or {}
    for resource, target in (("cpu", scaling.cpu_utilization), ("memory", scaling.memory_utilization)):
        if target is not None and not requests.get(resource):
            check.fail(
                f"autoscaling.{resource}_utilization",
                target,
                f"needs a {resource} request to measure against, but resources sets none",
                f"add resources.requests.{resource} (e.g. {'100m' if resource == 'cpu' else '128Mi'}) or drop the target",
            )


def check_replicas(check: Checker, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        check.fail("replicas", value, "is not a whole number >= 0", "give the number of Pods, e.g. replicas=2")
    return value
