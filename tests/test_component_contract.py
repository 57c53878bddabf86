"""The component contract (CONTRIBUTING.md) is enough for a third component: a CronJob-backed worker,
written here in one module's worth of code, gets checked arguments, claims, the render and the test kit
without a change anywhere else."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_kubernetes as k8s
import pytest
from conftest import LOCAL, Runner

from kubexpose import ExposedDeployment, StackProfile, ValidationError
from kubexpose.claims import Claim
from kubexpose.components._parts.base import KubexposeComponent, check_args, resolve_namespace, resolve_profile
from kubexpose.components._parts.workload import check_image, parse_pod, warn_on_image
from kubexpose.engine.run import run_program
from kubexpose.k8s.metadata import NAME_LABEL, object_metadata
from kubexpose.k8s.pod import PodModel, pod_spec
from kubexpose.k8s.validation import Checker
from kubexpose.render.build import render_run

IMAGE = "ghcr.io/acme/report:2.0.1"


class ScheduledJobArgs(TypedDict):
    """Inputs of ScheduledJob."""

    image: str
    """Container image. Required."""
    schedule: str
    """Cron schedule, five fields. Required."""
    namespace: NotRequired[str]
    """Namespace. Default: the stack profile's."""


@dataclass(frozen=True)
class _Job:
    claim: Claim
    labels: dict[str, str]
    schedule: str
    pod: PodModel


def _parse(check: Checker, name: str, raw: Any, profile: StackProfile) -> _Job:
    check.dns_label("name", name)
    args = check_args(check, raw, frozenset(ScheduledJobArgs.__annotations__), "{'image': ..., 'schedule': ...}")
    schedule = args.get("schedule")
    if not isinstance(schedule, str) or len(schedule.split()) != 5:
        check.fail("schedule", schedule, "is not a five-field cron schedule", "give e.g. '0 3 * * *'")
    namespace = resolve_namespace(check, args.get("namespace"), profile)
    image = check_image(check, args.get("image"))
    pod = parse_pod(check, name, {}, image, (), [])
    # A worker has no Service; it still claims its name so that no component's Service takes it.
    return _Job(Claim(namespace, name), {NAME_LABEL: name}, schedule, pod)


class ScheduledJob(KubexposeComponent):
    """A CronJob running one secure container on a schedule."""

    kind = "ScheduledJob"
    type_token = "kubexpose:index:ScheduledJob"
    cron_job: k8s.batch.v1.CronJob
    job_name: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: ScheduledJobArgs | Mapping[str, Any],
        opts: pulumi.ResourceOptions | None = None,
        *,
        profile: StackProfile | None = None,
    ) -> None:
        check = self.checker(name)
        job = _parse(check, name, args, resolve_profile(profile))
        child = self.declare(check, name, opts, job.claim, inputs=(args, job))
        warn_on_image(self, check, job.pod.image)
        spec = {"restart_policy": "Never", **pod_spec(job.pod)}
        self.cron_job = self.child(
            k8s.batch.v1.CronJob,
            f"{name}-cron-job",
            child,
            metadata=object_metadata(name, job.claim.namespace, job.labels),
            spec={
                "schedule": job.schedule,
                "job_template": {"spec": {"template": {"metadata": {"labels": job.labels}, "spec": spec}}},
            },
        )
        self.finish({"job_name": self.fixed(name, self.cron_job)})


def test_a_third_component_renders_with_the_secure_pod_defaults_and_no_probes(run: Runner) -> None:
    result = run(lambda: ScheduledJob("nightly-report", {"image": IMAGE, "schedule": "0 3 * * *"}, profile=LOCAL))
    (cron,) = render_run(result, "dev").manifests
    assert cron["kind"] == "CronJob" and cron["metadata"] == {
        "name": "nightly-report",
        "namespace": "shop",
        "labels": {NAME_LABEL: "nightly-report"},
    }
    pod = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert pod["securityContext"]["runAsUser"] == 10001
    assert "readinessProbe" not in container and "livenessProbe" not in container
    assert [r.type for r in result.registrations if not r.custom][-1] == "kubexpose:index:ScheduledJob"


def test_a_third_component_renders_the_same_bytes_on_the_fast_path() -> None:
    def program() -> None:
        job = ScheduledJob("nightly-report", {"image": IMAGE, "schedule": "0 3 * * *"}, profile=LOCAL)
        pulumi.export("job", job.job_name)

    fast, slow = (run_program(program, fast=fast) for fast in (True, False))
    assert fast.path == ["fast path: 1 of 1 components built without SDK registration"]
    assert render_run(fast, "dev").files == render_run(slow, "dev").files
    assert fast.exports == slow.exports == {"job": "nightly-report"}


def test_a_third_components_bad_input_is_refused_before_anything_is_registered(run: Runner) -> None:
    with pytest.raises(ValidationError, match=r"ScheduledJob 'nightly': schedule 'daily' is not a five-field"):
        run(lambda: ScheduledJob("nightly", {"image": IMAGE, "schedule": "daily"}, profile=LOCAL))


def test_a_third_components_name_is_claimed_against_the_others(run: Runner) -> None:
    def program() -> None:
        ExposedDeployment("report", {"image": IMAGE, "port": 80}, profile=LOCAL)
        ScheduledJob("report", {"image": IMAGE, "schedule": "0 3 * * *"}, profile=LOCAL)

    with pytest.raises(ValidationError, match="ScheduledJob 'report': name 'report' is already the Service name of"):
        run(program)


def test_each_child_is_declared_once_by_its_annotation() -> None:
    """A child's class, Pulumi name suffix, adopt key and output attribute all come from one class annotation: the
    adopt keys are exactly the children's attributes, and each child's Pulumi name is `<name>-<attribute>`."""
    from kubexpose import AdoptArgs, AdoptServiceArgs, ExposedDeployment, ExternalAlias
    from kubexpose.components._parts.base import children_of

    assert set(children_of(ExposedDeployment)) == set(AdoptArgs.__annotations__) - {"selector"}
    assert set(children_of(ExternalAlias)) == set(AdoptServiceArgs.__annotations__) == {"service"}
    assert children_of(ExposedDeployment)["disruption_budget"].__name__ == "PodDisruptionBudget"
