"""How an app's Pods stop and are replaced: the drain, the grace period and the rollout strategy.

"Every rolling update drops in-flight requests": a stopping Pod gets SIGTERM while its endpoint is still being
removed from the Service and every load balancer, so requests keep arriving at a process that is shutting down.
The cure is a short wait before SIGTERM (the drain, a pre-stop `sleep` that needs no shell in the image), a grace
period longer than that wait, and a rolling update that starts a new Pod before it stops an old one.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...k8s.pod import DEFAULT_DRAIN_SECONDS, KUBERNETES_GRACE_SECONDS, default_rollout
from ...k8s.validation import Checker
from .base import whole_number
from .replicas import percent_number

_ROLLOUT_FIELDS = frozenset(
    {"strategy", "max_surge", "max_surge_percent", "max_unavailable", "max_unavailable_percent"}
)


@dataclass(frozen=True)
class Shutdown:
    """How a Pod stops: `drain_seconds` before SIGTERM (0: none), within `grace_seconds` (None: Kubernetes')."""

    drain_seconds: int
    grace_seconds: int | None


def parse_shutdown(check: Checker, args: Mapping[str, Any]) -> Shutdown:
    """`drain_seconds` (default 5) and `termination_grace_period_seconds` (default Kubernetes' 30), the drain
    shorter than the grace period: the app needs time of its own after SIGTERM, and the kubelet kills the
    container when the grace period ends, drain or not."""
    given_drain = args.get("drain_seconds")
    drain = (
        DEFAULT_DRAIN_SECONDS
        if given_drain is None
        else whole_number(check, "drain_seconds", given_drain, "give e.g. drain_seconds=5", " of seconds")
    )
    grace = args.get("termination_grace_period_seconds")
    if grace is not None:
        grace = whole_number(
            check,
            "termination_grace_period_seconds",
            grace,
            "give e.g. termination_grace_period_seconds=30",
            " of seconds",
        )
    if drain > 0 and drain >= (KUBERNETES_GRACE_SECONDS if grace is None else grace):
        if grace is None:
            check.fail(
                "drain_seconds",
                drain,
                f"is not shorter than Kubernetes' grace period ({KUBERNETES_GRACE_SECONDS} s): the container would be "
                "killed while it still drains",
                f"give termination_grace_period_seconds={drain + KUBERNETES_GRACE_SECONDS} (the drain, then time for "
                "the app's own shutdown), or a shorter drain",
            )
        which = "the default" if given_drain is None else "given"
        check.fail(
            "termination_grace_period_seconds",
            grace,
            f"is not longer than drain_seconds ({drain}, {which}): the container would be killed while it still "
            "drains, before the app could shut down",
            f"give termination_grace_period_seconds={drain + KUBERNETES_GRACE_SECONDS}, or drain_seconds=0 to send "
            f"SIGTERM at once (or a drain below {grace})",
        )
    return Shutdown(drain, grace)


def parse_rollout(check: Checker, raw: Any) -> dict[str, Any]:
    """The Deployment's `strategy`: by default a rolling update that never takes a ready Pod away before its
    replacement is ready (`maxUnavailable: 0`, `maxSurge: 25%`); `Recreate` on request."""
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        check.fail("rollout", raw, "is not a mapping", "give e.g. rollout={'strategy': 'Recreate'}")
    check.only_fields("rollout", raw, _ROLLOUT_FIELDS, "a rollout field")
    strategy = check.one_of(
        "rollout.strategy",
        raw.get("strategy", "RollingUpdate"),
        ("RollingUpdate", "Recreate"),
        "use 'RollingUpdate' or 'Recreate'",
    )
    numbers = sorted(k for k in _ROLLOUT_FIELDS - {"strategy"} if raw.get(k) is not None)
    if strategy == "Recreate":
        if numbers:
            check.fail(
                f"rollout.{numbers[0]}",
                raw[numbers[0]],
                "is a rolling-update number, which a Recreate rollout does not take",
                "drop it, or use strategy 'RollingUpdate'",
            )
        return {"type": "Recreate"}
    default = default_rollout()["rolling_update"]
    surge = _amount(check, raw, "max_surge", default["max_surge"], None)
    unavailable = _amount(check, raw, "max_unavailable", default["max_unavailable"], 100)
    if _is_zero(surge) and _is_zero(unavailable):
        check.fail(
            "rollout",
            dict(raw),
            "has max_surge and max_unavailable both 0: a rollout could never replace a Pod",
            "give max_surge >= 1 (a new Pod starts first), or max_unavailable=1 with max_surge=0 (no extra Pod)",
        )
    return {"type": "RollingUpdate", "rolling_update": {"max_surge": surge, "max_unavailable": unavailable}}


def _amount(check: Checker, raw: Mapping[str, Any], key: str, default: Any, top: int | None) -> int | str:
    """A number of Pods or a percent of the replicas (`key` as `"25%"`, or `key_percent`)."""
    given = [k for k in (key, f"{key}_percent") if raw.get(k) is not None]
    if not given:
        return default
    if len(given) > 1:
        check.fail(f"rollout.{key}", raw[key], f"is given together with {key}_percent", "give one of them")
    field = f"rollout.{given[0]}"
    value = raw[given[0]]
    bound = "" if top is None else f" to {top}"
    if given[0].endswith("_percent") or isinstance(value, str):
        number = percent_number(value)
        if isinstance(number, bool) or not isinstance(number, int) or number < 0 or (top and number > top):
            check.fail(field, value, f"is not a percent from 0{bound}", f"give e.g. {key}_percent=25")
        return f"{number}%"
    return whole_number(check, field, value, f"give e.g. {key}=1, or a percent such as '25%'")


def _is_zero(amount: int | str) -> bool:
    return str(amount).rstrip("%") == "0"
