"""App shapes of issue 37 through the real engine, provider and API server: versions behind one Service (every
version's Pods ready behind it; a version removed goes after the others changed) and jobs (a CronJob stored as
rendered, a run-once Job that succeeded and does not run again on an `up` that changes nothing in it). kwok runs the
Pods and completes a Job's; the namespace enforces Pod Security "restricted"."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from conftest import drift, eventually, namespaced_stack, ours

from kubexpose import ExposedDeployment, StackProfile
from kubexpose.engine.run import run_program
from kubexpose.render.manifests import manifests

NS = "shapes"
V1 = "nginxinc/nginx-unprivileged:1.27-alpine"
V2 = "nginxinc/nginx-unprivileged:1.28-alpine"
JOBS = {
    "report": {"command": ["./report"], "schedule": "0 3 * * *", "time_zone": "Europe/Berlin"},
    "seed": {"command": ["./seed"]},
}


def program() -> None:
    config = pulumi.Config("e2e")
    versions = {"v1": {"replicas": 2}, "v2": {"image": V2, "replicas": 1, "env": {"MODE": "canary"}}}
    if config.get_bool("drop_v1"):
        versions = {"v2": {"image": V2, "replicas": 2, "env": {"MODE": "canary"}}}
    ExposedDeployment(
        "reviews",
        {
            "image": V1,
            "ports": [{"port": 80, "target_port": 8080, "name": "http"}],
            "writable_paths": ["/tmp"],
            "env": {"MODE": "live"},
            "versions": versions,
            "jobs": JOBS,
        },
        pulumi.ResourceOptions(custom_timeouts=pulumi.CustomTimeouts(create="90s", update="90s")),
        profile=StackProfile.from_config(),
    )


@pytest.fixture(scope="module")
def stack(kubexpose_live: Any, cluster: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    stack = namespaced_stack(kubexpose_live, cluster, tmp_path_factory.mktemp("shapes"), program, "shapes", NS)
    # Pod Security "restricted", enforced: the API server refuses every Pod (a version's, a Job's) that breaks it
    cluster.kubectl("label", "namespace", NS, "pod-security.kubernetes.io/enforce=restricted", "--overwrite")
    yield stack
    stack.destroy(on_output=print)
    eventually(lambda: ours(cluster, ["reviews", "reviews-report", "reviews-seed"]) == [], timeout=120)


def _ready_by_version(cluster: Any) -> dict[str, int]:
    """The ready endpoints of the Service `reviews`, by the version label of their Pods."""
    pods = cluster.get_json("pods", "-n", NS, "-l", "app.kubernetes.io/name=reviews")["items"]
    version = {p["metadata"]["name"]: p["metadata"]["labels"].get("kubexpose.dev/version") for p in pods}
    slices = cluster.get_json("endpointslices", "-n", NS, "-l", "kubernetes.io/service-name=reviews")["items"]
    out: dict[str, int] = {}
    for s in slices:
        for e in s.get("endpoints") or []:
            if (e.get("conditions") or {}).get("ready"):
                key = str(version.get((e.get("targetRef") or {}).get("name")))
                out[key] = out.get(key, 0) + 1
    return out


def test_every_versions_pods_are_ready_behind_the_one_service(stack: Any, cluster: Any) -> None:
    assert stack.up(on_output=print).summary.result == "succeeded"
    rendered = manifests(run_program(program, config={"kubexpose:namespace": NS}))
    assert drift(cluster, [m for m in rendered if m["kind"] != "Job"]) == {}  # a Job's name is a hash: below
    eventually(lambda: _ready_by_version(cluster) == {"v1": 2, "v2": 1}, timeout=120)


def test_the_jobs_are_stored_and_the_run_once_job_succeeded(stack: Any, cluster: Any) -> None:
    cron = cluster.get_json("cronjob", "reviews-report", "-n", NS)["spec"]
    assert (cron["schedule"], cron["timeZone"], cron["concurrencyPolicy"]) == ("0 3 * * *", "Europe/Berlin", "Forbid")
    (job,) = cluster.get_json("jobs", "-n", NS, "-l", "app.kubernetes.io/name=reviews-seed")["items"]
    assert job["status"].get("succeeded") == 1  # pulumi-kubernetes waited for it
    assert set(dict(stack.up(on_output=print).summary.resource_changes)) == {"same"}
    again = cluster.get_json("jobs", "-n", NS, "-l", "app.kubernetes.io/name=reviews-seed")["items"]
    assert [j["metadata"]["uid"] for j in again] == [job["metadata"]["uid"]]  # nothing it runs changed: no new run


def test_a_removed_version_goes_after_the_other_versions_changed(stack: Any, cluster: Any) -> None:
    from pulumi import automation as auto

    steps: list[tuple[str, str]] = []

    def on_event(event: Any) -> None:
        done = event.res_outputs_event
        if done and done.metadata.type == "kubernetes:apps/v1:Deployment":
            steps.append((str(done.metadata.op.value), done.metadata.urn.rsplit("::", 1)[1]))

    stack.set_config("e2e:drop_v1", auto.ConfigValue("true"))
    assert stack.up(on_output=print, on_event=on_event).summary.result == "succeeded"
    assert steps.index(("update", "reviews-v2-deployment")) < steps.index(("delete", "reviews-v1-deployment")), steps
    eventually(lambda: _ready_by_version(cluster) == {"v2": 2}, timeout=120)
    assert cluster.kubectl("get", "deployment", "reviews-v1", "-n", NS, check=False).returncode != 0
