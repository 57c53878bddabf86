"""The components as a Pulumi component provider, for programs in every Pulumi language.

`pulumi package add <this repository>/provider` reads the schema this provider derives from the
components' annotated `Args` types and docstrings (nothing is hand-written) and generates an SDK in
the consumer's language; at `pulumi up` the engine starts the provider (`provider/__main__.py` calls
:func:`serve`) and sends it one `Construct` per component the program declares.

Two things differ from a Python program using the components directly:

* Numbers arrive over the wire as floats, and the SDK's `ComponentProvider` hands them on as floats
  (`8080.0`), also inside lists, maps and Outputs (and fails on an Output for an integer input).
  :class:`KubexposeProvider` turns every whole float of an integer property back into an int, so
  the components see what a Python program passes.
* Each `Construct` shows the provider one component, never the whole program: checks that need the
  whole program (two components with one Service name or node port, a `kubexpose:aliases` entry no
  alias uses) are left out here; the engine still refuses two components with one name, and the
  cluster refuses a clash.
"""

import ast
import inspect
import itertools
import json
import re
import sys
import textwrap
from typing import Any

import pulumi
import pulumi.provider.server
from pulumi.errors import InputPropertiesError
from pulumi.provider.experimental.analyzer import PropertyDefinition, PropertyType
from pulumi.provider.experimental.component import ComponentProvider
from pulumi.provider.provider import ConstructResult
from pulumi.provider.server import ComponentInitError

from ._sdk import require_provider_sdk
from .claims import see_one_component_at_a_time
from .components.exposed_deployment import ExposedDeployment
from .components.exposed_stateful_set import ExposedStatefulSet
from .components.external_alias import ExternalAlias
from .components.worker import Worker
from .errors import ValidationError

PACKAGE = "kubexpose"
"""The package name other languages use (`kubexpose:index:ExposedDeployment`)."""
VERSION = "0.3.0"
"""The package version written into the schema (the same as the Python distribution's)."""
COMPONENTS: list[type[pulumi.ComponentResource]] = [ExposedDeployment, ExposedStatefulSet, ExternalAlias, Worker]
KUBERNETES_SCHEMA = "4.25.0"
"""The pulumi-kubernetes schema the outputs' resource types refer to, whatever version is installed, so the schema
is the same in every environment (the types it names, Deployment, Service, NetworkPolicy and EndpointSlice, are in
every 4.x). SDK generation loads the kubernetes plugin of exactly this version to read those types: it is the
version of the provider the end-to-end suite builds (`kubexpose.live.toolchain.PROVIDER_VERSION`), so CI
generates every language's SDK from it; a user's `pulumi package add` fetches that plugin like any other."""


class KubexposeProvider(ComponentProvider):
    """`ComponentProvider` that hands the components whole numbers as ints."""

    def __init__(self) -> None:
        require_provider_sdk()
        _keep_custom_timeouts()
        super().__init__(COMPONENTS, PACKAGE, version=VERSION)
        # Docstrings keep their source indentation; every language's docs want it gone.
        derived = _clean_descriptions(_inherited_descriptions(json.loads(_plain_nouns(self.schema or "{}"))))
        self.schema = _pin_kubernetes(json.dumps(derived, indent=2, sort_keys=True) + "\n", derived)

    def construct(
        self, name: str, resource_type: str, inputs: Any, options: pulumi.ResourceOptions | None = None
    ) -> ConstructResult:
        """As the SDK's, but a bad argument is reported as the engine reports a bad property: the
        message alone (no Python traceback) and the property's path in the schema's names."""
        try:
            return super().construct(name, resource_type, inputs, options)
        except ComponentInitError as err:
            inner = getattr(err, "inner", None)
            if not isinstance(inner, ValidationError):
                raise
            # The engine prints the message, then each property's reason: the reason alone, not the message again.
            path = _schema_path(inner.field) if inner.field else ""
            reason = inner.reason or str(inner)
            raise InputPropertiesError(str(inner), [{"property_path": path, "reason": reason}]) from None

    def map_input_properties(
        self,
        inputs: Any,
        properties: dict[str, PropertyDefinition],
        mapping: dict[str, str],
        component_name: str,
        property_path: str,
    ) -> Any:
        # The SDK calls int() on an integer input, which fails on an Output (a value another resource
        # computes, e.g. `replicas`): such values skip it here and are converted when known.
        held: dict[str, Any] = {}
        if isinstance(inputs, dict):
            for schema_name, prop in properties.items():
                if prop.type == PropertyType.INTEGER and isinstance(inputs.get(schema_name), pulumi.Output):
                    held[schema_name] = inputs[schema_name]
            if held:
                inputs = {**inputs, **dict.fromkeys(held, 0)}
        mapped = dict(super().map_input_properties(inputs, properties, mapping, component_name, property_path))
        for schema_name, prop in properties.items():
            py_name = mapping[schema_name]
            if schema_name in held:
                mapped[py_name] = held[schema_name]
            if py_name in mapped:
                mapped[py_name] = _as_python(mapped[py_name], prop)
        return mapped


