"""The README is the front door: its commands are the ones CI runs and its render excerpt is current."""

from __future__ import annotations

from conftest import ROOT

README = (ROOT / "README.md").read_text()


def test_the_readme_shows_the_current_dev_summary_and_topology() -> None:
    summary = (ROOT / "tests" / "golden" / "dev" / "summary.txt").read_text()
    topology = (ROOT / "tests" / "golden" / "dev" / "topology.md").read_text().split("\n", 2)[2]
    assert summary in README, "README summary is stale: copy tests/golden/dev/summary.txt"
    assert topology in README, "README topology is stale: copy tests/golden/dev/topology.md"


def test_ci_runs_the_readme_test_command_then_the_end_to_end_suite() -> None:
    assert "make test     # run the whole test suite" in README
    lines = (ROOT / ".ci" / "run").read_text().splitlines()
    commands = [line.split(" ||")[0].split(" >")[0] for line in lines if line.lstrip().startswith("make ")]
    assert commands == ["make .venv/.installed", "make e2e-tools", "make lint", "make test", "make e2e"]
    assert "make lint || status=$?" in lines and "make test || status=$?" in lines and lines[-1] == "make e2e"
    assert "## End-to-end tests: `make e2e`" in README


def test_the_readme_render_command_is_the_make_target() -> None:
    assert "make render   # render the dev stack offline" in README
    makefile = (ROOT / "Makefile").read_text()
    assert "kubexpose render --stack $(STACK)" in makefile and "STACK ?= dev" in makefile


def _consumer_example() -> str:
    section = README.split("## Using the components from another Pulumi project", 1)[1]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


def test_the_readme_consumer_example_runs_and_keeps_its_secret_out_of_the_deployment() -> None:
    import json

    from kubexpose.engine.run import run_program

    code = _consumer_example()
    result = run_program(
        lambda: exec(compile(code, "README.md", "exec"), {}),
        project="shop",
        config={"shop:ordersImage": "ghcr.io/acme/orders:1.4.2", "shop:dbPassword": "hunter2"},
        secret_keys=["shop:dbPassword"],
    )
    deployment = result.get("Deployment", "orders-api")
    container = deployment.inputs["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "ghcr.io/acme/orders:1.4.2"
    assert result.get("ConfigMap", result.k8s("ConfigMap")[0].object_name).urn in deployment.dependencies
    env = {e["name"]: e for e in container["env"]}
    assert env["DB_PASSWORD"] == {
        "name": "DB_PASSWORD",
        "valueFrom": {"secretKeyRef": {"name": "orders-api-env", "key": "DB_PASSWORD"}},
    }
    assert env["STRIPE_KEY"]["valueFrom"] == {"secretKeyRef": {"name": "stripe", "key": "api-key"}}
    assert env["POD_IP"]["valueFrom"] == {"fieldRef": {"fieldPath": "status.podIP"}}
    assert "hunter2" not in json.dumps(deployment.inputs)
    assert result.get("Secret", "orders-api-env").inputs["stringData"] == {"DB_PASSWORD": "hunter2"}
    assert result.exports["orders_in_cluster"] == "orders-api:80"
    assert result.k8s("Namespace") == []  # the default namespace: nothing to create


def test_the_readme_consumer_example_creates_the_stacks_namespace() -> None:
    from kubexpose.engine.run import run_program
    from kubexpose.render.build import render_run

    result = run_program(
        lambda: exec(compile(_consumer_example(), "README.md", "exec"), {}),
        project="shop",
        config={
            "shop:ordersImage": "ghcr.io/acme/orders:1.4.2",
            "shop:dbPassword": "hunter2",
            "kubexpose:namespace": "payments-dev",
        },
    )
    namespace = result.get("Namespace", "payments-dev")
    (component,) = [r for r in result.components("kubexpose:index:ExposedDeployment")]
    assert namespace.urn in component.dependencies  # as in the example app (app.py), which e2e brings up
    assert "NAMESPACES NOT CREATED" not in render_run(result, "dev").files["summary.txt"]
