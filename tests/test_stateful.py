"""ExposedStatefulSet (issue 36, point 1): a StatefulSet whose Pods keep their volumes, a headless Service naming each
Pod and the client Service of the stack's type; volumes kept by default; `kubexpose diff` and the policy pack know
what deletes or loses data."""

from __future__ import annotations

import copy
from typing import Any

import pulumi
import pytest
from conftest import LOCAL, Runner
from test_fast_path import both_ways, fast_count

from kubexpose import ExposedStatefulSet, StackProfile, ValidationError
from kubexpose.engine.run import ProgramRun, run_program
from kubexpose.render.manifests import manifests

DATA = {"name": "data", "path": "/data", "size": "0.5Gi"}
BASE: dict[str, Any] = {"image": "redis:7.4-alpine", "ports": [{"port": 6379, "name": "redis"}], "volumes": [DATA]}


def stateful(args: dict[str, Any], profile: StackProfile = LOCAL) -> Any:
    def program() -> None:
        db = ExposedStatefulSet("db", {**BASE, **args}, profile=profile)
        pulumi.export("pods", db.pod_dns_names)
        pulumi.export("endpoint", db.endpoint)

    return program


def objects(args: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(o["kind"], o["metadata"]["name"]): o for o in manifests(run_program(stateful(args)))}


def test_each_pod_keeps_its_volume_and_its_name(run: Runner) -> None:
    result = run(stateful({"replicas": 3}))
    spec = result.get("StatefulSet", "db").inputs["spec"]
    assert spec["serviceName"] == "db-pods"
    assert spec["volumeClaimTemplates"] == [  # as the server stores it: the templates are an atomic list
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": "data", "labels": {"app.kubernetes.io/name": "db"}},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": "512Mi"}},
                "volumeMode": "Filesystem",
            },
            "status": {"phase": "Pending"},
        }
    ]
    assert spec["persistentVolumeClaimRetentionPolicy"] == {"whenDeleted": "Retain", "whenScaled": "Retain"}
    assert "strategy" not in spec
    container = spec["template"]["spec"]["containers"][0]
    assert {"name": "data", "mountPath": "/data"} in container["volumeMounts"]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True  # the data path is writable, nothing else
    assert spec["template"]["metadata"]["annotations"] == {"kubexpose.dev/data-paths": "/data"}
    pods = result.get("Service", "db-pods").inputs["spec"]
    assert (pods["clusterIP"], pods["publishNotReadyAddresses"], pods["selector"]) == (
        "None",
        True,
        {"app.kubernetes.io/name": "db"},
    )
    assert result.get("Service", "db").inputs["spec"]["type"] == "ClusterIP"
    assert result.get("PodDisruptionBudget", "db").inputs["spec"] == {
        "maxUnavailable": 1,
        "selector": {"matchLabels": {"app.kubernetes.io/name": "db"}},
    }
    assert result.exports["pods"] == [f"db-{i}.db-pods.shop.svc.cluster.local" for i in range(3)]
    assert result.exports["endpoint"] == "db:6379"
    assert result.get("Service", "db-pods").urn in result.get("StatefulSet", "db").dependencies  # governing first


def test_what_an_exposed_deployment_gets_a_stateful_app_gets(run: Runner) -> None:
    def program() -> None:
        env = {"REDIS_PASSWORD": pulumi.Output.secret("s3cret")}
        ExposedStatefulSet("db", {**BASE, "env": env, "allowed_callers": ["api"], "files": {"/etc/redis.conf": "x\n"}},
                           profile=LOCAL)  # fmt: skip
        from kubexpose import ExposedDeployment

        ExposedDeployment("api", {"image": "ghcr.io/acme/api:1.0.0", "port": 80}, profile=LOCAL)

    result = run(program)
    container = result.get("StatefulSet", "db").inputs["spec"]["template"]["spec"]["containers"][0]
    assert container["env"][0]["valueFrom"]["secretKeyRef"] == {"name": "db-env", "key": "REDIS_PASSWORD"}
    assert [m["mountPath"] for m in container["volumeMounts"]] == ["/etc/redis.conf", "/data"]
    policy = result.get("NetworkPolicy", "db").inputs["spec"]
    assert policy["ingress"][0]["from"] == [
        {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "api"}}},
        {"podSelector": {"matchLabels": {"kubexpose.dev/run-of": "api"}}},
    ]


def test_retention_deletes_volumes_only_when_asked(run: Runner) -> None:
    result = run(stateful({"retention": {"when_scaled": "Delete"}}))
    assert result.get("StatefulSet", "db").inputs["spec"]["persistentVolumeClaimRetentionPolicy"] == {
        "whenDeleted": "Retain",
        "whenScaled": "Delete",
    }


