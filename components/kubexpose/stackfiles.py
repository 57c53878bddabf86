"""Load a stack's config from `Pulumi.yaml` and `Pulumi.<stack>.yaml` the way the Pulumi CLI does.

The CLI hands a program its config as a map of full keys (`kubexpose:namespace`) to strings:
scalars as their text (`true`, `30001`), structured values as JSON. Keys without a namespace belong
to the project. Project-level `config:` in `Pulumi.yaml` gives defaults (`key: value` or
`key: {default: value}`) that stack files override. `secure:` values cannot be decrypted offline:
they become :data:`SECRET_PLACEHOLDER` and are reported as secret keys.

The files are read as the CLI reads them (YAML 1.2, as Go's yaml.v3 does): `yes`, `on` and `10:30`
are strings, not a boolean and a number; a date stays the text it was written as; a key given twice
is an error. Every malformed shape is a :class:`~kubexpose.errors.ConfigError` naming the file, the
key and the fix.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError
from .k8s.validation import UNREADABLE_SECRET as SECRET_PLACEHOLDER


@dataclass(frozen=True)
class StackConfig:
    """One stack's config, ready for `pulumi.runtime.set_all_config`."""

    project: str
    stack: str
    values: dict[str, str]
    secret_keys: list[str] = field(default_factory=list)
    stack_file: Path | None = None

    @contextlib.contextmanager
    def errors_name_the_file(self) -> Iterator[None]:
        """Re-raise a ConfigError of the program run with the stack file's path in front."""
        try:
            yield
        except ConfigError as err:
            if self.stack_file is None:
                raise
            line = config_key_line(self.stack_file, err.field, self.project) if err.field else None
            where = f"{_shown(self.stack_file)}:{line}" if line else _shown(self.stack_file)
            raise ConfigError(f"{where}: {err}", err.field) from None


def config_key_line(path: Path, key: str, project: str) -> int | None:
    """The line of `key` (a full key; `name` alone stands for `<project>:name`) under `config:` in `path`."""
    try:
        root = yaml.compose(path.read_text(), Loader=CliYamlLoader)
    except (OSError, yaml.YAMLError):
        return None
    if not isinstance(root, yaml.MappingNode):
        return None
    for top, block in root.value:
        if top.value == "config" and isinstance(block, yaml.MappingNode):
            for node, _ in block.value:
                written = str(node.value)
                if (written if ":" in written else f"{project}:{written}") == key:
                    return int(node.start_mark.line) + 1
    return None


def _shown(path: Path) -> str:
    """`path` relative to the working directory when it is below it, else absolute."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class Project:
    """A Pulumi project directory: its name, its program, where its stack files live, its config defaults."""

    directory: Path
    name: str
    stack_config_dir: Path
    defaults: dict[str, Any]
    entry: Path
    """The file Pulumi runs: `main:` of Pulumi.yaml (a file or a directory), else `__main__.py`."""
    declared: frozenset[str] = frozenset()
    """Every key under `config:` in Pulumi.yaml, as written (`namespace` or `<project>:namespace`)."""

    @classmethod
    def load(cls, directory: str | Path) -> Project:
        """Read `Pulumi.yaml` (or `Pulumi.yml`) in `directory`."""
        root = Path(directory).resolve()
        path = next((root / n for n in ("Pulumi.yaml", "Pulumi.yml") if (root / n).is_file()), None)
        if path is None:
            raise ConfigError(f"{_shown(root)}: no Pulumi.yaml found; point at the directory of a Pulumi project")
        doc = _read_yaml(path)
        name = doc.get("name")
        if not isinstance(name, str) or not name:
            raise ConfigError(f"{_shown(path)}: 'name' is missing; every Pulumi project needs a name")
        config_dir = root / str(doc.get("stackConfigDir") or ".")
        defaults: dict[str, Any] = {}
        block = _config_block(path, doc)
        for key, value in block.items():
            if isinstance(value, dict) and ("default" in value or "type" in value or "value" in value):
                if "value" in value:
                    defaults[key] = value["value"]
                elif "default" in value:
                    defaults[key] = value["default"]
            else:
                defaults[key] = value
        main = root / str(doc.get("main") or ".")
        entry = main / "__main__.py" if main.is_dir() else main
        return cls(root, name, config_dir, defaults, entry, frozenset(str(key) for key in block))

    def stacks(self) -> list[str]:
        """Names of the stacks that have a `Pulumi.<stack>.yaml` file."""
        prefix, found = "Pulumi.", []
        if self.stack_config_dir.is_dir():
            for path in sorted(self.stack_config_dir.iterdir()):
                if path.name.startswith(prefix) and path.suffix in (".yaml", ".yml") and path.stem.count(".") == 1:
                    found.append(path.stem.split(".", 1)[1])
        return found

    def stack_config(self, stack: str) -> StackConfig:
        """The merged config of `stack`: project defaults overridden by the stack file."""
        path = next(
            (
                self.stack_config_dir / f"Pulumi.{stack}.{ext}"
                for ext in ("yaml", "yml")
                if (self.stack_config_dir / f"Pulumi.{stack}.{ext}").is_file()
            ),
            None,
        )
        if path is None:
            known = ", ".join(self.stacks()) or "none"
            raise ConfigError(
                f"stack '{stack}' has no file Pulumi.{stack}.yaml in {self.stack_config_dir}; known stacks: {known}"
            )
        merged: dict[str, Any] = {self._full_key(k): v for k, v in self.defaults.items()}
        doc = _read_yaml(path)
        _stack_file_keys(path, doc)
        for key, value in _config_block(path, doc).items():
            merged[self._full_key(key)] = value
        values: dict[str, str] = {}
        secrets: list[str] = []
        for key, value in merged.items():
            if isinstance(value, dict) and set(value) == {"secure"}:
                values[key] = SECRET_PLACEHOLDER
                secrets.append(key)
            else:
                values[key] = _config_value(path, key, value)
        return StackConfig(self.name, stack, values, secrets, path)

    def _full_key(self, key: Any) -> str:
        key = str(key)
        return key if ":" in key else f"{self.name}:{key}"


def to_config_string(value: Any) -> str:
    """The string a Pulumi program receives for a config value."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, separators=(",", ":"))


