"""Pure Kubernetes spec builders and the offline rules they are checked against.

`validation` holds the API server's rules (a :class:`~kubexpose.k8s.validation.Checker` raises
errors naming the component, the field, the value and the fix). The other modules turn checked,
frozen models into the dicts pulumi-kubernetes takes (snake_case `*ArgsDict` shapes) and never
validate: one module per object (`service`, `pod`, `network_policy`, `endpoint_slice`), plus the
`ports` model they share and `metadata`.
"""
