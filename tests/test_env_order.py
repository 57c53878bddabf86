"""Environment variables in an order that keeps every `$(NAME)` reference expanding: Kubernetes expands a reference
only to a variable listed before it, so each variable comes after the ones it refers to; a reference to a variable
nothing defines, or a cycle, is refused before anything is registered, with the fix."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from conftest import LOCAL, Runner

from kubexpose import ExposedDeployment, ValidationError
from kubexpose.engine.objects import manifests
from kubexpose.engine.run import ProgramRun
from kubexpose.k8s.pod import env_order, env_references

IMAGE = "nginxinc/nginx-unprivileged:1.27-alpine"


def app(env: Any = None, env_refs: Any = None) -> Any:
    args: dict[str, Any] = {"image": IMAGE, "port": 80}
    if env is not None:
        args["env"] = env
    if env_refs is not None:
        args["env_refs"] = env_refs
    return lambda: ExposedDeployment("web", args, profile=LOCAL)


def env_of(result: ProgramRun) -> list[tuple[str, Any]]:
    (deployment,) = [o for o in manifests(result) if o["kind"] == "Deployment"]
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    return [(e["name"], e.get("value", e.get("valueFrom"))) for e in container.get("env", [])]


def test_a_variable_comes_after_the_one_it_refers_to(run: Runner) -> None:
    env = env_of(run(app({"A_URL": "http://$(HOST):8080", "HOST": "db", "MODE": "live"})))
    assert env == [("HOST", "db"), ("A_URL", "http://$(HOST):8080"), ("MODE", "live")]


def test_without_references_the_order_is_as_given_then_the_references(run: Runner) -> None:
    env = env_of(run(app({"B": "2", "A": "1"}, {"POD_IP": {"field": "status.podIP"}})))
    assert [name for name, _ in env] == ["B", "A", "POD_IP"]


def test_a_value_referring_to_a_field_reference_follows_it(run: Runner) -> None:
    """The OpenTelemetry configuration of a real service: the service name from the downward API, referred to by the
    resource attributes, which were listed before it and never expanded."""
    env = env_of(
        run(
            app(
                {"OTEL_RESOURCE_ATTRIBUTES": "service.name=$(OTEL_SERVICE_NAME)"},
                {"OTEL_SERVICE_NAME": {"field": "metadata.labels['app.kubernetes.io/name']"}},
            )
        )
    )
    assert [name for name, _ in env] == ["OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES"]


def test_chains_follow_their_references() -> None:
    entries = [("C", "$(B)/c"), ("B", "$(A)/b"), ("A", "a"), ("D", None)]
    assert [entries[i][0] for i in env_order(entries)] == ["A", "B", "C", "D"]


def test_an_escaped_reference_is_text() -> None:
    assert env_references("$$(HOST) and $(PORT) and $$$(X)") == ["PORT", "X"]
    assert env_references(None) == [] and env_references("$(") == []


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"A_URL": "http://$(HOSTNAME_TYPO)"},
            r"env\['A_URL'\] 'http://\$\(HOSTNAME_TYPO\)' refers to \$\(HOSTNAME_TYPO\), which no env or env_refs "
            r"entry defines .*define HOSTNAME_TYPO in env or env_refs, or write \$\$\(HOSTNAME_TYPO\) for the text",
        ),
        ({"A": "$(A)"}, r"env\['A'\] '\$\(A\)' refers to itself through \$\(A\) -> \$\(A\).*break the cycle"),
        ({"A": "$(B)", "B": "x$(A)"}, r"env\['A'\] '\$\(B\)' refers to itself through \$\(A\) -> \$\(B\) -> \$\(A\)"),
    ],
)
def test_a_reference_that_could_never_expand_is_refused(run: Runner, env: dict[str, str], message: str) -> None:
    with pytest.raises(ValidationError, match=rf"ExposedDeployment 'web': {message}"):
        run(app(env))


def test_service_links_and_escapes_need_no_definition(run: Runner) -> None:
    env = {"BACKEND": "$(BACKEND_SERVICE_HOST):$(BACKEND_SERVICE_PORT_HTTP)", "LITERAL": "$$(NOT_A_VARIABLE)"}
    assert [name for name, _ in env_of(run(app(env)))] == ["BACKEND", "LITERAL"]


def test_a_value_known_later_may_refer_to_a_variable_before_it_but_not_after(run: Runner) -> None:
    def program(value: str) -> Any:
        def declare() -> None:
            later = pulumi.Output.from_input(value)
            ExposedDeployment("web", {"image": IMAGE, "port": 80, "env": {"HOST": "db", "URL": later}}, profile=LOCAL)

        return declare

    assert env_of(run(program("http://$(HOST)"))) == [("HOST", "db"), ("URL", "http://$(HOST)")]

    def after() -> None:
        later = pulumi.Output.from_input("$(ZONE)")
        ExposedDeployment("web", {"image": IMAGE, "port": 80, "env": {"URL": later, "ZONE": "a"}}, profile=LOCAL)

    with pytest.raises(Exception, match=r"refers to \$\(ZONE\), which the container's env lists after it"):
        run(after)


def test_the_independent_rule_finds_a_reference_to_a_later_variable() -> None:
    """tests/k8s_rules.py's rule, which the fuzz tests apply to every render, can fail."""
    from k8s_rules import env_violations

    assert env_violations([{"name": "A", "value": "$(B)"}, {"name": "B", "value": "x"}]) == [
        "env 'A' refers to $(B), listed after it: it never expands"
    ]
    assert env_violations([{"name": "B", "value": "x"}, {"name": "A", "value": "$(B) $$(A) $(C)"}]) == []
