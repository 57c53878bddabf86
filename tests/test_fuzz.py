"""Property-based tests over the whole argument space of both components.

For every generated input: either a ValidationError whose message names the component and the
field, or manifests that pass kubernetes-validate in strict mode and the independent rule checker
in `k8s_rules.py`. Any other exception is a bug. `HYPOTHESIS_PROFILE=long` (see `make fuzz`) runs
thousands of examples; the default `ci` profile keeps the suite fast.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from typing import Any

import kubernetes_validate
import pulumi
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from k8s_rules import render_violations
from pulumi_kubernetes.core.v1 import ServiceSpecType
from upstream import validate_http_route

from kubexpose import (
    ExposedDeployment,
    ExposedStatefulSet,
    ExternalAlias,
    LoadBalancerSettings,
    StackProfile,
    ValidationError,
    Worker,
)
from kubexpose.components.exposed_deployment import ExposedDeploymentArgs
from kubexpose.components.external_alias import ExternalAliasArgs
from kubexpose.engine.run import run_program
from kubexpose.inputs import AppArgs, ExposedStatefulSetArgs, WorkerArgs, WorkloadArgs
from kubexpose.profile import GatewaySettings, IngressSettings
from kubexpose.render.manifests import manifests

VERSION = "1.37.0"
FIELD = re.compile(r"^(\w+)")


def mostly(good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Valid values nine times in ten, so accepted inputs get explored too, not only rejections."""
    return st.sampled_from(range(10)).flatmap(lambda n: bad if n == 7 else good)


good_label = st.from_regex(r"\A[a-z]([-a-z0-9]{0,10}[a-z0-9])?\Z")
any_name = mostly(good_label, st.text(alphabet=string.ascii_letters + string.digits + "-_.", max_size=70))
port_number = mostly(st.integers(1, 65535), st.one_of(st.integers(-5, 70000), st.just(True)))
iana = mostly(
    st.from_regex(r"\A[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,4})?\Z"), st.text(alphabet="abcXYZ0-", min_size=1, max_size=18)
)
protocol = mostly(st.sampled_from(["TCP", "UDP", "SCTP"]), st.sampled_from(["HTTP", "tcp"]))
node_port = mostly(st.integers(30000, 31999), st.one_of(st.integers(29990, 32770), st.integers(1, 65535)))
cidr = mostly(
    st.sampled_from(["10.0.0.0/8", "192.168.0.0/16", "2001:db8::/32"])
    | st.ip_addresses(v=4).map(lambda ip: f"{ip}/32"),
    st.sampled_from(["10.0.0.1/8", "2001:DB8::/32", "nonsense", "10.0.0.0"]),
)


@st.composite
def port_specs(draw: st.DrawFn) -> Any:
    spec: dict[str, Any] = {"port": draw(port_number)}
    if draw(st.integers(0, 2)) == 1:
        spec["target_port"] = draw(mostly(port_number, iana))
    if draw(st.integers(0, 3)) > 0:
        spec["name"] = draw(any_name)
    if draw(st.booleans()):
        spec["protocol"] = draw(protocol)
    if draw(st.sampled_from(range(8))) == 5:
        spec["node_port"] = draw(node_port)
    if draw(st.sampled_from(range(6))) == 1:
        spec["app_protocol"] = draw(mostly(st.sampled_from(["http", "grpc", "kubernetes.io/h2c"]), st.just("h2c/")))
    return draw(st.one_of(st.just(spec), st.just(spec["port"])))


labels = st.dictionaries(
    mostly(st.from_regex(r"\A[a-z]{1,8}(\.example\.com/[a-z]{1,8})?\Z"), any_name),
    mostly(st.from_regex(r"\A[a-zA-Z0-9]{0,10}\Z"), any_name),
    max_size=3,
)

profiles = st.builds(
    StackProfile,
    public_service_type=st.sampled_from([ServiceSpecType.NODE_PORT, ServiceSpecType.LOAD_BALANCER]),
    namespace=st.sampled_from(["default", "shop"]),
    node_port_range=st.sampled_from([(30000, 32767), (31000, 31999)]),
    skip_await=st.booleans(),
    load_balancer=st.builds(
        LoadBalancerSettings,
        source_ranges=st.sampled_from([(), ("10.0.0.0/8",)]),
        external_traffic_policy=st.sampled_from([None, "Local", "Cluster"]),
    ),
    ingress=st.sampled_from([None, IngressSettings("nginx", tls_secret="tls", namespace="ingress-nginx")]),
    gateway=st.sampled_from([None, GatewaySettings("shared", "gateways", section_name="https", tls=True)]),
    zones=st.booleans(),
    egress_restricted=st.booleans(),
)

