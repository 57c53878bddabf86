"""Whole-program checks (Service names, allowed_callers) with a namespace given as an Output.

A namespace computed from another resource (`ns.metadata.name`) is compared by its value once known, at
the end of the program's body: a literal and an Output with the same value are the same namespace.
In a preview the value may be unknown: those checks are then reported as not checked, never as errors.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest
from conftest import LOCAL, EchoMocks, Runner

from kubexpose import ExposedDeployment, ExternalAlias, ValidationError
from kubexpose.engine.run import run_program

IMAGE = "nginxinc/nginx-unprivileged:1.27-alpine"


def team(name: str = "team") -> Any:
    """The namespace as `pulumi up` gives it when it comes from a Namespace resource."""
    return k8s.core.v1.Namespace(f"ns-{name}", metadata={"name": name}).metadata.name


def app(name: str, namespace: Any, **extra: Any) -> ExposedDeployment:
    return ExposedDeployment(name, {"image": IMAGE, "port": 8080, "namespace": namespace, **extra}, profile=LOCAL)


def test_a_misspelled_caller_is_refused_when_the_namespace_is_an_output() -> None:
    def program() -> None:
        ns = team()
        app("api", ns)
        app("web", ns, allowed_callers=["apii"])

    with pytest.raises(
        ValidationError,
        match=r"^ExposedDeployment 'web': allowed_callers\[0\] 'apii' names no app of this program in "
        r"namespace 'team'; use one of: api, web$",
    ):
        run_program(program)


@pytest.mark.parametrize("caller_output", [True, False], ids=["caller-output", "caller-literal"])
def test_a_literal_and_an_output_with_the_same_value_are_one_namespace(run: Runner, caller_output: bool) -> None:
    def program() -> None:
        ns = team()
        app("api", ns if caller_output else "team")
        app("web", "team" if caller_output else ns, allowed_callers=["api"])

    result = run(program)
    (rule,) = result.get("NetworkPolicy", "web").inputs["spec"]["ingress"]
    assert rule["from"] == [
        {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "api"}}},
        {"podSelector": {"matchLabels": {"kubexpose.dev/run-of": "api"}}},  # its migration's and jobs' Pods
    ]


def test_a_caller_in_the_outputs_other_namespace_is_not_a_caller() -> None:
    def program() -> None:
        app("api", "elsewhere")
        app("web", team(), allowed_callers=["api"])

    with pytest.raises(ValidationError, match=r"'api' names no app of this program in namespace 'team'"):
        run_program(program)


@pytest.mark.parametrize(
    ("first", "second"),
    [("output", "literal"), ("literal", "output"), ("output", "output")],
)
def test_two_services_of_one_name_in_one_namespace_are_refused_however_it_is_given(first: str, second: str) -> None:
    def program() -> None:
        ns = team()
        app("db", ns if first == "output" else "team")
        ExternalAlias(
            "db",
            {"target": "db.example.com", "port": 5432, "namespace": ns if second == "output" else "team"},
            profile=LOCAL,
        )

    with pytest.raises(
        ValidationError,
        match=r"'db': name 'db' is already the Service name of (ExposedDeployment|ExternalAlias) 'db' in namespace 'team'",
    ):
        run_program(program)


def test_one_name_in_two_namespaces_given_as_outputs_is_fine(run: Runner) -> None:
    def program() -> None:
        app("db", team("team-a"))
        app("db-client", "team-a", allowed_callers=["db"])
        ExternalAlias("db", {"target": "db.example.com", "port": 5432, "namespace": team("team-b")}, profile=LOCAL)

    result = run(program)
    assert {(o.inputs["metadata"]["namespace"], o.kind) for o in result.k8s() if o.object_name == "db"} >= {
        ("team-a", "Service"),
        ("team-b", "Service"),
    }


def test_an_unknown_namespace_in_a_preview_is_reported_as_not_checked(run: Runner) -> None:
    def program() -> None:
        lb = k8s.core.v1.Service("lb", metadata={"name": "lb"}, spec={"type": "LoadBalancer", "ports": [{"port": 80}]})
        ns = lb.status.apply(lambda _: "team")  # unknown in a preview
        app("db", ns)
        app("web", ns, allowed_callers=["ghost"])

    result = run(program, preview=True)
    (warning,) = [w for w in result.warnings if w.startswith("not checked:")]
    assert "ExposedDeployment 'db', ExposedDeployment 'web': the namespace is not known yet (preview)" in warning


def test_under_pulumis_own_mocks_an_output_namespace_is_compared_too() -> None:
    pulumi.runtime.set_mocks(EchoMocks(), preview=False)

    @pulumi.runtime.test
    def program():
        app("api", "team")
        return app("web", team(), allowed_callers=["apii"]).service_name

    with pytest.raises(ValidationError, match=r"allowed_callers\[0\] 'apii' names no app"):
        program()
