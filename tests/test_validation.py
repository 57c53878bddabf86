"""Every rule the API server enforces (and the traps it silently accepts) fails early, before any registration."""

from __future__ import annotations

import re
from typing import Any

import pulumi
import pytest
from conftest import CLOUD, LOCAL, Runner
from pulumi_kubernetes.core.v1 import ServiceSpecType

from kubexpose import ExposedDeployment, Exposure, ExternalAlias, StackProfile, ValidationError
from kubexpose.engine.run import ClusterMocks, run_program

IMAGE = "nginxinc/nginx-unprivileged:1.27-alpine"


def declare_app(args: dict[str, Any], profile: StackProfile = LOCAL, name: str = "web") -> ClusterMocks:
    """Declare one ExposedDeployment; return the mocks so a test can see what was registered."""
    mocks = ClusterMocks()
    run_program(lambda: ExposedDeployment(name, {"image": IMAGE, **args}, profile=profile), mocks=mocks)
    return mocks


def assert_rejected(args: dict[str, Any], match: str, profile: StackProfile = LOCAL, name: str = "web") -> None:
    mocks = ClusterMocks()
    with pytest.raises(ValidationError, match=match) as caught:
        run_program(lambda: ExposedDeployment(name, {"image": IMAGE, **args}, profile=profile), mocks=mocks)
    assert str(caught.value).startswith(f"ExposedDeployment '{name}': ")
    assert "; " in str(caught.value), "every message ends with the fix"
    assert mocks.registrations == [], "nothing may be registered when validation fails"


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("Web", "is not a DNS-1035 label"),
        ("1web", "is not a DNS-1035 label"),
        ("web_app", "is not a DNS-1035 label"),
        ("web-", "is not a DNS-1035 label"),
        ("w" * 64, "is 64 characters long"),
    ],
)
def test_service_names_must_be_dns_1035_labels_of_at_most_63_characters(name: str, why: str) -> None:
    assert_rejected({"port": 80}, f"name '{re.escape(name)}' {why}", name=name)


def test_a_63_character_name_is_accepted() -> None:
    mocks = declare_app({"port": 80}, name="w" * 63)
    assert any(r.kind == "Service" for r in mocks.registrations)


@pytest.mark.parametrize(
    ("labels", "match"),
    [
        ({"bad key!": "x"}, r"labels key 'bad key!' is not a qualified name"),
        ({"-team": "x"}, r"labels key '-team' is not a qualified name"),
        ({"Example.com/team": "x"}, r"prefix that is not a DNS-1123 subdomain"),
        ({"team": "a b"}, r"labels\['team'\] 'a b' is not a valid label value"),
        ({"team": "x" * 64}, r"is not a valid label value"),
        ({"app.kubernetes.io/name": "other"}, r"is set by kubexpose; remove it"),
    ],
)
def test_labels_follow_kubernetes_syntax_and_cannot_change_the_selector(labels, match) -> None:
    assert_rejected({"port": 80, "labels": labels}, match)


@pytest.mark.parametrize(
    ("ports", "match"),
    [
        ([0], r"ports\[0\].port 0 is outside 1-65535"),
        ([65536], r"ports\[0\].port 65536 is outside 1-65535"),
        (["80"], r"ports\[0\] '80' is not a port"),
        ([{"port": True}], r"ports\[0\].port True is not an integer"),
        ([{"port": 80, "target_port": 70000}], r"target_port 70000 is outside 1-65535"),
        ([{"port": 80, "protocol": "HTTP"}], r"protocol 'HTTP' is not a protocol"),
        ([{"port": 80, "name": "a"}, {"port": 80, "name": "b"}], r"ports\[1\].port 80 is used twice with TCP"),
        (
            [{"port": 80, "name": "a"}, {"port": 81}],
            r"ports\[1\].name is required; a Service with several ports needs a name on each",
        ),
        ([{"port": 80, "name": "a"}, {"port": 81, "name": "a"}], r"ports\[1\].name 'a' is used twice"),
        ([{"port": 80, "name": "Http"}], r"ports\[0\].name 'Http' is not a DNS-1123 label"),
        ([{"port": 80, "nodeport": 30001}], r"ports\[0\].nodeport 30001 is not a port field"),
        ([], r"ports \[\] is empty"),
    ],
)
def test_ports_are_checked(ports, match) -> None:
    assert_rejected({"ports": ports}, match)


