"""The TypeScript and YAML consumer examples use only what the schema offers: every component type, input
property (at any depth), output, and no computed value where the schema wants a plain one.

The TypeScript program is parsed with tree-sitter's TypeScript grammar (a real parser, not a regex).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import tree_sitter
import tree_sitter_typescript
import yaml
from conftest import ROOT

SCHEMA = json.loads((ROOT / "provider" / "schema.json").read_text())
EXAMPLES = ROOT / "examples"


@dataclass(frozen=True)
class Use:
    """One value the program passes: where, the component's type token, the property path, whether computed."""

    where: str
    token: str
    path: tuple[str, ...]
    computed: bool


def check_uses(uses: list[Use], outputs: list[tuple[str, str, str]]) -> list[str]:
    """Problems: an unknown component, property or output; a computed value for a plain property;
    a required input left out."""
    problems: list[str] = []
    given: dict[tuple[str, str], set[str]] = {}
    for use in uses:
        resource = SCHEMA["resources"].get(use.token)
        if resource is None:
            problems.append(f"{use.where}: {use.token} is not a component of the package")
            continue
        props: dict[str, Any] = resource["inputProperties"]
        given.setdefault((use.where.split(":")[0], use.token), set()).add(use.path[0])
        prop: dict[str, Any] | None = None
        for i, step in enumerate(use.path):
            if step == "[]":
                assert prop is not None
                prop = prop.get("items")
                continue
            if step == "{}":
                assert prop is not None
                prop = prop.get("additionalProperties")
                continue
            prop = props.get(step)
            if prop is None:
                problems.append(f"{use.where}: {'.'.join(use.path[: i + 1])} is not an input of {use.token}")
                break
            props = _type_properties(prop)
        else:
            if use.computed and prop is not None and prop.get("plain"):
                problems.append(f"{use.where}: {'.'.join(use.path)} is plain, but the program computes it")
    for (where, token), names in given.items():
        missing = set(SCHEMA["resources"].get(token, {}).get("requiredInputs", [])) - names
        if missing:
            problems.append(f"{where}: {token} lacks required {sorted(missing)}")
    for where, token, name in outputs:
        if name not in SCHEMA["resources"].get(token, {}).get("properties", {}):
            problems.append(f"{where}: {name} is not an output of {token}")
    return problems


def _type_properties(prop: dict[str, Any]) -> dict[str, Any]:
    while True:
        ref = prop.get("$ref", "")
        if ref.startswith("#/types/"):
            return SCHEMA["types"][ref[len("#/types/") :]].get("properties", {})
        inner = prop.get("items") or prop.get("additionalProperties")
        if inner is None:
            return {}
        prop = inner


def _token(type_: str) -> str:
    parts = type_.split(":")
    return f"{parts[0]}:index:{parts[1]}" if len(parts) == 2 else type_


# -- YAML -----------------------------------------------------------------------------------------------
def yaml_uses(program: dict[str, Any], where: str) -> tuple[list[Use], list[tuple[str, str, str]]]:
    uses: list[Use] = []
    kinds: dict[str, str] = {}
    for name, resource in (program.get("resources") or {}).items():
        if not str(resource["type"]).startswith("kubexpose:"):
            continue
        token = kinds[name] = _token(resource["type"])
        for key, value in (resource.get("properties") or {}).items():
            uses += _yaml_values(f"{where}:{name}", token, (key,), value)
    outputs = []
    for text in json.dumps(program.get("outputs") or {}), json.dumps(program.get("resources") or {}):
        for ref, prop in re.findall(r"\$\{([\w-]+)\.(\w+)", text):
            if ref in kinds:
                outputs.append((f"{where}:{ref}", kinds[ref], prop))
    return uses, outputs


def _yaml_values(where: str, token: str, path: tuple[str, ...], value: Any) -> list[Use]:
    if isinstance(value, dict) and not _is_env_map(path):
        return [u for k, v in value.items() for u in _yaml_values(where, token, (*path, k), v)]
    if isinstance(value, dict):
        return [u for v in value.values() for u in _yaml_values(where, token, (*path, "{}"), v)]
    if isinstance(value, list):
        return [u for v in value for u in _yaml_values(where, token, (*path, "[]"), v)] or [
            Use(where, token, path, False)
        ]
    return [Use(where, token, path, isinstance(value, str) and "${" in value)]


