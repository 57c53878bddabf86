"""One module per component, over the shared steps in :mod:`kubexpose.components.base`.

See CONTRIBUTING.md for the contract a new component follows.
"""
