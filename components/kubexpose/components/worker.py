"""Worker: an app nobody calls (a queue consumer, a load generator, a scheduler): a Deployment with no Service.

Everything an ExposedDeployment's Pods get (secure defaults, env and Secret routing, files, migration, spreading and a
disruption budget by replicas, autoscaling, the production-Pod fields), and a NetworkPolicy that admits no one: with
no Service there is no name to call it by, and no port is open to the cluster.
"""

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from ..inputs import AppArgs, WorkerArgs, WorkloadArgs
from ..profile import StackProfile
from ._parts.app import declare_app, parse_app
from ._parts.base import KubexposeComponent, resolve_profile

_ARG_FIELDS = frozenset(WorkerArgs.__annotations__)
_SERVICE_FIELDS = frozenset(AppArgs.__annotations__) - frozenset(WorkloadArgs.__annotations__)

__all__ = ["Worker", "WorkerArgs"]


class Worker(KubexposeComponent):
    """A Deployment whose Pods call others and are called by no one: no Service, no route, no caller admitted."""

    kind = "Worker"
    type_token = "kubexpose:index:Worker"

    deployment: k8s.apps.v1.Deployment
    """The Deployment (named like the component)."""
    network_policy: k8s.networking.v1.NetworkPolicy | None
    """The NetworkPolicy admitting no one (absent when turned off)."""
    service_account: k8s.core.v1.ServiceAccount | None
    """The ServiceAccount made for the app's Pods (absent with `service_account`)."""
    disruption_budget: k8s.policy.v1.PodDisruptionBudget | None
    """The PodDisruptionBudget (absent for one replica or when turned off)."""
    autoscaler: k8s.autoscaling.v2.HorizontalPodAutoscaler | None
    """The HorizontalPodAutoscaler (absent without `autoscaling`)."""
    logs: pulumi.Output[str]
    """A ready `kubectl logs` command: the last lines of every container of every Pod of the app."""

    def __init__(
        self,
        name: str,
        args: WorkerArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        profile: StackProfile | None = None,
    ) -> None:
        check = self.checker(name)
        given: Mapping[str, Any] = args if isinstance(args, Mapping) else {}
        served = sorted(set(given) & _SERVICE_FIELDS)
        if served:
            check.fail(
                served[0],
                given[served[0]],
                "is how callers reach an app, and a Worker has no Service",
                "make it an ExposedDeployment (an alias to the type kubexpose:index:Worker keeps its objects), or drop it",
            )
        app = parse_app(check, name, args, resolve_profile(profile), _ARG_FIELDS, "WorkerArgs(image=...)")
        declare_app(self, check, app.claim.service_name, args, app, opts)
