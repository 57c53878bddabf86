"""The API server is the judge: what kubexpose accepts, the server accepts (dry run, server-side apply).

- the render of every example stack;
- a bounded sample of the programs the property-based tests generate (`tests/test_fuzz.py`'s
  strategies: 40 ExposedDeployments, 15 ExposedStatefulSets and 15 Workers a run): every one kubexpose accepts must
  be accepted by the server, stored as rendered, and applied by a second field manager after a first without a
  conflict (`kubectl apply --server-side` of the render, then `pulumi up`);
- the other way round: a table of inputs kubexpose refuses, each written into an otherwise valid
  manifest and offered to the server, which must refuse it too unless the row says why kubexpose
  refuses something the server takes (it accepts it but it never works, or it breaks a later update).
  The test prints the ratio.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
from collections.abc import Callable
from typing import Any

import pulumi
import pytest
from conftest import STACKS, differences, fuzzed, rendered
from test_fuzz import (  # tests/ is on the path (e2e/conftest.py)
    deployment_args,
    stateful_args,
    worker_args,
)

from kubexpose import ExposedDeployment, ExposedStatefulSet, ExternalAlias, StackProfile, ValidationError, Worker
from kubexpose.engine.run import run_program
from kubexpose.k8s.quantity import canonical
from kubexpose.live.cluster import ControlPlane
from kubexpose.render.manifests import manifests


def dry_run(
    cluster: ControlPlane, objects: list[dict[str, Any]], *, real: bool = False, stored: bool = False
) -> subprocess.CompletedProcess[str]:
    """`kubectl apply --server-side --dry-run=server` of ``objects``; namespaces they need are made for real.

    A dry run skips the allocators (node ports, cluster IPs: their range and clash checks run only when
    something is allocated): ``real=True`` applies for real, then deletes what was created. ``stored=True`` prints
    the objects as the server would store them (JSON)."""
    for ns in sorted({o["metadata"].get("namespace") for o in objects} - {None}):
        if cluster.kubectl("get", "namespace", ns, check=False).returncode != 0:
            cluster.kubectl("create", "namespace", ns, check=False)
    body = "\n".join(json.dumps(o) for o in objects if o["kind"] != "Namespace")
    mode = ([] if real else ["--dry-run=server"]) + (["-o", "json"] if stored else [])
    applied = cluster.kubectl(
        "apply", "--server-side", *mode, "--field-manager=kubexpose-e2e", "-f", "-", input=body, check=False
    )
    if real:
        cluster.kubectl("delete", "--ignore-not-found", "--wait=true", "-f", "-", input=body, check=False)
    return applied


IMAGE_STATEFUL = "postgres:16-alpine"


def taken_over(cluster: ControlPlane, objects: list[dict[str, Any]]) -> str:
    """What server-side apply answers when a second field manager applies ``objects`` (not forced, a dry run) after a
    first applied them for real, as `pulumi up` after `kubectl apply --server-side` of the render: "" when it takes
    them without a conflict. A field the render writes otherwise than the server stores it conflicts only when it is
    inside an atomic list (a claim template without its defaults), which a dry run of one manager never shows."""
    body = "\n".join(json.dumps(o) for o in objects if o["kind"] != "Namespace")
    for ns in sorted({o["metadata"].get("namespace") for o in objects} - {None}):
        cluster.kubectl("create", "namespace", ns, check=False)
    try:
        first = cluster.kubectl("apply", "--server-side", "--field-manager=kubectl", "-f", "-", input=body, check=False)
        assert first.returncode == 0, first.stderr
        second = cluster.kubectl(
            "apply", "--server-side", "--dry-run=server", "--field-manager=pulumi-kubernetes-e2e", "-f", "-",
            input=body, check=False,
        )  # fmt: skip
        return second.stderr.strip() if second.returncode else ""
    finally:
        cluster.kubectl("delete", "--ignore-not-found", "--wait=true", "-f", "-", input=body, check=False)
        for ns in sorted({o["metadata"].get("namespace") for o in objects if o["kind"] == "StatefulSet"}):
            cluster.kubectl("delete", "pvc", "--all", "-n", ns, "--wait=false", check=False)  # Retain leaves them


@pytest.mark.parametrize("stack", STACKS)
def test_the_api_server_accepts_every_object_of_each_stack_render(cluster: ControlPlane, stack: str) -> None:
    objects = rendered(stack).manifests
    result = dry_run(cluster, objects)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("serverside-applied (server dry run)") == len(
        [o for o in objects if o["kind"] != "Namespace"]
    )
    assert taken_over(cluster, objects) == ""


def test_a_second_field_manager_is_refused_a_claim_template_without_its_defaults(cluster: ControlPlane) -> None:
    """The check above can fail: a claim template as a user would write it (no `apiVersion`, `kind`, `volumeMode`,
    `status`) is refused to the second manager."""
    objects = manifests(
        run_program(lambda: ExposedStatefulSet("db", STATEFUL, profile=StackProfile(namespace="agree")))
    )
    for o in objects:
        if o["kind"] == "StatefulSet":
            o["spec"]["volumeClaimTemplates"] = [
                {"metadata": t["metadata"], "spec": {k: v for k, v in t["spec"].items() if k != "volumeMode"}}
                for t in o["spec"]["volumeClaimTemplates"]
            ]
    refused = taken_over(cluster, objects)
    assert "conflict" in refused and ".spec.volumeClaimTemplates" in refused, refused


STATEFUL = {"image": IMAGE_STATEFUL, "ports": [{"port": 5432, "name": "pg"}],
            "volumes": [{"name": "data", "path": "/var/lib/postgresql/data", "size": "1Gi"}]}  # fmt: skip


# Generated programs: the same ones each run (CI must not land or fail by luck); KUBEXPOSE_E2E_FUZZ=N draws N
# fresh ones (a longer hunt: `KUBEXPOSE_E2E_FUZZ=500 make e2e`).
FUZZ = int(os.environ.get("KUBEXPOSE_E2E_FUZZ", "0"))


def agrees(cluster: ControlPlane, declare: Callable[[], Any], name: str, args: dict[str, Any]) -> None:
    """A generated program kubexpose accepts (rendered as `kubexpose render` runs it: the fast path where it can) is
    accepted by the server, stored field for field as the render writes it (the server only adds defaults), and
    applied by a second field manager after a first without a conflict."""
    try:
        result = run_program(declare, fast=True)
    except ValidationError:
        return
    objects = [o for o in manifests(result) if o["kind"] != "HTTPRoute" or _has_crd(cluster)]
    verdict = dry_run(cluster, objects, stored=True)
    assert verdict.returncode == 0, (
        f"kubexpose accepted {name!r} {args!r} but the API server refused:\n{verdict.stderr}"
    )
    _, drift = stored_drift(objects, verdict.stdout)
    assert drift == {}, f"the render of {name!r} {args!r} differs from what the server stores"
    assert taken_over(cluster, objects) == "", f"a second field manager conflicts on the render of {name!r} {args!r}"


@fuzzed(40, deployment_args(), FUZZ)
def test_every_generated_program_kubexpose_accepts_the_api_server_accepts(
    cluster: ControlPlane, name: str, args: dict[str, Any], profile: StackProfile
) -> None:
    agrees(cluster, lambda: ExposedDeployment(name, args, profile=profile), name, args)


@fuzzed(15, stateful_args(), FUZZ)
def test_every_generated_stateful_app_is_stored_as_rendered_and_taken_over_without_conflict(
    cluster: ControlPlane, name: str, args: dict[str, Any], profile: StackProfile
) -> None:
    """The claim templates are an atomic list: each of their fields as the server stores it."""
    agrees(cluster, lambda: ExposedStatefulSet(name, args, profile=profile), name, args)


@fuzzed(15, worker_args(), FUZZ)
def test_every_generated_worker_is_stored_as_rendered_and_taken_over_without_conflict(
    cluster: ControlPlane, name: str, args: dict[str, Any], profile: StackProfile
) -> None:
    agrees(cluster, lambda: Worker(name, args, profile=profile), name, args)


def stored_drift(
    objects: list[dict[str, Any]], stored: str
) -> tuple[dict[tuple[str, str], dict[str, Any]], dict[str, list[str]]]:
    """The objects the server printed (`stored`: `kubectl apply -o json`) by (kind, name), and every field of
    `objects` each of them stores otherwise."""
    out = json.loads(stored)
    live = {(o["kind"], o["metadata"]["name"]): o for o in (out["items"] if out.get("kind") == "List" else [out])}
    drift = {
        f"{o['kind']}/{o['metadata']['name']}": found
        for o in objects
        if o["kind"] != "Namespace" and (found := differences(o, live[(o["kind"], o["metadata"]["name"])]))
    }
    return live, drift


QUANTITIES = [
    "0", "1", "2", "0.5", "0.25", "1.5", "1.0", "100m", "250m", "0100m", "2000m", "1200m", "0.1", "0.001",
    "1000", "1500", "1024", "12345678901", "1k", "2.5G", "1M", "1E", "64Mi", "128Mi", "1.5Gi", "0.5Gi", "1024Mi",
    "1536Mi", "1Gi", "8Gi", "3Ki", "1.5Ki", "0.5Ki", "1024Ki", "129e6", "1e3", "1.5e3", "10e3", "1e0", "0e3",
    "1e-3", "0.5e-3", "0.0000000001", "+1", "1E3", "2e10",
]  # fmt: skip
"""Quantities in every format (decimal SI, binary SI, exponent), canonical and not, with rounding to nano units."""


def test_every_quantity_is_rendered_as_the_server_stores_it(cluster: ControlPlane) -> None:
    """`kubexpose.k8s.quantity.canonical` against the API server: each quantity as an emptyDir's size limit (a plain
    Quantity) and as a LimitRange's memory maximum (a ResourceList, rounded up to thousandths, like `resources`)."""
    volumes = [{"name": f"v{i}", "emptyDir": {"sizeLimit": q}} for i, q in enumerate(QUANTITIES)]
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "quantities", "namespace": "agree"},
        "spec": {"containers": [{"name": "c", "image": IMAGE}], "volumes": volumes},
    }
    ranges = [
        {
            "apiVersion": "v1",
            "kind": "LimitRange",
            "metadata": {"name": f"q{i}", "namespace": "agree"},
            "spec": {"limits": [{"type": "Container", "max": {"memory": q}}]},
        }
        for i, q in enumerate(QUANTITIES)
    ]
    verdict = dry_run(cluster, [pod, *ranges], stored=True)
    assert verdict.returncode == 0, verdict.stderr
    items = json.loads(verdict.stdout)["items"]
    by_name = {v["name"]: v for v in items[0]["spec"]["volumes"]}  # the server adds its token volume too
    plain = [by_name[f"v{i}"]["emptyDir"]["sizeLimit"] for i in range(len(QUANTITIES))]
    assert {q: canonical(q) for q in QUANTITIES} == dict(zip(QUANTITIES, plain, strict=True))
    listed = [item["spec"]["limits"][0]["max"]["memory"] for item in items[1:]]
    assert {q: canonical(q, milli=True) for q in QUANTITIES} == dict(zip(QUANTITIES, listed, strict=True))


