"""The inputs of an app's shapes beside its Pods: work that runs to completion (its migration and jobs), and the
versions behind its Service."""

from collections.abc import Mapping, Sequence
from typing import NotRequired, TypedDict

import pulumi


class MigrationArgs(TypedDict):
    """A command that runs to completion before each rollout of the app (a database migration)."""

    command: Sequence[str]
    """The command, e.g. `["./manage.py", "migrate"]`. Required."""
    args: NotRequired[Sequence[str]]
    """Its arguments. Default: none."""
    image: NotRequired[pulumi.Input[str]]
    """The image it runs in. Default: the app's."""
    backoff_limit: NotRequired[int]
    """How often a failed run is retried before the `up` fails. Default: 0 (a migration that failed once stops)."""
    deadline_seconds: NotRequired[int]
    """Seconds the run may take in all (`activeDeadlineSeconds`). Default: none (the `up` waits up to its
    custom timeout, 10 minutes by default)."""


class JobArgs(TypedDict):
    """Work that runs to completion in the app's Pod (its image, env and Secret, files, service account and secure
    defaults): with a `schedule`, a CronJob `<app>-<job>`; without, a Job that runs once, and again whenever what it
    runs changes (its command, image or env)."""

    command: Sequence[str]
    """The command, e.g. `["./manage.py", "send_reports"]`. Required."""
    args: NotRequired[Sequence[str]]
    """Its arguments. Default: none."""
    image: NotRequired[pulumi.Input[str]]
    """The image it runs in. Default: the app's."""
    schedule: NotRequired[str]
    """When it runs, in cron syntax (minute hour day-of-month month day-of-week, e.g. `0 3 * * *`; or `@hourly`,
    `@daily`, `@every 90m`). Default: none (the job runs once, and the `up` waits for it)."""
    time_zone: NotRequired[str]
    """The IANA time zone of the schedule, e.g. `Europe/Berlin`. Default: the kube-controller-manager's (usually
    UTC)."""
    concurrency: NotRequired[str]
    """When a run is due while the last one still runs: `Forbid` (skip it), `Replace` (stop the last one) or `Allow`
    (run both). Default: `Forbid`."""
    starting_deadline_seconds: NotRequired[int]
    """Seconds a run may start late (the controller was down, `Forbid` held it back) before it is skipped. Default:
    none (no limit)."""
    keep_succeeded: NotRequired[int]
    """How many succeeded Jobs (with their Pods and logs) to keep (`successfulJobsHistoryLimit`). Default: 3."""
    keep_failed: NotRequired[int]
    """How many failed Jobs to keep (`failedJobsHistoryLimit`). Default: 1."""
    suspend: NotRequired[bool]
    """Start no new runs (a run in progress goes on). Default: false."""
    backoff_limit: NotRequired[int]
    """How often a failed run is retried. Default: 6 for a scheduled job (Kubernetes'), 0 for one that runs once (a
    failure fails the `up` at once)."""
    deadline_seconds: NotRequired[int]
    """Seconds one run may take in all (`activeDeadlineSeconds`). Default: none."""


class VersionArgs(TypedDict):
    """One version of the app behind its Service (a canary, blue/green): its own Deployment `<app>-<version>`, whose
    Pods the app's Service selects with the other versions'."""

    image: NotRequired[pulumi.Input[str]]
    """Its image. Default: the app's `image`."""
    replicas: NotRequired[int]
    """Its Pods. The Service spreads its callers over every version's ready Pods, so the split follows the replicas:
    3 of `v1` and 1 of `v2` send `v2` about a quarter. 0 keeps the version without Pods (a rollback target).
    Default: the app's `replicas`."""
    env: NotRequired[Mapping[str, str]]
    """Plain env values over the app's `env` (a name given here replaces the app's value; a secret belongs in the
    app's `env`). Default: the app's."""
    weight: NotRequired[int]
    """Its share of the routed traffic (`http`) where the stack routes through a Gateway: the HTTPRoute's backend
    weight, relative to the other versions' (0 to 1000000; every version then gives one), each version reached
    through its own Service `<app>-<version>`. An Ingress has no weights: there, and for callers inside the cluster,
    the split follows the replicas. Default: none (by replicas)."""
