"""The stack profile: `kubexpose:*` config parsed once, with clear errors for broken values."""

from __future__ import annotations

import pytest
from conftest import Runner
from pulumi_kubernetes.core.v1 import ServiceSpecType

from kubexpose import ConfigError, StackProfile, ValidationError


def test_an_empty_config_gives_the_documented_defaults() -> None:
    profile = StackProfile.from_mapping({})
    assert profile.public_service_type is ServiceSpecType.LOAD_BALANCER
    assert profile.namespace == "default"
    assert profile.node_port_range == (30000, 32767)
    assert profile.skip_await is False
    assert dict(profile.aliases) == {}
    assert profile.node_address == "localhost"


def test_strings_as_pulumi_passes_them_are_parsed() -> None:
    profile = StackProfile.from_mapping(
        {
            "publicServiceType": "NodePort",
            "namespace": "shop",
            "nodePortRange": "31000-31999",
            "skipAwait": "true",
            "loadBalancer": '{"annotations":{"a.example.com/x":"1"},"sourceRanges":["10.0.0.0/8"],"externalTrafficPolicy":"Local","class":"example.com/lb"}',
            "aliases": '{"external-service":"api.acmecorp.com","legacy":["10.0.0.5"]}',
            "nodeAddress": "192.168.49.2",
        }
    )
    assert profile.public_service_type is ServiceSpecType.NODE_PORT
    assert profile.node_port_range == (31000, 31999)
    assert profile.skip_await is True
    assert dict(profile.load_balancer.annotations) == {"a.example.com/x": "1"}
    assert profile.load_balancer.source_ranges == ("10.0.0.0/8",)
    assert profile.load_balancer.external_traffic_policy == "Local"
    assert profile.load_balancer.load_balancer_class == "example.com/lb"
    assert dict(profile.aliases) == {"external-service": "api.acmecorp.com", "legacy": ("10.0.0.5",)}
    assert profile.node_address == "192.168.49.2"


@pytest.mark.parametrize(
    ("raw", "match"),
    [
        (
            {"publicServiceType": "ClusterIP"},
            r"'kubexpose:publicServiceType' = 'ClusterIP' is not a public Service type; use NodePort",
        ),
        ({"publicServiceType": "loadbalancer"}, r"is not a public Service type"),
        ({"nodePortRange": "32767-30000"}, r"'kubexpose:nodePortRange' = '32767-30000' is reversed or outside 1-65535"),
        ({"nodePortRange": "30000-70000"}, r"is reversed or outside 1-65535"),
        ({"nodePortRange": "30000"}, r"is not a port range; write it as 'LOW-HIGH'"),
        ({"skipAwait": "yes"}, r"'kubexpose:skipAwait' = 'yes' is not a boolean"),
        ({"namespace": "Shop"}, r"'kubexpose:namespace' namespace 'Shop' is not a DNS-1123 label"),
        ({"loadBalancer": "[1, 2]"}, r"'kubexpose:loadBalancer' = \[1, 2\] is not a dict"),
        ({"loadBalancer": "not json"}, r"'kubexpose:loadBalancer' = 'not json' is not a dict"),
        ({"loadBalancer": '{"sourceRange": []}'}, r"has the unknown field 'sourceRange'"),
        (
            {"loadBalancer": '{"sourceRanges": ["10.0.0.1/8"]}'},
            r"'10.0.0.1/8' is not a canonical CIDR; write it as '10.0.0.0/8'",
        ),
        ({"loadBalancer": '{"externalTrafficPolicy": "Global"}'}, r"'Global' is not one of Cluster, Local"),
        ({"aliases": '{"ext": 5}'}, r"maps 'ext' to 5; give a DNS name or a list of IP addresses"),
        ({"publicServiceTyp": "NodePort"}, r"'kubexpose:publicServiceTyp' is not known to kubexpose"),
    ],
)
def test_broken_config_names_the_stack_and_the_key(raw, match) -> None:
    with pytest.raises(ConfigError, match=match) as caught:
        StackProfile.from_mapping(raw, stack="prod")
    assert str(caught.value).startswith("stack 'prod': ")
    assert isinstance(caught.value, ValidationError)


def test_the_profile_is_read_from_the_running_program_config(run: Runner) -> None:
    seen: list[StackProfile] = []
    run(
        lambda: seen.append(StackProfile.from_config()),
        stack="dev",
        config={"kubexpose:publicServiceType": "NodePort", "kubexpose:namespace": "shop", "other:key": "x"},
    )
    assert seen[0].public_service_type is ServiceSpecType.NODE_PORT
    assert seen[0].namespace == "shop"


def test_a_typo_in_stack_config_fails_the_program_with_the_stack_name(run: Runner) -> None:
    with pytest.raises(ConfigError, match=r"stack 'dev': config key 'kubexpose:namspace' is not known"):
        run(StackProfile.from_config, stack="dev", config={"kubexpose:namspace": "shop"})
