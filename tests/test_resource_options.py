"""Resource options that reach the children (issue 35, point 6): `custom_timeouts`, `retain_on_delete` and
`deleted_with` given to a component reach every child it makes; `ignore_changes` and `replace_on_changes` name one
child's properties and stay on the component, and a transform targets one child."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from kubexpose import ExposedDeployment, ExternalAlias
from kubexpose.engine.run import ProgramRun, run_program

IMAGE = "nginxinc/nginx-unprivileged:1.27-alpine"
PASSED = {"customTimeouts": {"create": "3m", "update": "4m"}, "retainOnDelete": True}


def children(run: ProgramRun, owner: str) -> dict[str, dict[str, Any]]:
    """The options of each child of component `owner`, by type."""
    parent = next(r.urn for r in run.registrations if not r.custom and r.urn.endswith(f"::{owner}"))
    return {r.type: dict(r.options) for r in run.registrations if r.parent == parent}


@pytest.mark.parametrize(
    ("component", "args"),
    [(ExposedDeployment, {"image": IMAGE, "port": 80, "replicas": 2}), (ExternalAlias, {"addresses": ["10.0.0.5"],
                                                                                         "port": 5432})],
    ids=["ExposedDeployment", "ExternalAlias"],
)  # fmt: skip
def test_timeouts_retention_and_deleted_with_reach_every_child(component: type, args: dict[str, Any]) -> None:
    def program() -> None:
        keeper = pulumi.ComponentResource("acme:index:Keeper", "keeper")
        component(
            "web",
            args,
            pulumi.ResourceOptions(
                custom_timeouts=pulumi.CustomTimeouts(create="3m", update="4m"),
                retain_on_delete=True,
                deleted_with=keeper,
                ignore_changes=["spec"],
                replace_on_changes=["spec"],
            ),
        )

    found = children(run_program(program), "web")
    assert len(found) >= 2, found
    for kind, options in found.items():
        deleted_with = options.pop("deletedWith", None)
        assert deleted_with is not None and deleted_with.endswith("acme:index:Keeper::keeper"), kind
        assert options == PASSED, kind  # no ignoreChanges / replaceOnChanges: they name the component's own fields


def test_a_component_without_options_gives_its_children_none() -> None:
    found = children(run_program(lambda: ExposedDeployment("web", {"image": IMAGE, "port": 80})), "web")
    assert found and all(options == {} for options in found.values()), found


def test_a_transform_targets_one_child_with_its_own_options() -> None:
    """The documented way to give one child an option: `ignore_changes` on the Deployment's replicas only."""

    def only_the_deployment(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
        if args.type_ != "kubernetes:apps/v1:Deployment":
            return None
        return pulumi.ResourceTransformResult(
            args.props,
            pulumi.ResourceOptions.merge(args.opts, pulumi.ResourceOptions(ignore_changes=["spec.replicas"])),
        )

    def program() -> None:
        ExposedDeployment("web", {"image": IMAGE, "port": 80}, pulumi.ResourceOptions(transforms=[only_the_deployment]))

    found = children(run_program(program), "web")
    assert found.pop("kubernetes:apps/v1:Deployment") == {"ignoreChanges": ["spec.replicas"]}
    assert all(options == {} for options in found.values()), found
