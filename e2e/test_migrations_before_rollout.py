"""Migrations before a rollout (issue 36, point 3), through the real engine: the Job succeeds before the Deployment is
created, an `up` with nothing changed runs nothing, and a failing migration stops the `up` with the Job's reason
while the old ReplicaSet keeps serving. kwok completes a Job's Pods (its `pod-complete` stage) and fails the
containers of a Pod labelled for its chaos stage, which the failing run's Job template gets through `patches`."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from conftest import eventually, namespaced_stack, ours, replica_sets, rolled_out
from pulumi import automation as auto

from kubexpose import ExposedDeployment, StackProfile

NS = "migrations"
IMAGE_A = "nginxinc/nginx-unprivileged:1.27-alpine"
IMAGE_B = "nginxinc/nginx-unprivileged:1.28-alpine"
STAGE = "pod-container-running-failed.stage.kwok.x-k8s.io"
REASON = 'relation "orders" already exists'


def program() -> None:
    config = pulumi.Config("e2e")
    failing = config.get_bool("fail") or False
    fail = [
        {"op": "add", "path": f"/spec/template/metadata/labels/{STAGE.replace('/', '~1')}", "value": "true"},
        {"op": "add", "path": "/spec/template/metadata/annotations", "value": {f"{STAGE}/message": REASON}},
    ]
    ExposedDeployment(
        "web",
        {
            "image": config.get("image") or IMAGE_A,
            "ports": [{"port": 80, "target_port": 8080, "name": "http"}],
            "writable_paths": ["/tmp"],
            "env": {"MODE": "e2e"},
            "migration": {"command": ["./migrate", "up"]},
            **({"patches": {"Job": fail}} if failing else {}),
        },
        pulumi.ResourceOptions(custom_timeouts=pulumi.CustomTimeouts(create="90s", update="90s")),
        profile=StackProfile.from_config(),
    )


@pytest.fixture(scope="module")
def stack(kubexpose_live: Any, cluster: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    stack = namespaced_stack(kubexpose_live, cluster, tmp_path_factory.mktemp("migrations"), program, "migrations", NS)
    yield stack
    stack.destroy(on_output=print)
    eventually(lambda: ours(cluster, ["web", "web-migration"]) == [], timeout=120)


def _jobs(cluster: Any) -> dict[str, Any]:
    items = cluster.get_json("jobs", "-n", NS, "-l", "app.kubernetes.io/name=web-migration")["items"]
    return {job["metadata"]["name"]: job for job in items}


def test_the_migration_succeeds_before_the_deployment_is_created(stack: Any, cluster: Any) -> None:
    assert stack.up(on_output=print).summary.result == "succeeded"
    (job,) = _jobs(cluster).values()
    assert job["status"].get("succeeded") == 1
    deployment = cluster.get_json("deployment", "web", "-n", NS)
    finished = job["status"]["completionTime"]
    assert deployment["metadata"]["creationTimestamp"] >= finished, "the Deployment came before the migration ended"
    eventually(lambda: rolled_out(cluster, NS, "web"))


def test_an_up_with_nothing_changed_runs_no_migration(stack: Any, cluster: Any) -> None:
    before = _jobs(cluster)
    result = stack.up(on_output=print)
    assert set(dict(result.summary.resource_changes)) == {"same"}
    assert {name: job["metadata"]["uid"] for name, job in _jobs(cluster).items()} == {
        name: job["metadata"]["uid"] for name, job in before.items()
    }


def test_a_failing_migration_stops_the_up_and_the_old_pods_keep_serving(stack: Any, cluster: Any) -> None:
    serving = set(replica_sets(cluster, NS, "web"))
    stack.set_config("e2e:image", auto.ConfigValue(IMAGE_B))
    stack.set_config("e2e:fail", auto.ConfigValue("true"))
    output: list[str] = []
    with pytest.raises(auto.CommandError) as failed:
        stack.up(on_output=output.append)
    shown = "".join(output) + str(failed.value)
    print("what the user sees:", *[line for line in shown.splitlines() if "web-migrat" in line], sep="\n")
    assert "web-migration" in shown and "BackoffLimitExceeded" in shown, shown[-3000:]
    deployment = cluster.get_json("deployment", "web", "-n", NS)
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"] == IMAGE_A  # not rolled
    assert set(replica_sets(cluster, NS, "web")) == serving
    assert rolled_out(cluster, NS, "web")
    stack.set_config("e2e:fail", auto.ConfigValue("false"))
    assert stack.up(on_output=print).summary.result == "succeeded"  # fixed: the next up migrates, then rolls
    eventually(lambda: rolled_out(cluster, NS, "web"))
    image = cluster.get_json("deployment", "web", "-n", NS)["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image == IMAGE_B
    assert len(_jobs(cluster)) == 1, "the failed and the first Job were deleted once the new one succeeded"