def _has_crd(cluster: ControlPlane) -> bool:
    return cluster.kubectl("get", "crd", "httproutes.gateway.networking.k8s.io", check=False).returncode == 0


# -- inputs kubexpose refuses: does the server refuse them too? ------------------------------------------
IMAGE = "nginxinc/nginx-unprivileged:1.27-alpine"
BASE = {"image": IMAGE, "ports": [{"port": 80, "target_port": 8080, "name": "http"}], "writable_paths": ["/tmp"]}
Mutation = Callable[[dict[str, dict[str, Any]]], None]


def _container(objs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return objs["Deployment"]["spec"]["template"]["spec"]["containers"][0]


# (what, args kubexpose refuses, the same value written into the valid manifests, why the server accepts it or None)
CASES: list[tuple[str, dict[str, Any], Mutation, str | None]] = [
    (
        "cpu limit 'lots'",
        {"resources": {"limits": {"cpu": "lots"}}},
        lambda o: _container(o).__setitem__("resources", {"limits": {"cpu": "lots"}}),
        None,
    ),
    (
        "request above its limit",
        {"resources": {"requests": {"cpu": "2"}, "limits": {"cpu": "1"}}},
        lambda o: _container(o).__setitem__("resources", {"requests": {"cpu": "2"}, "limits": {"cpu": "1"}}),
        None,
    ),
    (
        "port 0",
        {"ports": [{"port": 0, "target_port": 8080, "name": "http"}]},
        lambda o: o["Service"]["spec"]["ports"][0].__setitem__("port", 0),
        None,
    ),
    (
        "port 65536",
        {"ports": [{"port": 65536, "target_port": 8080, "name": "http"}]},
        lambda o: o["Service"]["spec"]["ports"][0].__setitem__("port", 65536),
        None,
    ),
    (
        "node port outside the range",
        {"service_type": "NodePort", "ports": [{"port": 80, "target_port": 8080, "name": "http", "node_port": 40000}]},
        lambda o: (
            o["Service"]["spec"].__setitem__("type", "NodePort"),
            o["Service"]["spec"]["ports"][0].__setitem__("nodePort", 40000),
        ),
        None,
    ),
    (
        "node port on a ClusterIP Service",
        {"service_type": "ClusterIP", "ports": [{"port": 80, "target_port": 8080, "name": "http", "node_port": 30080}]},
        lambda o: o["Service"]["spec"]["ports"][0].__setitem__("nodePort", 30080),
        None,
    ),
    (
        "port name with upper case",
        {"ports": [{"port": 80, "target_port": 8080, "name": "HTTP"}]},
        lambda o: o["Service"]["spec"]["ports"][0].__setitem__("name", "HTTP"),
        None,
    ),
    (
        "two ports, one unnamed",
        {"ports": [{"port": 80, "target_port": 8080, "name": "http"}, {"port": 81, "target_port": 8081}]},
        lambda o: o["Service"]["spec"]["ports"].append({"port": 81, "targetPort": 8081, "protocol": "TCP"}),
        None,
    ),
    (
        "the same port twice",
        {"ports": [{"port": 80, "target_port": 8080, "name": "a"}, {"port": 80, "target_port": 8080, "name": "b"}]},
        lambda o: o["Service"]["spec"]["ports"].append(
            {"port": 80, "targetPort": 8080, "name": "b", "protocol": "TCP"}
        ),
        None,
    ),
    (
        "protocol HTTP",
        {"ports": [{"port": 80, "target_port": 8080, "name": "http", "protocol": "HTTP"}]},
        lambda o: o["Service"]["spec"]["ports"][0].__setitem__("protocol", "HTTP"),
        None,
    ),
    (
        "session affinity timeout 0",
        {"session_affinity": "ClientIP", "session_affinity_timeout_seconds": 0},
        lambda o: o["Service"]["spec"].update(
            sessionAffinity="ClientIP", sessionAffinityConfig={"clientIP": {"timeoutSeconds": 0}}
        ),
        None,
    ),
    (
        "session affinity timeout 86401",
        {"session_affinity": "ClientIP", "session_affinity_timeout_seconds": 86401},
        lambda o: o["Service"]["spec"].update(
            sessionAffinity="ClientIP", sessionAffinityConfig={"clientIP": {"timeoutSeconds": 86401}}
        ),
        None,
    ),
    (
        "externalTrafficPolicy on a ClusterIP Service",
        {"external_traffic_policy": "Local"},
        lambda o: o["Service"]["spec"].__setitem__("externalTrafficPolicy", "Local"),
        None,
    ),
    (
        "load-balancer source range not canonical",
        {"service_type": "LoadBalancer", "load_balancer": {"source_ranges": ["10.0.0.1/8"]}},
        lambda o: o["Service"]["spec"].update(type="LoadBalancer", loadBalancerSourceRanges=["10.0.0.1/8"]),
        None,
    ),
    (
        "label value too long",
        {"labels": {"team": "x" * 64}},
        lambda o: o["Service"]["metadata"].setdefault("labels", {}).__setitem__("team", "x" * 64),
        None,
    ),
    (
        "replicas -1",
        {"replicas": -1},
        lambda o: o["Deployment"]["spec"].__setitem__("replicas", -1),
        None,
    ),
    (
        "a writable path that is not absolute",
        {"writable_paths": ["tmp"]},
        lambda o: o["Deployment"]["spec"]["template"]["spec"]["containers"][0]["volumeMounts"][0].__setitem__(
            "mountPath", "tmp"
        ),
        "the API server accepts a relative mountPath; the kubelet resolves it against the container's working directory, not where the app writes",
    ),
    (
        "probe port 70000",
        {"readiness_probe": {"http_get": {"port": 70000}}},
        lambda o: _container(o).__setitem__("readinessProbe", {"httpGet": {"port": 70000}}),
        None,
    ),
    (
        "probe period -1",
        {"readiness_probe": {"tcp_socket": {"port": 8080}, "period_seconds": -1}},
        lambda o: _container(o).__setitem__("readinessProbe", {"tcpSocket": {"port": 8080}, "periodSeconds": -1}),
        None,
    ),
    (
        "probe without a handler",
        {"readiness_probe": {"period_seconds": 5}},
        lambda o: _container(o).__setitem__("readinessProbe", {"periodSeconds": 5}),
        None,
    ),
    (
        "liveness probe success threshold 2",
        {"liveness_probe": {"tcp_socket": {"port": 8080}, "success_threshold": 2}},
        lambda o: _container(o).__setitem__("livenessProbe", {"tcpSocket": {"port": 8080}, "successThreshold": 2}),
        None,
    ),
    (
        "run_as_user -1",
        {"security_context": {"run_as_user": -1}},
        lambda o: _container(o).setdefault("securityContext", {}).__setitem__("runAsUser", -1),
        None,
    ),
    (
        "seccomp type 'Bogus'",
        {"pod_security_context": {"seccomp_profile": {"type": "Bogus"}}},
        lambda o: o["Deployment"]["spec"]["template"]["spec"]["securityContext"].__setitem__(
            "seccompProfile", {"type": "Bogus"}
        ),
        None,
    ),
    (
        "privileged without privilege escalation",
        {"security_context": {"privileged": True}},
        lambda o: _container(o)["securityContext"].__setitem__("privileged", True),
        None,
    ),
    (
        "fsGroupChangePolicy 'Sometimes'",
        {"pod_security_context": {"fs_group_change_policy": "Sometimes"}},
        lambda o: o["Deployment"]["spec"]["template"]["spec"]["securityContext"].__setitem__(
            "fsGroupChangePolicy", "Sometimes"
        ),
        None,
    ),
    (
        "run as root with runAsNonRoot",
        {"security_context": {"run_as_user": 0}},
        lambda o: _container(o)["securityContext"].__setitem__("runAsUser", 0),
        "the API server stores it; the kubelet refuses to start a container that must not run as root with UID 0",
    ),
    (
        "image with upper-case path",
        {"image": "ghcr.io/Acme/api:1"},
        lambda o: _container(o).__setitem__("image", "ghcr.io/Acme/api:1"),
        "the API server stores any image text; the kubelet cannot parse it and the Pod stays in InvalidImageName",
    ),
    (
        "image pull policy 'Sometimes'",
        {"image_pull_policy": "Sometimes"},
        lambda o: _container(o).__setitem__("imagePullPolicy", "Sometimes"),
        None,
    ),
]


def _refused_by_kubexpose(args: dict[str, Any]) -> str:
    try:
        run_program(lambda: ExposedDeployment("web", {**BASE, **args}, profile=StackProfile(namespace="agree")))
    except ValidationError as err:
        return str(err)
    raise AssertionError(f"kubexpose accepted {args!r}")


def _valid_objects() -> dict[str, dict[str, Any]]:
    result = run_program(lambda: ExposedDeployment("web", dict(BASE), profile=StackProfile(namespace="agree")))
    return {o["kind"]: o for o in manifests(result)}


OLDER_SERVERS_ACCEPT = {
    "load-balancer source range not canonical": (
        34,
        "Kubernetes 1.34 stores a CIDR with host bits set, with only a warning that it is ambiguous (1.37 refuses it)",
    ),
}
"""Cases an older API server accepts: `{case: (newest minor measured to accept it, why)}` (`make e2e K8S_VERSION=...`)."""


def _server_minor(cluster: ControlPlane) -> int:
    version = json.loads(cluster.kubectl("version", "-o", "json").stdout)["serverVersion"]
    return int(str(version["minor"]).rstrip("+"))


def test_inputs_kubexpose_refuses_are_mostly_refused_by_the_api_server(cluster: ControlPlane, capsys: Any) -> None:
    minor = _server_minor(cluster)
    base = _valid_objects()
    assert dry_run(cluster, list(base.values())).returncode == 0  # the unmutated objects pass
    rows = []
    for what, args, mutate, server_accepts_because in CASES:
        older, why = OLDER_SERVERS_ACCEPT.get(what, (0, None))
        server_accepts_because = server_accepts_because or (why if minor <= older else None)
        message = _refused_by_kubexpose(args)
        objs = copy.deepcopy(base)
        mutate(objs)
        verdict = dry_run(cluster, list(objs.values()), real=True)
        server_refuses = verdict.returncode != 0
        rows.append((what, server_refuses, message, verdict.stderr.strip().splitlines()[-1:] or [""]))
        assert server_refuses == (server_accepts_because is None), (what, verdict.stderr or verdict.stdout)
    refused = sum(1 for row in rows if row[1])
    with capsys.disabled():
        print(
            f"\nkubexpose refuses {len(rows)} inputs; the API server refuses {refused} of them too ({refused / len(rows):.0%})"
        )
        for what, server_refuses, _message, _server in rows:
            print(f"  {'server refuses' if server_refuses else 'server accepts'}: {what}")


EVERY_NEW_FIELD: dict[str, Any] = {
    "replicas": 3,
    "ports": [{"port": 80, "target_port": 8080, "name": "http", "app_protocol": "kubernetes.io/h2c"}],
    "container_ports": [{"container_port": 8080, "name": "http"}, {"container_port": 9555, "name": "grpc"}],
    "revision_history_limit": 3,
    "readiness_probe": {"http_get": {"port": "http", "path": "/_healthz",
                                     "http_headers": [{"name": "Cookie", "value": "shop_session-id=probe"}]}},
    "liveness_probe": {"grpc": {"port": 9555, "service": "health"}, "period_seconds": 0, "failure_threshold": 5},
    "startup_probe": {"tcp_socket": {"port": 8080}, "period_seconds": 5, "failure_threshold": 60},
    "env": {"OTEL_RESOURCE_ATTRIBUTES": "service.name=$(OTEL_SERVICE_NAME)"},
    "env_refs": {"OTEL_SERVICE_NAME": {"field": "metadata.labels['app.kubernetes.io/name']"}},
    "drain_seconds": 10,
    "termination_grace_period_seconds": 45,
    "rollout": {"max_surge_percent": 50, "max_unavailable": 0},
    "node_selector": {"kubernetes.io/os": "linux"},
    "tolerations": [{"key": "pool", "operator": "Equal", "value": "prod", "effect": "NoSchedule"},
                    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
                     "toleration_seconds": 30}],
    "node_affinity": {
        "required": [{"match_expressions": [{"key": "kubernetes.io/arch", "operator": "In", "values": ["amd64"]}]}],
        "preferred": [{"weight": 20, "match_expressions": [{"key": "cpus", "operator": "Gt", "values": ["4"]}]}],
    },
    "pod_affinity": [{"apps": ["cache"], "topology_key": "topology.kubernetes.io/zone", "weight": 50}],
    "pod_anti_affinity": [{"apps": ["web"]}, {"labels": {"tier": "batch"}, "namespaces": ["jobs"], "weight": 10}],
    "priority_class_name": "business-critical",
    "writable_paths": ["/tmp", "/var/log/app"],
    "memory_paths": {"/dev/shm": "0.25Gi", "/cache": ""},
    "sidecars": [{"name": "shipper", "image": "fluent/fluent-bit:3.1", "writable_paths": ["/var/log/app"],
                  "env": {"MODE": "ship"}, "container_ports": [{"container_port": 2020, "name": "metrics"}],
                  "readiness_probe": {"http_get": {"port": "metrics", "path": "/api/v1/health"}},
                  "resources": {"requests": {"cpu": "10m", "memory": "32Mi"}, "limits": {"memory": "64Mi"}}}],
    "init_containers": [{"name": "migrate", "image": "ghcr.io/acme/migrate:1.0", "args": ["up"],
                         "security_context": {"run_as_user": 20000}}],
    "mounts": [{"config_map": "nginx", "path": "/etc/nginx/nginx.conf", "sub_path": "nginx.conf",
                "default_mode": 0o440, "optional": True},
               {"config_map": "nginx", "path": "/etc/nginx/conf.d", "optional": True},
               {"claim": "uploads", "path": "/srv/uploads", "shared": True},
               {"claim": "reports", "path": "/srv/reports", "read_only": True}],
    "jobs": {"report": {"command": ["./report"], "args": ["--daily"], "schedule": "5/10 1-5 1,15 jan-jun sun",
                        "time_zone": "Europe/Berlin", "concurrency": "Replace", "starting_deadline_seconds": 300,
                        "keep_succeeded": 0, "keep_failed": 5, "suspend": True, "backoff_limit": 2,
                        "deadline_seconds": 600},
             "sweep": {"command": ["./sweep"], "schedule": "@every 1h30m"},
             "seed": {"command": ["./seed"], "image": "ghcr.io/acme/tools:2.0"}},
}  # fmt: skip
"""Every input issue 35 added (and those it completed), and the mounts and jobs of issue 37, in one app."""


