"""Scheduled and run-once jobs (issue 37, point 4): a CronJob or a Job in the app's Pod (image, env and Secret, files,
service account, secure defaults), built on the migration's base; checked before anything is registered."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from conftest import Runner
from test_exposed_deployment import app
from test_fast_path import both_ways, fast_count

from kubexpose import ValidationError
from kubexpose.engine.run import ProgramRun, run_program
from kubexpose.render.manifests import manifests

REPORT = {"command": ["./report"], "schedule": "0 3 * * *"}
SEED = {"command": ["./seed", "--demo"]}


def only(result: ProgramRun, kind: str) -> Any:
    (found,) = result.k8s(kind)
    return found


def test_a_scheduled_job_is_a_cron_job_in_the_apps_pod(run: Runner) -> None:
    given = {**REPORT, "args": ["--daily"], "time_zone": "Europe/Berlin", "keep_succeeded": 1, "keep_failed": 2}
    result = run(app({"jobs": {"report": given}, "env": {"MODE": "live"}, "writable_paths": ["/tmp"]}))
    cron = only(result, "CronJob")
    spec = cron.inputs["spec"]
    assert cron.object_name == "web-report"
    assert (spec["schedule"], spec["timeZone"], spec["concurrencyPolicy"]) == ("0 3 * * *", "Europe/Berlin", "Forbid")
    assert (spec["successfulJobsHistoryLimit"], spec["failedJobsHistoryLimit"]) == (1, 2)
    assert "suspend" not in spec and "startingDeadlineSeconds" not in spec
    job = spec["jobTemplate"]["spec"]
    pod = job["template"]["spec"]
    (container,) = pod["containers"]
    app_pod = result.get("Deployment", "web").inputs["spec"]["template"]["spec"]
    (app_container,) = app_pod["containers"]
    assert (container["name"], container["command"], container["args"]) == ("report", ["./report"], ["--daily"])
    for field in ("image", "env", "securityContext", "volumeMounts", "resources"):
        assert container[field] == app_container[field], field
    assert pod["volumes"] == app_pod["volumes"]
    assert not {"readinessProbe", "livenessProbe", "ports", "lifecycle"} & set(container)
    assert (pod["restartPolicy"], job["backoffLimit"], pod["serviceAccountName"]) == ("Never", 6, "web")
    assert pod["securityContext"] == app_pod["securityContext"]
    labels = job["template"]["metadata"]["labels"]
    assert (
        labels["app.kubernetes.io/name"] == "web-report"
    )  # the Service (app.kubernetes.io/name: web) never selects it
    assert labels["app.kubernetes.io/part-of"] == "web"
    assert cron.urn not in result.get("Deployment", "web").dependencies  # a schedule does not hold the rollout


def test_a_job_with_no_schedule_runs_once_named_from_its_content(run: Runner) -> None:
    result = run(app({"jobs": {"seed": SEED}}))
    assert result.k8s("CronJob") == []
    job = only(result, "Job")
    assert str(job.object_name).startswith("web-seed-") and len(str(job.object_name)) == len("web-seed-") + 10
    assert job.inputs["spec"]["backoffLimit"] == 0  # a failure fails the `up` at once
    assert job.urn not in result.get("Deployment", "web").dependencies  # only a migration holds the rollout

    def name(args: dict[str, Any]) -> str:
        return str(only(run_program(app(args)), "Job").object_name)

    first = name({"jobs": {"seed": SEED}})
    assert first == job.object_name
    assert name({"jobs": {"seed": SEED}, "replicas": 3}) == first  # nothing it runs changed: it does not run again
    assert name({"jobs": {"seed": {**SEED, "args": ["--all"]}}}) != first
    assert name({"jobs": {"seed": SEED}, "image": "nginxinc/nginx-unprivileged:1.28-alpine"}) != first


def test_a_secret_env_value_reaches_the_jobs_through_the_apps_secret(run: Runner) -> None:
    def program() -> None:
        from kubexpose import Worker

        env = {"DB_PASSWORD": pulumi.Output.secret("hunter2")}
        Worker("mailer", {"image": "ghcr.io/acme/mailer:1.0.0", "env": env, "jobs": {"digest": REPORT, "seed": SEED}})

    result = run(program)
    want = [{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "mailer-env", "key": "DB_PASSWORD"}}}]
    cron = only(result, "CronJob")
    assert cron.inputs["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["env"] == want
    assert only(result, "Job").inputs["spec"]["template"]["spec"]["containers"][0]["env"] == want
    assert "hunter2" not in str(cron.inputs) + str(only(result, "Job").inputs)


def test_a_suspended_job_and_its_other_schedule_fields_are_written_as_given(run: Runner) -> None:
    given = {**REPORT, "suspend": True, "concurrency": "Replace", "starting_deadline_seconds": 300, "backoff_limit": 1}
    spec = only(run(app({"jobs": {"report": given}})), "CronJob").inputs["spec"]
    assert (spec["suspend"], spec["concurrencyPolicy"], spec["startingDeadlineSeconds"]) == (True, "Replace", 300)
    assert spec["jobTemplate"]["spec"]["backoffLimit"] == 1


def test_the_render_writes_the_jobs_on_both_paths() -> None:
    fast = both_ways(app({"jobs": {"report": REPORT, "seed": SEED}, "migration": {"command": ["./migrate"]}}))
    assert isinstance(fast, ProgramRun) and fast_count(fast) == 1
    kinds = [o["kind"] for o in manifests(fast)]
    assert (kinds.count("Job"), kinds.count("CronJob")) == (2, 1)


def test_every_app_component_takes_jobs(run: Runner) -> None:
    def program() -> None:
        from kubexpose import ExposedStatefulSet, Worker

        volumes = [{"name": "data", "path": "/data", "size": "1Gi"}]
        ExposedStatefulSet(
            "db", {"image": "ghcr.io/acme/db:1.0", "port": 5432, "volumes": volumes, "jobs": {"vacuum": REPORT}}
        )
        Worker("mailer", {"image": "ghcr.io/acme/mailer:1.0", "jobs": {"digest": REPORT}})

    assert sorted(str(c.object_name) for c in run(program).k8s("CronJob")) == ["db-vacuum", "mailer-digest"]


def test_a_patch_reaches_a_cron_job(run: Runner) -> None:
    patch = {"op": "add", "path": "/spec/jobTemplate/spec/ttlSecondsAfterFinished", "value": 3600}
    cron = only(run(app({"jobs": {"report": REPORT}, "patches": {"CronJob": [patch]}})), "CronJob")
    assert cron.inputs["spec"]["jobTemplate"]["spec"]["ttlSecondsAfterFinished"] == 3600


@pytest.mark.parametrize(
    ("jobs", "field", "words"),
    [
        ({"report": {**REPORT, "schedule": "0 3 * * 7"}}, "jobs['report'].schedule", "bad day of week '7'"),
        ({"report": {**REPORT, "schedule": "0 0 L * *"}}, "jobs['report'].schedule", "bad day of month 'L'"),
        ({"report": {**REPORT, "schedule": "0 0 3 * * *"}}, "jobs['report'].schedule", "has 6 fields"),
        ({"report": {**REPORT, "schedule": "61 * * * *"}}, "jobs['report'].schedule", "outside 0-59"),
        ({"report": {**REPORT, "schedule": "*/0 * * * *"}}, "jobs['report'].schedule", "step"),
        ({"report": {**REPORT, "schedule": "@fortnightly"}}, "jobs['report'].schedule", "no descriptor"),
        ({"report": {**REPORT, "schedule": "CRON_TZ=UTC 0 3 * * *"}}, "jobs['report'].schedule", "time_zone"),
        ({"report": {**REPORT, "time_zone": "Mars/Olympus"}}, "jobs['report'].time_zone", "no IANA time zone"),
        ({"report": {**REPORT, "time_zone": "Local"}}, "jobs['report'].time_zone", "no IANA time zone"),
        ({"report": {**REPORT, "concurrency": "Queue"}}, "jobs['report'].concurrency", "Forbid"),
        ({"report": {**REPORT, "keep_failed": -1}}, "jobs['report'].keep_failed", "whole number"),
        ({"report": {**REPORT, "suspend": "yes"}}, "jobs['report'].suspend", "boolean"),
        ({"report": {**REPORT, "retries": 2}}, "jobs['report']", "retries"),
        ({"seed": {**SEED, "suspend": True}}, "jobs['seed'].suspend", "add a schedule"),
        ({"seed": {"args": ["x"]}}, "jobs['seed'].command", "is required"),
        ({"Seed": SEED}, "jobs key", "DNS-1123"),
        ({"migration": SEED}, "jobs key", "migration="),
        ({"a-very-long-name-for-the-report-that-runs-every-night": REPORT}, "jobs key", "at most 48"),
        (["report"], "jobs", "not a mapping"),
    ],
)
def test_a_bad_job_is_refused_before_anything_is_registered(run: Runner, jobs: Any, field: str, words: str) -> None:
    with pytest.raises(ValidationError) as error:
        run(app({"jobs": jobs}))
    message = str(error.value)
    assert message.startswith(f"ExposedDeployment 'web': {field}"), message
    assert words in message, message


@pytest.mark.parametrize(
    "schedule",
    ["0 3 * * *", "*/15 * * * *", "0 0 ? * MON-FRI", "5/10 * * * *", "0 0 1,15 jan,jul *", "@daily", "@every 1h30m"],
)
def test_a_schedule_the_api_server_takes_is_accepted(run: Runner, schedule: str) -> None:
    assert (
        only(run(app({"jobs": {"report": {**REPORT, "schedule": schedule}}})), "CronJob").inputs["spec"]["schedule"]
        == schedule
    )


def _objects(args: dict[str, Any]) -> dict[Any, Any]:
    from kubexpose.render.risk import namespace_of

    return {(o["kind"], namespace_of(o), o["metadata"]["name"]): o for o in manifests(run_program(app(args)))}


def _job_findings(before: dict[str, Any], after: dict[str, Any]) -> list[Any]:
    from kubexpose.render.diff import diff

    return [f for f in diff(_objects(before), _objects(after)).findings if f.obj.startswith(("CronJob", "Job"))]


def test_kubexpose_diff_shows_a_schedule_change_and_a_suspended_job() -> None:
    base = {"jobs": {"report": REPORT}}
    assert _job_findings(base, {**base, "replicas": 3}) == []
    (moved,) = _job_findings(base, {"jobs": {"report": {**REPORT, "schedule": "0 12 * * *", "time_zone": "Etc/UTC"}}})
    assert (moved.cls, moved.raised, moved.obj) == ("availability", True, "CronJob shop/web-report")
    assert moved.reason == "schedule 0 3 * * * -> 0 12 * * * (Etc/UTC)"
    (paused,) = _job_findings(base, {"jobs": {"report": {**REPORT, "suspend": True}}})
    assert paused.reason == "suspended: it starts no run"
    (resumed,) = _job_findings({"jobs": {"report": {**REPORT, "suspend": True}}}, base)
    assert resumed.reason == "resumed: it runs again"
    (new,) = _job_findings({}, base)
    assert new.reason == "`./report` will run at 0 3 * * *"


def test_kubexpose_diff_lists_a_job_that_will_run_once() -> None:
    base = {"jobs": {"seed": SEED}}
    assert _job_findings(base, {**base, "replicas": 3}) == []
    (found,) = _job_findings(base, {"jobs": {"seed": {**SEED, "args": ["--all"]}}})  # a new run, not a move
    assert found.cls == "availability"
    assert found.reason == "the job `./seed --demo --all` runs once now (in nginxinc/nginx-unprivileged:1.27-alpine)"


def _shop() -> list[dict[str, Any]]:
    def program() -> None:
        from kubexpose import ExposedDeployment

        ExposedDeployment("orders", {"image": "ghcr.io/acme/orders:1.0", "port": 8080, "allowed_callers": ["web"]})
        jobs = {"report": {**REPORT, "args": ["--from", "http://orders:8080"]}}
        ExposedDeployment(
            "web", {"image": "ghcr.io/acme/web:1.0", "port": 80, "env": {"ORDERS": "orders:8080"}, "jobs": jobs}
        )

    return [dict(o) for o in manifests(run_program(program))]


def test_an_app_that_admits_a_caller_admits_its_jobs() -> None:
    from test_policy import stack_policy_violations

    from kubexpose.policy_pack import check_manifests
    from kubexpose.policy_pack.kubexpose_policies import calls_are_admitted

    objects = _shop()
    assert check_manifests(objects) == []
    policy = next(o for o in objects if o["kind"] == "NetworkPolicy" and o["metadata"]["name"] == "orders")
    peers = policy["spec"]["ingress"][0]["from"]
    assert {"podSelector": {"matchLabels": {"kubexpose.dev/run-of": "web"}}} in peers
    peers.remove({"podSelector": {"matchLabels": {"kubexpose.dev/run-of": "web"}}})
    assert stack_policy_violations(calls_are_admitted, objects) == [
        "CronJob 'web-report' calls Service 'orders' in namespace 'default', but NetworkPolicy 'orders' admits no "
        "traffic from its Pods; add 'web' to the callee's allowed_callers."
    ]


def test_the_policy_pack_reads_the_pods_of_jobs() -> None:
    from kubexpose.policy_pack import check_manifests

    objects = _shop()
    cron = next(o for o in objects if o["kind"] == "CronJob")
    cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["securityContext"]["privileged"] = True
    (violation,) = check_manifests(objects)
    assert "CronJob 'web-report' lacks secure Pod defaults: privileged: false (container report)" in violation
