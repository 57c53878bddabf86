"""Moving a live app written with raw pulumi_kubernetes resources onto kubexpose, through the real engine.

The raw program is the classic `myapp`: an nginx Deployment (selector `app: myapp`) and a NodePort Service on
30001. Switched to `ExposedDeployment` without `adopt`, the preview plans a delete of both raw resources (the
outage this scenario guards against). With `adopt` (child aliases to the raw resources and the live selector),
`up` deletes nothing: the Deployment and the Service are the same objects (same uid), the Service keeps its
clusterIP and node port. The Pods roll once (a rolling update, never all at once), because the pod template
gains kubexpose's labels, security context, probes and resources: the README says so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest
from conftest import eventually, make_project, rolled_out

from kubexpose import ExposedDeployment, StackProfile

NS = "migrate"
IMAGE = "nginxinc/nginx-unprivileged:1.27-alpine"
LABELS = {"app": "myapp"}


def raw() -> None:
    namespace = k8s.core.v1.Namespace(NS, metadata={"name": NS})
    opts = pulumi.ResourceOptions(depends_on=[namespace])
    k8s.apps.v1.Deployment(
        "myapp",
        metadata={"name": "myapp", "namespace": NS, "labels": LABELS},
        spec={
            "replicas": 2,
            "selector": {"match_labels": LABELS},
            "template": {
                "metadata": {"labels": LABELS},
                "spec": {"containers": [{"name": "myapp", "image": IMAGE, "ports": [{"container_port": 8080}]}]},
            },
        },
        opts=opts,
    )
    k8s.core.v1.Service(
        "myapp",
        metadata={"name": "myapp", "namespace": NS, "labels": LABELS},
        spec={"type": "NodePort", "selector": LABELS, "ports": [{"port": 80, "target_port": 8080, "node_port": 30001}]},
        opts=opts,
    )


def moved(adopt: bool) -> Any:
    def program() -> None:
        namespace = k8s.core.v1.Namespace(NS, metadata={"name": NS})
        args: dict[str, Any] = {
            "image": IMAGE,
            "ports": [{"port": 80, "target_port": 8080, "node_port": 30001}],
            "service_type": "NodePort",
            "replicas": 2,
            "writable_paths": ["/tmp"],
        }
        if adopt:
            args["adopt"] = {"deployment": "myapp", "service": "myapp", "selector": LABELS}
        ExposedDeployment(
            "myapp", args, pulumi.ResourceOptions(depends_on=[namespace]), profile=StackProfile.from_config()
        )  # type: ignore[arg-type]

    return program


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "migrate", "e2e-migrate", {"test": f"config:\n  kubexpose:namespace: {NS}\n"})


def _ops(events: list[Any]) -> dict[str, str]:
    out = {}
    for e in events:
        if e.resource_pre_event is not None:
            meta = e.resource_pre_event.metadata
            out[meta.urn.rsplit("::", 2)[-2].rsplit("$", 1)[-1] + "::" + meta.urn.rsplit("::", 1)[-1]] = str(
                getattr(meta.op, "value", meta.op)
            )
    return out


def test_raw_resources_move_onto_exposed_deployment_with_adopt_and_nothing_is_deleted(
    kubexpose_live: Any, cluster: Any, project: Path
) -> None:
    stack = kubexpose_live.stack("test", raw, project, copy_name="migrate")
    try:
        assert stack.up(on_output=print).summary.result == "succeeded"
        eventually(lambda: rolled_out(cluster, NS, "myapp"))
        deployment = cluster.get_json("deployment", "myapp", "-n", NS)
        service = cluster.get_json("service", "myapp", "-n", NS)

        # Without adopt: the engine would delete both raw resources (and with them the live objects).
        events: list[Any] = []
        stack.preview(on_output=print, on_event=events.append, program=moved(adopt=False))
        ops = _ops(events)
        assert ops["kubernetes:apps/v1:Deployment::myapp"] == "delete"
        assert ops["kubernetes:core/v1:Service::myapp"] == "delete"

        events = []
        result = stack.up(on_output=print, on_event=events.append, program=moved(adopt=True))
        assert result.summary.result == "succeeded"
        ops = _ops(events)
        assert not [
            urn for urn, op in ops.items() if op in ("delete", "replace", "create-replacement", "delete-replaced")
        ], ops
        assert ops["kubernetes:apps/v1:Deployment::myapp-deployment"] == "update"
        assert ops["kubernetes:core/v1:Service::myapp-service"] == "update"
        after = cluster.get_json("service", "myapp", "-n", NS)
        assert after["metadata"]["uid"] == service["metadata"]["uid"]
        assert after["spec"]["clusterIP"] == service["spec"]["clusterIP"]
        assert [p["nodePort"] for p in after["spec"]["ports"]] == [30001]
        now = cluster.get_json("deployment", "myapp", "-n", NS)
        assert now["metadata"]["uid"] == deployment["metadata"]["uid"]
        assert now["spec"]["selector"] == {"matchLabels": LABELS}
        eventually(lambda: rolled_out(cluster, NS, "myapp"))
        stack.preview(expect_no_changes=True, on_output=print, program=moved(adopt=True))
    finally:
        stack.destroy(on_output=print)
        stack.workspace.remove_stack("test")
        eventually(lambda: cluster.kubectl("get", "namespace", NS, check=False).returncode != 0, timeout=120)


class _Renamed(ExposedDeployment):
    """A refactor of kubexpose as a user would meet it: the component's type token changed."""

    type_token = "kubexpose:index:WebApp"


def _web(cls: type[ExposedDeployment], opts: pulumi.ResourceOptions | None = None) -> Any:
    def program() -> None:
        namespace = k8s.core.v1.Namespace(NS, metadata={"name": NS})
        merged = pulumi.ResourceOptions.merge(pulumi.ResourceOptions(depends_on=[namespace]), opts)
        args: dict[str, Any] = {
            "image": IMAGE,
            "ports": [{"port": 80, "target_port": 8080}],
            "writable_paths": ["/tmp"],
        }
        cls("web", args, merged, profile=StackProfile.from_config())  # type: ignore[arg-type]

    return program


def test_the_alias_kubexpose_diff_names_for_a_moved_component_keeps_every_child_through_the_engine(
    kubexpose_live: Any, cluster: Any, project: Path
) -> None:
    """The fix `kubexpose diff` gives for a changed type token (an alias on the component, inherited by its
    children, `kubexpose.render.identity.inherited_alias`) is what the real engine does: nothing deleted."""
    stack = kubexpose_live.stack("test", _web(ExposedDeployment), project, copy_name="alias")
    try:
        assert stack.up(on_output=print).summary.result == "succeeded"
        events: list[Any] = []
        stack.preview(on_output=print, on_event=events.append, program=_web(_Renamed))
        assert "delete" in _ops(events).values()  # the planted refactor without its alias
        old = "urn:pulumi:test::e2e-migrate::kubexpose:index:ExposedDeployment::web"
        events = []
        fixed = _web(_Renamed, pulumi.ResourceOptions(aliases=[old]))
        result = stack.up(on_output=print, on_event=events.append, program=fixed)
        assert result.summary.result == "succeeded"
        assert set(_ops(events).values()) == {"same"}, _ops(events)
    finally:
        stack.destroy(on_output=print)
        stack.workspace.remove_stack("test")
        eventually(lambda: cluster.kubectl("get", "namespace", NS, check=False).returncode != 0, timeout=120)
