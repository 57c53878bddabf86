"""ExternalAlias: a DNS target gives ExternalName; IP targets give a selector-less Service plus EndpointSlices."""

from __future__ import annotations

import re
from typing import Any

import pulumi
import pytest
from conftest import LOCAL, Runner
from pulumi_kubernetes.core.v1 import ServiceSpecType

from kubexpose import ExternalAlias, StackProfile, ValidationError
from kubexpose.engine.run import ClusterMocks, run_program


def alias(args: dict[str, Any], profile: StackProfile = LOCAL, name: str = "external-service"):
    def program() -> None:
        component = ExternalAlias(name, args, profile=profile)
        for output in ("service_name", "cluster_dns", "endpoint", "target"):
            pulumi.export(output, getattr(component, output))

    return program


def test_a_dns_target_gives_an_external_name_service_and_nothing_else(run: Runner) -> None:
    result = run(alias({"target": "api.acmecorp.com", "port": 9000}))
    assert [r.kind for r in result.k8s()] == ["Service"]
    service = result.get("Service", "external-service")
    assert service.parent_type == "kubexpose:index:ExternalAlias"
    assert service.inputs["spec"] == {
        "type": "ExternalName",
        "externalName": "api.acmecorp.com",
        "ports": [{"port": 9000, "targetPort": 9000, "protocol": "TCP"}],
    }
    assert "clusterIP" not in service.state["spec"], "a cluster never gives an ExternalName Service a ClusterIP"
    assert result.exports == {
        "service_name": "external-service",
        "cluster_dns": "external-service.shop.svc.cluster.local",
        "endpoint": "external-service:9000",
        "target": "api.acmecorp.com",
    }


def test_a_trailing_dot_is_trimmed_and_ports_are_optional_for_a_dns_target(run: Runner) -> None:
    result = run(alias({"target": "api.acmecorp.com."}))
    spec = result.get("Service", "external-service").inputs["spec"]
    assert spec == {"type": "ExternalName", "externalName": "api.acmecorp.com"}
    assert result.exports["endpoint"] == "external-service"


def test_an_ip_target_gives_a_selector_less_service_and_an_endpoint_slice(run: Runner) -> None:
    result = run(alias({"target": "10.20.30.40", "ports": [{"port": 5432, "name": "pg"}]}, name="legacy-db"))
    spec = result.get("Service", "legacy-db").inputs["spec"]
    assert spec["type"] == "ClusterIP"
    assert "selector" not in spec and "externalName" not in spec
    endpoint_slice = result.get("EndpointSlice", "legacy-db-ipv4").inputs
    assert endpoint_slice["addressType"] == "IPv4"
    assert endpoint_slice["metadata"]["labels"]["kubernetes.io/service-name"] == "legacy-db"
    assert endpoint_slice["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"] == "kubexpose"
    assert endpoint_slice["endpoints"] == [{"addresses": ["10.20.30.40"], "conditions": {"ready": True}}]
    assert [p["name"] for p in endpoint_slice["ports"]] == [p["name"] for p in spec["ports"]]
    assert endpoint_slice["ports"] == [{"name": "pg", "port": 5432, "protocol": "TCP"}]


def test_ips_of_both_families_give_one_endpoint_slice_per_family(run: Runner) -> None:
    result = run(alias({"target": ["10.0.0.5", "10.0.0.6", "FD00::5"], "port": 443}, name="partner"))
    assert result.get("EndpointSlice", "partner-ipv4").inputs["endpoints"] == [
        {"addresses": ["10.0.0.5"], "conditions": {"ready": True}},
        {"addresses": ["10.0.0.6"], "conditions": {"ready": True}},
    ]
    ipv6 = result.get("EndpointSlice", "partner-ipv6").inputs
    assert ipv6["addressType"] == "IPv6"
    assert ipv6["endpoints"][0]["addresses"] == ["fd00::5"]
    assert result.exports["target"] == "10.0.0.5,10.0.0.6,fd00::5"


