"""Updates through the real engine: ClusterIP -> NodePort in place, a changed secret env value and a new
image roll the Pods, and the autoscaler's replica count is left alone by later `up`s."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest
from conftest import eventually, make_project, ours, replica_sets, rolled_out
from pulumi import automation as auto

from kubexpose import ExposedDeployment, Exposure, StackProfile

NS = "updates"
IMAGE_A = "nginxinc/nginx-unprivileged:1.27-alpine"
IMAGE_B = "nginxinc/nginx-unprivileged:1.28-alpine"


def program() -> None:
    config = pulumi.Config("e2e")
    profile = StackProfile.from_config()
    namespace = k8s.core.v1.Namespace(NS, metadata={"name": NS})
    opts = pulumi.ResourceOptions(depends_on=[namespace])
    ExposedDeployment(
        "web",
        {
            "image": config.get("image") or IMAGE_A,
            "ports": [{"port": 80, "target_port": 8080, "name": "http"}],
            "exposure": Exposure.PUBLIC if config.get("exposure") == "public" else Exposure.INTERNAL,
            "writable_paths": ["/tmp"],
            "env": {"MODE": "e2e", "TOKEN": config.require_secret("token")},
        },
        opts,
        profile=profile,
    )
    ExposedDeployment(
        "scaled",
        {
            "image": IMAGE_A,
            "ports": [{"port": 80, "target_port": 8080, "name": "http"}],
            "writable_paths": ["/tmp"],
            "autoscaling": {"min_replicas": 2, "max_replicas": 4},
        },
        opts,
        profile=profile,
    )


@pytest.fixture(scope="module")
def stack(kubexpose_live: Any, cluster: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    project = make_project(
        tmp_path_factory.mktemp("updates"),
        "e2e-updates",
        {"test": f"config:\n  kubexpose:namespace: {NS}\n  kubexpose:publicServiceType: NodePort\n"},
    )
    stack = kubexpose_live.stack("test", program, Path(project), copy_name="updates")
    stack.set_config("e2e:token", auto.ConfigValue("first-token", secret=True))
    yield stack
    stack.destroy(on_output=print)
    eventually(lambda: ours(cluster, ["web", "scaled"]) == [], timeout=120)


def _changes(result: Any) -> dict[str, int]:
    return dict(result.change_summary if hasattr(result, "change_summary") else result.summary.resource_changes)


def test_the_first_up_rolls_out_both_apps(stack: Any, cluster: Any) -> None:
    result = stack.up(on_output=print)
    assert result.summary.result == "succeeded"
    assert rolled_out(cluster, NS, "web")
    service = cluster.get_json("service", "web", "-n", NS)
    assert service["spec"]["type"] == "ClusterIP"


def test_internal_to_public_updates_the_service_in_place(stack: Any, cluster: Any) -> None:
    before = cluster.get_json("service", "web", "-n", NS)
    stack.set_config("e2e:exposure", auto.ConfigValue("public"))
    output: list[str] = []
    preview = stack.preview(on_output=output.append)
    # The Service changes type in place; the NetworkPolicy now admits every caller (a public app).
    assert _changes(preview) == {"same": 13, "update": 2}
    updated = sorted(line.split()[1] for line in output if line.lstrip().startswith("~ ") and " update " in line)
    assert updated == ["kubernetes:core/v1:Service", "kubernetes:networking.k8s.io/v1:NetworkPolicy"], output
    stack.up(on_output=print)
    after = cluster.get_json("service", "web", "-n", NS)
    assert after["metadata"]["uid"] == before["metadata"]["uid"]  # the same object: updated, not replaced
    assert after["spec"]["type"] == "NodePort"
    assert after["spec"]["clusterIP"] == before["spec"]["clusterIP"]
    assert 30000 <= after["spec"]["ports"][0]["nodePort"] <= 32767
    assert stack.outputs() is not None


def test_a_changed_secret_env_value_rolls_the_pods(stack: Any, cluster: Any) -> None:
    old = set(replica_sets(cluster, NS, "web"))
    stack.set_config("e2e:token", auto.ConfigValue("second-token", secret=True))
    stack.up(on_output=print)
    secret = cluster.get_json("secret", "web-env", "-n", NS)
    assert base64.b64decode(secret["data"]["TOKEN"]).decode() == "second-token"
    new = set(replica_sets(cluster, NS, "web")) - old
    assert len(new) == 1, "a new ReplicaSet: the Pods restart with the new value"
    eventually(lambda: rolled_out(cluster, NS, "web"))
    (rs,) = new
    assert replica_sets(cluster, NS, "web")[rs]["status"].get("readyReplicas") == 1
    deployment = cluster.get_json("deployment", "web", "-n", NS)
    assert "second-token" not in str(deployment)


def test_an_image_change_rolls_the_pods(stack: Any, cluster: Any) -> None:
    old = set(replica_sets(cluster, NS, "web"))
    stack.set_config("e2e:image", auto.ConfigValue(IMAGE_B))
    stack.up(on_output=print)
    sets = replica_sets(cluster, NS, "web")
    (new,) = set(sets) - old
    assert sets[new]["spec"]["template"]["spec"]["containers"][0]["image"] == IMAGE_B
    eventually(lambda: rolled_out(cluster, NS, "web"))


def test_the_autoscaler_s_replicas_are_not_fought(stack: Any, cluster: Any) -> None:
    # The HPA controller raises the Deployment to its minimum of 2 (no metrics are needed for that).
    eventually(lambda: cluster.get_json("deployment", "scaled", "-n", NS)["spec"].get("replicas") == 2, timeout=120)
    # As the autoscaler would under load (a metrics server is not part of this plane): 3 replicas.
    cluster.kubectl("scale", "deployment", "scaled", "-n", NS, "--replicas=3")
    stack.preview(expect_no_changes=True, on_output=print)
    stack.up(on_output=print)
    assert cluster.get_json("deployment", "scaled", "-n", NS)["spec"]["replicas"] == 3
    refreshed = stack.refresh(on_output=print)
    assert set(refreshed.summary.resource_changes) == {"same"}, refreshed.summary.resource_changes