def test_the_same_port_number_with_two_protocols_is_accepted() -> None:
    mocks = declare_app(
        {"ports": [{"port": 53, "name": "dns-tcp"}, {"port": 53, "protocol": "UDP", "name": "dns-udp"}]}
    )
    assert any(r.kind == "Service" for r in mocks.registrations)


def test_a_port_is_required_and_port_and_ports_are_exclusive() -> None:
    assert_rejected(
        {}, r"^ExposedDeployment 'web': ports is required; give the port the app listens on, e.g. port=8080"
    )
    assert_rejected({"port": 80, "ports": [81]}, r"port 80 is given together with ports")


@pytest.mark.parametrize(
    "target",
    ["http-server-main-1", "HTTP", "web--ui", "-web", "web-", "8080x-", "123"],
)
def test_named_target_ports_must_be_iana_service_names(target: str) -> None:
    assert_rejected(
        {"ports": [{"port": 80, "target_port": target}]},
        rf"target_port '{re.escape(target)}' is not a valid port name \(IANA_SVC_NAME\)",
    )


def test_a_named_target_port_must_exist_on_the_container() -> None:
    assert_rejected(
        {"ports": [{"port": 80, "target_port": "http"}]},
        r"ports\[0\].target_port 'http' names no port of the container; declare it: container_ports=",
    )
    assert_rejected(
        {"ports": [{"port": 80, "target_port": "http"}], "container_ports": [{"container_port": 8080, "name": "web"}]},
        r"names no port of the container",
    )


@pytest.mark.parametrize(
    ("args", "profile", "match"),
    [
        (
            {"ports": [{"port": 80, "node_port": 30001}]},
            LOCAL,
            r"ports\[0\].node_port 30001 is set on a ClusterIP Service",
        ),
        (
            {"service_type": "ClusterIP", "ports": [{"port": 80, "node_port": 30001}]},
            CLOUD,
            r"is set on a ClusterIP Service",
        ),
        (
            {"exposure": Exposure.PUBLIC, "ports": [{"port": 80, "node_port": 40000}]},
            LOCAL,
            r"node_port 40000 is outside 30000-32767; pick a port in the range or omit it",
        ),
        (
            {"exposure": Exposure.PUBLIC, "ports": [{"port": 80, "node_port": 30001}]},
            StackProfile(public_service_type=ServiceSpecType.NODE_PORT, node_port_range=(31000, 31999)),
            r"node_port 30001 is outside 31000-31999",
        ),
        (
            {
                "exposure": Exposure.PUBLIC,
                "ports": [{"port": 80, "name": "a", "node_port": 30001}, {"port": 81, "name": "b", "node_port": 30001}],
            },
            LOCAL,
            r"ports\[1\].node_port 30001 is used twice with TCP",
        ),
    ],
)
def test_node_ports_only_for_public_services_and_inside_the_stack_range(args, profile, match) -> None:
    assert_rejected(args, match, profile)


def test_the_same_node_port_in_two_components_names_both() -> None:
    mocks = ClusterMocks()

    def program() -> None:
        ExposedDeployment(
            "first",
            {"image": IMAGE, "exposure": Exposure.PUBLIC, "ports": [{"port": 80, "node_port": 30001}]},
            profile=LOCAL,
        )
        ExposedDeployment(
            "second",
            {"image": IMAGE, "exposure": Exposure.PUBLIC, "ports": [{"port": 81, "node_port": 30001}]},
            profile=LOCAL,
        )

    with pytest.raises(
        ValidationError,
        match=r"ExposedDeployment 'second': ports\[0\].node_port 30001 is already a node port of ExposedDeployment 'first'",
    ):
        run_program(program, mocks=mocks)
    assert not [r for r in mocks.registrations if r.name.startswith("second")]


def _public(ports: list[dict]) -> dict:
    return {"image": IMAGE, "exposure": Exposure.PUBLIC, "ports": ports}


def test_a_node_port_number_is_cluster_wide_whatever_the_protocol() -> None:
    def program() -> None:
        ExposedDeployment("dns-tcp", _public([{"port": 53, "node_port": 30053}]), profile=LOCAL)
        ExposedDeployment("dns-udp", _public([{"port": 53, "protocol": "UDP", "node_port": 30053}]), profile=LOCAL)

    with pytest.raises(
        ValidationError,
        match=r"ExposedDeployment 'dns-udp': ports\[0\].node_port 30053 is already a node port of "
        r"ExposedDeployment 'dns-tcp' \(a node port number belongs to one Service in the whole cluster, whatever the protocol\)",
    ):
        run_program(program)


