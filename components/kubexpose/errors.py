"""Errors raised by kubexpose before any resource is registered."""

from __future__ import annotations


class ValidationError(ValueError):
    """An argument would be rejected by Kubernetes, or accepted but never work.

    The message names the component, the field, the bad value and the fix.
    """


class ConfigError(ValidationError):
    """A ``kubexpose:*`` stack config value is malformed; the message names the key and the stack."""