hosts = mostly(
    st.from_regex(r"\A(\*\.)?[a-z][a-z0-9]{0,6}(\.[a-z][a-z0-9]{0,6}){0,2}\Z"),
    st.sampled_from(["*.*.example.com", "a.*.com", "https://a.com", "a.com/x", "a.com:80", "10.0.0.1", "A.com", ""]),
)
paths = mostly(
    st.from_regex(r"\A(/[a-z0-9._~-]{0,6}){1,3}\Z"),
    st.sampled_from(["api", "/a//b", "/a/./b", "/a/..", "/a b", "/%2F", "/%41", "/x#y"]),
)


probe_counts = {
    key: mostly(st.integers(0, 30), st.integers(-2, 3))
    for key in ("initial_delay_seconds", "period_seconds", "timeout_seconds", "success_threshold", "failure_threshold")
}
probe_port = mostly(st.one_of(port_number, iana), st.integers(-1, 70000))
probes = st.one_of(
    st.fixed_dictionaries(
        {
            "http_get": st.fixed_dictionaries(
                {"port": probe_port},
                optional={
                    "path": st.just("/healthz"),
                    "scheme": mostly(st.sampled_from(["HTTP", "HTTPS"]), st.just("FTP")),
                    "http_headers": st.lists(
                        st.fixed_dictionaries(
                            {
                                "name": mostly(st.sampled_from(["Host", "X-Probe"]), st.just("a b")),
                                "value": st.just("1"),
                            }
                        ),
                        max_size=2,
                    ),
                },
            )
        },
        optional=probe_counts,
    ),
    st.fixed_dictionaries({"tcp_socket": st.fixed_dictionaries({"port": probe_port})}, optional=probe_counts),
    st.fixed_dictionaries(
        {"grpc": st.fixed_dictionaries({"port": probe_port}, optional={"service": st.just("health")})},
        optional=probe_counts,
    ),
    st.fixed_dictionaries(
        {"exec": st.fixed_dictionaries({"command": st.lists(st.sampled_from(["cat", "/tmp/ready"]), max_size=2)})}
    ),
    st.sampled_from([None, {"disabled": True}, {"period_seconds": 5}]),
)
quantity = mostly(
    st.sampled_from(
        ["100m", "250m", "1", "2", "0.5", "64Mi", "256Mi", "1Gi", "1e3", "500M", "1.5Gi", "1024Mi", "0.25", "1000"]
    ),  # canonical and not: the render writes each as the server stores it (e2e/test_server_agreement.py)
    st.sampled_from(["lots", "-1", "1.5.5", "10Qi", "--1", "1Kb", ""]),
)
resource_lists = st.dictionaries(st.sampled_from(["cpu", "memory"]), quantity, max_size=2)


def side_containers(probes: bool) -> st.SearchStrategy[dict[str, Any]]:
    """A sidecar or an init step: a name (sometimes the app's or a bad one), an image, and some of the fields the
    app's container takes."""
    optional: dict[str, Any] = {
        "args": st.lists(st.sampled_from(["--v", "$(MODE)"]), max_size=2),
        "env": st.dictionaries(st.sampled_from(["MODE", "LEVEL"]), st.sampled_from(["a", "$(MODE)"]), max_size=2),
        "container_ports": st.lists(st.fixed_dictionaries({"container_port": port_number}), max_size=1),
        "writable_paths": st.lists(st.sampled_from(["/tmp", "/var/log/app"]), max_size=2, unique=True),
        "security_context": st.fixed_dictionaries({}, optional={"run_as_user": st.integers(1, 70000)}),
    }
    if probes:
        optional["readiness_probe"] = st.fixed_dictionaries(
            {"tcp_socket": st.fixed_dictionaries({"port": port_number})}
        )
    else:
        optional["readiness_probe"] = st.just({"tcp_socket": {"port": 80}}) | st.none()
    return st.fixed_dictionaries(
        {
            "name": mostly(st.sampled_from(["shipper", "proxy", "migrate"]), st.sampled_from(["web", "Bad"])),
            "image": mostly(st.just("fluent/fluent-bit:3.1"), st.just("Bad/Image")),
        },
        optional=optional,
    )