def test_one_service_may_use_its_node_port_number_for_tcp_and_udp(run: Runner) -> None:
    ports = [
        {"port": 53, "name": "dns-tcp", "node_port": 30053},
        {"port": 53, "name": "dns-udp", "protocol": "UDP", "node_port": 30053},
    ]
    result = run(lambda: ExposedDeployment("dns", _public(ports), profile=LOCAL))
    node_ports = [(p["protocol"], p["nodePort"]) for p in result.get("Service", "dns").inputs["spec"]["ports"]]
    assert node_ports == [("TCP", 30053), ("UDP", 30053)]


def test_neighbouring_node_port_numbers_in_two_services_are_fine(run: Runner) -> None:
    def program() -> None:
        ExposedDeployment("a", _public([{"port": 80, "node_port": 30053}]), profile=LOCAL)
        ExposedDeployment("b", _public([{"port": 80, "protocol": "UDP", "node_port": 30054}]), profile=LOCAL)

    assert run(program).services_by_type() == {"a": "NodePort", "b": "NodePort"}


def test_node_port_claims_do_not_leak_between_programs() -> None:
    args = {"exposure": Exposure.PUBLIC, "ports": [{"port": 80, "node_port": 30001}]}
    declare_app(args)
    mocks = declare_app(args)
    assert any(r.kind == "Service" for r in mocks.registrations)


def test_two_services_with_one_name_in_one_namespace_are_rejected() -> None:
    def program() -> None:
        ExposedDeployment("api", {"image": IMAGE, "port": 80}, profile=LOCAL)
        ExternalAlias("api", {"target": "api.example.com"}, profile=LOCAL)

    with pytest.raises(
        ValidationError,
        match=r"ExternalAlias 'api': name 'api' is already the Service name of ExposedDeployment 'api' in namespace 'shop'",
    ):
        run_program(program)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ({"session_affinity": "Sticky"}, r"session_affinity 'Sticky' is not one of ClientIP, None"),
        (
            {"session_affinity": "ClientIP", "session_affinity_timeout_seconds": 0},
            r"session_affinity_timeout_seconds 0 is not an integer in 1-86400",
        ),
        (
            {"session_affinity": "ClientIP", "session_affinity_timeout_seconds": 86401},
            r"86401 is not an integer in 1-86400",
        ),
        ({"session_affinity_timeout_seconds": 60}, r"is set without session_affinity='ClientIP'"),
    ],
)
def test_session_affinity_is_checked(args, match) -> None:
    assert_rejected({"port": 80, **args}, match)


