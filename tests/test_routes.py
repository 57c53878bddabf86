"""HTTP routes through the stack's router (an Ingress or a Gateway API HTTPRoute) and least-privilege
NetworkPolicies (who may call an app)."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from conftest import LOCAL, EchoMocks, Runner
from pulumi_kubernetes.core.v1 import ServiceSpecType
from test_validation import assert_rejected
from upstream import validate_http_route

from kubexpose import ConfigError, ExposedDeployment, StackProfile, ValidationError
from kubexpose.engine.run import run_program
from kubexpose.profile import GatewaySettings, IngressSettings
from kubexpose.render.manifests import manifest

IMAGE = "nginxinc/nginx-unprivileged:1.27-alpine"
INGRESS = StackProfile(
    namespace="shop",
    public_service_type=ServiceSpecType.NODE_PORT,
    ingress=IngressSettings("nginx", annotations={"nginx.ingress.kubernetes.io/ssl-redirect": "true"}),
)
INGRESS_TLS = StackProfile(
    namespace="shop", ingress=IngressSettings("nginx", tls_secret="shop-tls", namespace="ingress")
)
GATEWAY = StackProfile(namespace="shop", gateway=GatewaySettings("shared", "gateways", section_name="https", tls=True))
BOTH = StackProfile(namespace="shop", ingress=IngressSettings("nginx"), gateway=GatewaySettings("shared", "gateways"))
PORTS = [{"port": 80, "target_port": 8080, "name": "http"}, {"port": 9090, "name": "metrics"}]


def web(profile: StackProfile, http: dict[str, Any] | None = None, **extra: Any):
    def program() -> None:
        app = ExposedDeployment(
            "web",
            {"image": IMAGE, "ports": PORTS, "http": http or {"host": "shop.example.com"}, **extra},
            profile=profile,
        )
        pulumi.export("url", app.url)

    return program


# -- the router the stack names -------------------------------------------------------------------------
def test_an_ingress_stack_gives_an_ingress_to_the_apps_service(run: Runner) -> None:
    result = run(web(INGRESS, {"host": "shop.example.com", "path": "/store"}))
    ingress = result.get("Ingress", "web")
    assert ingress.inputs["metadata"]["annotations"] == {"nginx.ingress.kubernetes.io/ssl-redirect": "true"}
    assert ingress.inputs["spec"] == {
        "ingressClassName": "nginx",
        "rules": [
            {
                "host": "shop.example.com",
                "http": {
                    "paths": [
                        {
                            "path": "/store",
                            "pathType": "Prefix",
                            "backend": {"service": {"name": "web", "port": {"number": 80}}},
                        }
                    ]
                },
            }
        ],
    }
    assert result.get("Service", "web").inputs["spec"]["type"] == "ClusterIP"
    assert result.exports["url"] == "http://shop.example.com/store"
    assert result.k8s("HTTPRoute") == []


def test_an_ingress_with_a_tls_secret_serves_https(run: Runner) -> None:
    result = run(web(INGRESS_TLS))
    assert result.get("Ingress", "web").inputs["spec"]["tls"] == [
        {"hosts": ["shop.example.com"], "secretName": "shop-tls"}
    ]
    assert result.exports["url"] == "https://shop.example.com/"


def test_a_gateway_stack_gives_an_http_route_attached_to_its_gateway(run: Runner) -> None:
    result = run(web(GATEWAY, {"host": "*.shop.example.com", "path": "/api", "port_name": "metrics"}))
    route = result.get("HTTPRoute", "web")
    assert route.inputs["apiVersion"] == "gateway.networking.k8s.io/v1"
    assert route.inputs["spec"] == {
        "parentRefs": [
            {
                "group": "gateway.networking.k8s.io",
                "kind": "Gateway",
                "name": "shared",
                "namespace": "gateways",
                "sectionName": "https",
            }
        ],
        "hostnames": ["*.shop.example.com"],
        "rules": [
            {
                "matches": [{"path": {"type": "PathPrefix", "value": "/api"}}],
                "backendRefs": [{"group": "", "kind": "Service", "name": "web", "port": 9090, "weight": 1}],
            }
        ],
    }
    validate_http_route(manifest(route))
    assert result.exports["url"] == "https://*.shop.example.com/api"
    assert result.k8s("Ingress") == []


@pytest.mark.parametrize(
    ("profile", "problem"),
    [
        (LOCAL, "needs a router, but stack '<explicit>' sets neither kubexpose:ingress nor kubexpose:gateway"),
        (BOTH, "is ambiguous: stack '<explicit>' sets both kubexpose:ingress and kubexpose:gateway"),
    ],
)
def test_the_stack_must_name_exactly_one_router(profile: StackProfile, problem: str) -> None:
    assert_rejected({"ports": PORTS, "http": {"host": "shop.example.com"}}, rf"http \{{.*\}} {problem}", profile)


def test_a_public_app_behind_a_router_needs_an_explicit_service_type(run: Runner) -> None:
    assert_rejected(
        {"ports": PORTS, "exposure": "public", "http": {"host": "shop.example.com"}},
        r"http .* is set on a public app: the router already reaches it from outside",
        INGRESS,
    )
    result = run(web(INGRESS, service_type="NodePort"))
    assert result.get("Service", "web").inputs["spec"]["type"] == "NodePort"
    assert result.get("Ingress", "web")


@pytest.mark.parametrize(
    ("http", "match"),
    [
        ({"host": "shop.example.com", "port": "metrics"}, None),
        ({"host": "shop.example.com", "port": 9090}, None),
        ({"host": "shop.example.com", "port": 8080}, r"http.port 8080 is not a port of the app's Service; use one of"),
        ({"host": "shop.example.com", "port_name": "admin"}, r"http.port_name 'admin' is not a port of the app's"),
        ({"host": "shop.example.com", "port": 80, "port_name": "http"}, r"http.port_name 'http' is given together"),
        ({"path": "/"}, r"http.host is required; give the host"),
        ({"host": "shop.example.com", "paht": "/"}, r"http.paht .* did you mean path\?"),
    ],
)
def test_the_route_names_a_port_of_the_service(run: Runner, http: dict[str, Any], match: str | None) -> None:
    if match is None:
        route = run(web(GATEWAY, http)).get("HTTPRoute", "web")
        assert route.inputs["spec"]["rules"][0]["backendRefs"][0]["port"] == 9090
    else:
        assert_rejected({"ports": PORTS, "http": http}, match, GATEWAY)


def test_a_udp_port_cannot_be_routed() -> None:
    ports = [{"port": 53, "protocol": "UDP", "name": "dns"}]
    assert_rejected({"ports": ports, "http": {"host": "dns.example.com"}}, r"http.port 53 is a UDP port", INGRESS)


LONG_HOST = ".".join(["a" * 63] * 3 + ["b" * 61])  # 253 characters


@pytest.mark.parametrize(
    "host", ["shop.example.com", "*.example.com", "localhost", "a-b.c", LONG_HOST, "*." + LONG_HOST[2:]]
)
def test_hosts_the_routers_accept(run: Runner, host: str) -> None:
    assert len(LONG_HOST) == 253
    assert run(web(GATEWAY, {"host": host})).get("HTTPRoute", "web").inputs["spec"]["hostnames"] == [host]


@pytest.mark.parametrize(
    ("host", "problem"),
    [
        (LONG_HOST + "c", "is not a valid DNS name"),
        ("*.*.example.com", "has a wildcard that is not the whole first label"),
        ("shop.*.com", "has a wildcard that is not the whole first label"),
        ("*shop.example.com", "has a wildcard that is not the whole first label"),
        ("https://shop.example.com", "contains a URL scheme"),
        ("shop.example.com/api", "contains a path"),
        ("shop.example.com:443", "contains a port"),
        ("10.0.0.1", "is an IP address"),
        ("Shop.example.com", "is not a valid DNS name"),
        ("", "is empty"),
        ("-shop.example.com", "is not a valid DNS name"),
    ],
)
def test_hosts_the_routers_refuse(host: str, problem: str) -> None:
    assert_rejected({"ports": PORTS, "http": {"host": host}}, rf"http.host .* {problem}", GATEWAY)


LONG_PATH = "/" + "a" * 1023


@pytest.mark.parametrize("path", ["/", "/api", "/api/v1/", "/%41b", "/a.b/c~d", LONG_PATH])
def test_paths_the_routers_accept(run: Runner, path: str) -> None:
    route = run(web(GATEWAY, {"host": "shop.example.com", "path": path})).get("HTTPRoute", "web")
    assert route.inputs["spec"]["rules"][0]["matches"][0]["path"]["value"] == path
    validate_http_route(manifest(route))


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("api", "does not start with '/'"),
        (LONG_PATH + "a", "has characters a URL path cannot hold"),
        ("/a b", "has characters a URL path cannot hold"),
        ("/a//b", "contains '//'"),
        ("/a/./b", "contains '/./'"),
        ("/a/../b", "contains '/../'"),
        ("/a%2Fb", "contains '%2F'"),
        ("/a%2fb", "contains '%2f'"),
        ("/a/..", "ends with a dot segment"),
        ("/a/.", "ends with a dot segment"),
        ("/a#b", "has characters a URL path cannot hold"),
    ],
)
def test_paths_the_routers_refuse(path: str, problem: str) -> None:
    assert_rejected(
        {"ports": PORTS, "http": {"host": "shop.example.com", "path": path}}, rf"http.path .* {problem}", GATEWAY
    )


def test_one_host_and_path_route_to_one_app_per_run() -> None:
    def program() -> None:
        ExposedDeployment("web", {"image": IMAGE, "port": 80, "http": {"host": "shop.example.com"}}, profile=INGRESS)
        ExposedDeployment(
            "api", {"image": IMAGE, "port": 80, "http": {"host": "shop.example.com", "path": "/api"}}, profile=INGRESS
        )
        ExposedDeployment("web2", {"image": IMAGE, "port": 80, "http": {"host": "shop.example.com"}}, profile=INGRESS)

    with pytest.raises(
        ValidationError,
        match=r"^ExposedDeployment 'web2': http \{'host': 'shop.example.com', 'path': '/'\} is already the route of "
        r"ExposedDeployment 'web'",
    ):
        run_program(program)


# -- who may call an app ----------------------------------------------------------------------------------
def policy(result: Any, name: str = "web") -> list[dict[str, Any]]:
    return result.get("NetworkPolicy", name).inputs["spec"]["ingress"]


def internal(name: str, profile: StackProfile = LOCAL, **extra: Any) -> ExposedDeployment:
    return ExposedDeployment(name, {"image": IMAGE, "ports": PORTS, **extra}, profile=profile)


def test_an_internal_app_admits_its_own_namespace_by_default(run: Runner) -> None:
    result = run(lambda: internal("web"))
    ports = [{"port": 8080, "protocol": "TCP"}, {"port": 9090, "protocol": "TCP"}]
    assert policy(result) == [{"from": [{"podSelector": {}}], "ports": ports}]


def test_allowed_callers_and_namespaces_are_the_only_peers(run: Runner) -> None:
    def program() -> None:
        internal("frontend")
        internal("worker")
        internal("web", allowed_callers=["frontend", "worker"], allowed_namespaces=["monitoring"])

    (rule,) = policy(run(program))
    assert rule["from"] == [
        {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "frontend"}}},
        {"podSelector": {"matchLabels": {"kubexpose.dev/run-of": "frontend"}}},
        {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "worker"}}},
        {"podSelector": {"matchLabels": {"kubexpose.dev/run-of": "worker"}}},
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}},
    ]


def test_only_namespaces_admits_no_pod_of_the_apps_own_namespace(run: Runner) -> None:
    (rule,) = policy(run(lambda: internal("web", allowed_namespaces=["monitoring"])))
    assert rule["from"] == [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}]


@pytest.mark.parametrize(
    ("profile", "router"),
    [
        (GATEWAY, {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "gateways"}}}),
        (INGRESS_TLS, {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress"}}}),
        (INGRESS, {"namespaceSelector": {}}),  # the stack does not say where the controller runs
    ],
)
def test_an_app_behind_a_router_admits_the_routers_namespace_on_the_routed_port(
    run: Runner, profile: StackProfile, router: dict[str, Any]
) -> None:
    def program() -> None:
        internal("frontend", profile)
        internal("web", profile, allowed_callers=["frontend"], http={"host": "shop.example.com"})

    rules = policy(run(program))
    assert rules[1] == {"from": [router], "ports": [{"port": 8080, "protocol": "TCP"}]}
    assert rules[0]["from"] == [
        {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "frontend"}}},
        {"podSelector": {"matchLabels": {"kubexpose.dev/run-of": "frontend"}}},
    ]


def test_a_public_app_stays_open_on_its_service_ports(run: Runner) -> None:
    result = run(lambda: internal("web", exposure="public"))
    assert policy(result) == [{"ports": [{"port": 8080, "protocol": "TCP"}, {"port": 9090, "protocol": "TCP"}]}]


@pytest.mark.parametrize(
    ("extra", "match"),
    [
        (
            {"exposure": "public", "allowed_callers": ["frontend"]},
            r"allowed_callers \['frontend'\] is set on a NodePort",
        ),
        (
            {"network_policy": False, "allowed_namespaces": ["x"]},
            r"allowed_namespaces \['x'\] is set with network_policy",
        ),
        ({"allowed_callers": ["Front_End"]}, r"allowed_callers\[0\] 'Front_End' is not a DNS-1123 label"),
        ({"allowed_callers": ["a", "a"]}, r"allowed_callers \['a', 'a'\] repeats a name"),
        ({"allowed_callers": "frontend"}, r"allowed_callers 'frontend' is not a non-empty list of names"),
        ({"allowed_namespaces": []}, r"allowed_namespaces \[\] is not a non-empty list"),
    ],
)
def test_caller_lists_are_checked(extra: dict[str, Any], match: str) -> None:
    assert_rejected({"ports": PORTS, **extra}, match)


def test_a_caller_that_is_no_app_of_the_run_is_an_error_at_its_end_listing_the_apps() -> None:
    def program() -> None:
        internal("web", allowed_callers=["fronted"])
        internal("frontend")
        ExposedDeployment("elsewhere", {"image": IMAGE, "port": 80, "namespace": "other"}, profile=LOCAL)

    with pytest.raises(
        ValidationError,
        match=r"^ExposedDeployment 'web': allowed_callers\[0\] 'fronted' names no app of this program in "
        r"namespace 'shop'; use one of: frontend, web$",
    ):
        run_program(program)


def test_a_caller_in_another_namespace_is_not_a_caller() -> None:
    def program() -> None:
        internal("web", allowed_callers=["frontend"])
        ExposedDeployment("frontend", {"image": IMAGE, "port": 80, "namespace": "other"}, profile=LOCAL)

    with pytest.raises(ValidationError, match=r"'frontend' names no app of this program in namespace"):
        run_program(program)


def test_under_pulumis_own_mocks_an_unknown_caller_fails_the_run() -> None:
    pulumi.runtime.set_mocks(EchoMocks(), preview=False)

    @pulumi.runtime.test
    def program():
        return internal("web", allowed_callers=["ghost"]).service_name

    with pytest.raises(ValidationError, match=r"allowed_callers\[0\] 'ghost' names no app"):
        program()


# -- stack config ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("key", "value", "match"),
    [
        ("ingress", {"annotations": {}}, r"config 'kubexpose:ingress' = .* lacks 'className'"),
        ("ingress", {"className": "nginx", "tls": "x"}, r"has the unknown field 'tls'"),
        ("ingress", {"className": "Nginx!"}, r"ingress.className 'Nginx!' is not a IngressClass name"),
        ("ingress", {"className": "nginx", "namespace": "Ingress"}, r"ingress.namespace 'Ingress' is not a DNS-1123"),
        ("gateway", {"name": "shared"}, r"config 'kubexpose:gateway' = .* lacks 'namespace'"),
        ("gateway", {"name": "shared", "namespace": "gw", "tls": "yes"}, r"is not a boolean"),
        ("gateway", "shared", r"is not a dict"),
    ],
)
def test_router_config_is_checked(key: str, value: Any, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        StackProfile.from_mapping({key: value}, stack="dev")


def test_router_config_is_read_from_the_stack() -> None:
    profile = StackProfile.from_mapping(
        {
            "ingress": '{"className": "nginx", "tlsSecret": "shop-tls", "namespace": "ingress-nginx"}',
            "gateway": {"name": "shared", "namespace": "gateways", "sectionName": "https", "tls": "true"},
        }
    )
    assert profile.ingress == IngressSettings("nginx", tls_secret="shop-tls", namespace="ingress-nginx")
    assert profile.gateway == GatewaySettings("shared", "gateways", section_name="https", tls=True)
    assert profile.has_router and not StackProfile().has_router