node_requirements = st.lists(
    st.fixed_dictionaries(
        {
            "key": mostly(st.sampled_from(["kubernetes.io/arch", "cpus"]), st.just("a b")),
            "operator": st.sampled_from(["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt", "Is"]),
        },
        optional={"values": st.lists(st.sampled_from(["arm64", "4", "-1", "x"]), max_size=2)},
    ),
    max_size=2,
)
pod_terms = st.lists(
    st.fixed_dictionaries(
        {},
        optional={
            "apps": st.lists(mostly(good_label, any_name), max_size=2),
            "labels": st.dictionaries(mostly(good_label, any_name), st.sampled_from(["a", ""]), max_size=1),
            "topology_key": mostly(
                st.sampled_from(["kubernetes.io/hostname", "topology.kubernetes.io/zone"]), any_name
            ),
            "namespaces": st.lists(mostly(good_label, any_name), max_size=1),
            "weight": st.integers(0, 101),
        },
    ),
    max_size=2,
)


@st.composite
def deployment_args(draw: st.DrawFn) -> dict[str, Any]:
    args: dict[str, Any] = {
        "image": draw(st.sampled_from(["nginxinc/nginx-unprivileged:1.27-alpine", "redis:7.4-alpine", ""]))
    }
    if draw(st.integers(0, 9)) == 0:
        args["port"] = draw(port_number)
    else:
        args["ports"] = draw(st.lists(port_specs(), min_size=0, max_size=3))
    optional = {
        "exposure": st.sampled_from(["internal", "public", "everyone"]),
        "service_type": st.sampled_from(
            ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName", ServiceSpecType.NODE_PORT]
        ),
        "replicas": st.integers(-1, 5),
        "namespace": st.one_of(good_label, any_name),
        "labels": labels,
        "session_affinity": mostly(st.sampled_from(["ClientIP", "None"]), st.just("Sticky")),
        "session_affinity_timeout_seconds": mostly(st.integers(1, 86400), st.integers(-1, 90000)),
        "headless": st.booleans(),
        "external_traffic_policy": mostly(st.sampled_from(["Cluster", "Local"]), st.just("Global")),
        "load_balancer": st.fixed_dictionaries(
            {}, optional={"source_ranges": st.lists(cidr, max_size=2), "load_balancer_class": any_name}
        ),
        "container_ports": st.lists(
            st.fixed_dictionaries({"container_port": port_number}, optional={"name": iana, "protocol": protocol}),
            max_size=2,
        ),
        "writable_paths": st.lists(
            mostly(st.sampled_from(["/tmp", "/data", "/var/cache/nginx"]), st.just("tmp")), max_size=2
        ),
        "env": st.dictionaries(
            mostly(st.sampled_from(["A", "B_C", "x.y"]), st.just("1X")),
            st.one_of(  # references to variables before, after, nowhere, to itself, and escaped
                st.text(max_size=5),
                st.sampled_from(["$(A)", "x$(B_C)", "$(POD_IP):80", "$$(A)", "$(NOPE)", "$(X_SERVICE_HOST)"]),
            ),
            max_size=3,
        ),
        "env_refs": st.dictionaries(
            mostly(st.sampled_from(["DB_PASSWORD", "POD_IP", "A"]), st.just("1X")),
            st.one_of(
                st.fixed_dictionaries(
                    {"secret": mostly(good_label, any_name), "key": mostly(st.just("password"), any_name)}
                ),
                st.fixed_dictionaries({"config_map": good_label, "key": st.sampled_from(["log.level", "a b"])}),
                st.fixed_dictionaries(
                    {"field": st.sampled_from(["status.podIP", "metadata.labels['team']", "status.ip"])}
                ),
                st.just("db/password"),
            ),
            max_size=2,
        ),
        "network_policy": st.booleans(),
        "http": st.fixed_dictionaries(
            {"host": hosts},
            optional={"path": paths, "port": st.one_of(port_number, iana), "port_name": iana},
        ),
        "allowed_callers": st.lists(mostly(st.sampled_from(["web", "frontend"]), any_name), max_size=2),
        "allowed_namespaces": st.lists(mostly(good_label, any_name), max_size=2),
        "disruption_budget": st.one_of(
            st.fixed_dictionaries({}, optional={"enabled": st.booleans()}),
            st.fixed_dictionaries(
                {"max_unavailable": st.one_of(st.integers(-1, 6), st.sampled_from(["25%", "0%", "x"]))}
            ),
            st.fixed_dictionaries({"min_available": st.one_of(st.integers(-1, 6), st.sampled_from(["50%", "100%"]))}),
            st.fixed_dictionaries({"max_unavailable_percent": st.integers(-1, 101)}),
        ),
        "spread": st.fixed_dictionaries({}, optional={"enabled": st.booleans()}),
        "autoscaling": st.fixed_dictionaries(
            {"min_replicas": st.integers(0, 4), "max_replicas": st.integers(0, 12)},
            optional={"cpu_utilization": st.integers(0, 600), "memory_utilization": st.integers(0, 600)},
        ),
        "service_account": mostly(good_label, any_name),
        "image_pull_secrets": st.lists(mostly(good_label, any_name), max_size=2),
        "pod_annotations": st.dictionaries(
            mostly(st.from_regex(r"\A[a-z]{1,8}(\.example\.com/[a-z]{1,8})?\Z"), any_name),
            st.text(max_size=5),
            max_size=2,
        ),
        "mounts": st.lists(
            st.fixed_dictionaries(
                {"path": mostly(st.sampled_from(["/etc/app", "/etc/tls", "/etc", "/tmp/x"]), st.just("etc"))},
                optional={
                    "config_map": mostly(good_label, any_name),
                    "secret": good_label,
                    "claim": mostly(good_label, any_name),
                    "items": st.dictionaries(
                        mostly(st.sampled_from(["a.yaml", "tls.crt"]), st.just("a b")),
                        mostly(st.sampled_from(["a.yaml", "d/b.pem"]), st.just("../x")),
                        max_size=2,
                    ),
                    "sub_path": mostly(st.sampled_from(["a.yaml", "conf/b"]), st.just("/abs")),
                    "default_mode": mostly(st.sampled_from([0o440, 0o644, 0]), st.just(0o1000)),
                    "optional": st.booleans(),
                    "read_only": st.booleans(),
                    "shared": st.booleans(),
                },
            ),
            max_size=2,
        ),
        "image_pull_policy": mostly(st.sampled_from(["Always", "IfNotPresent"]), st.just("Sometimes")),
        "readiness_probe": probes,
        "liveness_probe": probes,
        "startup_probe": probes,
        "node_selector": st.dictionaries(
            mostly(st.sampled_from(["kubernetes.io/os", "pool", "example.com/tier"]), st.just("a b")),
            mostly(st.sampled_from(["linux", "prod", ""]), st.just("x y")),
            max_size=2,
        ),
        "tolerations": st.lists(
            st.fixed_dictionaries(
                {},
                optional={
                    "key": mostly(st.sampled_from(["pool", "example.com/gpu"]), st.just("bad key")),
                    "operator": mostly(st.sampled_from(["Equal", "Exists"]), st.just("Equals")),
                    "value": st.sampled_from(["prod", ""]),
                    "effect": mostly(st.sampled_from(["NoSchedule", "PreferNoSchedule", "NoExecute"]), st.just("No")),
                    "toleration_seconds": st.integers(-5, 600),
                },
            ),
            max_size=2,
        ),
        "node_affinity": st.fixed_dictionaries(
            {},
            optional={
                "required": st.lists(st.fixed_dictionaries({"match_expressions": node_requirements}), max_size=2),
                "preferred": st.lists(
                    st.fixed_dictionaries({"weight": st.integers(0, 101), "match_expressions": node_requirements}),
                    max_size=2,
                ),
            },
        ),
        "pod_affinity": pod_terms,
        "pod_anti_affinity": pod_terms,
        "priority_class_name": mostly(good_label, any_name),
        "memory_paths": st.dictionaries(
            mostly(st.sampled_from(["/dev/shm", "/cache"]), st.just("shm")),
            mostly(st.sampled_from(["64Mi", "0.5Gi", "", "1G"]), st.sampled_from(["0", "x"])),
            max_size=2,
        ),
        "files": st.dictionaries(
            mostly(st.sampled_from(["/etc/app/config.yaml", "/etc/app.d/x.conf", "/srv/index.html"]), st.just("etc")),
            mostly(st.sampled_from(["level: info\n", "", "<h1>héllo</h1>\n"]), st.just(7)),
            max_size=2,
        ),
        "egress": st.fixed_dictionaries(
            {},
            optional={
                "restricted": mostly(st.booleans(), st.just("yes")),
                "apps": st.lists(mostly(st.sampled_from(["orders", "cart.shop"]), st.just("a.b.c")), max_size=2),
                "networks": st.lists(
                    st.fixed_dictionaries(
                        {"cidr": mostly(st.sampled_from(["10.20.0.0/16", "203.0.113.7/32", "fd00::/8"]), st.just("x"))},
                        optional={
                            "ports": st.lists(mostly(st.integers(1, 65535), st.just(0)), max_size=2, unique=True)
                        },
                    ),
                    max_size=2,
                ),
            },
        ),
        "migration": st.fixed_dictionaries(
            {"command": mostly(st.just(["./migrate", "up"]), st.just([]))},
            optional={
                "args": st.lists(st.sampled_from(["--all", ""]), max_size=2),
                "image": mostly(st.just("ghcr.io/acme/migrate:2.0"), st.just("Bad Image")),
                "backoff_limit": mostly(st.integers(0, 6), st.just(-1)),
                "deadline_seconds": mostly(st.integers(1, 900), st.just(0)),
            },
        ),
        "name": mostly(st.sampled_from(["api", "web-2"]), st.sampled_from(["Api", "1x", ""])),
        "jobs": st.dictionaries(
            mostly(st.sampled_from(["report", "seed", "vacuum-db"]), st.sampled_from(["Report", "migration"])),
            st.fixed_dictionaries(
                {"command": mostly(st.just(["./report"]), st.just([]))},
                optional={
                    "args": st.lists(st.sampled_from(["--all", ""]), max_size=2),
                    "image": mostly(st.just("ghcr.io/acme/tools:2.0"), st.just("Bad Image")),
                    "schedule": mostly(
                        st.sampled_from(
                            ["0 3 * * *", "*/15 * * * *", "0 0 ? * MON-FRI", "5/10 1-5 1,15 jan-jun sun", "@daily"]
                        )
                        | st.sampled_from(["@every 1h30m", "59 23 31 12 6", "0-59/60 * * * *"]),
                        st.sampled_from(
                            ["0 3 * * 7", "60 * * * *", "0 0 L * *", "* * * * * *", "@often", "*/0 * * * *"]
                        ),
                    ),
                    "time_zone": mostly(
                        st.sampled_from(["Etc/UTC", "Europe/Berlin", "America/New_York"]), st.just("Local")
                    ),
                    "concurrency": mostly(st.sampled_from(["Forbid", "Replace", "Allow"]), st.just("Queue")),
                    "starting_deadline_seconds": mostly(st.integers(0, 3600), st.just(-1)),
                    "keep_succeeded": mostly(st.integers(0, 10), st.just(-1)),
                    "keep_failed": mostly(st.integers(0, 10), st.just(-1)),
                    "suspend": mostly(st.booleans(), st.just("no")),
                    "backoff_limit": mostly(st.integers(0, 6), st.just(-1)),
                    "deadline_seconds": mostly(st.integers(1, 900), st.just(0)),
                },
            ),
            max_size=2,
        ),
        "versions": st.dictionaries(
            mostly(st.sampled_from(["v1", "v2", "canary"]), st.sampled_from(["1", "V2", ""])),
            st.fixed_dictionaries(
                {},
                optional={
                    "image": mostly(st.just("ghcr.io/acme/api:2.0"), st.just("Bad Image")),
                    "replicas": mostly(st.integers(0, 3), st.just(-1)),
                    "env": st.dictionaries(
                        mostly(st.sampled_from(["MODE", "COLOR"]), st.just("1X")),
                        mostly(st.sampled_from(["red", ""]), st.just(7)),
                        max_size=2,
                    ),
                    "weight": mostly(st.integers(0, 100), st.just(1_000_001)),
                },
            ),
            max_size=3,
        ),
        "patches": st.dictionaries(
            mostly(st.sampled_from(["Deployment", "Service"]), st.just("Deploy")),
            st.lists(
                st.sampled_from(
                    [
                        {"op": "add", "path": "/spec/template/spec/hostname", "value": "web"},
                        {"op": "add", "path": "/spec/minReadySeconds", "value": 5},
                        {"op": "add", "path": "/metadata/annotations", "value": {"example.com/team": "shop"}},
                        {"op": "add", "path": "/spec/publishNotReadyAddresses", "value": True},
                        {"op": "replace", "path": "/metadata/name", "value": "other"},
                        {"op": "remove", "path": "/spec/nothing"},
                    ]
                ),
                min_size=1,
                max_size=2,
            ),
            max_size=2,
        ),
        "sidecars": st.lists(side_containers(probes=True), max_size=2),
        "init_containers": st.lists(side_containers(probes=False), max_size=1),
        "drain_seconds": mostly(st.integers(0, 40), st.one_of(st.just(-1), st.just(True))),
        "termination_grace_period_seconds": mostly(st.integers(0, 90), st.just(-3)),
        "rollout": st.one_of(
            st.fixed_dictionaries({"strategy": mostly(st.just("Recreate"), st.just("Blue"))}),
            st.fixed_dictionaries(
                {},
                optional={
                    "strategy": st.just("RollingUpdate"),
                    "max_surge": st.one_of(st.integers(-1, 3), st.sampled_from(["0%", "25%", "150%", "x"])),
                    "max_unavailable": st.one_of(st.integers(-1, 3), st.sampled_from(["0%", "50%", "101%"])),
                    "max_unavailable_percent": st.integers(-1, 101),
                },
            ),
        ),
        "revision_history_limit": mostly(st.integers(0, 12), st.one_of(st.integers(-2, -1), st.just("3"))),
        "resources": st.fixed_dictionaries({}, optional={"requests": resource_lists, "limits": resource_lists}),
        "security_context": st.fixed_dictionaries(
            {},
            optional={
                "run_as_user": mostly(st.integers(1, 70000), st.sampled_from([0, -1, 2**31])),
                "privileged": st.booleans(),
                "allow_privilege_escalation": st.booleans(),
                "proc_mount": mostly(st.just("Default"), st.just("Weird")),
                "seccomp_profile": st.fixed_dictionaries(
                    {"type": mostly(st.sampled_from(["RuntimeDefault", "Unconfined"]), st.just("Localhost"))}
                ),
            },
        ),
        "pod_security_context": st.fixed_dictionaries(
            {},
            optional={
                "fs_group": mostly(st.integers(1, 70000), st.just(-1)),
                "supplemental_groups": st.lists(mostly(st.integers(0, 70000), st.just(-5)), max_size=2),
                "fs_group_change_policy": mostly(st.sampled_from(["Always", "OnRootMismatch"]), st.just("Never")),
            },
        ),
    }
    for key, strategy in optional.items():
        if draw(st.sampled_from(range(4))) == 2 or (key == "exposure" and draw(st.booleans())):
            args[key] = draw(strategy)
    return args