def _schema_path(field: str) -> str:
    """A Python argument path as other languages name it: `ports[0].node_port` -> `ports[0].nodePort`."""
    return re.sub(r"_([a-z])", lambda m: m.group(1).upper(), field)


_INPUT_TYPE = re.compile(r"(?<=kubexpose:index:)(\w+)Args\b")


def _plain_nouns(text: str) -> str:
    """Every input type's token without its Python class's `Args` suffix (`PortArgs` -> `kubexpose:index:Port`):
    Pulumi's code generators add `Args` to an input type's token in every language, so the generated SDKs read
    `PortArgs`, not `PortArgsArgs` (as pulumi-kubernetes' `core/v1:ServicePort` reads `ServicePortArgs`).
    Only tokens change: inputs carry no type token on the wire, so Construct is the same."""
    return _INPUT_TYPE.sub(r"\1", text)


_CODE = re.compile(r"`[^`]*`")
_SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
_PYTHON_ONLY = re.compile(r"\s*\(Python [^()]*\)|;\s*Python [^.;]*")
_LITERALS = {"True": "true", "False": "false"}
"""Python's literals in code as JSON's (`None` stays: it is a Kubernetes value, `clusterIP: None`)."""


def for_every_language(text: str) -> str:
    """A docstring as the schema gives it to every language's docs: a field named in code in the schema's
    camelCase (`min_replicas` -> `minReplicas`), Python's `True` and `False` as JSON's, and what only Python accepts
    (a parenthesis or clause starting with "Python ...") left to the Python docstrings."""

    def code(match: re.Match[str]) -> str:
        span = _SNAKE.sub(lambda m: _schema_path(m.group(0)), match.group(0))
        return re.sub(r"\b(True|False)\b", lambda m: _LITERALS[m.group(1)], span)

    return _CODE.sub(code, _PYTHON_ONLY.sub("", text))