def test_the_render_writes_the_same_objects_on_both_paths() -> None:
    fast = both_ways(stateful({"replicas": 2}))
    assert isinstance(fast, ProgramRun) and fast_count(fast) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"volumes": None}, r"volumes is required"),
        ({"volumes": []}, r"volumes \[\] is not a non-empty list"),
        ({"volumes": [{**DATA, "size": "lots"}]}, r"volumes\[0\].size 'lots' is not a size above 0"),
        ({"volumes": [{**DATA, "size": "0"}]}, r"volumes\[0\].size '0' is not a size above 0"),
        ({"volumes": [{**DATA, "access_mode": "ReadWrite"}]}, r"volumes\[0\].access_mode 'ReadWrite'"),
        ({"volumes": [{**DATA, "name": "Data"}]}, r"volumes\[0\].name 'Data' is not a DNS-1123 label"),
        ({"volumes": [DATA, {**DATA, "path": "/logs"}]}, r"volumes\[1\].name 'data' repeats"),
        ({"volumes": [{**DATA, "path": "data"}]}, r"volumes\[0\].path 'data' is not an absolute path"),
        ({"writable_paths": ["/data/tmp"]}, r"volumes\[0\].path '/data' overlaps '/data/tmp' \(writable_paths\)"),
        ({"volumes": [{**DATA, "storage_class": "Fast SSD"}]}, r"volumes\[0\].storage_class 'Fast SSD'"),
        ({"retention": {"when_deleted": "Drop"}}, r"retention.when_deleted 'Drop'.*use Retain"),
        ({"autoscaling": {"min_replicas": 2, "max_replicas": 3}}, r"autoscaling .* is not an? "),
        ({"rollout": {"strategy": "Recreate"}}, r"rollout .* is not an? "),
    ],
)  # fmt: skip
def test_what_the_api_server_refuses_is_refused_first_with_the_fix(
    run: Runner, args: dict[str, Any], message: str
) -> None:
    merged = {k: v for k, v in {**BASE, **args}.items() if v is not None}
    with pytest.raises(ValidationError, match=r"ExposedStatefulSet 'db': " + message):
        run(lambda: ExposedStatefulSet("db", merged, profile=LOCAL))


def test_kubexpose_diff_reports_a_replacement_and_what_deletes_data() -> None:
    from kubexpose.render.risk import stateful_data

    before = objects({})[("StatefulSet", "db")]
    bigger = objects({"volumes": [{**DATA, "size": "1Gi"}]})[("StatefulSet", "db")]
    (found,) = stateful_data(before, bigger)
    assert (found.cls, found.raised) == ("replacement", True)
    assert found.reason.startswith("spec.volumeClaimTemplates changed: the StatefulSet is deleted and created again")
    deleting = objects({"retention": {"when_deleted": "Delete"}})[("StatefulSet", "db")]
    assert [(f.cls, f.raised, f.reason) for f in stateful_data(before, deleting)] == [
        ("data", True, "deleting the app now deletes the Pods' volumes (whenDeleted: Delete)")
    ]
    assert [(f.cls, f.raised) for f in stateful_data(deleting, before)] == [("data", False)]
    assert [(f.cls, f.raised) for f in stateful_data(deleting, None)] == [("data", True)]
    assert stateful_data(before, None) == []  # removed, volumes kept
    assert stateful_data(before, objects({"replicas": 3})[("StatefulSet", "db")]) == []


def test_the_policy_pack_refuses_an_empty_dir_at_a_data_path() -> None:
    from kubexpose.policy_pack import check_manifests

    rendered = [o for o in objects({}).values() if o["kind"] != "Secret"]
    assert check_manifests(rendered) == []
    lost = copy.deepcopy(rendered)
    workload = next(o for o in lost if o["kind"] == "StatefulSet")
    workload["spec"].pop("volumeClaimTemplates")
    workload["spec"]["template"]["spec"]["volumes"] = [{"name": "data", "emptyDir": {}}]
    (violation,) = check_manifests(lost)
    assert "StatefulSet 'db' keeps data at /data (kubexpose.dev/data-paths) on volume data, which is no claim" in (
        violation
    )


def test_the_identity_file_knows_what_replaces_a_stateful_set() -> None:
    from kubexpose.render.identity import replace_on

    spec = objects({})[("StatefulSet", "db")]
    fields = replace_on("StatefulSet", spec)
    assert set(fields) == {"spec.volumeClaimTemplates", "spec.serviceName", "spec.selector"}


def test_the_summary_topology_and_review_show_the_stateful_app() -> None:
    from kubexpose.render.report import summary, topology
    from kubexpose.render.risk import availability, security

    rendered = [o for o in objects({"replicas": 3}).values() if o["kind"] != "Secret"]
    assert "db (StatefulSet)  3" in summary(rendered)
    assert '["StatefulSet db<br/>3 replica(s)<br/>PDB maxUnavailable 1"]' in topology("test", rendered)
    before = objects({"replicas": 3})[("StatefulSet", "db")]
    relax = {"op": "replace", "path": "/spec/template/spec/containers/0/securityContext/privileged", "value": True}
    after = objects({"replicas": 2, "patches": {"StatefulSet": [relax]}})[("StatefulSet", "db")]
    assert [f.reason for f in security(before, after)] == ["not privileged turned off (container db)"]
    assert [f.reason for f in availability(before, after)] == ["replicas 3 -> 2"]