@pytest.mark.parametrize(
    ("args", "profile", "match"),
    [
        (
            {"exposure": Exposure.PUBLIC, "load_balancer": {"source_ranges": ["10.0.0.1/8"]}},
            CLOUD,
            r"load_balancer.source_ranges\[0\] '10.0.0.1/8' is not a canonical CIDR; write it as '10.0.0.0/8'",
        ),
        (
            {"exposure": Exposure.PUBLIC, "load_balancer": {"source_ranges": ["10.0.0.0"]}},
            CLOUD,
            r"'10.0.0.0' is not a canonical CIDR",
        ),
        ({"exposure": Exposure.PUBLIC, "load_balancer": {"source_ranges": ["ten"]}}, CLOUD, r"'ten' is not a CIDR"),
        (
            {"load_balancer": {"source_ranges": ["10.0.0.0/8"]}},
            CLOUD,
            r"load_balancer .* is set on a ClusterIP Service",
        ),
        (
            {"service_type": "NodePort", "load_balancer": {"source_ranges": ["10.0.0.0/8"]}},
            CLOUD,
            r"is set on a NodePort Service",
        ),
        (
            {"exposure": Exposure.PUBLIC, "load_balancer": {"sourceRanges": []}},
            CLOUD,
            r"load_balancer.sourceRanges \[\] is not a load_balancer field",
        ),
        ({"external_traffic_policy": "Local"}, CLOUD, r"external_traffic_policy 'Local' is set on a ClusterIP Service"),
        (
            {"exposure": Exposure.PUBLIC, "external_traffic_policy": "local"},
            CLOUD,
            r"'local' is not one of Cluster, Local",
        ),
        ({"headless": True, "exposure": Exposure.PUBLIC}, LOCAL, r"headless True is set on a NodePort Service"),
        ({"exposure": "everyone"}, LOCAL, r"exposure 'everyone' is not an exposure"),
        (
            {"service_type": "ExternalName"},
            LOCAL,
            r"service_type 'ExternalName' is not for a Deployment; use ExternalAlias",
        ),
        ({"service_type": "Ingress"}, LOCAL, r"service_type 'Ingress' is not a Service type"),
        ({"exposure": Exposure.INTERNAL, "service_type": "LoadBalancer"}, LOCAL, r"contradicts exposure=INTERNAL"),
        ({"exposure": Exposure.PUBLIC, "service_type": "ClusterIP"}, LOCAL, r"contradicts exposure=PUBLIC"),
    ],
)
def test_type_only_fields_are_accepted_only_where_kubernetes_accepts_them(args, profile, match) -> None:
    assert_rejected({"port": 80, **args}, match, profile)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ({"image": ""}, r"image '' is not an image reference"),
        ({"image": "nginx latest"}, r"is not an image reference"),
        ({"replicas": -1}, r"replicas -1 is not a whole number"),
        ({"namespace": "Shop"}, r"namespace 'Shop' is not a DNS-1123 label"),
        ({"env": {"1BAD": "x"}}, r"env key '1BAD' is not a valid environment variable name"),
        ({"writable_paths": ["tmp"]}, r"writable_paths\[0\] 'tmp' is not an absolute path"),
        (
            {"security_context": {"readOnlyRootFilesystem": False}},
            r"security_context.readOnlyRootFilesystem False is not a field of SecurityContext; did you mean read_only_root_filesystem\?",
        ),
        ({"replica": 2}, r"replica 2 is not an ExposedDeployment argument"),
        ({"headless": "yes"}, r"headless 'yes' is not a boolean"),
    ],
)
def test_other_arguments_are_checked(args, match) -> None:
    assert_rejected({"port": 80, **args}, match)


def test_messages_name_component_field_value_and_fix() -> None:
    with pytest.raises(ValidationError) as caught:
        declare_app({"exposure": Exposure.PUBLIC, "ports": [{"port": 80, "node_port": 40000}]}, name="frontend")
    assert str(caught.value) == (
        "ExposedDeployment 'frontend': ports[0].node_port 40000 is outside 30000-32767; "
        "pick a port in the range or omit it to let Kubernetes allocate one"
    )
    assert isinstance(caught.value, pulumi.RunError) and not isinstance(caught.value, ValueError)  # see errors.py


@pytest.mark.parametrize("value", ["public", "PUBLIC", "Public", Exposure.PUBLIC])
def test_exposure_is_accepted_in_any_case(run: Runner, value: object) -> None:
    result = run(lambda: ExposedDeployment("web", {"image": IMAGE, "port": 80, "exposure": value}, profile=LOCAL))
    assert result.services_by_type() == {"web": "NodePort"}


def test_an_unknown_exposure_is_still_refused() -> None:
    with pytest.raises(ValidationError, match=r"ExposedDeployment 'web': exposure 'everyone' is not an exposure"):
        run_program(lambda: ExposedDeployment("web", {"image": IMAGE, "port": 80, "exposure": "everyone"}))


