"""Errors raised by kubexpose before any resource is registered."""

from __future__ import annotations

import pulumi


class ValidationError(pulumi.RunError):
    """An argument would be rejected by Kubernetes, or accepted but never work.

    The message names the component, the field, the bad value and the fix. A `pulumi.RunError`, so the
    Pulumi CLI prints the message alone, without a Python traceback around it. Deliberately not a
    ValueError: the SDK catches ValueErrors raised while it serializes a resource's inputs (where a
    value checked inside an Output fails) and re-raises them wrapped in "While processing input ..."
    with the whole input printed, which the CLI then shows with a traceback (seen with the real CLI).
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        """The argument at fault (`ports[0].node_port`), when one is; None for a config error."""
        self.origin: tuple[str, int] | None = None
        """`(file, line)` of the program line that declared the component, when known."""
        self.reason: str | None = None
        """What is wrong with the field's value, without the component and the fix (`70000 is outside 1-65535`): what
        the component provider reports for the property, after the whole message."""


class ConfigError(ValidationError):
    """A ``kubexpose:*`` stack config value is malformed; the message names the key and the stack."""


class ArgumentsError(ValidationError, TypeError):
    """A component was called the wrong way (e.g. `ExposedDeployment("web", image=...)`: the arguments are one
    mapping); a TypeError too, as Python's own call errors are."""