def assert_named(message: str, kind: str, name: str, fields: set[str]) -> None:
    prefix = f"{kind} '{name}': "
    assert message.startswith(prefix), message
    match = FIELD.match(message[len(prefix) :])
    assert match and match.group(1) in fields, f"no known field named: {message}"
    event(f"rejected: {match.group(1)}")


def assert_valid(objs: list[dict[str, Any]], profile: StackProfile) -> None:
    event(
        "accepted: " + ", ".join(sorted({o["spec"].get("type", "ClusterIP") for o in objs if o["kind"] == "Service"}))
    )
    routed = sorted({o["kind"] for o in objs if o["kind"] in ("Ingress", "HTTPRoute")})
    event("accepted with a route: " + (", ".join(routed) or "none"))
    for obj in objs:
        if obj["kind"] == "HTTPRoute":
            validate_http_route(obj)
        else:
            kubernetes_validate.validate(obj, VERSION, strict=True)
    assert render_violations(objs, profile.node_port_range) == []


FIELDS = {
    "ExposedDeployment": set(ExposedDeploymentArgs.__annotations__) | {"name", "args"},
    "ExposedStatefulSet": set(ExposedStatefulSetArgs.__annotations__) | {"name", "args"},
    "ExternalAlias": set(ExternalAliasArgs.__annotations__) | {"name", "args", "kubexpose"},
    "Worker": set(AppArgs.__annotations__) | set(WorkerArgs.__annotations__) | {"name", "args"},
}
"""The fields an error of each component may name (a Worker names the served-app field it refuses)."""


