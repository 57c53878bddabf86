"""The example app's three stacks through the real Pulumi CLI and kubernetes provider, against a real API server.

For each stack, one after another in one cluster: `up` (Deployments roll out, Services get their
endpoints, LoadBalancers and Ingresses their address from the fixture's stand-in controller, all
without skipAwait); every object the offline render writes exists live with every field the render
sets; the outputs name what the server allocated; a second `up`, `preview --expect-no-changes` and
`refresh` find nothing to do; `destroy` leaves no object of ours.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import ROOT, STACKS, drift, eventually, ours, rendered

from kubexpose.live.engine import script_program
from kubexpose.render import identity

APPS = ("backend", "database", "external-service", "frontend", "myapp")


@pytest.fixture(scope="module", params=STACKS)
def deployed(request: pytest.FixtureRequest, cluster: Any, kubexpose_live: Any) -> Any:
    """The stack, after a first `up`; destroyed (and checked gone) by the last test of its group."""
    stack = kubexpose_live.stack(
        request.param, script_program(ROOT / "__main__.py"), ROOT, copy_name=f"example-{request.param}"
    )
    result = stack.up(on_output=print)
    yield request.param, stack, result
    stack.destroy(on_output=print)  # no-op when the destroy test ran; cleans up when an earlier test failed
    stack.workspace.remove_stack(request.param)


def test_up_creates_every_object_of_the_render_with_every_field_it_sets(deployed: Any, cluster: Any) -> None:
    name, _stack, result = deployed
    assert result.summary.result == "succeeded"
    manifests = rendered(name).manifests
    assert drift(cluster, manifests) == {}
    assert len(manifests) == 23


def test_the_renders_identity_file_names_every_urn_and_parent_the_engine_recorded(deployed: Any) -> None:
    name, stack, _result = deployed
    state = stack.export_stack().deployment["resources"]
    engine = {
        r["urn"]: r.get("parent", "") if "$" in r["urn"].split("::")[2] else ""
        for r in state
        if not r["type"].startswith(("pulumi:pulumi:Stack", "pulumi:providers:"))
    }
    offline = identity.parse(rendered(name).files[identity.FILE], "render")
    assert {i.urn: i.parent for i in offline.resources} == engine


def test_deployments_roll_out_and_services_have_ready_endpoints(deployed: Any, cluster: Any) -> None:
    for deployment in cluster.get_json("deployments", "-n", "shop")["items"]:
        status = deployment["status"]
        assert status.get("readyReplicas") == status.get("replicas") == deployment["spec"]["replicas"] >= 1
    slices = cluster.get_json("endpointslices", "-n", "shop")["items"]
    ready = {
        s["metadata"]["labels"]["kubernetes.io/service-name"]
        for s in slices
        for e in s.get("endpoints") or []
        if e["conditions"].get("ready")
    }
    assert ready == {"backend", "database", "database-pods", "frontend", "myapp"}


def test_the_outputs_name_what_the_server_allocated(deployed: Any, cluster: Any) -> None:
    name, stack, _result = deployed
    outputs = {k: v.value for k, v in stack.outputs().items()}
    frontend = cluster.get_json("service", "frontend", "-n", "shop")
    assert outputs["backend_endpoint"] == "backend:5678"
    assert outputs["database_dns"] == "database.shop.svc.cluster.local"
    if name == "dev":
        node_port = frontend["spec"]["ports"][0]["nodePort"]
        assert 30000 <= node_port <= 32767
        assert outputs["frontend_url"] == f"http://localhost:{node_port}"
        assert outputs["myapp_url"] == "http://localhost:30001"
    else:
        address = frontend["status"]["loadBalancer"]["ingress"][0]["ip"]
        assert outputs["frontend_url"] == f"http://{address}:80"
    assert outputs["backend_url"] == ("https" if name != "dev" else "http") + "://api.shop.example.com/"


def test_a_second_up_preview_and_refresh_find_nothing_to_change(deployed: Any) -> None:
    _name, stack, _result = deployed
    again = stack.up(on_output=print)
    assert set(again.summary.resource_changes) == {"same"}, again.summary.resource_changes
    stack.preview(expect_no_changes=True, on_output=print)
    refreshed = stack.refresh(on_output=print)
    assert set(refreshed.summary.resource_changes) == {"same"}, refreshed.summary.resource_changes


def test_destroy_leaves_no_object_of_ours(deployed: Any, cluster: Any) -> None:
    _name, stack, _result = deployed
    assert ours(cluster, APPS)  # the check sees them while they exist
    stack.destroy(on_output=print)
    eventually(lambda: ours(cluster, APPS) == [], timeout=120)
    assert cluster.kubectl("get", "namespace", "shop", check=False).returncode != 0
