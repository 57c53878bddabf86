"""Offline render: the manifests `pulumi up` would apply for a stack, plus a summary and a topology.

- :mod:`kubexpose.stackfiles`: a project's and a stack's config, read as the Pulumi CLI does.
- :mod:`kubexpose.render.build`: runs a stack's program under the mock engine and builds the files.
- :mod:`kubexpose.render.manifests`: registrations to ordered, redacted YAML manifests.
- :mod:`kubexpose.render.report`: the summary table and the Mermaid topology.
- :mod:`kubexpose.render.cli`: the `kubexpose` command (`python -m kubexpose` too).
"""
