"""kubexpose: Pulumi components that run a container and expose it with the right Kubernetes Service.

Public surface::

    from kubexpose import (
        ExposedDeployment, ExposedDeploymentArgs, ExternalAlias, ExternalAliasArgs,
        Exposure, ServiceType, StackProfile, ValidationError, ConfigError,
    )

Subpackages: :mod:`kubexpose.components` (one module per component), :mod:`kubexpose.k8s` (pure
Kubernetes spec builders and validation), :mod:`kubexpose.testing` (the mock engine and the pytest
test kit) and :mod:`kubexpose.render` (offline render and the `kubexpose` command). The library
never imports the last two.

Names are imported on first use, so that loading the pytest plugin this package registers costs
nothing in test runs that never use it (and never fails there).
"""

from typing import TYPE_CHECKING

from ._lazy import lazy_exports

if TYPE_CHECKING:
    from .components.exposed_deployment import (
        ContainerPortArgs as ContainerPortArgs,
    )
    from .components.exposed_deployment import (
        ExposedDeployment as ExposedDeployment,
    )
    from .components.exposed_deployment import (
        ExposedDeploymentArgs as ExposedDeploymentArgs,
    )
    from .components.exposed_deployment import (
        LoadBalancerArgs as LoadBalancerArgs,
    )
    from .components.external_alias import ExternalAlias as ExternalAlias
    from .components.external_alias import ExternalAliasArgs as ExternalAliasArgs
    from .errors import ConfigError as ConfigError
    from .errors import ValidationError as ValidationError
    from .k8s.ports import PortArgs as PortArgs
    from .profile import (
        Exposure as Exposure,
    )
    from .profile import (
        LoadBalancerSettings as LoadBalancerSettings,
    )
    from .profile import (
        ServiceType as ServiceType,
    )
    from .profile import (
        StackProfile as StackProfile,
    )

_EXPORTS = {
    "ConfigError": ".errors",
    "ContainerPortArgs": ".components.exposed_deployment",
    "ExposedDeployment": ".components.exposed_deployment",
    "ExposedDeploymentArgs": ".components.exposed_deployment",
    "Exposure": ".profile",
    "ExternalAlias": ".components.external_alias",
    "ExternalAliasArgs": ".components.external_alias",
    "LoadBalancerArgs": ".components.exposed_deployment",
    "LoadBalancerSettings": ".profile",
    "PortArgs": ".k8s.ports",
    "ServiceType": ".profile",
    "StackProfile": ".profile",
    "ValidationError": ".errors",
}
__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
