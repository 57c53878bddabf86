"""ExposedDeployment: a Deployment plus the Service of the right type for the stack."""

from typing import TYPE_CHECKING

import pulumi
import pulumi_kubernetes as k8s

from ..inputs import ExposedDeploymentArgs
from ..profile import StackProfile
from ._parts.app import PATCHABLE, declare_app, parse_app
from ._parts.base import KubexposeComponent, resolve_profile

_ARG_FIELDS = frozenset(ExposedDeploymentArgs.__annotations__)

__all__ = ["PATCHABLE", "ExposedDeployment", "ExposedDeploymentArgs"]


class ExposedDeployment(KubexposeComponent):
    """A Deployment and one Service selecting its Pods; the Service's type follows the stack.

    The Service is named like the component, so callers reach it as `<name>:<port>` in its
    namespace and `<name>.<namespace>.svc.cluster.local` anywhere in the cluster.
    """

    kind = "ExposedDeployment"
    type_token = "kubexpose:index:ExposedDeployment"

    deployment: k8s.apps.v1.Deployment
    """The Deployment (named like the component); with `versions`, the first version's."""
    deployments: list[k8s.apps.v1.Deployment]
    """Every Deployment: the one named like the component, or one per version (`<name>-<version>`, in the order
    given)."""
    service: k8s.core.v1.Service
    """The Service (named like the component: that name is its DNS name)."""
    network_policy: k8s.networking.v1.NetworkPolicy | None
    """The NetworkPolicy admitting what the exposure promises (absent when turned off)."""
    service_account: k8s.core.v1.ServiceAccount | None
    """The ServiceAccount made for the app's Pods (absent with `service_account`)."""
    disruption_budget: k8s.policy.v1.PodDisruptionBudget | None
    """The PodDisruptionBudget (absent for one replica or when turned off)."""
    autoscaler: k8s.autoscaling.v2.HorizontalPodAutoscaler | None
    """The HorizontalPodAutoscaler (absent without `autoscaling`)."""
    ingress: k8s.networking.v1.Ingress | None
    """The Ingress routing `http` to the app (absent without `http`, or when the stack uses a Gateway)."""
    if TYPE_CHECKING:  # Python only: the package schema has no type for a generic custom resource
        http_route: k8s.apiextensions.CustomResource | None
        """The Gateway API HTTPRoute routing `http` to the app (absent without `http`, or with an Ingress)."""
    service_name: pulumi.Output[str]
    """The Service's name."""
    cluster_dns: pulumi.Output[str]
    """`<name>.<namespace>.svc.cluster.local`."""
    endpoint: pulumi.Output[str]
    """In-cluster address `<name>:<first port>`."""
    url: pulumi.Output[str | None]
    """External address: `https://<host><path>` (or http) behind a router, `http://<lb ip or hostname>:<port>` or
    `http://<node address>:<node port>`; absent when internal or not yet known."""
    port_forward: pulumi.Output[str]
    """A ready `kubectl port-forward` command for debugging from a laptop."""
    logs: pulumi.Output[str]
    """A ready `kubectl logs` command: the last lines of every container of every Pod of the app."""

    def __init__(
        self,
        name: str,
        args: ExposedDeploymentArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        profile: StackProfile | None = None,
    ) -> None:
        check = self.checker(name)
        app = parse_app(
            check, name, args, resolve_profile(profile), _ARG_FIELDS, "ExposedDeploymentArgs(image=..., port=...)"
        )
        declare_app(self, check, app.claim.service_name, args, app, opts)
