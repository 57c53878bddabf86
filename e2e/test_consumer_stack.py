"""Another team's project (`examples/consumer-stack`: its own `components/` folder, kubexpose installed)
through the real engine against the cluster."""

from __future__ import annotations

from typing import Any

from conftest import ROOT, eventually, ours

from kubexpose.live.engine import script_program

CONSUMER = ROOT / "examples" / "consumer-stack"


def test_the_consumer_project_comes_up_and_goes(kubexpose_live: Any, cluster: Any) -> None:
    stack = kubexpose_live.stack("dev", script_program(CONSUMER / "__main__.py"), CONSUMER, copy_name="consumer-dev")
    try:
        result = stack.up(on_output=print)
        assert result.summary.result == "succeeded"
        services = {
            s["metadata"]["name"]: s["spec"]["type"] for s in cluster.get_json("services", "-n", "storefront")["items"]
        }
        assert services.get("shop-api") == "NodePort", services
        outputs = {k: v.value for k, v in stack.outputs().items()}
        assert outputs, "the consumer program exports its endpoints"
        stack.preview(expect_no_changes=True, on_output=print)
    finally:
        stack.destroy(on_output=print)
        stack.workspace.remove_stack("dev")
    eventually(lambda: ours(cluster, services) == [], timeout=120)


def test_the_readme_example_of_a_consumer_e2e_test_runs_as_written(kubexpose_live: Any, kubexpose_cluster: Any) -> None:
    readme = (ROOT / "docs" / "testing.md").read_text()
    section = readme.split("**Your own stacks against a real API server.**", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    scope: dict[str, Any] = {"__file__": str(CONSUMER / "tests" / "test_e2e.py"), "__name__": "readme_example"}
    exec(compile(code, "docs/testing.md", "exec"), scope)
    (test,) = [v for k, v in scope.items() if k.startswith("test_") and callable(v)]
    test(kubexpose_live, kubexpose_cluster)
    assert kubexpose_cluster.kubectl("get", "namespace", "storefront", check=False).returncode != 0 or not ours(
        kubexpose_cluster, ["shop-api"]
    )
