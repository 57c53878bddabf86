"""Load a stack's config from `Pulumi.yaml` and `Pulumi.<stack>.yaml` the way the Pulumi CLI does.

The CLI hands a program its config as a map of full keys (`kubexpose:namespace`) to strings:
scalars as their text (`true`, `30001`), structured values as JSON. Keys without a namespace belong
to the project. Project-level `config:` in `Pulumi.yaml` gives defaults (`key: value` or
`key: {default: value}`) that stack files override. `secure:` values cannot be decrypted offline:
they become :data:`SECRET_PLACEHOLDER` and are reported as secret keys.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import ConfigError

SECRET_PLACEHOLDER = "[secret: not decryptable offline]"


@dataclass(frozen=True)
class StackConfig:
    """One stack's config, ready for `pulumi.runtime.set_all_config`."""

    project: str
    stack: str
    values: dict[str, str]
    secret_keys: list[str] = field(default_factory=list)
    stack_file: Path | None = None


@dataclass(frozen=True)
class Project:
    """A Pulumi project directory: its name, its program, where its stack files live, its config defaults."""

    directory: Path
    name: str
    stack_config_dir: Path
    defaults: dict[str, Any]
    entry: Path
    """The file Pulumi runs: `main:` of Pulumi.yaml (a file or a directory), else `__main__.py`."""

    @classmethod
    def load(cls, directory: str | Path) -> Project:
        """Read `Pulumi.yaml` (or `Pulumi.yml`) in `directory`."""
        root = Path(directory).resolve()
        path = next((root / n for n in ("Pulumi.yaml", "Pulumi.yml") if (root / n).is_file()), None)
        if path is None:
            raise ConfigError(f"{root}: no Pulumi.yaml found; point at the directory of a Pulumi project")
        doc = _read_yaml(path)
        name = doc.get("name")
        if not isinstance(name, str) or not name:
            raise ConfigError(f"{path}: 'name' is missing; every Pulumi project needs a name")
        config_dir = root / str(doc.get("stackConfigDir") or ".")
        defaults: dict[str, Any] = {}
        for key, value in (doc.get("config") or {}).items():
            if isinstance(value, dict) and ("default" in value or "type" in value or "value" in value):
                if "value" in value:
                    defaults[key] = value["value"]
                elif "default" in value:
                    defaults[key] = value["default"]
            else:
                defaults[key] = value
        main = root / str(doc.get("main") or ".")
        entry = main / "__main__.py" if main.is_dir() else main
        return cls(root, name, config_dir, defaults, entry)

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
        for key, value in (doc.get("config") or {}).items():
            merged[self._full_key(key)] = value
        values: dict[str, str] = {}
        secrets: list[str] = []
        for key, value in merged.items():
            if isinstance(value, dict) and set(value) == {"secure"}:
                values[key] = SECRET_PLACEHOLDER
                secrets.append(key)
            else:
                values[key] = to_config_string(value)
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


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        doc = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML: {err}") from None
    if not isinstance(doc, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    return doc
