"""kubexpose: Pulumi components that run a container and expose it with the right Kubernetes Service.

Public surface: the three components, every input type they take (also in :mod:`kubexpose.inputs`), the stack
profile and the errors::

    from kubexpose import ExposedDeployment, ExposedDeploymentArgs, ExternalAlias, PortArgs, ProbeArgs, StackProfile

Subpackages: :mod:`kubexpose.components` (the three components; their helpers are private, in `_parts`),
:mod:`kubexpose.k8s` (pure Kubernetes spec builders and validation), :mod:`kubexpose.testing` (the pytest test
kit), :mod:`kubexpose.engine` (the offline engine the render and the kit run on) and :mod:`kubexpose.render`
(offline render and the `kubexpose` command). The library never imports the last three.

Names are imported on first use, so that loading the pytest plugin this package registers costs
nothing in test runs that never use it (and never fails there). Old import paths keep working until
1.0.0 with a DeprecationWarning (:mod:`kubexpose._moved`).
"""

from typing import TYPE_CHECKING

from . import _moved
from ._lazy import lazy_exports

if TYPE_CHECKING:
    from .components.exposed_deployment import ExposedDeployment as ExposedDeployment
    from .components.exposed_stateful_set import ExposedStatefulSet as ExposedStatefulSet
    from .components.external_alias import ExternalAlias as ExternalAlias
    from .components.worker import Worker as Worker
    from .errors import ConfigError as ConfigError
    from .errors import ValidationError as ValidationError
    from .inputs import AdoptArgs as AdoptArgs
    from .inputs import AdoptServiceArgs as AdoptServiceArgs
    from .inputs import AppArgs as AppArgs
    from .inputs import AutoscalingArgs as AutoscalingArgs
    from .inputs import CapabilitiesArgs as CapabilitiesArgs
    from .inputs import ContainerArgs as ContainerArgs
    from .inputs import ContainerPortArgs as ContainerPortArgs
    from .inputs import DisruptionBudgetArgs as DisruptionBudgetArgs
    from .inputs import EgressArgs as EgressArgs
    from .inputs import EnvRefArgs as EnvRefArgs
    from .inputs import ExecArgs as ExecArgs
    from .inputs import ExposedDeploymentArgs as ExposedDeploymentArgs
    from .inputs import ExposedStatefulSetArgs as ExposedStatefulSetArgs
    from .inputs import Exposure as Exposure
    from .inputs import ExternalAliasArgs as ExternalAliasArgs
    from .inputs import GrpcArgs as GrpcArgs
    from .inputs import HttpArgs as HttpArgs
    from .inputs import HttpGetArgs as HttpGetArgs
    from .inputs import HttpHeaderArgs as HttpHeaderArgs
    from .inputs import JobArgs as JobArgs
    from .inputs import LoadBalancerArgs as LoadBalancerArgs
    from .inputs import MigrationArgs as MigrationArgs
    from .inputs import MountArgs as MountArgs
    from .inputs import NetworkArgs as NetworkArgs
    from .inputs import NodeAffinityArgs as NodeAffinityArgs
    from .inputs import NodeRequirementArgs as NodeRequirementArgs
    from .inputs import NodeTermArgs as NodeTermArgs
    from .inputs import PatchOperationArgs as PatchOperationArgs
    from .inputs import PodAffinityTermArgs as PodAffinityTermArgs
    from .inputs import PodSecurityContextArgs as PodSecurityContextArgs
    from .inputs import PortArgs as PortArgs
    from .inputs import PreferredNodeTermArgs as PreferredNodeTermArgs
    from .inputs import ProbeArgs as ProbeArgs
    from .inputs import ResourcesArgs as ResourcesArgs
    from .inputs import RetentionArgs as RetentionArgs
    from .inputs import RolloutArgs as RolloutArgs
    from .inputs import SeccompProfileArgs as SeccompProfileArgs
    from .inputs import SecurityContextArgs as SecurityContextArgs
    from .inputs import ServiceType as ServiceType
    from .inputs import SpreadArgs as SpreadArgs
    from .inputs import TcpSocketArgs as TcpSocketArgs
    from .inputs import TolerationArgs as TolerationArgs
    from .inputs import VersionArgs as VersionArgs
    from .inputs import VolumeClaimArgs as VolumeClaimArgs
    from .inputs import WorkerArgs as WorkerArgs
    from .inputs import WorkloadArgs as WorkloadArgs
    from .profile import LoadBalancerSettings as LoadBalancerSettings
    from .profile import StackProfile as StackProfile

_EXPORTS = {
    "Worker": ".components.worker",
    "WorkerArgs": ".inputs",
    "WorkloadArgs": ".inputs",
    "ExposedStatefulSet": ".components.exposed_stateful_set",
    "VolumeClaimArgs": ".inputs",
    "RetentionArgs": ".inputs",
    "PatchOperationArgs": ".inputs",
    "NetworkArgs": ".inputs",
    "JobArgs": ".inputs",
    "MigrationArgs": ".inputs",
    "VersionArgs": ".inputs",
    "ExposedStatefulSetArgs": ".inputs",
    "EgressArgs": ".inputs",
    "AppArgs": ".inputs",
    "AdoptArgs": ".inputs",
    "AdoptServiceArgs": ".inputs",
    "AutoscalingArgs": ".inputs",
    "CapabilitiesArgs": ".inputs",
    "ConfigError": ".errors",
    "ContainerArgs": ".inputs",
    "ContainerPortArgs": ".inputs",
    "DisruptionBudgetArgs": ".inputs",
    "EnvRefArgs": ".inputs",
    "ExecArgs": ".inputs",
    "ExposedDeployment": ".components.exposed_deployment",
    "ExposedDeploymentArgs": ".inputs",
    "Exposure": ".inputs",
    "ExternalAlias": ".components.external_alias",
    "ExternalAliasArgs": ".inputs",
    "GrpcArgs": ".inputs",
    "HttpArgs": ".inputs",
    "HttpGetArgs": ".inputs",
    "HttpHeaderArgs": ".inputs",
    "LoadBalancerArgs": ".inputs",
    "LoadBalancerSettings": ".profile",
    "MountArgs": ".inputs",
    "PodSecurityContextArgs": ".inputs",
    "PortArgs": ".inputs",
    "ProbeArgs": ".inputs",
    "NodeAffinityArgs": ".inputs",
    "NodeRequirementArgs": ".inputs",
    "NodeTermArgs": ".inputs",
    "PodAffinityTermArgs": ".inputs",
    "PreferredNodeTermArgs": ".inputs",
    "TolerationArgs": ".inputs",
    "ResourcesArgs": ".inputs",
    "RolloutArgs": ".inputs",
    "SeccompProfileArgs": ".inputs",
    "SecurityContextArgs": ".inputs",
    "ServiceType": ".inputs",
    "SpreadArgs": ".inputs",
    "StackProfile": ".profile",
    "TcpSocketArgs": ".inputs",
    "ValidationError": ".errors",
}
__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
_moved.install()
