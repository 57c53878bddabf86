"""Pulumi transforms offline: the render, the test kit and `kubexpose diff` see what `pulumi up` applies.

The engine runs a resource's own transforms, then its ancestors', then the stack transforms registered before it
(`e2e/test_transforms_live.py` compares the same program's render with the objects the real engine applied)."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest

from kubexpose import ExposedDeployment
from kubexpose.engine.run import ProgramRun, run_program
from kubexpose.render.build import render_run

IMAGE = "nginxinc/nginx-unprivileged:1.27-alpine"


def stamp(label: str) -> Any:
    """A transform that appends `label` to the annotation `order` of every Kubernetes object."""

    def transform(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
        if not args.custom:
            return None
        meta = args.props.setdefault("metadata", {})
        annotations = meta.setdefault("annotations", {})
        annotations["order"] = ",".join(filter(None, [annotations.get("order"), label]))
        return pulumi.ResourceTransformResult(args.props, args.opts)

    return transform


def node_selector(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
    if args.type_ != "kubernetes:apps/v1:Deployment":
        return None
    args.props["spec"]["template"]["spec"]["nodeSelector"] = {"kubernetes.io/arch": "amd64"}
    return pulumi.ResourceTransformResult(args.props, args.opts)


class Shop(pulumi.ComponentResource):
    """A user's own component holding an ExposedDeployment."""

    def __init__(self, name: str, opts: pulumi.ResourceOptions) -> None:
        super().__init__("acme:index:Shop", name, None, opts)
        ExposedDeployment(
            "api",
            {"image": IMAGE, "ports": [{"port": 80, "target_port": 8080}]},
            pulumi.ResourceOptions(parent=self, transforms=[stamp("component")]),
        )
        self.register_outputs({})


def program() -> None:
    """Run here under the mocks, and by `e2e/test_transforms_live.py` through the real engine (namespace `transforms`)."""
    namespace = pulumi.Config("kubexpose").get("namespace") or "default"
    pulumi.runtime.register_resource_transform(stamp("stack-1"))
    Shop("shop", pulumi.ResourceOptions(transforms=[stamp("outer"), node_selector]))
    pulumi.runtime.register_resource_transform(stamp("stack-2"))
    k8s.core.v1.ConfigMap("settings", metadata={"name": "settings", "namespace": namespace}, data={"a": "b"})


def manifests(run: ProgramRun) -> dict[tuple[str, str], dict[str, Any]]:
    """The render's objects by kind and name."""
    import yaml

    files = render_run(run, "test").files
    objects = [yaml.safe_load(text) for name, text in files.items() if name.endswith(".yaml")]
    return {(o["kind"], o["metadata"]["name"]): o for o in objects if isinstance(o, dict) and "kind" in o}


@pytest.fixture(scope="module")
def rendered() -> dict[tuple[str, str], dict[str, Any]]:
    return manifests(run_program(program, fast=True))


def test_a_transform_on_a_component_reaches_its_childrens_objects(rendered: dict[Any, Any]) -> None:
    pod = rendered[("Deployment", "api")]["spec"]["template"]["spec"]
    assert pod["nodeSelector"] == {"kubernetes.io/arch": "amd64"}
    assert "nodeSelector" not in rendered[("Service", "api")]["spec"]


def test_transforms_run_own_then_ancestors_then_stack_transforms_registered_before(rendered: dict[Any, Any]) -> None:
    for kind in ("Deployment", "Service", "ServiceAccount", "NetworkPolicy"):
        assert rendered[(kind, "api")]["metadata"]["annotations"]["order"] == "component,outer,stack-1", kind
    assert rendered[("ConfigMap", "settings")]["metadata"]["annotations"]["order"] == "stack-1,stack-2"


def test_the_render_writes_what_the_transforms_return_on_the_sdk_path_too() -> None:
    assert manifests(run_program(program, fast=False)) == manifests(run_program(program, fast=True))


def test_a_transform_that_fails_fails_the_run_with_its_own_error() -> None:
    def broken(args: pulumi.ResourceTransformArgs) -> None:
        raise ValueError(f"no labels for {args.name}")

    def failing() -> None:
        ExposedDeployment("api", {"image": IMAGE, "port": 80}, pulumi.ResourceOptions(transforms=[broken]))

    with pytest.raises(Exception, match="no labels for api"):
        run_program(failing, fast=True)
