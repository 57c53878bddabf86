"""Restricted egress (issue 36, point 4): DNS, the apps and aliases an app's env values or `egress.apps` name, the
networks it lists; an ExternalAlias lets its callers reach its addresses; `kubexpose diff` reports widened egress."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Runner
from test_exposed_deployment import app

from kubexpose import ExposedDeployment, ExternalAlias, StackProfile, ValidationError
from kubexpose.components._parts.egress import called_names
from kubexpose.engine.run import ProgramRun, run_program
from kubexpose.render.manifests import manifests
from kubexpose.render.risk import egress_exposure

DNS = {
    "to": [
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
            "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
        }
    ],
    "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}],
}


def policy(result: ProgramRun, name: str = "web") -> dict[str, Any]:
    return result.get("NetworkPolicy", name).inputs["spec"]


@pytest.mark.parametrize(
    ("value", "names"),
    [
        ("productcatalogservice:3550", [("productcatalogservice", None)]),
        ("http://orders.shop/api", [("orders", "shop")]),
        ("postgres://app:pw@orders-db.data.svc.cluster.local:5432/orders", [("orders-db", "data")]),
        ("redis-cart:6379,cache:6379", [("redis-cart", None), ("cache", None)]),
        ("orders.shop.svc", [("orders", "shop")]),
        ("live", []),
        ("level: info", []),
        ("api.payments.example.com:443", []),
        ("https://api.payments.example.com", []),
        ("http://localhost:8080", []),
        ("orders.shop", []),  # a word with a dot: no scheme, port or .svc says it is a Service
    ],
)
def test_an_env_value_names_the_services_it_calls(value: str, names: list[Any]) -> None:
    assert called_names(value) == names


def test_restricted_egress_allows_dns_the_called_apps_and_the_networks(run: Runner) -> None:
    args = {
        "env": {"CATALOG_ADDR": "productcatalog:3550", "DB": "postgres://orders-db.data:5432/x", "MODE": "live"},
        "egress": {"restricted": True, "apps": ["cart"], "networks": [{"cidr": "10.20.0.0/16", "ports": [5432]}]},
    }
    result = run(app(args))
    spec = policy(result)
    assert spec["policyTypes"] == ["Ingress", "Egress"]
    assert spec["egress"] == [
        DNS,
        {
            "to": [
                {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "cart"}}},
                {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "productcatalog"}}},
                {
                    "podSelector": {"matchLabels": {"app.kubernetes.io/name": "orders-db"}},
                    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "data"}},
                },
            ]
        },
        {"to": [{"ipBlock": {"cidr": "10.20.0.0/16"}}], "ports": [{"port": 5432, "protocol": "TCP"}]},
    ]
    labels = result.get("Deployment", "web").inputs["spec"]["template"]["metadata"]["labels"]
    assert {k for k in labels if k.startswith("calls.")} == {
        "calls.kubexpose.dev/cart",
        "calls.kubexpose.dev/productcatalog",
        "calls.kubexpose.dev/orders-db",
    }
    assert "calls.kubexpose.dev/cart" not in result.get("Deployment", "web").inputs["metadata"].get("labels", {})


def test_egress_is_open_unless_the_app_or_the_stack_restricts_it(run: Runner) -> None:
    assert policy(run(app({"env": {"A": "orders:80"}})))["policyTypes"] == ["Ingress"]
    restricted = StackProfile(namespace="shop", egress_restricted=True)
    assert policy(run(app({}, profile=restricted)))["egress"] == [DNS]
    assert policy(run(app({"egress": {"restricted": False}}, profile=restricted)))["policyTypes"] == ["Ingress"]


def test_an_external_alias_lets_the_apps_that_call_it_reach_its_addresses(run: Runner) -> None:
    def program() -> None:
        profile = StackProfile(namespace="shop", egress_restricted=True)
        ExternalAlias("payments", {"target": "api.payments.example.com", "port": 443}, profile=profile)
        ExternalAlias("orders-db", {"addresses": ["10.20.0.5", "fd00::5"], "port": 5432}, profile=profile)
        ExternalAlias("open", {"target": "example.com", "callers_egress": False}, profile=profile)
        env = {"PAYMENTS": "https://payments", "DB": "orders-db:5432"}
        ExposedDeployment("web", {"image": "ghcr.io/acme/web:1.0.0", "port": 80, "env": env}, profile=profile)

    result = run(program)
    assert policy(result, "payments-callers") == {
        "podSelector": {"matchLabels": {"calls.kubexpose.dev/payments": "true"}},
        "policyTypes": ["Egress"],
        "egress": [
            {"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}, {"ipBlock": {"cidr": "::/0"}}],
             "ports": [{"port": 443, "protocol": "TCP"}]}
        ],
    }  # fmt: skip
    assert policy(result, "orders-db-callers")["egress"] == [
        {"to": [{"ipBlock": {"cidr": "10.20.0.5/32"}}, {"ipBlock": {"cidr": "fd00::5/128"}}],
         "ports": [{"port": 5432, "protocol": "TCP"}]}
    ]  # fmt: skip
    assert sorted(r.object_name for r in result.k8s("NetworkPolicy")) == [
        "orders-db-callers",
        "payments-callers",
        "web",
    ]
    labels = result.get("Deployment", "web").inputs["spec"]["template"]["metadata"]["labels"]
    assert labels["calls.kubexpose.dev/payments"] == labels["calls.kubexpose.dev/orders-db"] == "true"


@pytest.mark.parametrize(
    ("egress", "message"),
    [
        ({"apps": ["orders"]}, r"egress.apps \['orders'\] is set while egress is open"),
        ({"restricted": "yes"}, r"egress.restricted 'yes' is not true or false"),
        ({"restricted": True, "apps": ["Orders"]}, r"egress.apps\[0\] 'Orders' is not a DNS-1123 label"),
        ({"restricted": True, "apps": ["a.b.c"]}, r"egress.apps\[0\] 'a.b.c' is not a name or name.namespace"),
        ({"restricted": True, "networks": [{"cidr": "10.20.0.1/16"}]},
         r"egress.networks\[0\].cidr '10.20.0.1/16' is not the block as the API server stores it \(10.20.0.0/16\)"),
        ({"restricted": True, "networks": [{"cidr": "ten"}]}, r"egress.networks\[0\].cidr 'ten' is not a CIDR block"),
        ({"restricted": True, "networks": [{"cidr": "10.0.0.0/8", "ports": [70000]}]},
         r"egress.networks\[0\].ports\[0\] 70000"),
        ({"restricted": True, "allow": []}, r"egress.allow .* is not an egress field"),
    ],
)  # fmt: skip
def test_a_bad_egress_is_refused_with_the_fix(run: Runner, egress: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=r"ExposedDeployment 'web': " + message):
        run(app({"egress": egress}))


def test_restricted_egress_without_a_network_policy_is_refused(run: Runner) -> None:
    with pytest.raises(ValidationError, match=r"egress.restricted True is set with network_policy=False"):
        run(app({"egress": {"restricted": True}, "network_policy": False}))


def _policy_manifest(args: dict[str, Any]) -> dict[str, Any]:
    result = run_program(app(args))
    return next(o for o in manifests(result) if o["kind"] == "NetworkPolicy")


def test_kubexpose_diff_reports_egress_that_widens_as_an_exposure_finding() -> None:
    open_ = _policy_manifest({})
    restricted = _policy_manifest({"egress": {"restricted": True}})
    calls_more = _policy_manifest({"egress": {"restricted": True, "apps": ["orders"]}})
    found = egress_exposure(restricted, calls_more)
    assert [(f.raised, f.reason) for f in found] == [
        (True, 'may call more: {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "orders"}}} on "all"')
    ]
    assert [(f.raised, f.reason.split(":")[0]) for f in egress_exposure(calls_more, restricted)] == [
        (False, "may call less")
    ]
    assert [(f.raised, f.reason) for f in egress_exposure(restricted, open_)] == [
        (True, "egress open: its Pods may call anything")
    ]
    assert [f.raised for f in egress_exposure(open_, restricted)] == [False]
    assert egress_exposure(open_, open_) == []


def test_the_stack_setting_is_read_and_a_bad_value_refused_with_the_fix() -> None:
    from kubexpose.errors import ConfigError

    assert StackProfile.from_mapping({"egress": "restricted"}, stack="prod").egress_restricted is True
    assert StackProfile.from_mapping({"egress": "open"}, stack="prod").egress_restricted is False
    with pytest.raises(
        ConfigError, match=r"stack 'prod': config 'kubexpose:egress' = 'closed' is not an egress setting"
    ):
        StackProfile.from_mapping({"egress": "closed"}, stack="prod")