def rejected_by_name_or_valid(declare: Callable[[], Any], kind: str, name: str, profile: StackProfile) -> None:
    """The invariant: a ValidationError naming component and field, or manifests Kubernetes accepts."""
    try:
        result = run_program(declare)
    except ValidationError as err:
        assert_named(str(err), kind, name, FIELDS[kind])
        return
    assert_valid(manifests(result), profile)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(name=any_name, args=deployment_args(), profile=profiles)
def test_an_exposed_deployment_is_rejected_by_name_or_valid_for_kubernetes(
    name: str, args: dict[str, Any], profile: StackProfile
) -> None:
    rejected_by_name_or_valid(
        lambda: ExposedDeployment(name, args, profile=profile), "ExposedDeployment", name, profile
    )


targets = st.one_of(
    st.from_regex(r"\A[a-z]{1,8}(\.[a-z]{1,8}){0,2}\.?\Z"),
    st.ip_addresses().map(str),
    st.lists(st.ip_addresses().map(str), min_size=1, max_size=3),
    st.sampled_from(
        ["https://api.example.com", "api.example.com:9000", "api.example.com/v1", "API.example.com", "", "[::1]"]
    ),
    st.text(max_size=20),
)


@st.composite
def stateful_args(draw: st.DrawFn) -> dict[str, Any]:
    """An ExposedStatefulSet's arguments: an app's (those an ExposedDeployment alone takes left out) and volumes."""
    only_deployments = ("autoscaling", "rollout", "adopt", "versions")
    args = {k: v for k, v in draw(deployment_args()).items() if k not in only_deployments}
    volume = st.fixed_dictionaries(
        {
            "name": mostly(st.sampled_from(["data", "wal"]), st.just("Data")),
            "path": mostly(st.sampled_from(["/data", "/var/lib/wal"]), st.just("data")),
            "size": mostly(st.sampled_from(["1Gi", "0.5Gi", "100M", "1e9"]), st.just("0")),
        },
        optional={
            "storage_class": mostly(st.sampled_from(["fast", "standard-rwo"]), st.just("Fast")),
            "access_mode": mostly(st.sampled_from(["ReadWriteOnce", "ReadWriteOncePod"]), st.just("RW")),
        },
    )
    args["volumes"] = draw(st.lists(volume, min_size=1, max_size=2))
    if draw(st.booleans()):
        args["retention"] = draw(
            st.fixed_dictionaries(
                {}, optional={"when_deleted": st.sampled_from(["Retain", "Delete"]), "when_scaled": mostly(
                    st.sampled_from(["Retain", "Delete"]), st.just("Drop"))}
            )
        )  # fmt: skip
    return args


