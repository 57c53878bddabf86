"""Work that runs to completion in the app's Pod: `migration` (before each rollout), and `jobs` (on a schedule, as a
CronJob, or once, as a Job). One base builds all three.

Each run uses the app's image (or its own), env (secret values through the app's Secret), files, service account,
scheduling and secure defaults, restarting never; its Pods carry labels the app's Service never selects.

A Job that runs once (a migration, or a job with no `schedule`) is named with a hash of its spec: it is created again
(so its command runs again) only when the Job would differ, and Pulumi deletes the previous one once the new one
succeeded (a finished Job stays until then, for its logs). pulumi-kubernetes awaits a Job (succeeded, or failed with
its condition's reason), so a failed run fails the `up`; the Deployment depends on a migration, so a failed migration
stops the `up` before the rollout and the old Pods keep serving. A CronJob keeps its name; the Jobs it starts are the
cluster's, never Pulumi's.
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from ..._values import any_leaf
from ...k8s.metadata import NAME_LABEL, RUN_OF_LABEL
from ...k8s.pod import PodModel, pod_spec
from ...k8s.schedule import check_schedule, check_time_zone
from ...k8s.validation import Checker
from .base import whole_number
from .workload import check_image

COMPONENT_LABEL = "app.kubernetes.io/component"
_RUN_FIELDS = frozenset({"command", "args", "image", "backoff_limit", "deadline_seconds"})
_JOB_FIELDS = _RUN_FIELDS | {
    "schedule",
    "time_zone",
    "concurrency",
    "starting_deadline_seconds",
    "keep_succeeded",
    "keep_failed",
    "suspend",
}
_SCHEDULED_ONLY = sorted(_JOB_FIELDS - _RUN_FIELDS - {"schedule"})
CONCURRENCY = ("Forbid", "Replace", "Allow")
MAX_CRON_JOB_NAME = 52
"""The API server's limit on a CronJob's name: the Jobs it starts append 11 characters to it."""


@dataclass(frozen=True)
class Run:
    """A command that runs to completion."""

    command: tuple[str, ...]
    args: tuple[str, ...]
    image: Any
    """None: the app's image."""
    backoff_limit: int
    deadline_seconds: int | None


@dataclass(frozen=True)
class AppJob:
    """One of the app's `jobs`: a CronJob with a `schedule`, else a Job that runs once."""

    key: str
    run: Run
    schedule: str | None = None
    time_zone: str | None = None
    concurrency: str = "Forbid"
    starting_deadline_seconds: int | None = None
    keep_succeeded: int | None = None
    keep_failed: int | None = None
    suspend: bool | None = None


def parse_run(check: Checker, field: str, value: Any, fields: frozenset[str], backoff: int) -> Run:
    """The run of `migration` or of one of `jobs` (named `field`): `backoff` is its default retry count."""
    if not isinstance(value, Mapping):
        check.fail(field, value, "is not a mapping", "give e.g. {'command': ['./migrate', 'up']}")
    check.only_fields(field, value, fields, f"a {field.split('[')[0]} field")
    lists = {}
    for part in ("command", "args"):
        given = value.get(part)
        if given is None and part == "command":
            check.missing(f"{field}.command", "give the command to run, e.g. ['./manage.py', 'migrate']")
        given = given or ()
        if isinstance(given, str) or not isinstance(given, list | tuple) or not all(isinstance(v, str) for v in given):
            check.fail(f"{field}.{part}", given, "is not a list of strings", "give e.g. ['./migrate', 'up']")
        if part == "command" and not given:
            check.fail(f"{field}.command", list(given), "is empty", "give the command to run")
        lists[part] = tuple(given)
    image = None if value.get("image") is None else check_image(check.within(f"{field}."), value["image"])
    limit = whole_number(check, f"{field}.backoff_limit", value.get("backoff_limit", backoff), "give e.g. 2 retries")
    deadline = value.get("deadline_seconds")
    if deadline is not None:
        deadline = whole_number(check, f"{field}.deadline_seconds", deadline, "give e.g. 600", " of seconds")
        if deadline == 0:
            check.fail(f"{field}.deadline_seconds", 0, "is 0", "give the seconds the run may take, e.g. 600")
    return Run(lists["command"], lists["args"], image, limit, deadline)


def parse_migration(check: Checker, value: Any) -> Run | None:
    return None if value is None else parse_run(check, "migration", value, _RUN_FIELDS, 0)


