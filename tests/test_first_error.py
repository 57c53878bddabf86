"""The first failure is the error the user sees: a component's own validation error is never replaced by a check of
the whole program (callers, per-stack aliases, Service names with Output namespaces) about the components declared
before it, in every runner (the test kit's engine, Pulumi's own mocks, `kubexpose render`), whatever the order."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pulumi
import pytest
from conftest import make_project

from kubexpose import ExposedDeployment, ExternalAlias, StackProfile, ValidationError
from kubexpose.engine import run_program
from kubexpose.render.cli import main as cli

IMAGE = "redis:7.4-alpine"
PROFILE = StackProfile(namespace="shop")
LEDGER = r"ExposedDeployment 'ledger': resources\.limits\.memory '64MB' is not a Kubernetes quantity"


def redis_calling_ledger() -> None:
    ExposedDeployment("redis", {"image": IMAGE, "port": 6379, "allowed_callers": ["ledger"]}, profile=PROFILE)


def bad_ledger() -> None:
    ExposedDeployment(
        "ledger", {"image": IMAGE, "port": 8080, "resources": {"limits": {"memory": "64MB"}}}, profile=PROFILE
    )


def alias_named_by_the_stack() -> None:
    ExternalAlias("payments", {"target": "api.payments.example.com", "port": 443}, profile=PROFILE)


def worker_in_an_output_namespace() -> None:
    ExposedDeployment(
        "worker", {"image": IMAGE, "port": 80, "namespace": pulumi.Output.from_input("shop")}, profile=PROFILE
    )


def worker_again() -> None:  # the same Service name: found once the Output namespace is known
    ExposedDeployment("worker", {"image": IMAGE, "port": 81}, profile=PROFILE)


def app_reading_the_stack_config() -> None:  # registers the check of `kubexpose:aliases` entries
    ExposedDeployment("cache", {"image": IMAGE, "port": 6379})


WHOLE_PROGRAM_CHECKS: dict[str, list[Callable[[], None]]] = {
    "allowed_callers": [redis_calling_ledger],
    "a kubexpose:aliases entry": [app_reading_the_stack_config],  # the alias it names is declared after ledger
    "a Service name in an Output namespace": [worker_in_an_output_namespace, worker_again],
}
ALIASES = {"kubexpose:aliases": '{"payments": "sandbox.payments.example.com"}'}


@pytest.mark.parametrize("check", list(WHOLE_PROGRAM_CHECKS))
@pytest.mark.parametrize("bad_first", [False, True], ids=["bad-last", "bad-first"])
def test_a_components_own_error_is_the_error_of_the_run(check: str, bad_first: bool) -> None:
    before = WHOLE_PROGRAM_CHECKS[check]

    def program() -> None:
        steps = [bad_ledger, *before] if bad_first else [*before, bad_ledger]
        for step in steps:
            step()
        alias_named_by_the_stack()

    with pytest.raises(ValidationError, match=LEDGER) as caught:
        run_program(program, config=ALIASES)
    assert "allowed_callers" not in str(caught.value) and "aliases" not in str(caught.value)


def test_whole_program_checks_still_fail_a_run_whose_components_are_all_valid() -> None:
    with pytest.raises(ValidationError, match=r"allowed_callers\[0\] 'ledger' names no app"):
        run_program(redis_calling_ledger)
    with pytest.raises(ValidationError, match=r"kubexpose:aliases"):
        run_program(app_reading_the_stack_config, config=ALIASES)
    with pytest.raises(ValidationError, match=r"'worker' is already the Service name"):
        run_program(lambda: (worker_in_an_output_namespace(), worker_again()))


@pytest.mark.usefixtures("pulumi_mocks")
def test_under_pulumi_own_mocks_the_components_error_is_raised() -> None:
    @pulumi.runtime.test
    def program():
        redis_calling_ledger()
        bad_ledger()

    with pytest.raises(ValidationError, match=LEDGER):
        program()


def test_the_render_prints_the_components_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project(
        tmp_path,
        "from kubexpose import ExposedDeployment\n"
        "ExposedDeployment('redis', {'image': 'redis:7.4-alpine', 'port': 6379, 'allowed_callers': ['ledger']})\n"
        "ExposedDeployment('ledger', {'image': 'redis:7.4-alpine', 'port': 8080,"
        " 'resources': {'limits': {'memory': '64MB'}}})\n",
        "config:\n  kubexpose:namespace: shop\n",
    )
    assert cli(["render", "--stack", "test", "--program", str(project), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "ExposedDeployment 'ledger': resources.limits.memory '64MB' is not a Kubernetes quantity" in err
    assert "allowed_callers" not in err