def test_the_stack_alias_overrides_the_target_in_code(run: Runner) -> None:
    profile = StackProfile(aliases={"external-service": "sandbox.api.acmecorp.com"})
    result = run(alias({"target": "api.acmecorp.com", "port": 9000}, profile))
    assert result.get("Service", "external-service").inputs["spec"]["externalName"] == "sandbox.api.acmecorp.com"
    profile = StackProfile(aliases={"external-service": ("192.0.2.10",)})
    result = run(alias({"target": "api.acmecorp.com", "port": 9000}, profile))
    assert result.get("Service", "external-service").inputs["spec"]["type"] == ServiceSpecType.CLUSTER_IP.value
    assert result.get("EndpointSlice", "external-service-ipv4").inputs["endpoints"][0]["addresses"] == ["192.0.2.10"]


def rejected(args: dict[str, Any], match: str, profile: StackProfile = LOCAL) -> None:
    mocks = ClusterMocks()
    with pytest.raises(ValidationError, match=match) as caught:
        run_program(lambda: ExternalAlias("ext", args, profile=profile), mocks=mocks)
    assert str(caught.value).startswith("ExternalAlias 'ext': ")
    assert mocks.registrations == []


@pytest.mark.parametrize(
    ("target", "match"),
    [
        ("https://api.acmecorp.com", "contains a URL scheme"),
        ("api.acmecorp.com/v1", "contains a path"),
        ("api.acmecorp.com:9000", "contains a port"),
        ("API.acmecorp.com", "is not a valid DNS name"),
        ("api_acmecorp.com", "is not a valid DNS name"),
        ("", "is empty"),
        (42, "is not a DNS name or a list of IP addresses"),
        ([], "is not a DNS name or a list of IP addresses"),
    ],
)
def test_external_name_targets_must_be_bare_hostnames(target, match) -> None:
    rejected({"target": target, "port": 80}, rf"target {re.escape(repr(target))} {match}")


@pytest.mark.parametrize(
    "ip",
    ["127.0.0.1", "0.0.0.0", "169.254.1.1", "::1", "fe80::1", "224.0.0.1"],
)
def test_endpoint_ips_must_not_be_loopback_link_local_or_unspecified(ip: str) -> None:
    rejected(
        {"target": [ip], "port": 80},
        rf"target\[0\] '{re.escape(ip)}' is an unspecified, loopback, link-local or multicast address",
    )


def test_an_ip_target_needs_a_port_and_numbered_ports() -> None:
    rejected({"target": "10.0.0.5"}, r"ports is required; an IP target has no name to carry a port")
    rejected({"target": "10.0.0.5", "ports": [{"port": 80, "target_port": "http"}]}, r"target_port 'http' is a name")


def test_other_alias_arguments_are_checked() -> None:
    rejected(
        {"target": "a.example.com", "ports": [{"port": 80, "node_port": 30001}]}, r"node_port 30001 is set on an alias"
    )
    rejected({"target": ["10.0.0.5", "10.0.0.5"], "port": 80}, r"repeats an address")
    rejected({"target": "a.example.com", "namespace": "Bad"}, r"namespace 'Bad' is not a DNS-1123 label")
    rejected({"target": "a.example.com", "host": "x"}, r"host 'x' is not an ExternalAlias argument")


def test_a_bad_stack_alias_names_the_config_key() -> None:
    profile = StackProfile(aliases={"ext": "127.0.0.1"})
    rejected(
        {"target": "a.example.com", "port": 80},
        r"kubexpose:aliases\['ext'\]\[0\] '127.0.0.1' is an unspecified, loopback",
        profile,
    )


def test_an_alias_ports_app_protocol_reaches_its_service_and_endpoint_slice(run) -> None:
    def program() -> None:
        ExternalAlias(
            "db", {"addresses": ["10.0.0.5"], "ports": [{"port": 5432, "app_protocol": "postgresql"}]}, profile=LOCAL
        )

    result = run(program)
    assert result.get("Service", "db").inputs["spec"]["ports"][0]["appProtocol"] == "postgresql"
    assert result.get("EndpointSlice", "db-ipv4").inputs["ports"][0]["appProtocol"] == "postgresql"