_MAPS = {
    name
    for block in [r["inputProperties"] for r in SCHEMA["resources"].values()]
    + [t.get("properties", {}) for t in SCHEMA["types"].values()]
    for name, prop in block.items()
    if "additionalProperties" in prop
}
"""Properties the schema types as maps (`env`, `labels`, `nodeSelector`, ...)."""


def _is_env_map(path: tuple[str, ...]) -> bool:
    """Maps whose keys are the user's (variable names, label keys), not properties."""
    return path[-1] in _MAPS


# -- TypeScript -------------------------------------------------------------------------------------------
_PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_typescript.language_typescript()))
_LITERALS = {"string", "number", "true", "false", "null", "template_string"}


def ts_uses(source: bytes, where: str) -> tuple[list[Use], list[tuple[str, str, str]]]:
    tree = _PARSER.parse(source)
    assert not tree.root_node.has_error, f"{where} does not parse"
    _CONSTS.clear()  # `const healthz: ProbeArgs = {...}` then `readinessProbe: healthz`: the object literal is passed
    for node in _nodes(tree.root_node, "variable_declarator"):
        value = node.child_by_field_name("value")
        if value is not None and value.type in ("object", "array"):
            _CONSTS[node.child_by_field_name("name").text.decode()] = value
    uses: list[Use] = []
    kinds: dict[str, str] = {}
    for node in _nodes(tree.root_node, "new_expression"):
        callee = node.child_by_field_name("constructor")
        if callee is None or not callee.text.decode().startswith("kubexpose."):
            continue
        token = f"kubexpose:index:{callee.text.decode().split('.', 1)[1]}"
        declarator = node.parent
        if declarator is not None and declarator.type == "variable_declarator":
            kinds[declarator.child_by_field_name("name").text.decode()] = token
        args = [c for c in node.child_by_field_name("arguments").named_children]
        assert len(args) >= 2 and args[1].type == "object", f"{where}: {token} without an args object"
        uses += _ts_object(f"{where}:{args[0].text.decode().strip(chr(34) + chr(39))}", token, (), args[1])
    outputs = []
    for node in _nodes(tree.root_node, "member_expression"):
        obj, prop = node.child_by_field_name("object"), node.child_by_field_name("property")
        if obj is not None and obj.text.decode() in kinds:
            outputs.append((f"{where}:{obj.text.decode()}", kinds[obj.text.decode()], prop.text.decode()))
    return uses, outputs


def _ts_object(where: str, token: str, path: tuple[str, ...], node: tree_sitter.Node) -> list[Use]:
    out: list[Use] = []
    for pair in node.named_children:
        if pair.type != "pair":
            continue
        key = pair.child_by_field_name("key").text.decode().strip("\"'")
        value = pair.child_by_field_name("value")
        step = "{}" if path and _is_env_map(path) else key
        out += _ts_value(where, token, (*path, step), value)
    return out


_CONSTS: dict[str, tree_sitter.Node] = {}
"""The program's constants bound to an object or array literal, by name (set by :func:`ts_uses`)."""


def _ts_value(where: str, token: str, path: tuple[str, ...], value: tree_sitter.Node) -> list[Use]:
    if value.type == "identifier" and value.text.decode() in _CONSTS:
        value = _CONSTS[value.text.decode()]
    if value.type == "object":
        return _ts_object(where, token, path, value)
    if value.type == "array":
        items = [u for item in value.named_children for u in _ts_value(where, token, (*path, "[]"), item)]
        return items or [Use(where, token, path, False)]
    literal = value.type in _LITERALS or (value.type == "unary_expression" and value.named_children[0].type == "number")
    return [Use(where, token, path, not literal)]


def _nodes(node: tree_sitter.Node, kind: str) -> list[tree_sitter.Node]:
    found = [node] if node.type == kind else []
    for child in node.children:
        found += _nodes(child, kind)
    return found


