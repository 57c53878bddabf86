"""The policy pack: every policy has a passing and a violating case, and every stack's render passes the pack."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from conftest import STACKS, rendered
from pulumi_policy import PolicyResource, ResourceValidationArgs, StackValidationArgs

from kubexpose.policy_pack import check_manifests, resource_type
from kubexpose.policy_pack.kubexpose_policies import (
    POLICIES,
    budgets_allow_drains,
    calls_are_admitted,
    external_name_is_a_hostname,
    node_port_in_range,
    routes_reach_a_service,
    secure_pod_defaults,
    service_type_allowed,
    services_select_a_deployment,
)


def manifest(stack: str, kind: str, name: str) -> dict[str, Any]:
    found = [m for m in rendered(stack).manifests if m["kind"] == kind and m["metadata"]["name"] == name]
    assert len(found) == 1
    return copy.deepcopy(found[0])


def violations(rule, props: dict[str, Any], config: dict[str, Any] | None = None) -> list[str]:
    found: list[str] = []
    token = resource_type(props)
    args = ResourceValidationArgs(token, props, f"urn:{token}", props["metadata"]["name"], None, None, config or {})
    rule(args, lambda message, urn=None: found.append(message))
    return found


def test_service_types_outside_the_allowed_list_are_violations() -> None:
    service = manifest("prod", "Service", "frontend")
    assert violations(service_type_allowed, service) == []
    assert violations(service_type_allowed, service, {"allowedServiceTypes": ["ClusterIP", "LoadBalancer"]}) == []
    assert violations(service_type_allowed, service, {"allowedServiceTypes": ["ClusterIP", "NodePort"]}) == [
        "Service 'frontend' is LoadBalancer, but this stack allows only ClusterIP, NodePort; use "
        "Exposure.INTERNAL or set kubexpose:publicServiceType to an allowed type."
    ]


def test_node_ports_outside_the_range_are_violations() -> None:
    service = manifest("dev", "Service", "myapp")
    assert violations(node_port_in_range, service) == []
    assert violations(node_port_in_range, service, {"nodePortRange": "31000-31999"}) == [
        "Service 'myapp' uses node port 30001, outside 31000-31999; pick a port in the range or omit it "
        "to let Kubernetes allocate one."
    ]


def test_an_external_name_pointing_at_an_ip_is_a_violation() -> None:
    service = manifest("dev", "Service", "external-service")
    assert violations(external_name_is_a_hostname, service) == []
    service["spec"]["externalName"] = "10.0.0.5"
    assert violations(external_name_is_a_hostname, service)[0].startswith(
        "Service 'external-service' points externalName at the IP 10.0.0.5"
    )


@pytest.mark.parametrize(
    ("path", "value", "missing"),
    [
        (("automountServiceAccountToken",), True, "automountServiceAccountToken: false"),
        (("containers", 0, "securityContext", "readOnlyRootFilesystem"), False, "readOnlyRootFilesystem"),
        (("containers", 0, "securityContext", "allowPrivilegeEscalation"), True, "allowPrivilegeEscalation: false"),
        (("containers", 0, "securityContext", "capabilities"), {}, "capabilities drop ALL"),
        (("containers", 0, "securityContext", "privileged"), True, "privileged: false"),
        (("securityContext", "seccompProfile"), {"type": "Unconfined"}, "seccompProfile RuntimeDefault"),
    ],
)
def test_a_deployment_without_a_secure_default_is_a_violation(path, value, missing) -> None:
    deployment = manifest("dev", "Deployment", "frontend")
    assert violations(secure_pod_defaults, deployment) == []
    target = deployment["spec"]["template"]["spec"]
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    found = violations(secure_pod_defaults, deployment)
    assert len(found) == 1 and missing in found[0], found
    assert violations(secure_pod_defaults, deployment, {"exemptDeployments": ["frontend"]}) == []


def test_running_as_root_is_a_violation() -> None:
    deployment = manifest("dev", "Deployment", "backend")
    pod = deployment["spec"]["template"]["spec"]
    pod["securityContext"].pop("runAsNonRoot")
    pod["containers"][0]["securityContext"].pop("runAsNonRoot")
    assert "runAsNonRoot (container backend)" in violations(secure_pod_defaults, deployment)[0]


def stack_violations(manifests: list[dict[str, Any]]) -> list[str]:
    return stack_policy_violations(services_select_a_deployment, manifests)


def test_a_service_selecting_no_deployment_is_a_violation() -> None:
    manifests = copy.deepcopy(rendered("dev").manifests)
    assert stack_violations(manifests) == []
    service = next(m for m in manifests if m["kind"] == "Service" and m["metadata"]["name"] == "backend")
    service["spec"]["selector"] = {"app.kubernetes.io/name": "backnd"}
    assert stack_violations(manifests) == [
        "Service 'backend' selects {'app.kubernetes.io/name': 'backnd'}, which matches no Deployment's Pods in "
        "namespace 'shop'; it would route to nothing. Fix the selector or the labels."
    ]


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_render_passes_the_pack(stack: str) -> None:
    assert check_manifests(rendered(stack).manifests) == []


def test_the_pack_catches_a_forbidden_type_in_a_rendered_stack() -> None:
    config = {"kubexpose-service-type-allowed": {"allowedServiceTypes": ["ClusterIP", "ExternalName"]}}
    found = check_manifests(rendered("prod").manifests, config)
    assert [v.split(" is ")[0] for v in found] == ["Service 'frontend'", "Service 'myapp'"]


def test_policy_names_are_unique_and_enforced() -> None:
    names = [p.name for p in POLICIES]
    assert len(names) == len(set(names)) == 10
    assert all(str(p.enforcement_level.value) == "mandatory" for p in POLICIES)


def stack_policy_violations(policy: Any, manifests: list[dict[str, Any]]) -> list[str]:
    found: list[str] = []
    resources = [
        PolicyResource(
            resource_type(m), m, f"urn:{m['metadata']['name']}", m["metadata"]["name"], None, None, None, [], {}
        )
        for m in manifests
    ]
    policy(StackValidationArgs(resources), lambda message, urn=None: found.append(message))
    return found


def _by(manifests: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    return next(m for m in manifests if m["kind"] == kind and m["metadata"]["name"] == name)


@pytest.mark.parametrize("stack", STACKS)
def test_the_example_apps_calls_are_admitted(stack: str) -> None:
    manifests = rendered(stack).manifests
    assert any(m["kind"] == "NetworkPolicy" and m["metadata"]["name"] == "backend" for m in manifests)
    assert stack_policy_violations(calls_are_admitted, manifests) == []


def test_a_call_the_callees_network_policy_refuses_is_a_violation() -> None:
    manifests = copy.deepcopy(rendered("dev").manifests)
    rule = _by(manifests, "NetworkPolicy", "backend")["spec"]["ingress"][0]
    rule["from"] = [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "myapp"}}}]
    assert stack_policy_violations(calls_are_admitted, manifests) == [
        "Deployment 'frontend' calls Service 'backend' in namespace 'shop', but NetworkPolicy 'backend' admits no "
        "traffic from its Pods; add 'frontend' to the callee's allowed_callers."
    ]


@pytest.mark.parametrize(
    ("peer", "admitted"),
    [
        ({"podSelector": {}}, True),  # the callee's own namespace
        ({"namespaceSelector": {}}, True),
        ({"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "shop"}}}, True),
        ({"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "other"}}}, False),
        ({"podSelector": {"matchLabels": {"app.kubernetes.io/name": "frontend"}}}, True),
        ({"podSelector": {"matchLabels": {"app.kubernetes.io/name": "frontend", "tier": "web"}}}, False),
        ({"ipBlock": {"cidr": "10.0.0.0/8"}}, False),
    ],
)
def test_each_kind_of_peer_admits_or_refuses_the_caller(peer: dict[str, Any], admitted: bool) -> None:
    manifests = copy.deepcopy(rendered("dev").manifests)
    _by(manifests, "NetworkPolicy", "backend")["spec"]["ingress"] = [{"from": [peer]}]
    assert (stack_policy_violations(calls_are_admitted, manifests) == []) is admitted


def test_a_rule_on_other_ports_does_not_admit_the_call() -> None:
    manifests = copy.deepcopy(rendered("dev").manifests)
    _by(manifests, "NetworkPolicy", "backend")["spec"]["ingress"] = [{"ports": [{"port": 9999, "protocol": "TCP"}]}]
    assert len(stack_policy_violations(calls_are_admitted, manifests)) == 1
    _by(manifests, "NetworkPolicy", "backend")["spec"]["ingress"] = [{"ports": [{"port": 5678, "protocol": "TCP"}]}]
    assert stack_policy_violations(calls_are_admitted, manifests) == []


def test_a_call_to_a_pod_no_network_policy_selects_is_admitted() -> None:
    manifests = [m for m in copy.deepcopy(rendered("dev").manifests) if m["kind"] != "NetworkPolicy"]
    assert stack_policy_violations(calls_are_admitted, manifests) == []


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_a_route_to_a_missing_service_port_is_a_violation(stack: str) -> None:
    manifests = copy.deepcopy(rendered(stack).manifests)
    assert stack_policy_violations(routes_reach_a_service, manifests) == []
    route = next(m for m in manifests if m["kind"] in ("Ingress", "HTTPRoute"))
    if route["kind"] == "Ingress":
        route["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["port"] = {"number": 8080}
    else:
        route["spec"]["rules"][0]["backendRefs"][0]["port"] = 8080
    assert stack_policy_violations(routes_reach_a_service, manifests) == [
        f"{route['kind']} 'backend' sends traffic to backend:8080, which is no port of a Service in namespace 'shop'; "
        "fix the backend."
    ]


@pytest.mark.parametrize("stack", STACKS)
def test_the_example_apps_budgets_allow_drains(stack: str) -> None:
    manifests = rendered(stack).manifests
    clusters = len(rendered(stack).clusters) or 1  # a fleet stack has the apps once per cluster
    budgets = sorted(m["metadata"]["name"] for m in manifests if m["kind"] == "PodDisruptionBudget")
    assert budgets == ["backend"] * clusters + ["frontend"] * clusters
    assert stack_policy_violations(budgets_allow_drains, manifests) == []


@pytest.mark.parametrize(
    ("bound", "violation"),
    [
        ({"maxUnavailable": 1}, False),
        ({"maxUnavailable": 0}, True),
        ({"minAvailable": 1}, False),
        ({"minAvailable": 2}, True),  # frontend has 2 replicas
        ({"minAvailable": "50%"}, False),
        ({"minAvailable": "51%"}, True),  # rounded up: 2 of 2
        ({"maxUnavailable": "1%"}, False),  # rounded up: 1
    ],
)
def test_a_budget_that_blocks_every_drain_is_a_violation(bound: dict[str, Any], violation: bool) -> None:
    manifests = copy.deepcopy(rendered("dev").manifests)
    pdb = _by(manifests, "PodDisruptionBudget", "frontend")
    pdb["spec"] = {"selector": pdb["spec"]["selector"], **bound}
    found = stack_policy_violations(budgets_allow_drains, manifests)
    assert bool(found) is violation
    if violation:
        assert found[0].startswith("PodDisruptionBudget 'frontend' lets no Pod of Deployment 'frontend' (2 replica(s))")


def test_an_autoscaled_deployment_is_judged_by_its_min_replicas() -> None:
    manifests = copy.deepcopy(rendered("dev").manifests)
    pdb = _by(manifests, "PodDisruptionBudget", "backend")
    pdb["spec"] = {"selector": pdb["spec"]["selector"], "minAvailable": 2}  # backend: HPA 2-10
    assert len(stack_policy_violations(budgets_allow_drains, manifests)) == 1
    _by(manifests, "HorizontalPodAutoscaler", "backend")["spec"]["minReplicas"] = 3
    assert stack_policy_violations(budgets_allow_drains, manifests) == []


def test_a_drain_as_long_as_the_grace_period_is_a_violation() -> None:
    from kubexpose import ExposedDeployment
    from kubexpose.engine.run import run_program
    from kubexpose.render.manifests import manifests

    args = {"image": "nginxinc/nginx-unprivileged:1.27-alpine", "port": 80, "drain_seconds": 20}
    rendered_app = manifests(run_program(lambda: ExposedDeployment("web", args)))
    assert check_manifests(rendered_app) == []
    deployment = next(m for m in rendered_app if m["kind"] == "Deployment")
    deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] = 20  # as a raw Deployment might say
    (violation,) = check_manifests([deployment])
    assert violation.startswith("Deployment 'web': container web waits 20 s before SIGTERM, but the Pod's grace period")


def test_the_program_wide_rules_judge_each_cluster_apart() -> None:
    """In a fleet a Service selects the Pods of its own cluster only: the pack groups the resources by their kubernetes
    provider before each program-wide rule (a Service in `east` is not saved by a Deployment in `west`)."""
    from pulumi_policy import PolicyProviderResource

    manifests = rendered("dev").manifests
    service, deployment = _by(manifests, "Service", "myapp"), _by(manifests, "Deployment", "myapp")
    east, west = (
        PolicyProviderResource(
            "pulumi:providers:kubernetes", {}, f"urn:pulumi:fleet::p::pulumi:providers:kubernetes::{n}", n
        )
        for n in ("east", "west")
    )

    def resource(m: dict[str, Any], provider: Any) -> PolicyResource:
        name = m["metadata"]["name"]
        return PolicyResource(resource_type(m), m, f"urn:{provider.name}:{name}", name, None, provider, None, [], {})  # type: ignore[arg-type]

    (policy,) = [p for p in POLICIES if p.name == "kubexpose-service-selects-a-deployment"]
    for deployed_in, expected in ((east, []), (west, ["Service 'myapp' selects"])):
        found: list[str] = []
        resources = [resource(service, east), resource(deployment, deployed_in)]
        policy.validate(StackValidationArgs(resources), lambda message, urn=None, into=found: into.append(message))
        assert [m[: len(expected[0])] for m in found] == expected if expected else found == []
