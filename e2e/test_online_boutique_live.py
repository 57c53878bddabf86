"""Online Boutique written with kubexpose (`examples/online-boutique/`), brought up through the real engine on the
loopback cluster (issue 37, point 5): every object stored as rendered, every Service with ready endpoints (kwok runs
the Pods: no container runs, so no request is served), the frontend exposed as the stack's public type (NodePort:
the `frontend` output is its node address and port), the load generator a Worker behind a policy that admits no one.
"""

from __future__ import annotations

import sys
from typing import Any

import pytest
from conftest import ROOT, drift, eventually, make_project, ours

from kubexpose import StackProfile
from kubexpose.engine.objects import manifests
from kubexpose.engine.run import run_program

EXAMPLE = ROOT / "examples" / "online-boutique"
NS = "boutique"


def program() -> None:
    sys.path.insert(0, str(EXAMPLE))
    try:
        import boutique
    finally:
        sys.path.remove(str(EXAMPLE))
    boutique.main(StackProfile.from_config())


@pytest.fixture(scope="module")
def stack(kubexpose_live: Any, cluster: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The example's own `dev` stack file (namespace `boutique`, public apps on NodePort)."""
    cluster.kubectl("create", "namespace", NS, check=False)
    config = (EXAMPLE / "stacks" / "Pulumi.dev.yaml").read_text()
    project = make_project(tmp_path_factory.mktemp("boutique") / "boutique", "online-boutique", {"dev": config})
    stack = kubexpose_live.stack("dev", program, project, copy_name="boutique")
    yield stack
    stack.destroy(on_output=print)
    eventually(lambda: ours(cluster, _apps()) == [], timeout=180)


def _apps() -> list[str]:
    sys.path.insert(0, str(EXAMPLE))
    try:
        import boutique
    finally:
        sys.path.remove(str(EXAMPLE))
    return [*boutique.SERVICES, "loadgenerator"]


def test_the_shop_comes_up_stored_as_rendered_with_every_service_ready(stack: Any, cluster: Any) -> None:
    result = stack.up(on_output=print)
    assert result.summary.result == "succeeded"
    config = {"kubexpose:namespace": NS, "kubexpose:publicServiceType": "NodePort"}  # stacks/Pulumi.dev.yaml
    rendered = manifests(run_program(program, config=config))
    assert len([m for m in rendered if m["kind"] == "Deployment"]) == 12
    assert drift(cluster, [m for m in rendered if m["kind"] not in ("Namespace", "Secret")]) == {}

    def ready_endpoints() -> dict[str, int]:
        slices = cluster.get_json("endpointslices", "-n", NS)["items"]
        out: dict[str, int] = {}
        for s in slices:
            service = s["metadata"]["labels"].get("kubernetes.io/service-name")
            ready = [e for e in s.get("endpoints") or [] if (e.get("conditions") or {}).get("ready")]
            out[service] = out.get(service, 0) + len(ready)
        return out

    services = sorted(m["metadata"]["name"] for m in rendered if m["kind"] == "Service")
    assert len(services) == 11
    eventually(lambda: all(ready_endpoints().get(s, 0) >= 1 for s in services), timeout=120)
    frontend = cluster.get_json("service", "frontend", "-n", NS)["spec"]
    assert frontend["type"] == "NodePort"
    assert result.outputs["frontend"].value == f"http://localhost:{frontend['ports'][0]['nodePort']}"
    loadgen = cluster.get_json("networkpolicy", "loadgenerator", "-n", NS)["spec"]
    assert loadgen["policyTypes"] == ["Ingress"] and not loadgen.get("ingress")
    assert cluster.kubectl("get", "service", "loadgenerator", "-n", NS, check=False).returncode != 0


def test_a_second_preview_plans_no_change(stack: Any) -> None:
    stack.preview(expect_no_changes=True, on_output=print)
