"""The component provider's schema: derived from the code, committed, valid for Pulumi, documented everywhere;
and the provider hands the components whole numbers as ints."""

from __future__ import annotations

import json
import re
import tomllib
from typing import Any

import pulumi
import pytest
from conftest import ROOT, EchoMocks

from kubexpose import _sdk

try:
    _sdk.require_provider_sdk()
except _sdk.UnsupportedSdkError as err:  # the library's own floor (3.200) predates the analyzer's TypedDict support
    pytest.skip(f"{err} (run by `make test-provider-floor`)", allow_module_level=True)

import kubexpose
import kubexpose.inputs
from kubexpose.provider import VERSION, KubexposeProvider, for_every_language, schema_text
from kubexpose.render.cli import main as cli
from kubexpose.render.reference import REFERENCE_FILE, SCHEMA_FILE, generated, reference

SCHEMA = json.loads(schema_text())


def test_the_committed_schema_and_reference_are_what_the_code_derives() -> None:
    for path, text in generated().items():
        assert (ROOT / path).read_text() == text, f"{path} is stale: run `make schema` and review the diff"
    assert cli(["schema", "--root", str(ROOT), "--check"]) == 0


def test_the_schema_check_fails_on_a_stale_file(tmp_path, capsys) -> None:
    for path, text in generated().items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    assert cli(["schema", "--root", str(tmp_path), "--check"]) == 0
    (tmp_path / SCHEMA_FILE).write_text((tmp_path / SCHEMA_FILE).read_text().replace("Container image", "Image"))
    assert cli(["schema", "--root", str(tmp_path), "--check"]) == 1
    assert "provider/schema.json is stale; run `make schema`" in capsys.readouterr().err
    assert cli(["schema", "--root", str(tmp_path)]) == 0
    assert cli(["schema", "--root", str(tmp_path), "--check"]) == 0


def test_the_schema_is_a_valid_pulumi_package_schema() -> None:
    import jsonschema
    from upstream import metaschema

    meta = metaschema()
    jsonschema.validators.validator_for(meta)(meta).validate(SCHEMA)


def test_the_metaschema_check_can_fail() -> None:
    import jsonschema
    from upstream import metaschema

    meta = metaschema()
    broken = json.loads(schema_text())
    broken["resources"]["kubexpose:index:ExposedDeployment"]["inputProperties"]["image"]["type"] = "text"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validators.validator_for(meta)(meta).validate(broken)


