"""`migration`: a command that runs to completion, as a Job, before each rollout of the app.

The Job runs in the app's image (or its own), with the app's env (secret values through the app's Secret), files,
service account, scheduling and secure defaults, restarting never. Its name ends in a hash of its spec: it is created
again (so the command runs again) only when the Job would differ, and Pulumi deletes the previous one once the new one
succeeded (a finished Job stays until then, for its logs). The Deployment depends on it, so pulumi-kubernetes' await
of the Job (succeeded, or failed with its condition's reason) comes before the Deployment changes: a failed migration
stops the `up` and the old Pods keep serving. The Job's Pods carry no label the Service selects.
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import pulumi

from ..._values import any_leaf
from ...k8s.metadata import NAME_LABEL
from ...k8s.pod import PodModel, pod_spec
from ...k8s.validation import Checker
from .base import whole_number
from .workload import check_image

_FIELDS = frozenset({"command", "args", "image", "backoff_limit", "deadline_seconds"})
COMPONENT_LABEL = "app.kubernetes.io/component"


@dataclass(frozen=True)
class Migration:
    command: tuple[str, ...]
    args: tuple[str, ...]
    image: Any
    """None: the app's image."""
    backoff_limit: int
    deadline_seconds: int | None


def parse_migration(check: Checker, value: Any) -> Migration | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        check.fail("migration", value, "is not a mapping", "give e.g. migration={'command': ['./migrate', 'up']}")
    check.only_fields("migration", value, _FIELDS, "a migration field")
    lists = {}
    for field in ("command", "args"):
        given = value.get(field)
        if given is None and field == "command":
            check.missing("migration.command", "give the command that migrates, e.g. ['./manage.py', 'migrate']")
        given = given or ()
        if isinstance(given, str) or not isinstance(given, list | tuple) or not all(isinstance(v, str) for v in given):
            check.fail(f"migration.{field}", given, "is not a list of strings", "give e.g. ['./migrate', 'up']")
        if field == "command" and not given:
            check.fail("migration.command", list(given), "is empty", "give the command that migrates")
        lists[field] = tuple(given)
    image = None if value.get("image") is None else check_image(check.within("migration."), value["image"])
    limit = whole_number(check, "migration.backoff_limit", value.get("backoff_limit", 0), "give e.g. 2 retries")
    deadline = value.get("deadline_seconds")
    if deadline is not None:
        deadline = whole_number(check, "migration.deadline_seconds", deadline, "give e.g. 600", "seconds")
        if deadline == 0:
            check.fail("migration.deadline_seconds", 0, "is 0", "give the seconds the run may take, e.g. 600")
    return Migration(lists["command"], lists["args"], image, limit, deadline)


def migration_labels(name: str, labels: Mapping[str, Any], selector: Mapping[str, str]) -> dict[str, Any]:
    """The Job's labels and its Pods': the app's extra labels, none the Service selects."""
    out = {k: v for k, v in labels.items() if k not in selector and k != NAME_LABEL}
    return {**out, NAME_LABEL: f"{name}-migration", COMPONENT_LABEL: "migration", "app.kubernetes.io/part-of": name}


def migration_props(
    name: str,
    namespace: Any,
    migration: Migration,
    pod: PodModel,
    labels: dict[str, Any],
    env: Any,
    files: Any,
) -> dict[str, Any]:
    """The Job's constructor arguments: `metadata` (its name a hash of its spec, an Output when the spec holds one)
    and `spec`."""
    model = replace(
        pod,
        container_name="migrate",
        image=migration.image if migration.image is not None else pod.image,
        command=migration.command,
        args=migration.args or None,
        ports=(),
        readiness_probe=None,
        liveness_probe=None,
        startup_probe=None,
        drain_seconds=0,
        init_containers=(),
        spread=(),
    )
    spec_of_pod = {**pod_spec(model, env, (), files), "restart_policy": "Never"}
    spec: dict[str, Any] = {
        "backoff_limit": migration.backoff_limit,
        "template": {"metadata": {"labels": labels}, "spec": spec_of_pod},
    }
    if migration.deadline_seconds is not None:
        spec["active_deadline_seconds"] = migration.deadline_seconds
    base = f"{name[:44].rstrip('-')}-migrate-"
    if any_leaf(spec, lambda leaf: isinstance(leaf, pulumi.Output)):
        job_name: Any = pulumi.Output.from_input(spec).apply(lambda known: base + _digest(known))
    else:
        job_name = base + _digest(spec)
    metadata = {"name": job_name, "namespace": namespace, "labels": labels}
    return {"metadata": metadata, "spec": spec}


def _digest(spec: Any) -> str:
    return hashlib.sha256(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest()[:10]