def test_validation_errors_are_pulumi_run_errors_so_the_cli_prints_no_traceback() -> None:
    import pulumi

    from kubexpose import ConfigError

    assert issubclass(ValidationError, pulumi.RunError) and issubclass(ConfigError, pulumi.RunError)
    # No ValueError: the SDK re-wraps ValueErrors raised while it serializes a resource's inputs (a value
    # checked inside an Output), printing every input and a traceback (tests/test_inputs.py shows it).
    assert not issubclass(ValidationError, ValueError)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (
            {"imagee": IMAGE},
            r"imagee 'nginxinc/nginx-unprivileged:1.27-alpine' is not an ExposedDeployment argument; did you mean image\?",
        ),
        (
            {"resources": {"request": {"cpu": "1"}}},
            r"resources.request \{'cpu': '1'\} is not a field of ResourceRequirements; did you mean requests\?",
        ),
        ({"resources": {"requests": {"cpu": 1}}}, r"resources.requests\['cpu'\] 1 is not a string; quote it: '1'"),
        (
            {"readiness_probe": {"tcp_socket": {"port": 8080}, "period_second": 5}},
            r"readiness_probe.period_second 5 is not a field of Probe; did you mean period_seconds\?",
        ),
        (
            {"liveness_probe": {"exec_": {"command": "cat /tmp/ok"}}},
            r"liveness_probe.exec_.command 'cat /tmp/ok' is not a list",
        ),
        (
            {"liveness_probe": {"http_get": {"port": [8080]}}},
            r"liveness_probe.http_get.port \[8080\] is not an integer or a string",
        ),
        (
            {"security_context": {"capabilities": {"add": "NET_ADMIN"}}},
            r"security_context.capabilities.add 'NET_ADMIN' is not a list",
        ),
        ({"pod_security_context": {"run_as_user": "101"}}, r"pod_security_context.run_as_user '101' is not an integer"),
    ],
)
def test_pass_through_kubernetes_fields_are_checked_at_every_depth(args: dict[str, Any], match: str) -> None:
    assert_rejected({"port": 80, **args}, match)