def _inherited_descriptions(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with each component input an Args type inherits (`ExposedDeploymentArgs(AppArgs)`) described by
    its docstring in the base it comes from: the SDK's analyzer reads the docstrings of the class's own source only."""
    for component in COMPONENTS:
        resource = schema.get("resources", {}).get(f"{PACKAGE}:index:{component.__name__}")
        args = inspect.signature(component.__init__).parameters["args"].annotation
        if resource is None or not isinstance(args, type):
            continue
        docs = {_camel(name): text for base in _bases(args) for name, text in _field_docs(base).items()}
        for name, prop in resource.get("inputProperties", {}).items():
            if "description" not in prop and name in docs:
                _describe(prop, docs[name])
    return schema


def _describe(prop: dict[str, Any], text: str) -> None:
    """`text` as the description of `prop`, its items and its map values, as the analyzer writes one."""
    prop.setdefault("description", text)
    for inner in (prop.get("items"), prop.get("additionalProperties")):
        if isinstance(inner, dict):
            _describe(inner, text)


def _bases(typ: type) -> list[type]:
    """The TypedDicts `typ` can derive from: those of its module whose fields are all its fields (Python 3.11 keeps
    no base of a TypedDict)."""
    module = sys.modules[typ.__module__]
    fields = set(typ.__annotations__)
    return [
        other
        for other in vars(module).values()
        if isinstance(other, type)
        and other is not typ
        and issubclass(other, dict)
        and set(getattr(other, "__annotations__", {})) < fields
    ]


def _field_docs(typ: type) -> dict[str, str]:
    """`{field: docstring}` of the annotated fields in the class body of `typ`."""
    body = ast.parse(textwrap.dedent(inspect.getsource(typ))).body[0]
    out: dict[str, str] = {}
    statements = getattr(body, "body", [])
    for node, after in itertools.pairwise(statements):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and (
                isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)
            )
        ):
            out[node.target.id] = after.value.value
    return out


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _clean_descriptions(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: for_every_language(inspect.cleandoc(item))
            if key == "description" and isinstance(item, str)
            else _clean_descriptions(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_clean_descriptions(item) for item in value]
    return value


def _pin_kubernetes(text: str, derived: dict[str, Any]) -> str:
    for dependency in derived.get("dependencies", []):
        if dependency.get("name") == "kubernetes":
            installed = dependency["version"]
            text = text.replace(f"/kubernetes/v{installed}/", f"/kubernetes/v{KUBERNETES_SCHEMA}/")
            text = text.replace(f'"version": "{installed}"', f'"version": "{KUBERNETES_SCHEMA}"')
    return text


def _as_python(value: Any, prop: PropertyDefinition | None) -> Any:
    """`value` with every whole float typed integer by `prop` as an int, in lists, maps and Outputs too, and every
    map's entries in the order of their keys, as docs/_index.md promises other languages: a map has no order in most
    languages, yet it reached Construct in the program's order (a TypeScript `env` of `MODE` then `DB_PASSWORD`,
    measured through the real engine), and `env` becomes the container's ordered list."""
    if prop is None or value is None:
        return value
    if isinstance(value, pulumi.Output):
        return value.apply(lambda known: _as_python(known, prop))
    if prop.type == PropertyType.INTEGER and isinstance(value, float) and value.is_integer():
        return int(value)
    if prop.type == PropertyType.ARRAY and isinstance(value, list):
        return [_as_python(item, prop.items) for item in value]
    if prop.additional_properties is not None and isinstance(value, dict):
        return {key: _as_python(item, prop.additional_properties) for key, item in sorted(value.items())}
    return value


def _keep_custom_timeouts() -> None:
    """Give a component the `customTimeouts` another language sets on it (kubexpose passes them to its children).

    The SDK's `ProviderServicer._construct_options` builds the `CustomTimeouts` of a ConstructRequest and drops it
    (never assigned: up to pulumi 3.272 at least), so a TypeScript `{customTimeouts: {create: "20m"}}` on an
    ExposedDeployment would never reach its Deployment's await. Wrapped once; a fixed SDK's value is kept."""
    servicer = pulumi.provider.server.ProviderServicer
    built = servicer._construct_options
    if getattr(built, "kubexpose", False):
        return

    def options(request: Any) -> pulumi.ResourceOptions:
        opts = built(request)
        timeouts = request.customTimeouts
        if opts.custom_timeouts is None and (timeouts.create or timeouts.update or timeouts.delete):
            opts.custom_timeouts = pulumi.CustomTimeouts(
                create=timeouts.create or None, update=timeouts.update or None, delete=timeouts.delete or None
            )
        return opts

    options.kubexpose = True  # type: ignore[attr-defined]
    servicer._construct_options = staticmethod(options)  # type: ignore[method-assign,assignment]


def schema_text() -> str:
    """The package schema as the provider serves it (`GetSchema`): JSON with sorted keys."""
    return KubexposeProvider().schema or ""


def serve(args: list[str] | None = None) -> None:
    """Run the provider as the language host starts a plugin: `python provider/ <engine address> ...`;
    it prints the port it listens on, then serves until the engine stops it."""
    from pulumi.provider import main

    see_one_component_at_a_time()
    main(KubexposeProvider(), sys.argv[1:] if args is None else args)
