"""One behaviour for every runner: under Pulumi's own mocks (`set_mocks` + `@pulumi.runtime.test`), as a
user's own tests run them, kubexpose checks what the render and the test kit check."""

from __future__ import annotations

import pulumi
import pytest

from kubexpose import ConfigError, ExposedDeployment, ExternalAlias, StackProfile, ValidationError

IMAGE = "nginxinc/nginx-unprivileged:1.27-alpine"


@pulumi.runtime.test
def _declare_demo():
    demo = ExposedDeployment("demo", {"image": IMAGE, "port": 80}, profile=StackProfile())
    return demo.endpoint.apply(lambda e: _equal(e, "demo:80"))


def _equal(actual: str, expected: str) -> None:
    assert actual == expected


@pytest.mark.usefixtures("pulumi_mocks")
def test_each_decorated_test_is_its_own_program_run_so_names_can_repeat() -> None:
    _declare_demo()
    _declare_demo()  # the claim on 'demo' ended with the first run


@pytest.mark.usefixtures("pulumi_mocks")
def test_a_name_declared_twice_in_one_run_is_still_refused() -> None:
    @pulumi.runtime.test
    def twice():
        ExposedDeployment("demo", {"image": IMAGE, "port": 80}, profile=StackProfile())
        ExposedDeployment("demo", {"image": IMAGE, "port": 81}, profile=StackProfile())

    with pytest.raises(ValidationError, match="'demo' is already the Service name of ExposedDeployment 'demo'"):
        twice()


@pytest.mark.usefixtures("pulumi_mocks")
def test_a_stack_alias_for_an_undeclared_name_fails_the_run_without_any_extra_call() -> None:
    pulumi.runtime.set_all_config({"kubexpose:aliases": '{"external-servce": "sandbox.example.com"}'})

    @pulumi.runtime.test
    def program():
        ExternalAlias("external-service", {"target": "api.example.com", "port": 9000})

    with pytest.raises(ConfigError, match=r"'kubexpose:aliases' names 'external-servce'.*use one of: external-service"):
        program()


@pytest.mark.usefixtures("pulumi_mocks")
def test_a_stack_alias_for_a_declared_name_passes() -> None:
    pulumi.runtime.set_all_config({"kubexpose:aliases": '{"external-service": "sandbox.example.com"}'})

    @pulumi.runtime.test
    def program():
        alias = ExternalAlias("external-service", {"target": "api.example.com", "port": 9000})
        return alias.target.apply(lambda t: _equal(t, "sandbox.example.com"))

    program()