def test_well_typed_pass_through_fields_are_accepted(run: Runner) -> None:
    args = {
        "image": IMAGE,
        "port": 80,
        "resources": {"requests": {"cpu": "100m"}, "limits": {"memory": "128Mi"}},
        "readiness_probe": {"http_get": {"path": "/healthz", "port": "http"}, "period_seconds": 5},
        "liveness_probe": {"exec_": {"command": ["cat", "/tmp/ok"]}},
        "container_ports": [{"container_port": 80, "name": "http"}],
        "security_context": {"capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}},
        "pod_security_context": {"run_as_user": 10101, "seccomp_profile": {"type": "RuntimeDefault"}},
    }
    result = run(lambda: ExposedDeployment("web", args, profile=LOCAL))
    container = result.get("Deployment", "web").inputs["spec"]["template"]["spec"]["containers"][0]
    assert container["readinessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["securityContext"]["capabilities"]["add"] == ["NET_BIND_SERVICE"]


def test_env_refs_read_secrets_config_maps_and_pod_fields_through_value_from(run: Runner) -> None:
    refs = {
        "DB_PASSWORD": {"secret": "db-credentials", "key": "password"},
        "LOG_LEVEL": {"config_map": "settings", "key": "log.level"},
        "POD_IP": {"field": "status.podIP"},
        "TEAM": {"field": "metadata.labels['team']"},
    }
    result = run(
        lambda: ExposedDeployment(
            "web", {"image": IMAGE, "port": 80, "env": {"MODE": "prod"}, "env_refs": refs}, profile=LOCAL
        )
    )
    env = result.get("Deployment", "web").inputs["spec"]["template"]["spec"]["containers"][0]["env"]
    assert env == [
        {"name": "MODE", "value": "prod"},
        {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db-credentials", "key": "password"}}},
        {"name": "LOG_LEVEL", "valueFrom": {"configMapKeyRef": {"name": "settings", "key": "log.level"}}},
        {"name": "POD_IP", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}}},
        {"name": "TEAM", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.labels['team']"}}},
    ]


@pytest.mark.parametrize(
    ("env_refs", "match"),
    [
        ({"MODE": {"secret": "db", "key": "mode"}}, r"env_refs\['MODE'\] .* sets a variable `env` sets too"),
        ({"DB": {"secret": "DB_Creds", "key": "password"}}, r"env_refs\['DB'\].secret 'DB_Creds' is not a Secret name"),
        ({"DB": {"secret": "db", "key": "pass word"}}, r"env_refs\['DB'\].key 'pass word' is not a Secret key"),
        ({"DB": {"secret": "db"}}, r"env_refs\['DB'\].key None is not a Secret key"),
        ({"DB": {"secret": "db", "config_map": "db", "key": "x"}}, r"env_refs\['DB'\] .* is not one source"),
        ({"IP": {"field": "status.ip"}}, r"env_refs\['IP'\].field 'status.ip' is not a field the downward API gives"),
        ({"1X": {"field": "status.podIP"}}, r"env_refs key '1X' is not a valid environment variable name"),
        ({"DB": "db/password"}, r"env_refs\['DB'\] 'db/password' is not a mapping"),
    ],
)
def test_env_refs_are_checked(env_refs: dict, match: str) -> None:
    assert_rejected({"port": 80, "env": {"MODE": "prod"}, "env_refs": env_refs}, match)


# Found by the e2e suite: the API server keys a container's ports by (containerPort, protocol).
def test_a_container_port_declared_twice_for_one_protocol_is_refused() -> None:
    assert_rejected(
        {"port": 80, "container_ports": [{"name": "a", "container_port": 7}, {"container_port": 7}]},
        r"container_ports\[1\].container_port 7 is declared twice for TCP; declare each \(port, protocol\) once",
    )


def test_one_container_port_number_for_tcp_and_udp_is_accepted(run: Any) -> None:
    args = {
        "image": IMAGE,
        "ports": [
            {"port": 53, "name": "dns-tcp", "target_port": "dns-tcp"},
            {"port": 53, "name": "dns-udp", "protocol": "UDP", "target_port": "dns-udp"},
        ],
        "container_ports": [
            {"container_port": 5353, "name": "dns-tcp"},
            {"container_port": 5353, "name": "dns-udp", "protocol": "UDP"},
        ],
    }
    result = run(lambda: ExposedDeployment("dns", args, profile=LOCAL))
    container = result.get("Deployment", "dns").inputs["spec"]["template"]["spec"]["containers"][0]
    assert [(p["containerPort"], p["protocol"]) for p in container["ports"]] == [(5353, "TCP"), (5353, "UDP")]


# -- probes: what the API server's validateProbe refuses, each limit from both sides -------------------------
@pytest.mark.parametrize(
    ("probe", "match"),
    [
        ({"http_get": {"port": 65536}}, r"readiness_probe.http_get.port 65536 is outside 1-65535"),
        ({"http_get": {"port": 0}}, r"readiness_probe.http_get.port 0 is outside 1-65535"),
        ({"tcp_socket": {"port": "Http"}}, r"readiness_probe.tcp_socket.port 'Http' is not a valid port name"),
        ({"http_get": {"port": 8080, "scheme": "FTP"}}, r"readiness_probe.http_get.scheme 'FTP' is not a scheme"),
        ({"exec": {"command": []}}, r"readiness_probe.exec.command \[\] is empty"),
        ({"period_seconds": 5}, r"readiness_probe \{'period_seconds': 5\} names no handler"),
        (
            {"http_get": {"port": 8080}, "tcp_socket": {"port": 8080}},
            r"names 2 handlers \(http_get, tcp_socket\); give exactly one of",
        ),
        ({"tcp_socket": {"port": 8080}, "period_seconds": -1}, r"readiness_probe.period_seconds -1 is negative"),
        ({"tcp_socket": {"port": 8080}, "initial_delay_seconds": -1}, r"initial_delay_seconds -1 is negative"),
        ({"tcp_socket": {"port": 8080}, "timeout_seconds": -1}, r"timeout_seconds -1 is negative"),
        ({"tcp_socket": {"port": 8080}, "failure_threshold": -1}, r"failure_threshold -1 is negative"),
        ({"exec": {"command": ["cat"]}, "exec_": {"command": ["cat"]}}, r"readiness_probe.exec .* is given together"),
    ],
)
def test_a_probe_the_api_server_refuses_is_refused(probe: dict[str, Any], match: str) -> None:
    assert_rejected({"port": 8080, "readiness_probe": probe}, match)


def test_a_liveness_probe_must_succeed_after_one_success() -> None:
    assert_rejected(
        {"port": 8080, "liveness_probe": {"tcp_socket": {"port": 8080}, "success_threshold": 2}},
        r"liveness_probe.success_threshold 2 is not 1, which Kubernetes requires of a liveness probe",
    )


@pytest.mark.parametrize(
    "probe",
    [
        {"http_get": {"port": 65535, "scheme": "HTTPS"}},
        {"http_get": {"port": 1, "path": "/healthz"}},
        {"tcp_socket": {"port": "http"}},
        {"exec": {"command": ["cat", "/tmp/ready"]}},
        {"exec_": {"command": ["true"]}},
        {"tcp_socket": {"port": 8080}, "period_seconds": 0, "initial_delay_seconds": 0, "timeout_seconds": 0},
        {"tcp_socket": {"port": 8080}, "success_threshold": 3, "failure_threshold": 0},
    ],
)
def test_a_probe_at_the_edge_of_each_limit_is_accepted(run: Runner, probe: dict[str, Any]) -> None:
    ports = [{"port": 80, "target_port": 8080, "name": "http"}]
    container = run(
        lambda: ExposedDeployment("web", {"image": IMAGE, "ports": ports, "readiness_probe": probe}, profile=LOCAL)
    )
    spec = container.get("Deployment", "web").inputs["spec"]["template"]["spec"]["containers"][0]
    assert spec["readinessProbe"].keys() & {"httpGet", "tcpSocket", "exec"}


def test_a_liveness_probe_may_give_one_success() -> None:
    run_program(
        lambda: ExposedDeployment(
            "web",
            {"image": IMAGE, "port": 8080, "liveness_probe": {"tcp_socket": {"port": 8080}, "success_threshold": 1}},
            profile=LOCAL,
        )
    )


# -- message shapes a newcomer meets first -----------------------------------------------------------------
def test_a_missing_required_field_says_it_is_required_with_the_fix() -> None:
    assert_rejected({"port": 80, "image": None}, r"^ExposedDeployment 'web': image is required; give e.g. image=")


def test_keyword_arguments_get_the_one_mapping_hint() -> None:
    with pytest.raises(
        TypeError,
        match=r"^ExposedDeployment 'web': image is not a parameter of ExposedDeployment\(\); "
        r"the arguments are one mapping: ExposedDeployment\('web', \{'image': \.\.\., 'port': \.\.\.\}\)$",
    ):
        ExposedDeployment("web", image=IMAGE, port=80)  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match=r"^ExternalAlias 'db': target is not a parameter of ExternalAlias\(\)"):
        ExternalAlias("db", target="db.example.com", port=5432)  # type: ignore[call-arg]


def test_an_output_in_a_message_is_shown_as_output_not_as_its_address() -> None:
    from kubexpose.k8s.validation import Checker

    with pytest.raises(ValidationError) as caught:
        Checker("ExposedDeployment", "web").fail("args", ["--x", pulumi.Output.from_input("a")], "is odd", "fix it")
    assert str(caught.value) == "ExposedDeployment 'web': args ['--x', <Output>] is odd; fix it"


def test_command_and_args_may_come_from_outputs_and_are_checked_when_known(run: Runner) -> None:
    def program() -> None:
        flag = pulumi.Output.from_input("--port=8080")
        ExposedDeployment(
            "web",
            {"image": IMAGE, "port": 8080, "args": ["serve", flag], "command": flag.apply(lambda f: ["/app"])},
            profile=LOCAL,
        )

    container = run(program).get("Deployment", "web").inputs["spec"]["template"]["spec"]["containers"][0]
    assert container["args"] == ["serve", "--port=8080"] and container["command"] == ["/app"]
    with pytest.raises(
        ValidationError, match=r"^ExposedDeployment 'web': args \['serve', 8080\] is not a list of strings"
    ):
        run_program(
            lambda: ExposedDeployment(
                "web", {"image": IMAGE, "port": 8080, "args": ["serve", pulumi.Output.from_input(8080)]}, profile=LOCAL
            )
        )


# -- image references: the grammar container runtimes parse (distribution/reference) ------------------------
@pytest.mark.parametrize(
    "image",
    [
        "nginx",
        "redis:7.4-alpine",
        "localhost:5000/app",
        "registry.example.com:5000/team/app:v1.0_beta",
        "ghcr.io/acme/api@sha256:" + "a" * 64,
        "ghcr.io/acme/api:1.0@sha256:" + "b" * 64,
        "a__b/c--d:" + "x" * 128,
    ],
)
def test_image_references_a_runtime_can_pull_are_accepted(run: Runner, image: str) -> None:
    result = run(lambda: ExposedDeployment("web", {"image": image, "port": 80}, profile=LOCAL))
    assert result.get("Deployment", "web").inputs["spec"]["template"]["spec"]["containers"][0]["image"] == image


@pytest.mark.parametrize(
    "image",
    ["ghcr.io/Acme/api:1", "nginx:", "nginx@sha256:abc", "https://ghcr.io/acme/api", "a//b", "nginx:" + "x" * 129],
)
def test_image_references_a_runtime_cannot_parse_are_refused(image: str) -> None:
    assert_rejected(
        {"image": image, "port": 80}, r"image .* is not an image reference a container runtime can pull \(\[registry/\]"
    )


# -- security contexts: what ValidateSecurityContext refuses, each limit from both sides ---------------------
@pytest.mark.parametrize(
    ("args", "match"),
    [
        ({"security_context": {"run_as_user": -1}}, r"security_context.run_as_user -1 is outside 0-2147483647"),
        ({"security_context": {"run_as_group": 2147483648}}, r"security_context.run_as_group 2147483648 is outside"),
        ({"pod_security_context": {"fs_group": -1}}, r"pod_security_context.fs_group -1 is outside"),
        ({"pod_security_context": {"supplemental_groups": [1, -2]}}, r"supplemental_groups\[1\] -2 is outside"),
        (
            {"pod_security_context": {"seccomp_profile": {"type": "Bogus"}}},
            r"seccomp_profile.type 'Bogus' is not a value Kubernetes accepts; use one of RuntimeDefault, Unconfined, Localhost",
        ),
        (
            {"pod_security_context": {"seccomp_profile": {"type": "Localhost"}}},
            r"seccomp_profile.localhost_profile is required",
        ),
        (
            {"security_context": {"seccomp_profile": {"type": "RuntimeDefault", "localhost_profile": "p.json"}}},
            r"localhost_profile 'p.json' is set for type RuntimeDefault",
        ),
        ({"security_context": {"proc_mount": "Weird"}}, r"security_context.proc_mount 'Weird' is not a value"),
        (
            {"pod_security_context": {"fs_group_change_policy": "Sometimes"}},
            r"fs_group_change_policy 'Sometimes' is not a value",
        ),
        (
            {"security_context": {"privileged": True}},
            r"security_context.privileged True is set while allow_privilege_escalation stays False",
        ),
        (
            {"security_context": {"capabilities": {"add": ["CAP_SYS_ADMIN"]}}},
            r"adds CAP_SYS_ADMIN while allow_privilege_escalation stays False",
        ),
        (
            {"security_context": {"run_as_user": 0}},
            r"security_context.run_as_user 0 is root while run_as_non_root is True",
        ),
    ],
)
def test_a_security_context_kubernetes_refuses_is_refused(args: dict[str, Any], match: str) -> None:
    assert_rejected({"port": 8080, **args}, match)


@pytest.mark.parametrize(
    "args",
    [
        {"security_context": {"run_as_user": 2147483647, "run_as_group": 0}},
        {"pod_security_context": {"fs_group": 0, "supplemental_groups": [0, 2147483647]}},
        {"pod_security_context": {"seccomp_profile": {"type": "Localhost", "localhost_profile": "profiles/app.json"}}},
        {"security_context": {"seccomp_profile": {"type": "Unconfined"}, "proc_mount": "Default"}},
        {"pod_security_context": {"fs_group_change_policy": "OnRootMismatch"}},
        {"security_context": {"privileged": True, "allow_privilege_escalation": True}},
        {"security_context": {"run_as_user": 0, "run_as_non_root": False}},
    ],
)
def test_a_security_context_at_the_edge_of_each_limit_is_accepted(run: Runner, args: dict[str, Any]) -> None:
    result = run(lambda: ExposedDeployment("web", {"image": IMAGE, "port": 8080, **args}, profile=LOCAL))
    assert result.get("Deployment", "web")


def test_annotations_over_256_kib_are_refused_and_up_to_it_accepted(run: Runner) -> None:
    limit = 256 * 1024
    assert_rejected(
        {"port": 80, "pod_annotations": {"a": "x" * limit}}, r"pod_annotations '<1 annotations>' hold 262145 bytes"
    )
    result = run(
        lambda: ExposedDeployment(
            "web", {"image": IMAGE, "port": 80, "pod_annotations": {"a": "x" * (limit - 1)}}, profile=LOCAL
        )
    )
    assert len(result.get("Deployment", "web").inputs["spec"]["template"]["metadata"]["annotations"]["a"]) == limit - 1


def test_a_missing_field_carries_the_program_line_as_a_bad_value_does() -> None:
    from kubexpose.k8s.validation import Checker

    check = Checker("ExposedDeployment", "web")
    errors = []
    for raise_it in (lambda: check.missing("image", "give image=..."), lambda: check.fail("port", 0, "is bad", "fix")):
        with pytest.raises(ValidationError) as caught:
            raise_it()
        errors.append(caught.value)
    assert check.origin is not None and [e.origin for e in errors] == [check.origin, check.origin]
    assert str(errors[0]) == "ExposedDeployment 'web': image is required; give image=..."