@st.composite
def worker_args(draw: st.DrawFn) -> dict[str, Any]:
    """A Worker's arguments: an app's without what serves callers (now and then one of them, which is refused)."""
    served = set(AppArgs.__annotations__) - set(WorkloadArgs.__annotations__)
    args = draw(deployment_args())
    keep = mostly(st.just(False), st.just(True))
    return {k: v for k, v in args.items() if k not in ("adopt", "versions") and (k not in served or draw(keep))}


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(name=any_name, args=worker_args(), profile=profiles)
def test_a_worker_is_rejected_by_name_or_valid_for_kubernetes(
    name: str, args: dict[str, Any], profile: StackProfile
) -> None:
    rejected_by_name_or_valid(lambda: Worker(name, args, profile=profile), "Worker", name, profile)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(name=any_name, args=stateful_args(), profile=profiles)
def test_an_exposed_stateful_set_is_rejected_by_name_or_valid_for_kubernetes(
    name: str, args: dict[str, Any], profile: StackProfile
) -> None:
    rejected_by_name_or_valid(
        lambda: ExposedStatefulSet(name, args, profile=profile), "ExposedStatefulSet", name, profile
    )


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    name=any_name,
    target=targets,
    ports=st.one_of(st.none(), st.lists(port_specs(), min_size=1, max_size=2)),
    alias_override=mostly(st.none(), targets),
    profile=profiles,
    field=st.sampled_from(["target", "addresses"]),
    from_output=st.booleans(),
)
def test_an_external_alias_is_rejected_by_name_or_valid_for_kubernetes(
    name, target, ports, alias_override, profile, field, from_output
) -> None:
    args: dict[str, Any] = {}
    if ports is not None:
        args["ports"] = ports
    if alias_override is not None:
        aliases = {name: tuple(alias_override) if isinstance(alias_override, list) else alias_override}
        profile = StackProfile(public_service_type=profile.public_service_type, aliases=aliases)

    def program() -> None:  # an Output belongs to one program run: made inside it
        value = pulumi.Output.from_input(target) if from_output else target
        ExternalAlias(name, {field: value, **args}, profile=profile)

    rejected_by_name_or_valid(program, "ExternalAlias", name, profile)


