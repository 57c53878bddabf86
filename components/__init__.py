"""kubexpose: Pulumi components that run a container and expose it with the right Kubernetes Service.

Public surface::

    from components import (
        ExposedDeployment, ExposedDeploymentArgs, ExternalAlias, ExternalAliasArgs,
        Exposure, StackProfile, ValidationError,
    )
"""

from .errors import ConfigError, ValidationError
from .exposed_deployment import (
    ContainerPortArgs,
    ExposedDeployment,
    ExposedDeploymentArgs,
    LoadBalancerArgs,
)
from .external_alias import ExternalAlias, ExternalAliasArgs
from .ports import PortArgs
from .profile import Exposure, LoadBalancerSettings, StackProfile

__all__ = [
    "ConfigError",
    "ContainerPortArgs",
    "ExposedDeployment",
    "ExposedDeploymentArgs",
    "Exposure",
    "ExternalAlias",
    "ExternalAliasArgs",
    "LoadBalancerArgs",
    "LoadBalancerSettings",
    "PortArgs",
    "StackProfile",
    "ValidationError",
]
