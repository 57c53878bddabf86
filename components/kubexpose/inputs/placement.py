"""Input types of where and how an app's Pods run: scheduling, disruption budget, spreading, autoscaling and the
rollout."""

from collections.abc import Mapping, Sequence
from typing import NotRequired, TypedDict


class DisruptionBudgetArgs(TypedDict):
    """How many of the app's Pods a voluntary disruption (a node drain) may take at once."""

    enabled: NotRequired[bool]
    """`false`: no PodDisruptionBudget. Default: true (for 2+ replicas)."""
    max_unavailable: NotRequired[int]
    """Pods that may be down at once (Python may also give a percent text, e.g. `"25%"`). Default: 1."""
    max_unavailable_percent: NotRequired[int]
    """`max_unavailable` as a percent of the replicas (1-99). Default: none."""
    min_available: NotRequired[int]
    """Pods that must stay up (instead of `max_unavailable`; Python may give `"50%"`). Default: none."""
    min_available_percent: NotRequired[int]
    """`min_available` as a percent of the replicas (1-99). Default: none."""


class SpreadArgs(TypedDict):
    """Spreading of the app's Pods over nodes (and zones, when the stack says `kubexpose:zones`)."""

    enabled: NotRequired[bool]
    """`false`: no topology spread constraints. Default: true (for 2+ replicas)."""


class AutoscalingArgs(TypedDict):
    """A HorizontalPodAutoscaler for the app (then `replicas` is left to it)."""

    min_replicas: int
    """Fewest Pods, at least 1. Required."""
    max_replicas: int
    """Most Pods, at least `min_replicas`. Required."""
    cpu_utilization: NotRequired[int]
    """Target average CPU use, percent of the CPU request (1-500: above 100 when limits allow). Default: 80
    when no target is given."""
    memory_utilization: NotRequired[int]
    """Target average memory use, percent of the memory request (1-500). Default: none."""


class TolerationArgs(TypedDict):
    """A taint of a node pool the Pods may run on anyway."""

    key: NotRequired[str]
    """The taint's key, e.g. `pool` (none, with operator `Exists`: every taint). Default: none."""
    operator: NotRequired[str]
    """`Equal` (the taint's value is `value`) or `Exists` (any value). Default: `Equal`."""
    value: NotRequired[str]
    """The taint's value, with `Equal`. Default: empty."""
    effect: NotRequired[str]
    """`NoSchedule`, `PreferNoSchedule` or `NoExecute`. Default: every effect."""
    toleration_seconds: NotRequired[int]
    """With `NoExecute`: how long a Pod stays on a node that gets the taint. Default: for ever."""


class NodeRequirementArgs(TypedDict):
    """A condition on a node label."""

    key: str
    """The node label key, e.g. `kubernetes.io/arch`. Required."""
    operator: str
    """`In`, `NotIn`, `Exists`, `DoesNotExist`, `Gt` or `Lt`. Required."""
    values: NotRequired[Sequence[str]]
    """The values for `In` / `NotIn` (one or more) and `Gt` / `Lt` (one whole number); none for the others."""


class NodeTermArgs(TypedDict):
    """Nodes that meet every condition."""

    match_expressions: Sequence[NodeRequirementArgs]
    """The conditions, all of which a node meets. Required."""


class PreferredNodeTermArgs(TypedDict):
    """Nodes the scheduler prefers, by weight."""

    weight: int
    """1-100, added up over the preferences a node meets. Required."""
    match_expressions: Sequence[NodeRequirementArgs]
    """The conditions, all of which a node meets. Required."""


class NodeAffinityArgs(TypedDict):
    """Which nodes the Pods must or should run on (beyond `node_selector`)."""

    required: NotRequired[Sequence[NodeTermArgs]]
    """Terms of which a node must meet one. Default: none."""
    preferred: NotRequired[Sequence[PreferredNodeTermArgs]]
    """Terms the scheduler prefers. Default: none."""


class PodAffinityTermArgs(TypedDict):
    """Pods (of an app, or with labels) to run near (affinity) or away from (anti-affinity)."""

    apps: NotRequired[Sequence[str]]
    """Apps whose Pods are meant (their `app.kubernetes.io/name`; the app itself too). Default: none (give `labels`)."""
    labels: NotRequired[Mapping[str, str]]
    """Labels of the Pods meant (instead of `apps`). Default: none."""
    topology_key: NotRequired[str]
    """The node label that makes "near": `kubernetes.io/hostname` (the same node), `topology.kubernetes.io/zone`, ...
    Default: `kubernetes.io/hostname`."""
    namespaces: NotRequired[Sequence[str]]
    """Namespaces of those Pods. Default: the app's."""
    weight: NotRequired[int]
    """1-100: a preference of that weight; none: a requirement the scheduler never breaks. Default: none."""


class RolloutArgs(TypedDict):
    """How a change to the app replaces its Pods."""

    strategy: NotRequired[str]
    """`RollingUpdate` (new Pods start before old ones stop) or `Recreate` (every old Pod stops first: for a
    ReadWriteOnce volume only one Pod can mount). Default: `RollingUpdate`."""
    max_surge: NotRequired[int]
    """Pods above the replica count during a rolling update (Python may also give a percent text, e.g. `"25%"`).
    Default: 25%, at least one Pod."""
    max_surge_percent: NotRequired[int]
    """`max_surge` as a percent of the replicas. Default: none."""
    max_unavailable: NotRequired[int]
    """Pods below the replica count during a rolling update (Python may also give `"25%"`). Default: 0, so a
    rollout never takes a ready Pod away before its replacement is ready."""
    max_unavailable_percent: NotRequired[int]
    """`max_unavailable` as a percent of the replicas (0-100). Default: none."""
