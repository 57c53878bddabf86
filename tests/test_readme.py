"""The README is the front door: its commands are the ones CI runs and its render excerpt is current."""

from __future__ import annotations

import re

from conftest import ROOT

README = (ROOT / "README.md").read_text()
INDEX = (ROOT / "docs" / "_index.md").read_text()
TESTING = (ROOT / "docs" / "testing.md").read_text()


def test_the_docs_show_the_current_dev_summary_and_topology() -> None:
    summary = (ROOT / "tests" / "golden" / "dev" / "summary.txt").read_text()
    topology = (ROOT / "tests" / "golden" / "dev" / "topology.md").read_text().split("\n", 2)[2]
    assert summary in INDEX, "docs/_index.md summary is stale: copy tests/golden/dev/summary.txt"
    assert topology in INDEX, "docs/_index.md topology is stale: copy tests/golden/dev/topology.md"


def test_ci_runs_the_readme_test_command_then_the_end_to_end_suite() -> None:
    assert "make test     # run the whole test suite" in README
    lines = (ROOT / ".ci" / "run").read_text().splitlines()
    commands = [line.split(" ||")[0].split(" >")[0] for line in lines if line.lstrip().startswith("make ")]
    assert commands == ["make .venv/.installed", "make e2e-tools", "make lint", "make test", "make e2e"]
    assert "make lint || status=$?" in lines and "make test || status=$?" in lines and lines[-1] == "make e2e"
    assert "## End-to-end tests: `make e2e`" in TESTING and "docs/testing.md#end-to-end-tests-make-e2e" in README


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
    assert env["POD_IP"]["valueFrom"] == {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}}
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


def test_the_readme_is_the_short_front_door_in_the_pulumi_package_layout() -> None:
    """What it is, install, the two commands, one example, `pulumi up`, links: under 250 lines; usage and
    configuration in the files the Pulumi Registry reads, each with its front matter."""
    assert len(README.splitlines()) < 250
    for heading in (
        "## Install",
        "## Two commands",
        "## Using the components from another Pulumi project",
        "## `pulumi up`",
    ):
        assert heading in README
    for doc in ("_index.md", "installation-configuration.md"):
        text = (ROOT / "docs" / doc).read_text()
        assert text.startswith("---\ntitle: ") and "\nlayout: package\n---\n" in text, doc
        assert f"docs/{doc}" in README


def test_no_user_doc_holds_a_timing_of_one_machine() -> None:
    """Timings live with the benchmark that measured them (bench/README.md), dated, with the machine."""
    timing = re.compile(r"\b\d+(\.\d+)? ?(min|minutes)\b|\b\d+ min \d+ s\b|\(\d+(\.\d+)? s\)")
    for doc in ("README.md", "docs/_index.md", "docs/installation-configuration.md", "docs/testing.md"):
        text = (ROOT / doc).read_text()
        found = [  # a limit (a timeout, a budget) is not a timing
            m.group(0) for m in timing.finditer(text) if not text[: m.start()].endswith(("up to ", "under "))
        ]
        assert found == [], f"{doc}: {found}"


def test_every_relative_link_of_the_docs_resolves() -> None:
    """A link to a file names one that exists; a link to a heading names one of that file (GitHub's anchors)."""
    for doc in (
        "README.md",
        "docs/_index.md",
        "docs/installation-configuration.md",
        "docs/testing.md",
        "CONTRIBUTING.md",
    ):
        path = ROOT / doc
        for target in re.findall(r"\]\(([^)\s]+)\)", path.read_text()):
            if target.startswith(("http://", "https://")):
                continue
            file, _, anchor = target.partition("#")
            linked = (path.parent / file).resolve() if file else path
            assert linked.exists(), f"{doc}: {target}"
            if anchor:
                headings = re.findall(r"^#+ (.+)$", linked.read_text(), re.M)
                assert anchor in {_anchor(h) for h in headings}, f"{doc}: {target}"


def _anchor(heading: str) -> str:
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")
