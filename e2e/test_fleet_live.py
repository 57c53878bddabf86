"""One program, the example's apps in two clusters (issue 38, point 5), through the real CLI, provider and two more
loopback control planes (the kit's `kubexpose_clusters`, one call per cluster, each with its own kubeconfig):

the example project's stack `fleet` (`example:clusters`) pointed at clusters `east` and `west`, with the default
kubernetes provider disabled (every component has its cluster's provider); both clusters store the apps under their
own names, each equal to its folder of the offline render; the fixed node port 30001 is allocated in each; an update
of one cluster (more frontend Pods in `west`) leaves every object of the other untouched (same resourceVersion);
`destroy` removes the apps from both.
"""

from __future__ import annotations

from typing import Any

import yaml
from conftest import ROOT, drift, eventually, ours, rendered
from pulumi import automation as auto

from kubexpose.live.engine import script_program
from kubexpose.render import identity

APPS = ("backend", "database", "external-service", "frontend", "myapp")


def folder_objects(render: Any, cluster: str) -> list[dict[str, Any]]:
    """The objects of one cluster's folder of the offline render, in file order."""
    return [
        yaml.safe_load(text)
        for name, text in sorted(render.files.items())
        if name.startswith(f"{cluster}/") and name.endswith(".yaml")
    ]


def versions(plane: Any, objects: list[dict[str, Any]]) -> dict[str, str]:
    """`{kind/namespace/name: resourceVersion}` of the live objects."""
    out = {}
    for obj in objects:
        meta = obj["metadata"]
        scope = ["-n", meta["namespace"]] if meta.get("namespace") else []
        live = plane.get_json(obj["kind"].lower(), meta["name"], *scope)
        out[f"{obj['kind']}/{meta.get('namespace', '')}/{meta['name']}"] = live["metadata"]["resourceVersion"]
    return out


def test_one_program_serves_the_example_apps_in_two_clusters(
    kubexpose_live: Any, kubexpose_clusters: Any, tmp_path: Any
) -> None:
    planes = {name: kubexpose_clusters(name) for name in ("east", "west")}
    render = rendered("fleet")
    assert [c.folder for c in render.clusters] == ["east", "west"]
    stack = kubexpose_live.stack("fleet", script_program(ROOT / "__main__.py"), ROOT, copy_name="example-fleet")
    for name, plane in planes.items():
        stack.set_config(f"example:clusters.{name}.kubeconfig", auto.ConfigValue(str(plane.kubeconfig)), path=True)
        stack.set_config(f"example:clusters.{name}.context", auto.ConfigValue(plane.context), path=True)
    # No component may fall back to the default provider (the session cluster's kubeconfig is the ambient one).
    stack.set_config("pulumi:disable-default-providers[0]", auto.ConfigValue("kubernetes"), path=True)
    try:
        assert stack.up(on_output=print).summary.result == "succeeded"
        objects = {name: folder_objects(render, name) for name in planes}
        for name, plane in planes.items():
            assert len(objects[name]) == 22
            assert drift(plane, objects[name]) == {}, name  # each cluster stores its folder of the render
            myapp = plane.get_json("service", "myapp", "-n", "shop")
            assert myapp["spec"]["ports"][0]["nodePort"] == 30001, name  # the fixed node port in each cluster
            assert sorted(d["metadata"]["name"] for d in plane.get_json("deployments", "-n", "shop")["items"]) == [
                "backend", "frontend", "myapp",
            ]  # fmt: skip
        outputs = {k: v.value for k, v in stack.outputs().items()}
        assert outputs["east_myapp_url"] == outputs["west_myapp_url"] == "http://localhost:30001"
        assert outputs["east_backend_endpoint"] == outputs["west_backend_endpoint"] == "backend:5678"
        # Each folder's identity file names the engine's resources of that cluster (and its parents, its provider).
        state = stack.export_stack().deployment["resources"]
        engine = {r["urn"] for r in state if not r["type"].startswith(("pulumi:pulumi:Stack", "pulumi:providers:"))}
        offline = {
            i.urn
            for name in planes
            for i in identity.parse(render.files[f"{name}/{identity.FILE}"], name).resources
            if not i.type.startswith("pulumi:providers:")
        }
        assert offline == engine

        before = {name: versions(plane, objects[name]) for name, plane in planes.items()}
        stack.set_config("example:clusters.west.frontendReplicas", auto.ConfigValue("3"), path=True)
        changed = stack.up(on_output=print)
        counts = changed.summary.resource_changes
        assert set(counts) == {"same", "update"} and counts["update"] == 1, counts  # west's frontend Deployment
        assert versions(planes["east"], objects["east"]) == before["east"]  # east untouched
        west = planes["west"].get_json("deployment", "frontend", "-n", "shop")
        assert west["spec"]["replicas"] == 3
        assert planes["east"].get_json("deployment", "frontend", "-n", "shop")["spec"]["replicas"] == 2
    finally:
        stack.destroy(on_output=print)
        stack.workspace.remove_stack("fleet")
    for plane in planes.values():
        eventually(lambda plane=plane: ours(plane, APPS) == [], timeout=180)