# -- the examples ------------------------------------------------------------------------------------------
def _example_uses(name: str) -> tuple[list[Use], list[tuple[str, str, str]]]:
    if name == "yaml-consumer":
        return yaml_uses(yaml.safe_load((EXAMPLES / name / "Pulumi.yaml").read_text()), name)
    return ts_uses((EXAMPLES / name / "index.ts").read_bytes(), name)


@pytest.mark.parametrize("name", ["yaml-consumer", "ts-consumer"])
def test_the_example_uses_only_what_the_schema_offers(name: str) -> None:
    uses, outputs = _example_uses(name)
    assert {u.token for u in uses} == {
        "kubexpose:index:ExposedDeployment",
        "kubexpose:index:ExternalAlias",
        "kubexpose:index:Worker",
    }
    assert len(uses) >= 15 and len(outputs) >= 5
    assert ("ports", "[]", "targetPort") in {u.path for u in uses}
    assert any(u.path == ("namespace",) and u.computed for u in uses)  # an Output where the schema takes one
    assert check_uses(uses, outputs) == []


@pytest.mark.parametrize("name", ["yaml-consumer", "ts-consumer"])
def test_each_example_says_how_to_add_the_package(name: str) -> None:
    readme = (EXAMPLES / name / "README.md").read_text()
    assert "pulumi package add <git URL of the kubexpose repository>/provider" in readme
    assert (EXAMPLES / name / "Pulumi.yaml").is_file()


@pytest.mark.parametrize(
    ("snippet", "problem"),
    [
        (
            'new kubexpose.ExposedDeployment("a", { image: "x:1", prots: [{ port: 80 }] });',
            "a: prots is not an input of kubexpose:index:ExposedDeployment",
        ),
        (
            'new kubexpose.ExposedDeployment("a", { image: "x:1", ports: [{ port: 80, targetPrt: 8080 }] });',
            "ports.[].targetPrt is not an input",
        ),
        ('new kubexpose.ExposedDeployment("a", { port: 80 });', "lacks required ['image']"),
        ('new kubexpose.ExposedDeployment("a", { image: "x:1", port: cfg.port });', "port is plain, but the program"),
        ('new kubexpose.Exposed("a", { image: "x:1" });', "kubexpose:index:Exposed is not a component"),
        (
            'const a = new kubexpose.ExternalAlias("a", { target: "h.example.com" }); export const u = a.uri;',
            "uri is not an output",
        ),
    ],
)
def test_the_typescript_check_catches_what_the_sdk_would_refuse(snippet: str, problem: str) -> None:
    uses, outputs = ts_uses(snippet.encode(), "snippet")
    assert any(problem in p for p in check_uses(uses, outputs)), check_uses(uses, outputs)


@pytest.mark.parametrize(
    ("resources", "problem"),
    [
        ({"a": {"type": "kubexpose:ExternalAlias", "properties": {"targt": "h.example.com"}}}, "targt is not an input"),
        (
            {
                "a": {
                    "type": "kubexpose:ExposedDeployment",
                    "properties": {"image": "x:1", "replicas": 2, "exposure": "${e}"},
                }
            },
            "exposure is plain, but the program computes it",
        ),
        (
            {
                "a": {
                    "type": "kubexpose:ExposedDeployment",
                    "properties": {"image": "x:1", "readinessProbe": {"httpGet": {"prt": 80}}},
                }
            },
            "readinessProbe.httpGet.prt is not an input",
        ),
    ],
)
def test_the_yaml_check_catches_what_the_engine_would_refuse(resources: dict[str, Any], problem: str) -> None:
    uses, outputs = yaml_uses({"resources": resources}, "snippet")
    assert any(problem in p for p in check_uses(uses, outputs)), check_uses(uses, outputs)


def test_the_examples_stay_in_the_repository_layout() -> None:
    for name in ("yaml-consumer", "ts-consumer"):
        assert isinstance(EXAMPLES / name, Path) and (EXAMPLES / name / "Pulumi.dev.yaml").is_file()
