"""A stateful app through the real engine (issue 36, point 1): each Pod's claim is bound, a deleted Pod comes back
with the same claim, the objects are stored as rendered, and the claims outlive the app (retention `Retain`).

The loopback cluster has no storage driver. Its storage here: the StorageClass `e2e-static` (no provisioner,
`Immediate` binding) and one `hostPath` PersistentVolume per Pod, made by this module; kube-controller-manager's
PersistentVolume controller binds each claim to one of them, as it binds claims to pre-made volumes on any cluster.
kwok runs no container, so no byte is written: what is shown is the binding and the identity of the claims."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest
from conftest import drift, eventually, namespaced_stack, ours

from kubexpose import ExposedStatefulSet, StackProfile
from kubexpose.engine.objects import manifests
from kubexpose.engine.run import run_program

NS = "stateful"
CLASS = "e2e-static"


def program() -> None:
    db = ExposedStatefulSet(
        "cache",
        {
            "image": "redis:7.4-alpine",
            "ports": [{"port": 6379, "name": "redis"}],
            "replicas": 2,
            "volumes": [{"name": "data", "path": "/data", "size": "1Gi", "storage_class": CLASS}],
        },
        profile=StackProfile.from_config(),
    )
    pulumi.export("pods", db.pod_dns_names)


def _storage(cluster: Any, count: int) -> None:
    objects = [
        {
            "apiVersion": "storage.k8s.io/v1",
            "kind": "StorageClass",
            "metadata": {"name": CLASS},
            "provisioner": "kubernetes.io/no-provisioner",
            "volumeBindingMode": "Immediate",
        },
        *(
            {
                "apiVersion": "v1",
                "kind": "PersistentVolume",
                "metadata": {"name": f"{CLASS}-{i}"},
                "spec": {
                    "capacity": {"storage": "1Gi"},
                    "accessModes": ["ReadWriteOnce"],
                    "storageClassName": CLASS,
                    "persistentVolumeReclaimPolicy": "Retain",
                    "hostPath": {"path": f"/tmp/kubexpose-e2e/{CLASS}-{i}"},
                },
            }
            for i in range(count)
        ),
    ]
    cluster.kubectl("apply", "-f", "-", input="\n".join(json.dumps(o) for o in objects))


@pytest.fixture(scope="module")
def stack(kubexpose_live: Any, cluster: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    _storage(cluster, 2)
    stack = namespaced_stack(kubexpose_live, cluster, tmp_path_factory.mktemp("stateful"), program, "stateful", NS)
    yield stack
    stack.destroy(on_output=print)
    cluster.kubectl("delete", "pvc", "--all", "-n", NS, "--wait=false", check=False)
    cluster.kubectl("delete", "pv", f"{CLASS}-0", f"{CLASS}-1", "--wait=false", check=False)
    eventually(lambda: ours(cluster, ["cache"]) == [], timeout=120)


def _claims(cluster: Any) -> dict[str, dict[str, Any]]:
    items = cluster.get_json("pvc", "-n", NS)["items"]
    return {c["metadata"]["name"]: c for c in items}


def test_the_app_comes_up_with_each_pods_claim_bound(stack: Any, cluster: Any) -> None:
    result = stack.up(on_output=print)
    assert result.summary.result == "succeeded"
    claims = _claims(cluster)
    assert sorted(claims) == ["data-cache-0", "data-cache-1"]
    assert {c["status"]["phase"] for c in claims.values()} == {"Bound"}
    assert result.outputs["pods"].value == [f"cache-{i}.cache-pods.{NS}.svc.cluster.local" for i in range(2)]
    rendered = manifests(run_program(program, config={"kubexpose:namespace": NS}))
    assert drift(cluster, [m for m in rendered if m["kind"] not in ("Namespace", "Secret")]) == {}


def test_a_deleted_pod_comes_back_with_the_same_claim(stack: Any, cluster: Any) -> None:
    before = _claims(cluster)["data-cache-0"]["metadata"]["uid"]
    old_pod = cluster.get_json("pod", "cache-0", "-n", NS)["metadata"]["uid"]
    cluster.kubectl("delete", "pod", "cache-0", "-n", NS, "--wait=false")

    def back() -> bool:
        pod = cluster.get_json("pod", "cache-0", "-n", NS)
        ready = any(c["type"] == "Ready" and c["status"] == "True" for c in pod["status"].get("conditions", []))
        return pod["metadata"]["uid"] != old_pod and ready

    eventually(back, timeout=120)
    pod = cluster.get_json("pod", "cache-0", "-n", NS)
    volumes = {v["name"]: v for v in pod["spec"]["volumes"]}
    assert volumes["data"]["persistentVolumeClaim"]["claimName"] == "data-cache-0"
    assert _claims(cluster)["data-cache-0"]["metadata"]["uid"] == before


def test_the_claims_outlive_the_app(stack: Any, cluster: Any) -> None:
    stack.destroy(on_output=print)
    eventually(lambda: cluster.kubectl("get", "statefulset", "cache", "-n", NS, check=False).returncode != 0)
    assert sorted(_claims(cluster)) == ["data-cache-0", "data-cache-1"]  # retention Retain: the data stays


def test_pulumi_up_takes_over_the_stateful_app_kubectl_applied_from_the_render(stack: Any, cluster: Any) -> None:
    """The render's claim templates are what pulumi-kubernetes applies: the templates are an atomic list, so any
    field one writes and the other does not is a server-side apply conflict (decision 15). The retained claims of the
    test before are taken up again by the new Pods."""
    rendered = manifests(run_program(program, config={"kubexpose:namespace": NS}))
    objects = [m for m in rendered if m["kind"] != "Namespace"]
    cluster.kubectl("apply", "--server-side", "-f", "-", input="\n".join(json.dumps(o) for o in objects))
    result = stack.up(on_output=print)
    assert result.summary.result == "succeeded"
    stack.preview(expect_no_changes=True, on_output=print)