class _DuplicateKeyError(yaml.MarkedYAMLError):
    pass


class CliYamlLoader(yaml.SafeLoader):
    """PyYAML's safe loader with YAML 1.2 core-schema scalars (as Go's yaml.v3 in the Pulumi CLI) and
    duplicate keys refused: only `true`/`false` are booleans, only `null`/`~`/empty is null, integers
    are decimal, `0o` octal or `0x` hex, and anything else (`yes`, `on`, `10:30`, `2024-01-01`) is a string."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)  # type: ignore[no-untyped-call]
            if isinstance(key, list | dict):
                continue  # unhashable: the base class reports it
            if key in seen:
                raise _DuplicateKeyError(
                    "while reading a mapping", node.start_mark, f"key {key!r} appears twice", key_node.start_mark
                )
            seen[key] = key_node
        return super().construct_mapping(node, deep)

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:  # type: ignore[override]
        text = str(self.construct_scalar(node))
        return int(text, 0) if text.lstrip("+-")[:2] in ("0o", "0x") else int(text, 10)


CliYamlLoader.yaml_implicit_resolvers = {}
_FLOAT = r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
for _tag, _pattern, _first in (
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", ["t", "T", "f", "F"]),
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("int", r"^(?:[-+]?[0-9]+|[-+]?0o[0-7]+|[-+]?0x[0-9a-fA-F]+)$", [*"-+0123456789"]),
    ("float", _FLOAT, [*"-+.0123456789"]),
):
    CliYamlLoader.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(_pattern), _first)
CliYamlLoader.add_constructor("tag:yaml.org,2002:int", CliYamlLoader.construct_yaml_int)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        doc = yaml.load(path.read_text(), Loader=CliYamlLoader) or {}
    except _DuplicateKeyError as err:
        line = err.problem_mark.line + 1 if err.problem_mark else "?"
        raise ConfigError(
            f"{_shown(path)}:{line}: {err.problem}; keep one of them (the Pulumi CLI refuses the file)"
        ) from None
    except yaml.YAMLError as err:
        raise ConfigError(f"{_shown(path)}: not valid YAML: {err}") from None
    if not isinstance(doc, dict):
        raise ConfigError(f"{_shown(path)}: expected a mapping at the top level")
    return doc


STACK_FILE_KEYS = ("config", "encryptedkey", "encryptionsalt", "environment", "secretsprovider")
"""The top-level keys of a stack file (the CLI's ProjectStack)."""


def _stack_file_keys(path: Path, doc: dict[str, Any]) -> None:
    """Refuse a top-level key a stack file cannot have: the Pulumi CLI drops it without a word (and deletes it
    when it next saves the file), so a misspelled `conifg:` would run the stack on defaults."""
    for key in doc:
        if key not in STACK_FILE_KEYS:
            close = difflib.get_close_matches(str(key), STACK_FILE_KEYS, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"a stack file holds only {', '.join(STACK_FILE_KEYS)}"
            raise ConfigError(
                f"{_shown(path)}: top-level key {key!r} is not a stack file setting (the Pulumi CLI ignores it); {hint}"
            )


def _config_block(path: Path, doc: dict[str, Any]) -> dict[str, Any]:
    """The `config:` mapping of a project or stack file, its keys checked."""
    block = doc.get("config")
    if block is None:
        return {}
    if not isinstance(block, dict):
        raise ConfigError(
            f"{_shown(path)}: 'config' is {block!r}, not a mapping; write one `namespace:key: value` per line under config:"
        )
    for key in block:
        if not isinstance(key, str) or not key:
            raise ConfigError(
                f"{_shown(path)}: config key {key!r} is not a name; quote it or write it as `namespace:key`"
            )
    return block


def _config_value(path: Path, key: str, value: Any) -> str:
    """The string the CLI passes the program for `key`, or a ConfigError naming the file and the key."""
    if value is None:
        raise ConfigError(
            f"{_shown(path)}: config '{key}' has no value; give it one (quote '' for an empty string) or remove it"
        )
    try:
        return to_config_string(value)
    except TypeError:
        raise ConfigError(
            f"{_shown(path)}: config '{key}' = {value!r} is a {type(value).__name__}, which config cannot hold; quote it"
        ) from None
