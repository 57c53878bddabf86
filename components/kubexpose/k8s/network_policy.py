"""NetworkPolicy builder: ingress to an app's Pods on its target ports only, from the callers it names."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from pulumi_kubernetes.networking.v1 import NetworkPolicySpecArgsDict

from .metadata import NAME_LABEL, RUN_OF_LABEL
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


CALLS_PREFIX = "calls.kubexpose.dev/"
"""A Pod label `calls.kubexpose.dev/<name>` says the Pod calls the app or ExternalAlias `<name>` (an ExternalAlias's
`<name>-callers` NetworkPolicy selects the callers by it)."""
DNS_PEER = {
    "namespace_selector": {"match_labels": {NAMESPACE_NAME_LABEL: "kube-system"}},
    "pod_selector": {"match_labels": {"k8s-app": "kube-dns"}},
}
"""The cluster's DNS Pods: CoreDNS (and kube-dns before it) run as `k8s-app: kube-dns` in `kube-system`."""


@dataclass(frozen=True)
class Egress:
    """Whom an app's Pods may call (restricted egress): DNS always, then these."""

    apps: tuple[tuple[str, str | None], ...] = ()
    """Apps and ExternalAliases by `(name, namespace)` (None: the app's own namespace)."""
    networks: tuple[tuple[str, tuple[int, ...]], ...] = ()
    """`(cidr, TCP ports)` outside the cluster (no ports: every port)."""

    def pod_labels(self) -> dict[str, str]:
        """The labels that say whom the Pods call (for the ExternalAliases among them)."""
        return {f"{CALLS_PREFIX}{name}": "true" for name, _ in self.apps}


def egress_rules(egress: Egress) -> list[dict[str, Any]]:
    """DNS to the cluster's DNS Pods, the named apps (any port: each app's own NetworkPolicy admits its ports), and
    the networks on their ports."""
    rules: list[dict[str, Any]] = [
        {"to": [DNS_PEER], "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]}
    ]
    if egress.apps:
        rules.append({"to": [_app_peer(name, namespace) for name, namespace in egress.apps]})
    for cidr, ports in egress.networks:
        rule: dict[str, Any] = {"to": [{"ip_block": {"cidr": cidr}}]}
        if ports:
            rule["ports"] = [{"port": port, "protocol": "TCP"} for port in ports]
        rules.append(rule)
    return rules


def _app_peer(name: str, namespace: str | None) -> dict[str, Any]:
    peer: dict[str, Any] = {"pod_selector": {"match_labels": {NAME_LABEL: name}}}
    if namespace is not None:
        peer["namespace_selector"] = {"match_labels": {NAMESPACE_NAME_LABEL: namespace}}
    return peer


def callers_policy_spec(name: str, blocks: Sequence[str], ports: Sequence[Port]) -> dict[str, Any]:
    """An ExternalAlias's policy for its callers: the Pods labelled as calling `name` may reach `blocks` (CIDRs) on
    the alias's ports (every port when it has none)."""
    rule: dict[str, Any] = {"to": [{"ip_block": {"cidr": block}} for block in blocks]}
    if ports:
        rule["ports"] = [_port(p) for p in ports]
    return {
        "pod_selector": {"match_labels": {f"{CALLS_PREFIX}{name}": "true"}},
        "policy_types": ["Egress"],
        "egress": [rule],
    }


def network_policy_spec(
    selector: Mapping[str, str], ports: Sequence[Port], admission: Admission, egress: Egress | None = None
) -> NetworkPolicySpecArgsDict:
    """Admit the callers `admission` names on the target ports: anyone for a public app; the named apps
    and namespaces; by default the Pods of the app's own namespace. A router is admitted on its port. No port (a
    Worker): nobody."""
    rule: dict[str, Any] = {"ports": [_port(p) for p in ports]}
    if not admission.public:
        peers: list[dict[str, Any]] = [
            {"pod_selector": {"match_labels": {label: caller}}}
            for caller in admission.callers
            for label in (NAME_LABEL, RUN_OF_LABEL)  # the caller's Pods, and those of its migration and jobs
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
    spec: dict[str, Any] = {"pod_selector": {"match_labels": dict(selector)}, "policy_types": ["Ingress"]}
    if ports:  # no port (a Worker): no rule, so nothing is admitted (`ingress` left out, as the provider applies `[]`)
        spec["ingress"] = rules
    if egress is not None:
        spec["policy_types"] = ["Ingress", "Egress"]
        spec["egress"] = egress_rules(egress)
    return cast(NetworkPolicySpecArgsDict, spec)


def _port(port: Port) -> dict[str, Any]:
    return {"port": port.target_port, "protocol": port.protocol}
