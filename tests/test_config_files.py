"""Stack files are read the way the Pulumi CLI reads them: only the project and stack files count,
YAML 1.2 scalars, duplicates refused, and every malformed shape named by file, key and fix."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import PROJECT, ROOT, rendered
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import app
from kubexpose import ConfigError
from kubexpose.engine.run import run_program
from kubexpose.render.build import render
from kubexpose.stackfiles import Project
from kubexpose.testing.kit import KubexposeTester


def project_with(tmp_path: Path, stack_file: str) -> Project:
    """A copy of the example project whose stack `s` has exactly `stack_file` as its file."""
    project = tmp_path / "project"
    project.mkdir(exist_ok=True)
    for name in ("Pulumi.yaml", "__main__.py", "app.py"):
        shutil.copy(ROOT / name, project / name)
    (project / "stacks").mkdir(exist_ok=True)
    (project / "stacks" / "Pulumi.s.yaml").write_text(stack_file)
    return Project.load(project)


AMBIENT = {
    "PULUMI_CONFIG": json.dumps({"kubexpose:aliases": json.dumps({"external-service": "evil.example.com"})}),
    "PULUMI_CONFIG_KUBEXPOSE_NODEADDRESS": "10.9.9.9",
}


def test_the_render_ignores_pulumi_config_variables_of_the_shell(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in AMBIENT.items():
        monkeypatch.setenv(key, value)
    again = render(PROJECT, "dev")
    assert again.files == rendered("dev").files
    assert all("evil.example.com" not in text for text in again.files.values())


def test_the_test_kit_ignores_pulumi_config_variables_of_the_shell(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in AMBIENT.items():
        monkeypatch.setenv(key, value)
    run = KubexposeTester().run(app.main, stack="dev", stack_dir=PROJECT.directory)
    assert run.manifest("Service", "external-service")["spec"]["externalName"] == "api.acmecorp.com"
    assert run.exports["myapp_url"] == "http://localhost:30001"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("config: [kubexpose:namespace]\n", r"'config' is \['kubexpose:namespace'\], not a mapping"),
        ("config: shop\n", r"'config' is 'shop', not a mapping"),
        ("config:\n  123: shop\n", r"config key 123 is not a name"),
        (
            "config:\n  kubexpose:namespace: shop\n  kubexpose:namespace: other\n",
            r":3: key 'kubexpose:namespace' appears twice; keep one of them",
        ),
        ("config:\n  kubexpose:namespace:\n", r"config 'kubexpose:namespace' has no value"),
        ("config:\n  project:blob: !!binary aGVsbG8=\n", r"config 'project:blob' = b'hello' is a bytes"),
        ("[1, 2]\n", r"expected a mapping at the top level"),
        # The Pulumi CLI drops an unknown top-level key without a word (seen with the real CLI in the e2e
        # work): a misspelled `config:` would run the stack on defaults.
        (
            "conifg:\n  kubexpose:namespace: shop\n",
            r"top-level key 'conifg' is not a stack file setting \(the Pulumi CLI ignores it\); did you mean 'config'\?",
        ),
        (
            "settings: {}\n",
            r"top-level key 'settings' is not a stack file setting .*; a stack file holds only config, encryptedkey",
        ),
    ],
)
def test_a_malformed_stack_file_names_the_file_and_the_key(tmp_path: Path, text: str, message: str) -> None:
    project = project_with(tmp_path, text)
    with pytest.raises(
        ConfigError,
        match=rf"^{re.escape(str(project.stack_config_dir))}/Pulumi\.s\.yaml{message}"
        if message.startswith(":")
        else rf"^{re.escape(str(project.stack_config_dir))}/Pulumi\.s\.yaml: {message}",
    ):
        project.stack_config("s")


def test_every_key_a_stack_file_may_have_at_the_top_is_accepted(tmp_path: Path) -> None:
    text = "config:\n  kubexpose:namespace: shop\nencryptionsalt: v1:abc\nsecretsprovider: passphrase\n"
    text += "encryptedkey: abc\nenvironment:\n  - shared\n"
    assert project_with(tmp_path, text).stack_config("s").values["kubexpose:namespace"] == "shop"


@pytest.mark.parametrize(
    ("line", "received"),
    [
        ("project:start: 10:30", "10:30"),
        ("project:release: 2024-01-01", "2024-01-01"),
        ("project:flag: yes", "yes"),
        ("project:mode: on", "on"),
        ("project:count: 014", "14"),
        ("project:mask: 0o14", "12"),
        ("project:on: true", "true"),
    ],
)
def test_scalars_reach_the_program_as_the_cli_passes_them(tmp_path: Path, line: str, received: str) -> None:
    project = project_with(tmp_path, f"config:\n  {line}\n")
    key = line.split(": ", 1)[0]
    assert project.stack_config("s").values[key] == received


def test_a_yaml_1_1_boolean_is_not_taken_for_true(tmp_path: Path) -> None:
    project = project_with(tmp_path, "config:\n  kubexpose:skipAwait: yes\n")
    with pytest.raises(
        ConfigError,
        match=r"Pulumi\.s\.yaml:2: stack 's': config 'kubexpose:skipAwait' = 'yes' is not a boolean; write true or false",
    ):
        render(project, "s")


@pytest.mark.parametrize("namespace", ["kubexpse", "kubexpos", "kubexposee", "kubexopse", "kubeXpose"])
def test_a_namespace_one_edit_from_kubexpose_is_a_typo_in_every_runner(namespace: str) -> None:
    with pytest.raises(
        ConfigError,
        match=rf"config key '{namespace}:namespace' is under namespace '{namespace}', "
        r"which kubexpose does not read; did you mean 'kubexpose:namespace'\?",
    ):
        run_program(app.main, stack="dev", config={f"{namespace}:namespace": "shop"})


@pytest.mark.parametrize(
    "key", ["kubernetes:namespace", "kube:namespace", "kubexposer2:namespace", "project:replicas", "other:zones"]
)
def test_other_namespaces_are_left_to_their_owners(key: str) -> None:
    run = run_program(app.main, stack="dev", config={key: "shop"})
    assert run.services_by_type()["frontend"] == "LoadBalancer"


def named(project: Project, name: str, declared: str = "") -> Project:
    """`project` renamed (so keys without a namespace are its own, not kubexpose's), with `declared` config."""
    path = project.directory / "Pulumi.yaml"
    text = path.read_text().replace("name: kubexpose", f"name: {name}")
    path.write_text(text + (f"config:\n{declared}" if declared else ""))
    return Project.load(project.directory)


@pytest.mark.parametrize("written", ["publicServiceType", "shop:publicServiceType"])
def test_a_kubexpose_setting_written_as_a_project_key_is_refused_at_its_line(tmp_path: Path, written: str) -> None:
    project = named(project_with(tmp_path, f"config:\n  kubexpose:namespace: shop\n  {written}: NodePort\n"), "shop")
    with pytest.raises(
        ConfigError,
        match=r"Pulumi\.s\.yaml:3: stack 's': config key 'shop:publicServiceType' belongs to project 'shop' \(a key "
        r"written without a namespace does\), which kubexpose does not read; write it as 'kubexpose:publicServiceType'",
    ):
        render(project, "s")
    with pytest.raises(ConfigError, match=r"config key 'shop:publicServiceType' belongs to project 'shop'"):
        run_program(app.main, stack="s", project="shop", config={"shop:publicServiceType": "NodePort"})


def test_a_project_key_the_project_declares_is_its_own(tmp_path: Path) -> None:
    stack = "config:\n  kubexpose:namespace: shop\n  namespace: billing\n"
    project = named(project_with(tmp_path, stack), "shop", "  namespace:\n    type: string\n")
    assert render(project, "s").manifests[0]["metadata"]["name"] == "shop"


def test_a_secure_kubexpose_value_is_refused_by_the_render_naming_file_and_key(tmp_path: Path) -> None:
    project = project_with(tmp_path, "config:\n  kubexpose:aliases:\n    secure: v1:abcd\n")
    with pytest.raises(ConfigError, match=r"Pulumi\.s\.yaml:2: stack 's': config 'kubexpose:aliases' is a secret, but"):
        render(project, "s")


def test_a_secure_project_value_renders_without_its_value(tmp_path: Path) -> None:
    project = project_with(tmp_path, "config:\n  kubexpose:namespace: shop\n  kubexpose:token:\n    secure: v1:abcd\n")
    config = project.stack_config("s")
    assert config.secret_keys == ["kubexpose:token"]
    assert "v1:abcd" not in json.dumps(config.values)


KEYS = [
    "kubexpose:namespace", "kubexpose:publicServiceType", "kubexpose:nodePortRange", "kubexpose:skipAwait",
    "kubexpose:nodeAddress", "kubexpose:loadBalancer", "kubexpose:aliases", "kubexpse:namespace",
    "kubexpose:namespce", "kubexpose", "project:other", "aws:region", "",
]  # fmt: skip
VALUES = st.one_of(
    st.sampled_from(["shop", "yes", "10:30", "2024-01-01", "NodePort", "30000-32767", "true", "~", "", "'x'",
                     "[1, 2]", "{a: b}", "{sourceRanges: [10.0.0.0/8]}", "{external-service: api.example.com}",
                     "{secure: v1:abc}", "!!binary aGk=", "0o17", "-", "{externalTrafficPolicy: Local}", "[a"]),
    st.integers(-5, 70000).map(str),
)  # fmt: skip


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture], deadline=None)
@given(
    lines=st.lists(st.tuples(st.sampled_from(KEYS), VALUES), max_size=4), shape=st.sampled_from(["map", "list", "none"])
)
def test_any_stack_file_renders_or_fails_naming_the_file(tmp_path: Path, lines, shape) -> None:
    if shape == "map":
        text = "config:\n" + "".join(f"  {key}: {value}\n" for key, value in lines)
    elif shape == "list":
        text = "config:\n" + "".join(f"  - {key}: {value}\n" for key, value in lines)
    else:
        text = "".join(f"{key}: {value}\n" for key, value in lines)
    project = project_with(tmp_path, text)
    stack_file = f"{project.stack_config_dir}/Pulumi.s.yaml"
    try:
        result = render(project, "s")
    except ConfigError as err:
        assert str(err).startswith(stack_file), err
        return
    for obj in result.manifests:
        assert yaml.safe_load(yaml.safe_dump(obj)) == obj
