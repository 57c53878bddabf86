"""The package schema and the API reference generated from it (`kubexpose schema`).

`provider/schema.json` is what the component provider serves to `pulumi package add`;
`docs/reference.md` is the same content for people. Both are derived from the components'
annotated Args types and docstrings; the tests fail when either is stale.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..provider import PACKAGE, schema_text

SCHEMA_FILE = Path("provider") / "schema.json"
REFERENCE_FILE = Path("docs") / "reference.md"


def generated(schema: str | None = None) -> dict[Path, str]:
    """The files `kubexpose schema` writes (relative to the repository root), from the current code."""
    text = schema if schema is not None else schema_text()
    return {SCHEMA_FILE: text, REFERENCE_FILE: reference(json.loads(text))}


def write(root: Path) -> list[Path]:
    """Write the schema and the reference under `root`; return the files that changed."""
    changed = []
    for relative, text in generated().items():
        path = root / relative
        if not path.is_file() or path.read_text() != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            changed.append(relative)
    return changed


def reference(schema: dict[str, Any]) -> str:
    """The API reference of every component and type in `schema`, as Markdown."""
    out = [
        f"# `{schema['name']}` API reference (version {schema['version']})",
        "",
        "Generated from `provider/schema.json` by `make schema`: do not edit by hand. Names are as other",
        "languages see them (camelCase); Python uses the same names in snake_case. *Input* means the value",
        "may be an Output of another resource; *plain* means it must be known when the program declares",
        "the component (it decides which objects exist); *plain keys, Input values* means the entries are",
        "fixed when the program declares the component and each value may be an Output.",
        "",
    ]
    for token, resource in sorted(schema.get("resources", {}).items()):
        out += [
            f"## {token.rsplit(':', 1)[-1]}",
            "",
            f"Type token: `{token}`.",
            "",
            resource.get("description", ""),
            "",
        ]
        required = set(resource.get("requiredInputs", []))
        out += ["### Inputs", "", "| name | type | description |", "|---|---|---|"]
        for name, prop in sorted(resource.get("inputProperties", {}).items()):
            out.append(_row(name, prop, name in required))
        out += ["", "### Outputs", "", "| name | type | description |", "|---|---|---|"]
        for name, prop in sorted(resource.get("properties", {}).items()):
            out.append(_row(name, prop, None))
        out.append("")
    out += ["## Types", ""]
    for token, typ in sorted(schema.get("types", {}).items()):
        name = token.rsplit(":", 1)[-1]
        out += [f"### {name}", "", typ.get("description", ""), ""]
        if "enum" in typ:
            out += ["| value | description |", "|---|---|"]
            out += [f"| `{json.dumps(m['value'])}` | {_cell(m.get('description', ''))} |" for m in typ["enum"]]
        else:
            required = set(typ.get("required", []))
            out += ["| name | type | description |", "|---|---|---|"]
            out += [_row(n, p, n in required) for n, p in sorted(typ.get("properties", {}).items())]
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _row(name: str, prop: dict[str, Any], required: bool | None) -> str:
    kind = _type(prop)
    if required is not None:
        kind += ", required" if required else ", optional"
        inner = prop.get("additionalProperties") or prop.get("items")
        if prop.get("plain") and isinstance(inner, dict) and not inner.get("plain"):
            kind += ", plain keys, Input values"  # the entries are fixed, each value may be an Output
        else:
            kind += ", plain" if prop.get("plain") else ", Input"
    return f"| `{name}` | {kind} | {_cell(prop.get('description', ''))} |"


def _type(prop: dict[str, Any]) -> str:
    ref = prop.get("$ref")
    if ref is not None:
        if ref.startswith(f"#/types/{PACKAGE}:"):
            name = ref.rsplit(":", 1)[-1]
            return f"[{name}](#{name.lower()})"
        return f"`{ref.rsplit('#/', 1)[-1].split('/', 1)[-1].replace('%2F', '/')}`"
    kind = prop.get("type", "any")
    if kind == "array":
        return f"list of {_type(prop.get('items', {}))}"
    if kind == "object" and "additionalProperties" in prop:
        return f"map of {_type(prop['additionalProperties'])}"
    return kind


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")