@st.composite
def node_port_mixes(draw: st.DrawFn) -> list[tuple[str, list[dict[str, Any]]]]:
    """Two to four public apps, each with one or two ports whose node ports and protocols often collide."""
    apps = []
    for i in range(draw(st.integers(2, 4))):
        ports = []
        for j in range(draw(st.integers(1, 2))):
            port: dict[str, Any] = {"port": 53 + j, "name": f"p{j}", "protocol": draw(st.sampled_from(["TCP", "UDP"]))}
            if draw(st.integers(0, 3)) > 0:
                port["node_port"] = draw(st.sampled_from([30053, 30054, 30055]))
            ports.append(port)
        apps.append((f"app-{i}", ports))
    return apps


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(apps=node_port_mixes())
def test_node_ports_across_components_are_rejected_by_name_or_allocatable_in_one_cluster(apps) -> None:
    profile = StackProfile(public_service_type=ServiceSpecType.NODE_PORT)

    def program() -> None:
        for name, ports in apps:
            ExposedDeployment(
                name, {"image": "redis:7.4-alpine", "exposure": "public", "ports": ports}, profile=profile
            )

    try:
        result = run_program(program)
    except ValidationError as err:
        assert re.match(
            r"ExposedDeployment 'app-\d': ports\[\d\]\.node_port 3005\d is (already a node port of ExposedDeployment 'app-\d'|used twice with (TCP|UDP))",
            str(err),
        ), err
        event("rejected")
        return
    event("accepted")
    assert_valid(manifests(result), profile)


