"""The three components: :mod:`.exposed_deployment`, :mod:`.exposed_stateful_set` (both built on
:mod:`._parts.app`) and :mod:`.external_alias`. Their shared steps and helpers are
private, in :mod:`._parts` (`base` holds the steps every component runs). Their input types are in
:mod:`kubexpose.inputs`.

See CONTRIBUTING.md for the contract a new component follows.
"""
