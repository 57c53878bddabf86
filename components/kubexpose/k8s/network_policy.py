"""NetworkPolicy builder: ingress to an app's Pods on its target ports only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from pulumi_kubernetes.networking.v1 import NetworkPolicySpecArgsDict

from .ports import Port


def network_policy_spec(selector: Mapping[str, str], ports: Sequence[Port], public: bool) -> NetworkPolicySpecArgsDict:
    """Admit traffic to the target ports from any Pod in the cluster, or from anyone when `public`."""
    rule: dict[str, Any] = {"ports": [{"port": p.target_port, "protocol": p.protocol} for p in ports]}
    if not public:
        rule["from"] = [{"namespace_selector": {}}]
    spec = {"pod_selector": {"match_labels": dict(selector)}, "policy_types": ["Ingress"], "ingress": [rule]}
    return cast(NetworkPolicySpecArgsDict, spec)