def test_an_app_with_every_new_field_is_stored_as_the_render_writes_it(cluster: ControlPlane) -> None:
    result = run_program(
        lambda: ExposedDeployment("web", {**BASE, **EVERY_NEW_FIELD}, profile=StackProfile(namespace="agree"))
    )
    objects = manifests(result)
    verdict = dry_run(cluster, objects, real=True, stored=True)
    assert verdict.returncode == 0, verdict.stderr
    live, drift = stored_drift(objects, verdict.stdout)
    assert drift == {}
    assert taken_over(cluster, objects) == ""
    pod = live[("Deployment", "web")]["spec"]["template"]["spec"]
    assert [c["name"] for c in pod["initContainers"]] == ["shipper", "migrate"]
    assert pod["initContainers"][0]["restartPolicy"] == "Always"
    assert pod["affinity"]["nodeAffinity"] and pod["priorityClassName"] == "business-critical"
    assert pod["containers"][0]["livenessProbe"]["periodSeconds"] == 10  # 0 was left out: the server's default
    report = live[("CronJob", "web-report")]["spec"]
    assert (report["timeZone"], report["suspend"], report["successfulJobsHistoryLimit"]) == ("Europe/Berlin", True, 0)


def test_an_app_with_files_patches_and_egress_is_stored_as_the_render_writes_it(cluster: ControlPlane) -> None:
    """Issue 36's objects: the files' ConfigMap (text in any script, an empty file) and the Deployment's projected
    volume, subPath mounts and hash annotation; a patched Deployment and Service; restricted egress and the
    ExternalAliases' policies for their callers: each stored as rendered."""
    files = {"/etc/app/config.yaml": "level: info\nname: héllo wörld ✓\n", "/etc/app/empty": "", "/srv/a.html": "<h1>"}
    patches = {
        "Deployment": [
            {
                "op": "add",
                "path": "/spec/template/spec/hostAliases",
                "value": [{"ip": "10.0.0.1", "hostnames": ["db"]}],
            },
            {"op": "add", "path": "/spec/minReadySeconds", "value": 5},
        ],
        "Service": [{"op": "add", "path": "/spec/publishNotReadyAddresses", "value": True}],
    }

    def program() -> None:
        profile = StackProfile(namespace="agree", egress_restricted=True)
        ExternalAlias("payments", {"target": "api.payments.example.com", "port": 443}, profile=profile)
        ExternalAlias("orders-db", {"addresses": ["10.20.0.5", "fd00::5"], "port": 5432}, profile=profile)
        secret = {"/etc/app/token": pulumi.Output.secret("t0ken")}
        env = {"PAYMENTS": "https://payments", "DB": "orders-db:5432", "CATALOG": "catalog.shop:3550"}
        egress = {"networks": [{"cidr": "203.0.113.0/24", "ports": [443]}]}
        args = {**BASE, "files": {**files, **secret}, "patches": patches, "env": env, "egress": egress}
        ExposedDeployment("web", args, profile=profile)

    objects = manifests(run_program(program))
    assert {"ConfigMap", "NetworkPolicy", "EndpointSlice"} <= {o["kind"] for o in objects}
    verdict = dry_run(cluster, objects, real=True, stored=True)
    assert verdict.returncode == 0, verdict.stderr
    written = [o for o in objects if o["kind"] != "Secret"]  # a render leaves Secrets out (their values with them)
    live, drift = stored_drift(written, verdict.stdout)
    assert drift == {}
    assert taken_over(cluster, written) == ""
    assert live[("ConfigMap", "web-files")]["data"]["etc-app-empty"] == ""
    assert live[("NetworkPolicy", "web")]["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert live[("NetworkPolicy", "orders-db-callers")]["spec"]["egress"][0]["to"][1] == {
        "ipBlock": {"cidr": "fd00::5/128"}
    }
    assert live[("Deployment", "web")]["spec"]["minReadySeconds"] == 5
