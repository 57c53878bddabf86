"""Migrations before a rollout (issue 36, point 3): a Job in the app's image, env, Secret and secure defaults that the
Deployment waits for, named from its content so it runs again only when it would differ."""

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

MIGRATE = {"command": ["./migrate", "up"]}


def job(result: ProgramRun) -> Any:
    (found,) = result.k8s("Job")
    return found


def test_the_migration_runs_in_the_apps_pod_and_the_deployment_waits_for_it(run: Runner) -> None:
    result = run(
        app({"migration": {**MIGRATE, "args": ["--all"]}, "env": {"MODE": "live"}, "writable_paths": ["/tmp"]})
    )
    migration = job(result)
    spec = migration.inputs["spec"]
    pod = spec["template"]["spec"]
    (container,) = pod["containers"]
    app_pod = result.get("Deployment", "web").inputs["spec"]["template"]["spec"]
    assert (container["name"], container["command"], container["args"]) == ("migrate", ["./migrate", "up"], ["--all"])
    assert container["image"] == app_pod["containers"][0]["image"]
    assert container["env"] == app_pod["containers"][0]["env"]
    assert container["securityContext"] == app_pod["containers"][0]["securityContext"]
    assert not {"readinessProbe", "livenessProbe", "ports", "lifecycle"} & set(container)
    assert (pod["restartPolicy"], spec["backoffLimit"], pod["serviceAccountName"]) == ("Never", 0, "web")
    labels = spec["template"]["metadata"]["labels"]
    assert (
        labels["app.kubernetes.io/name"] == "web-migration"
    )  # the Service (app.kubernetes.io/name: web) never selects it
    assert migration.urn in result.get("Deployment", "web").dependencies


def test_a_secret_env_value_reaches_the_migration_through_the_apps_secret(run: Runner) -> None:
    def program() -> None:
        from kubexpose import ExposedDeployment

        env = {"DB_PASSWORD": pulumi.Output.secret("hunter2")}
        ExposedDeployment("web", {"image": "ghcr.io/acme/web:1.0.0", "port": 80, "env": env, "migration": MIGRATE})

    migration = job(run(program))
    (container,) = migration.inputs["spec"]["template"]["spec"]["containers"]
    assert container["env"] == [
        {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "web-env", "key": "DB_PASSWORD"}}}
    ]
    assert "hunter2" not in str(migration.inputs)


def _name(args: dict[str, Any]) -> str:
    return str(job(run_program(app(args))).object_name)


def test_the_job_is_named_from_its_content() -> None:
    first = _name({"migration": MIGRATE})
    assert first.startswith("web-migrate-") and len(first) == len("web-migrate-") + 10
    assert _name({"migration": MIGRATE, "replicas": 3}) == first  # nothing the Job runs changed: it does not run again
    assert _name({"migration": MIGRATE, "image": "nginxinc/nginx-unprivileged:1.28-alpine"}) != first
    assert _name({"migration": {"command": ["./migrate", "up", "--v2"]}}) != first
    assert _name({"migration": {**MIGRATE, "image": "ghcr.io/acme/migrate:2.0"}}) != first


def test_the_render_writes_the_job_on_both_paths() -> None:
    fast = both_ways(app({"migration": MIGRATE}))
    assert isinstance(fast, ProgramRun) and fast_count(fast) == 1
    assert [o["kind"] for o in manifests(fast)].count("Job") == 1


def test_a_patch_reaches_the_job(run: Runner) -> None:
    ops = [{"op": "add", "path": "/spec/ttlSecondsAfterFinished", "value": 3600}]
    assert (
        job(run(app({"migration": MIGRATE, "patches": {"Job": ops}}))).inputs["spec"]["ttlSecondsAfterFinished"] == 3600
    )


@pytest.mark.parametrize(
    ("migration", "message"),
    [
        ({}, r"migration.command is required"),
        ({"command": []}, r"migration.command \[\] is empty"),
        ({"command": "./migrate"}, r"migration.command '\./migrate' is not a list of strings"),
        ({**MIGRATE, "image": "Bad Image"}, r"migration.image 'Bad Image' is not an image reference"),
        ({**MIGRATE, "backoff_limit": -1}, r"migration.backoff_limit -1"),
        ({**MIGRATE, "deadline_seconds": 0}, r"migration.deadline_seconds 0 is 0"),
        ({**MIGRATE, "cmd": []}, r"migration.cmd .* is not a migration field"),
        (["./migrate"], r"migration \['./migrate'\] is not a mapping"),
    ],
)
def test_a_bad_migration_is_refused_with_the_fix(run: Runner, migration: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=r"ExposedDeployment 'web': " + message):
        run(app({"migration": migration}))


def test_kubexpose_diff_lists_a_migration_that_will_run() -> None:
    from kubexpose.render.diff import diff

    def objects(args: dict[str, Any]) -> dict[Any, Any]:
        from kubexpose.render.risk import namespace_of

        return {(o["kind"], namespace_of(o), o["metadata"]["name"]): o for o in manifests(run_program(app(args)))}

    before = objects({"migration": MIGRATE})
    same = diff(before, objects({"migration": MIGRATE, "replicas": 3}))
    assert not [f for f in same.findings if "migration" in f.reason]
    newer = diff(before, objects({"migration": MIGRATE, "image": "nginxinc/nginx-unprivileged:1.28-alpine"}))
    (found,) = [f for f in newer.findings if "migration" in f.reason]
    assert found.raised and found.cls == "availability"
    assert found.reason == (
        "the migration `./migrate up` runs before the rollout (in nginxinc/nginx-unprivileged:1.28-alpine)"
    )
    assert {c.status for c in newer.changes if c.key[0] == "Job"} == {"added", "removed"}
