"""The `kubexpose` pytest fixture that other projects use for their infrastructure pull requests.

The programs below call `.apply()` inside `kubexpose.run(...)`, which awaits every output and task
before it returns, so each callback runs (or, in the one test about it, is reported as never run).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pulumi
import pytest
from conftest import ROOT

import app
from kubexpose import ConfigError, ExposedDeployment, Exposure
from kubexpose.testing.kit import ApplyNeverRanError, KubexposeTester, NothingRegisteredError, UnknownOutputError

IMAGE = "nginxinc/nginx-unprivileged:1.27-alpine"


def public_web() -> None:
    web = ExposedDeployment("web", {"image": IMAGE, "port": 80, "exposure": Exposure.PUBLIC})
    pulumi.export("url", web.url)


def test_a_stack_file_decides_the_service_types(kubexpose: KubexposeTester) -> None:
    run = kubexpose.run(app.main, stack="prod", stack_dir=ROOT)
    assert run.services_of_type("LoadBalancer") == ["frontend", "myapp"]
    assert run.services_of_type("ClusterIP") == ["backend", "database", "database-pods"]
    assert run.manifest("Service", "frontend")["spec"]["loadBalancerSourceRanges"] == [
        "203.0.113.0/24",
        "198.51.100.0/24",
    ]


def test_config_values_can_be_given_as_in_a_stack_file(kubexpose: KubexposeTester) -> None:
    run = kubexpose.run(public_web, config={"kubexpose:publicServiceType": "NodePort", "kubexpose:skipAwait": True})
    assert run.services_of_type("NodePort") == ["web"]
    assert run.manifest("Service", "web")["metadata"]["annotations"] == {"pulumi.com/skipAwait": "true"}
    assert run.exports["url"].startswith("http://localhost:3")


@pytest.mark.parametrize("load_balancer", ["ip", "hostname"])
def test_load_balancer_addresses_can_be_ips_or_hostnames(kubexpose: KubexposeTester, load_balancer) -> None:
    run = kubexpose.run(public_web, config={"kubexpose:publicServiceType": "LoadBalancer"}, load_balancer=load_balancer)
    assert (".elb." in run.exports["url"]) == (load_balancer == "hostname")


def test_a_program_that_registers_nothing_fails_loudly(kubexpose: KubexposeTester) -> None:
    with pytest.raises(NothingRegisteredError, match="registered no resource"):
        kubexpose.run(lambda: None)
    assert kubexpose.run(lambda: None, allow_empty=True).registrations == []


def test_an_export_left_unknown_fails_loudly(kubexpose: KubexposeTester) -> None:
    with pytest.raises(UnknownOutputError, match="exports left unknown: url"):
        kubexpose.run(public_web, preview=True)


def test_an_apply_in_a_test_that_never_ran_fails_loudly(kubexpose: KubexposeTester) -> None:
    def program() -> None:
        web = ExposedDeployment("web", {"image": IMAGE, "port": 80, "exposure": Exposure.PUBLIC})
        web.url.apply(lambda url: pytest.fail("never reached in a preview"))

    with pytest.raises(ApplyNeverRanError, match=r"test_testing_kit.py:\d+"):
        kubexpose.run(program, preview=True, config={"kubexpose:publicServiceType": "LoadBalancer"})


def test_an_apply_in_a_test_that_ran_is_fine_and_its_assertion_counts(kubexpose: KubexposeTester) -> None:
    def program() -> None:
        web = ExposedDeployment("web", {"image": IMAGE, "port": 80})
        pulumi.export("checked", web.endpoint.apply(lambda e: e == "web:80" or pytest.fail(e)))

    assert kubexpose.run(program).exports["checked"] is True

    def wrong() -> None:
        web = ExposedDeployment("web", {"image": IMAGE, "port": 80})
        web.endpoint.apply(lambda e: pytest.fail(f"wrong endpoint {e}"))

    with pytest.raises(pytest.fail.Exception, match="wrong endpoint web:80"):
        kubexpose.run(wrong)


def test_the_fixture_reads_the_stack_file_of_the_project_above_the_test_as_the_cli_does(kubexpose) -> None:
    run = kubexpose.run(app.main, stack="prod")
    service = run.manifest("Service", "frontend")
    assert service["metadata"]["namespace"] == "shop"
    assert service["spec"]["loadBalancerSourceRanges"] == ["203.0.113.0/24", "198.51.100.0/24"]


def test_a_stack_without_a_file_is_an_error_not_an_empty_config(kubexpose) -> None:
    with pytest.raises(
        ConfigError, match=r"stack 'qa' has no file Pulumi.qa.yaml in .*stacks; known stacks: dev, fleet, prod, staging"
    ):
        kubexpose.run(app.main, stack="qa")


def test_keys_without_a_namespace_take_the_project_name(tmp_path) -> None:
    (tmp_path / "stacks").mkdir()
    (tmp_path / "Pulumi.yaml").write_text("name: shop\nruntime: python\nstackConfigDir: stacks\n")
    (tmp_path / "stacks" / "Pulumi.test.yaml").write_text("config:\n  greeting: hello\n")
    tester = KubexposeTester(project_dir=tmp_path)
    run = tester.run(lambda: pulumi.export("greeting", pulumi.Config().get("greeting")), allow_empty=True)
    assert run.exports == {"greeting": "hello"}


def test_a_program_file_written_as_top_level_code_runs_as_pulumi_up_runs_it(kubexpose: KubexposeTester) -> None:
    run = kubexpose.run("__main__.py", stack="dev")  # the project the fixture found: this repository
    assert run.services_of_type("NodePort") == ["frontend", "myapp"]
    with pytest.raises(FileNotFoundError, match=r"program file .*nowhere\.py does not exist"):
        kubexpose.run("nowhere.py", stack="dev")


def test_a_relative_stack_dir_is_read_from_the_test_files_folder(kubexpose: KubexposeTester) -> None:
    assert kubexpose.run(app.main, stack="prod", stack_dir="..").services_of_type("LoadBalancer") == [
        "frontend",
        "myapp",
    ]


def test_a_bad_key_given_inline_blames_the_config_argument_not_the_stack_file(
    kubexpose: KubexposeTester, tmp_path
) -> None:
    with pytest.raises(
        ConfigError, match=r"^kubexpose.run\(config=...\): stack 'dev': config key 'kubexpose:publicServiceTyp'"
    ):
        kubexpose.run(app.main, stack="dev", config={"kubexpose:publicServiceTyp": "NodePort"})
    shutil.copytree(ROOT / "stacks", tmp_path / "stacks")
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path)
    stack_file = tmp_path / "stacks" / "Pulumi.dev.yaml"
    stack_file.write_text(stack_file.read_text().replace('kubexpose:skipAwait: "false"', "kubexpose:skipAwait: maybe"))
    with pytest.raises(ConfigError, match=r"Pulumi\.dev\.yaml:12: stack 'dev': config 'kubexpose:skipAwait' = 'maybe'"):
        kubexpose.run(app.main, stack="dev", stack_dir=tmp_path, config={"kubexpose:nodeAddress": "10.0.0.1"})


def test_the_live_fixtures_check_every_binary_before_starting_anything(tmp_path: Path) -> None:
    """Without the Pulumi CLI and the provider, `kubexpose_live` skips at once: no control plane is started first."""
    import os
    import subprocess
    import sys

    (tmp_path / "conftest.py").write_text(
        "from pathlib import Path\n"
        "from kubexpose.live.cluster import ControlPlane\n"
        "def _started(self):\n"
        "    Path('started').write_text('yes')\n"
        "    raise RuntimeError('the control plane was started')\n"
        "ControlPlane.start = _started\n"
    )
    (tmp_path / "test_live.py").write_text("def test_up(kubexpose_live):\n    raise AssertionError('ran')\n")
    env = {k: v for k, v in os.environ.items() if k not in ("KUBEXPOSE_E2E_REQUIRE", "KUBEBUILDER_ASSETS")}
    env |= {"KUBEXPOSE_CACHE": str(tmp_path / "empty-cache"), "PATH": os.path.dirname(sys.executable)}
    env |= {"PULUMI_HOME": str(tmp_path / "no-pulumi-home")}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", "test_live.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert "1 skipped" in done.stdout, done.stdout + done.stderr
    assert "not found" in done.stdout
    assert not (tmp_path / "started").exists()


LEFTOVER_TESTS = """
import asyncio, gc, types

