"""Private helpers of the components: not part of the public API (import input types from `kubexpose`)."""