def _properties(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for token, resource in schema["resources"].items():
        for group in ("inputProperties", "properties"):
            out += [(f"{token}.{group}.{n}", p) for n, p in resource[group].items()]
    for token, typ in schema["types"].items():
        out += [(f"{token}.{n}", p) for n, p in typ.get("properties", {}).items()]
    return out


def test_every_property_type_and_enum_member_has_a_description() -> None:
    props = _properties(SCHEMA)
    assert len(props) > 80
    for where, prop in props:
        assert prop.get("description"), f"{where} has no description"
        assert not re.search(r"\n\s", prop["description"]), f"{where} keeps its docstring's indentation"
    for token, typ in SCHEMA["types"].items():
        assert typ.get("description"), f"{token} has no description"
        for member in typ.get("enum", []):
            assert member.get("description"), f"{token} member {member['value']} has no description"


def test_input_type_tokens_are_plain_nouns_so_generated_sdks_add_args_once() -> None:
    """Pulumi's generators name an input type `<token name>Args` in every language: the token is `Port`, the
    Python class `PortArgs`, and every input type of kubexpose.inputs is in the schema under that token."""
    tokens = {token.removeprefix("kubexpose:index:") for token in SCHEMA["types"]}
    assert [t for t in tokens if t.endswith("Args")] == []
    args = ("AppArgs", "ExposedDeploymentArgs", "ExposedStatefulSetArgs", "ExternalAliasArgs", "WorkerArgs")
    args += ("WorkloadArgs",)  # a component's own, and the bases they share
    classes = {n for n in kubexpose.inputs.__all__ if n not in args}
    assert tokens == {n.removesuffix("Args") for n in classes}
    text = schema_text()
    assert "kubexpose:index:PortArgs" not in text and '"$ref": "#/types/kubexpose:index:Port"' in text


def test_every_input_type_is_exported_from_the_package() -> None:
    for name in kubexpose.inputs.__all__:
        assert getattr(kubexpose, name) is getattr(kubexpose.inputs, name), name


def test_schema_text_holds_in_every_language() -> None:
    """No Python literal, no snake_case name, no Python-only remark in any description of the schema."""
    for where, text in _descriptions(SCHEMA):
        assert not re.search(r"\b(True|False)\b", text), f"{where}: {text}"
        # `None` only as the Kubernetes value (`clusterIP: None`, sessionAffinity `None`), in code
        assert not re.search(r"\bNone\b", re.sub(r"`[^`]*`", "", text)), f"{where}: {text}"
        assert not re.search(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b", text), f"{where}: {text}"
        assert "Python" not in text, f"{where}: {text}"


@pytest.mark.parametrize(
    ("python", "every_language"),
    [
        ("Scale between `min_replicas` and `max_replicas`.", "Scale between `minReplicas` and `maxReplicas`."),
        (
            'Fields over the defaults (e.g. `{"read_only_root_filesystem": False}`).',
            'Fields over the defaults (e.g. `{"readOnlyRootFilesystem": false}`).',
        ),
        ("Port number (Python may also give a port name here). Default: `port`.", "Port number. Default: `port`."),
        (
            "`internal` or `public`; Python may give the text in any case. Default: internal.",
            "`internal` or `public`. Default: internal.",
        ),
        ('`{"disabled": True}` (Python also takes None) turns it off.', '`{"disabled": true}` turns it off.'),
        ("A name_with_underscores outside code stays.", "A name_with_underscores outside code stays."),
        ("Headless (`clusterIP: None`).", "Headless (`clusterIP: None`)."),
    ],
)
def test_a_docstring_is_written_for_every_language(python: str, every_language: str) -> None:
    assert for_every_language(python) == every_language


def _descriptions(value: Any, where: str = "") -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [
            item
            for key, inner in value.items()
            for item in ([(where, inner)] if key == "description" else _descriptions(inner, f"{where}/{key}"))
        ]
    if isinstance(value, list):
        return [item for i, inner in enumerate(value) for item in _descriptions(inner, f"{where}[{i}]")]
    return []


def app_inputs(component: str) -> dict[str, Any]:
    return SCHEMA["resources"][f"kubexpose:index:{component}"]["inputProperties"]


def test_the_schema_names_the_components_and_their_shapes() -> None:
    assert sorted(SCHEMA["resources"]) == [
        "kubexpose:index:ExposedDeployment",
        "kubexpose:index:ExposedStatefulSet",
        "kubexpose:index:ExternalAlias",
        "kubexpose:index:Worker",
    ]
    worker = SCHEMA["resources"]["kubexpose:index:Worker"]
    assert worker["requiredInputs"] == ["image"]
    assert not {"port", "ports", "exposure", "http", "allowedCallers", "adopt"} & set(worker["inputProperties"])
    assert worker["inputProperties"]["env"] == app_inputs("ExposedDeployment")["env"]  # inherited, described
    assert sorted(worker["required"]) == ["deployment", "logs"] and "service" not in worker["properties"]
    stateful = SCHEMA["resources"]["kubexpose:index:ExposedStatefulSet"]
    assert sorted(stateful["requiredInputs"]) == ["image", "volumes"]
    assert stateful["inputProperties"]["volumes"]["items"]["$ref"] == "#/types/kubexpose:index:VolumeClaim"
    assert not {"autoscaling", "rollout", "adopt"} & set(stateful["inputProperties"])
    assert stateful["inputProperties"]["env"] == app_inputs("ExposedDeployment")["env"]  # inherited, described
    assert stateful["properties"]["podDnsNames"]["type"] == "array"
    app = SCHEMA["resources"]["kubexpose:index:ExposedDeployment"]
    assert app["isComponent"] is True
    assert app["requiredInputs"] == ["image"]
    assert app["inputProperties"]["image"] == {
        "description": "Container image, with a fixed tag or digest (e.g. `nginxinc/nginx-unprivileged:1.27-alpine`). "
        "Required.",
        "type": "string",
    }  # an Input: not plain, so other languages may pass an Output
    assert app["inputProperties"]["ports"]["items"]["$ref"] == "#/types/kubexpose:index:Port"
    assert [m["value"] for m in SCHEMA["types"]["kubexpose:index:Exposure"]["enum"]] == ["internal", "public"]
    port = SCHEMA["types"]["kubexpose:index:Port"]["properties"]
    assert port["targetPort"]["type"] == "integer" and port["targetPortName"]["type"] == "string"
    alias = SCHEMA["resources"]["kubexpose:index:ExternalAlias"]["inputProperties"]
    assert alias["addresses"]["type"] == "array" and "plain" not in alias["addresses"]
    assert SCHEMA["dependencies"] == [{"name": "kubernetes", "version": "4.25.0"}]


def test_the_schema_refers_to_the_kubernetes_types_of_the_provider_ci_generates_sdks_with() -> None:
    """SDK generation refuses a kubernetes plugin of another version than the schema names ("loader returned
    kubernetes@4.24.0; requested kubernetes@4.18.0", measured): the two move together."""
    from kubexpose.live.toolchain import PROVIDER_VERSION

    assert SCHEMA["dependencies"] == [{"name": "kubernetes", "version": PROVIDER_VERSION}]
    refs = set(re.findall(r"/kubernetes/v([^/]+)/schema.json", json.dumps(SCHEMA)))
    assert refs == {PROVIDER_VERSION}


def test_the_reference_documents_every_input_and_output() -> None:
    text = reference(SCHEMA)
    for token, resource in SCHEMA["resources"].items():
        assert f"## {token.rsplit(':', 1)[-1]}" in text
        for name in (*resource["inputProperties"], *resource["properties"]):
            assert f"| `{name}` |" in text, name
    assert (ROOT / REFERENCE_FILE).read_text() == text


def test_the_versions_match_the_distribution_and_the_provider_requirements() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert VERSION == project["version"] == SCHEMA["version"]
    requirements = (ROOT / "provider" / "requirements.txt").read_text()
    for name, low in _sdk.PROVIDER_FLOOR.items():
        assert f"{name}>={low}," in requirements


@pytest.mark.parametrize(
    ("versions", "match"),
    [
        (
            {"pulumi": "3.236.9", "pulumi-kubernetes": "4.23.0"},
            r"needs pulumi>=3.237.0, but pulumi 3.236.9 is installed",
        ),
        (
            {"pulumi": "3.237.0", "pulumi-kubernetes": "4.22.2"},
            r"needs pulumi-kubernetes>=4.23.0, but pulumi-kubernetes 4.22.2 is installed",
        ),
        ({"pulumi": None, "pulumi-kubernetes": "4.23.0"}, r"needs pulumi>=3.237.0, but it is not installed"),
    ],
)
def test_the_provider_floor_is_enforced_on_both_sides(versions: dict[str, str | None], match: str) -> None:
    with pytest.raises(_sdk.UnsupportedSdkError, match=match):
        _sdk.require_provider_sdk(versions)
    _sdk.require_provider_sdk({"pulumi": "3.237.0", "pulumi-kubernetes": "4.23.0"})


# -- whole numbers ------------------------------------------------------------------------------------
def test_the_provider_hands_the_components_ints_where_the_wire_has_floats() -> None:
    provider = KubexposeProvider()
    app = provider._component_defs["ExposedDeployment"]
    wire = {
        "image": "nginx:1.27",
        "ports": [{"port": 80.0, "targetPort": 8080.0, "nodePort": 30000.0}],
        "replicas": 2.0,
        "sessionAffinityTimeoutSeconds": 86400.0,
        "readinessProbe": {"httpGet": {"port": 8080.0, "path": "/"}, "periodSeconds": 5.0},
        "podSecurityContext": {"runAsUser": 101.0, "supplementalGroups": [2000.0, 2001.0]},
        "containerPorts": [{"containerPort": 8080.0, "name": "http"}],
    }
    mapped = provider.map_inputs(wire, app)
    assert mapped["ports"] == [{"port": 80, "target_port": 8080, "node_port": 30000}]
    assert all(type(v) is int for v in mapped["ports"][0].values())
    assert type(mapped["replicas"]) is int and type(mapped["session_affinity_timeout_seconds"]) is int
    assert mapped["readiness_probe"] == {"http_get": {"port": 8080, "path": "/"}, "period_seconds": 5}
    assert type(mapped["readiness_probe"]["http_get"]["port"]) is int
    assert mapped["pod_security_context"] == {"run_as_user": 101, "supplemental_groups": [2000, 2001]}
    assert [type(g) for g in mapped["pod_security_context"]["supplemental_groups"]] == [int, int]
    assert type(mapped["container_ports"][0]["container_port"]) is int


def test_a_fractional_number_stays_a_float_for_the_component_to_refuse() -> None:
    provider = KubexposeProvider()
    mapped = provider.map_inputs(
        {"image": "nginx:1.27", "replicas": 2.5}, provider._component_defs["ExposedDeployment"]
    )
    assert mapped["replicas"] == 2.5


def test_an_integer_inside_an_output_becomes_an_int() -> None:
    pulumi.runtime.set_mocks(EchoMocks(), preview=False)

    @pulumi.runtime.test
    def run():
        provider = KubexposeProvider()
        mapped = provider.map_inputs(
            {"image": "nginx:1.27", "replicas": pulumi.Output.from_input(3.0)},
            provider._component_defs["ExposedDeployment"],
        )
        return mapped["replicas"].apply(lambda value: _is_int(value, 3))

    run()


def _is_int(value: object, expected: int) -> None:
    assert type(value) is int and value == expected