@types.coroutine
def _pause():
    yield

async def run_in_stack():  # what the Automation API's inline-program server leaves after a failed live preview
    try:
        await _pause()
    finally:
        asyncio.get_running_loop()  # RuntimeError: no running event loop, when closed by the garbage collector

async def run_pulumi_func():  # the coroutine run_in_stack awaits, left the same way (seen after a killed up)
    try:
        await _pause()
    finally:
        asyncio.get_running_loop()

async def something_else():
    try:
        await _pause()
    finally:
        asyncio.get_running_loop()

def _leave(coroutine):
    coroutine.send(None)
    del coroutine
    gc.collect()

def test_after_a_failed_live_preview():
    _leave(run_in_stack())

def test_after_a_killed_up():
    _leave(run_pulumi_func())

def test_another_leftover():
    _leave(something_else())
"""


def test_the_inline_program_leftover_of_a_failed_live_preview_is_not_reported_and_nothing_else_is_hidden(
    tmp_path: Path,
) -> None:
    import subprocess
    import sys

    (tmp_path / "test_leftover.py").write_text(LEFTOVER_TESTS)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", "test_leftover.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert "3 passed" in done.stdout, done.stdout + done.stderr
    assert "coroutine object run_in_stack" not in done.stdout, done.stdout
    assert "coroutine object run_pulumi_func" not in done.stdout, done.stdout
    assert "coroutine object something_else" in done.stdout, done.stdout  # the filter is that narrow


# -- the live kit and the team's passphrase -------------------------------------------------------------------
TEAM_STACK = """encryptionsalt: v1:c2FsdA==:v1:AAAA:BBBB
config:
  kubexpose:namespace: shop
{secret}"""


def test_the_live_kit_opens_a_stack_file_made_under_another_passphrase(tmp_path: Path) -> None:
    from kubexpose.live.engine import stack_file_copy

    plain = tmp_path / "Pulumi.dev.yaml"
    plain.write_text(TEAM_STACK.format(secret=""))
    assert stack_file_copy(plain, None) == "config:\n  kubexpose:namespace: shop\n"  # the kit's passphrase: new salt
    assert stack_file_copy(plain, "PULUMI_CONFIG_PASSPHRASE") == plain.read_text()  # the team's: kept as it is


def test_the_live_kit_refuses_secrets_it_cannot_decrypt_naming_the_keys_and_the_fix(tmp_path: Path) -> None:
    from kubexpose.live.engine import PassphraseError, stack_file_copy

    secret = tmp_path / "Pulumi.dev.yaml"
    secret.write_text(TEAM_STACK.format(secret="  shop:dbPassword:\n    secure: v1:AAAA:BBBB\n"))
    with pytest.raises(
        PassphraseError, match=r"Pulumi.dev.yaml: shop:dbPassword is encrypted under the passphrase"
    ) as err:
        stack_file_copy(secret, None)
    assert "set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE)" in str(err.value)
    assert stack_file_copy(secret, "passphrase=") == secret.read_text()


def test_the_team_passphrase_comes_from_the_argument_then_the_environment_as_the_cli_reads_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kubexpose.live.engine import PASSPHRASE, team_passphrase

    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    assert team_passphrase(None) == (None, {"PULUMI_CONFIG_PASSPHRASE": PASSPHRASE})
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE_FILE", "/run/secrets/phrase")
    assert team_passphrase(None) == (
        "PULUMI_CONFIG_PASSPHRASE_FILE",
        {"PULUMI_CONFIG_PASSPHRASE_FILE": "/run/secrets/phrase"},
    )
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "")  # an empty passphrase is one, and the CLI reads it first
    assert team_passphrase(None) == ("PULUMI_CONFIG_PASSPHRASE", {"PULUMI_CONFIG_PASSPHRASE": ""})
    assert team_passphrase("team") == ("passphrase=", {"PULUMI_CONFIG_PASSPHRASE": "team"})