def parse_jobs(check: Checker, value: Any, app: str) -> tuple[AppJob, ...]:
    """The app's `jobs` (a mapping of job name to its run and, for a CronJob, its schedule)."""
    if value is None:
        return ()
    if not isinstance(value, Mapping):
        check.fail(
            "jobs",
            value,
            "is not a mapping",
            "give e.g. jobs={'report': {'command': ['./report'], 'schedule': '0 3 * * *'}}",
        )
    out = []
    for key, raw in value.items():
        field = f"jobs[{key!r}]"
        check.dns_label("jobs key", key)
        if key == "migration":
            check.fail(
                "jobs key",
                key,
                "is the name of the app's migration",
                "use migration=... for a run before each rollout, or another name",
            )
        object_name = f"{app}-{key}"
        if len(object_name) > MAX_CRON_JOB_NAME:
            check.fail(
                "jobs key",
                key,
                f"makes the name {object_name!r} ({len(object_name)} characters; a CronJob's name takes "
                f"{MAX_CRON_JOB_NAME}, its Jobs add 11)",
                f"shorten it to at most {MAX_CRON_JOB_NAME - len(app) - 1} characters",
            )
        scheduled = isinstance(raw, Mapping) and raw.get("schedule") is not None
        run = parse_run(check, field, raw, _JOB_FIELDS, 6 if scheduled else 0)
        if not scheduled:
            given = next((f for f in _SCHEDULED_ONLY if raw.get(f) is not None), None)
            if given is not None:
                check.fail(
                    f"{field}.{given}",
                    raw[given],
                    "applies to a scheduled job, and this job has no schedule (it runs once)",
                    "add a schedule, e.g. '0 3 * * *', or drop it",
                )
            out.append(AppJob(key, run))
            continue
        zone = raw.get("time_zone")
        suspend = raw.get("suspend")
        if suspend is not None and not isinstance(suspend, bool):
            check.fail(f"{field}.suspend", suspend, "is not a boolean", "give True (no new runs) or False")
        counts = {}
        for part, fix in (
            ("starting_deadline_seconds", "give the seconds a run may start late, e.g. 300"),
            ("keep_succeeded", "give how many finished Jobs to keep, e.g. 3"),
            ("keep_failed", "give how many failed Jobs to keep, e.g. 1"),
        ):
            given = raw.get(part)
            counts[part] = None if given is None else whole_number(check, f"{field}.{part}", given, fix)
        out.append(
            AppJob(
                key,
                run,
                schedule=check_schedule(check, f"{field}.schedule", raw["schedule"]),
                time_zone=None if zone is None else check_time_zone(check, f"{field}.time_zone", zone),
                concurrency=check.one_of(
                    f"{field}.concurrency",
                    raw.get("concurrency", "Forbid"),
                    CONCURRENCY,
                    "give Forbid (skip a run while one runs), Replace (stop it) or Allow (run both)",
                ),
                suspend=suspend,
                **counts,
            )
        )
    return tuple(out)


def run_labels(name: str, labels: Mapping[str, Any], selector: Mapping[str, str], part: str) -> dict[str, Any]:
    """The labels of a run's Job (or CronJob) and its Pods: the app's extra labels, none the Service selects;
    `part` is `migration` or a job's name."""
    out = {k: v for k, v in labels.items() if k not in selector and k != NAME_LABEL}
    component = "migration" if part == "migration" else "job"
    return {
        **out,
        NAME_LABEL: f"{name}-{part}",
        COMPONENT_LABEL: component,
        "app.kubernetes.io/part-of": name,
        RUN_OF_LABEL: name,
    }


def job_spec(run: Run, pod: PodModel, labels: dict[str, Any], env: Any, files: Any, container: str) -> dict[str, Any]:
    """A Job's spec running `run` in the app's Pod (its container named `container`)."""
    model = replace(
        pod,
        container_name=container,
        image=run.image if run.image is not None else pod.image,
        command=run.command,
        args=run.args or None,
        ports=(),
        readiness_probe=None,
        liveness_probe=None,
        startup_probe=None,
        drain_seconds=0,
        init_containers=(),
        spread=(),
    )
    spec: dict[str, Any] = {
        "backoff_limit": run.backoff_limit,
        "template": {
            "metadata": {"labels": labels},
            "spec": {**pod_spec(model, env, (), files), "restart_policy": "Never"},
        },
    }
    if run.deadline_seconds is not None:
        spec["active_deadline_seconds"] = run.deadline_seconds
    return spec


def _hashed(base: str, spec: Any) -> Any:
    """`base` and a hash of `spec` (an Output when the spec holds one)."""
    if any_leaf(spec, lambda leaf: isinstance(leaf, pulumi.Output)):
        return pulumi.Output.from_input(spec).apply(lambda known: base + _digest(known))
    return base + _digest(spec)


def _digest(spec: Any) -> str:
    return hashlib.sha256(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest()[:10]


def migration_props(
    name: str, namespace: Any, migration: Run, pod: PodModel, labels: dict[str, Any], env: Any, files: Any
) -> dict[str, Any]:
    """The migration Job's constructor arguments: `metadata` (its name a hash of its spec) and `spec`."""
    spec = job_spec(migration, pod, labels, env, files, "migrate")
    job_name = _hashed(f"{name[:44].rstrip('-')}-migrate-", spec)
    return {"metadata": {"name": job_name, "namespace": namespace, "labels": labels}, "spec": spec}


def app_job_props(
    name: str, namespace: Any, job: AppJob, pod: PodModel, labels: dict[str, Any], env: Any, files: Any
) -> tuple[type, dict[str, Any]]:
    """One of `jobs` as `(class, constructor arguments)`: a CronJob `<app>-<job>`, or a Job `<app>-<job>-<hash>`."""
    spec = job_spec(job.run, pod, labels, env, files, job.key)
    if job.schedule is None:
        job_name = _hashed(f"{name}-{job.key}-", spec)  # parse_jobs keeps `<app>-<job>` within 52 characters
        return k8s.batch.v1.Job, {
            "metadata": {"name": job_name, "namespace": namespace, "labels": labels},
            "spec": spec,
        }
    cron: dict[str, Any] = {"schedule": job.schedule}
    if job.time_zone is not None:
        cron["time_zone"] = job.time_zone
    cron["concurrency_policy"] = job.concurrency
    optional = {
        "starting_deadline_seconds": job.starting_deadline_seconds,
        "successful_jobs_history_limit": job.keep_succeeded,
        "failed_jobs_history_limit": job.keep_failed,
        "suspend": job.suspend,
    }
    cron.update({k: v for k, v in optional.items() if v is not None})
    cron["job_template"] = {"metadata": {"labels": labels}, "spec": spec}
    metadata = {"name": f"{name}-{job.key}", "namespace": namespace, "labels": labels}
    return k8s.batch.v1.CronJob, {"metadata": metadata, "spec": cron}
