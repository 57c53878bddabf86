"""Availability builders: the PodDisruptionBudget, the HorizontalPodAutoscaler and the Pods' spreading."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from pulumi_kubernetes.autoscaling.v2 import HorizontalPodAutoscalerSpecArgsDict
from pulumi_kubernetes.policy.v1 import PodDisruptionBudgetSpecArgsDict

HOSTNAME_KEY = "kubernetes.io/hostname"
ZONE_KEY = "topology.kubernetes.io/zone"


@dataclass(frozen=True)
class Budget:
    """A checked disruption budget: exactly one of the two, an int or a percent text."""

    max_unavailable: int | str | None = None
    min_available: int | str | None = None

    def describe(self) -> str:
        if self.min_available is not None:
            return f"minAvailable {self.min_available}"
        return f"maxUnavailable {self.max_unavailable}"


@dataclass(frozen=True)
class Autoscaling:
    """A checked autoscaler: replica bounds and the utilization targets (percent of requests)."""

    min_replicas: int
    max_replicas: int
    cpu_utilization: int | None = None
    memory_utilization: int | None = None


def pdb_spec(selector: Mapping[str, str], budget: Budget) -> PodDisruptionBudgetSpecArgsDict:
    """A `policy/v1` PodDisruptionBudget spec selecting the app's Pods."""
    spec: dict[str, Any] = {"selector": {"match_labels": dict(selector)}}
    if budget.min_available is not None:
        spec["min_available"] = budget.min_available
    else:
        spec["max_unavailable"] = budget.max_unavailable
    return cast(PodDisruptionBudgetSpecArgsDict, spec)


def hpa_spec(deployment: str, scaling: Autoscaling) -> HorizontalPodAutoscalerSpecArgsDict:
    """An `autoscaling/v2` HorizontalPodAutoscaler spec scaling the Deployment on CPU and/or memory."""
    metrics = [
        {
            "type": "Resource",
            "resource": {"name": name, "target": {"type": "Utilization", "average_utilization": target}},
        }
        for name, target in (("cpu", scaling.cpu_utilization), ("memory", scaling.memory_utilization))
        if target is not None
    ]
    spec = {
        "scale_target_ref": {"api_version": "apps/v1", "kind": "Deployment", "name": deployment},
        "min_replicas": scaling.min_replicas,
        "max_replicas": scaling.max_replicas,
        "metrics": metrics,
    }
    return cast(HorizontalPodAutoscalerSpecArgsDict, spec)


def spread_constraints(selector: Mapping[str, str], zones: bool) -> list[dict[str, Any]]:
    """Spread the Pods over nodes (and zones): at most one Pod of difference, never blocking scheduling."""
    keys = [HOSTNAME_KEY, ZONE_KEY] if zones else [HOSTNAME_KEY]
    return [
        {
            "max_skew": 1,
            "topology_key": key,
            "when_unsatisfiable": "ScheduleAnyway",
            "label_selector": {"match_labels": dict(selector)},
        }
        for key in keys
    ]
