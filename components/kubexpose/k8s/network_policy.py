"""NetworkPolicy builder: ingress to an app's Pods on its target ports only, from the callers it names."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from pulumi_kubernetes.networking.v1 import NetworkPolicySpecArgsDict

from .metadata import NAME_LABEL
from .ports import Port

NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
"""The label Kubernetes sets on every Namespace to its name (selectable since 1.22)."""


@dataclass(frozen=True)
class Admission:
    """Who may open connections to an app's Pods."""

    public: bool = False
    """Anyone, on the Service's ports (a NodePort or LoadBalancer app)."""
    callers: tuple[str, ...] = ()
    """Apps (by `app.kubernetes.io/name`) in the app's own namespace."""
    namespaces: tuple[str, ...] = ()
    """Every Pod of these namespaces."""
    router_port: Port | None = None
    """The port an HTTP router sends traffic to, when the app is behind one."""
    router_namespace: str | None = None
    """The router's namespace; None when the stack does not say (every namespace is then admitted on
    `router_port`)."""


def network_policy_spec(
    selector: Mapping[str, str], ports: Sequence[Port], admission: Admission
) -> NetworkPolicySpecArgsDict:
    """Admit the callers `admission` names on the target ports: anyone for a public app; the named apps
    and namespaces; by default the Pods of the app's own namespace. A router is admitted on its port."""
    rule: dict[str, Any] = {"ports": [_port(p) for p in ports]}
    if not admission.public:
        peers: list[dict[str, Any]] = [
            {"pod_selector": {"match_labels": {NAME_LABEL: caller}}} for caller in admission.callers
        ]
        peers += [
            {"namespace_selector": {"match_labels": {NAMESPACE_NAME_LABEL: namespace}}}
            for namespace in admission.namespaces
        ]
        rule["from"] = peers or [{"pod_selector": {}}]
    rules = [rule]
    if admission.router_port is not None and not admission.public:
        router: dict[str, Any] = (
            {"namespace_selector": {"match_labels": {NAMESPACE_NAME_LABEL: admission.router_namespace}}}
            if admission.router_namespace is not None
            else {"namespace_selector": {}}
        )
        rules.append({"ports": [_port(admission.router_port)], "from": [router]})
    spec = {"pod_selector": {"match_labels": dict(selector)}, "policy_types": ["Ingress"], "ingress": rules}
    return cast(NetworkPolicySpecArgsDict, spec)


def _port(port: Port) -> dict[str, Any]:
    return {"port": port.target_port, "protocol": port.protocol}
