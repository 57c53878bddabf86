"""Where a secret belongs instead of an input pulumi-kubernetes keeps in the state in plain text.

Only `env` values reach a Pod through the component's own Secret; every other field of an object is stored as it
is. :meth:`kubexpose.k8s.validation.Checker.input` refuses a secret there with the fix below, by the field's first
name.
"""

SECRET_FIXES = {
    "image": "an image reference is no secret: give it plain (pulumi.Output.unsecret(...) when only its source is "
    "secret); registry credentials go in image_pull_secrets",
    "command": "pass the secret through env (it goes into the Secret '<name>-env') and refer to it as $(NAME), e.g. "
    "env={'TOKEN': secret}, command=['app', '--token=$(TOKEN)']",
    "args": "pass the secret through env (it goes into the Secret '<name>-env') and refer to it as $(NAME), e.g. "
    "env={'TOKEN': secret}, args=['--token=$(TOKEN)']",
    "labels": "labels are readable by anyone who can read the objects: keep secrets out of them "
    "(pulumi.Output.unsecret(...) when the value is not secret)",
    "service_annotations": "annotations are readable by anyone who can read the objects: keep secrets out of them "
    "(pulumi.Output.unsecret(...) when the value is not secret)",
    "pod_annotations": "annotations are readable by anyone who can read the Pods: keep secrets out of them "
    "(pulumi.Output.unsecret(...) when the value is not secret)",
    "": "kubexpose writes it into a cluster object in clear: give it as a plain value (pulumi.Output.unsecret(...) "
    "when it is not secret)",
}
"""Where a secret belongs instead of a field the state holds in plain text, by the field's first name."""
