"""Live tools: the real Pulumi CLI and kubernetes provider against a real API server on loopback.

- :mod:`kubexpose.live.toolchain`: the binaries, found where a user keeps them or built from Go modules;
- :mod:`kubexpose.live.cluster`: :class:`ControlPlane`, a loopback control plane;
- :mod:`kubexpose.live.engine`: :class:`LiveEngine`, Automation API stacks pointed at that control plane.

The pytest fixtures `kubexpose_cluster` and `kubexpose_live` (:mod:`kubexpose.testing.plugin`) use them.
"""