ROUTERS = [
    StackProfile(ingress=IngressSettings("nginx")),
    StackProfile(ingress=IngressSettings("nginx", tls_secret="tls", namespace="ingress-nginx")),
    StackProfile(gateway=GatewaySettings("shared", "gateways")),
    StackProfile(gateway=GatewaySettings("shared", "gateways", section_name="https", tls=True)),
    StackProfile(),
    StackProfile(ingress=IngressSettings("nginx"), gateway=GatewaySettings("shared", "gateways")),
]


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    name=mostly(st.sampled_from(["web", "api"]), any_name),
    profile=st.sampled_from(ROUTERS),
    http=st.fixed_dictionaries(
        {"host": hosts},
        optional={
            "path": paths,
            "port": st.sampled_from([80, 9090, "http", "metrics", 1234]),
            "port_name": st.sampled_from(["http", "metrics", "admin"]),
        },
    ),
    extra=st.fixed_dictionaries(
        {},
        optional={
            "exposure": st.sampled_from(["internal", "public"]),
            "service_type": st.sampled_from(["ClusterIP", "NodePort"]),
            "allowed_namespaces": st.lists(mostly(good_label, any_name), min_size=1, max_size=2),
        },
    ),
)
def test_a_routed_app_is_rejected_by_name_or_valid_for_kubernetes(name, profile, http, extra) -> None:
    ports = [{"port": 80, "target_port": 8080, "name": "http"}, {"port": 9090, "name": "metrics"}]
    args = {"image": "nginxinc/nginx-unprivileged:1.27-alpine", "ports": ports, "http": http, **extra}
    rejected_by_name_or_valid(
        lambda: ExposedDeployment(name, args, profile=profile), "ExposedDeployment", name, profile
    )
