"""The shared steps of every kubexpose component, and the contract a component follows.

A component is one module in :mod:`kubexpose.components` holding a frozen model of the checked arguments, a
`_parse` function, and a thin class deriving from :class:`KubexposeComponent`; its `<Name>Args` TypedDict (a
docstring with the default for every field) is in :mod:`kubexpose.inputs`. Its `__init__` does, in this order:

1. **parse**: `check = self.checker(name)`, then `model = _parse(check, name, args, profile)`. Every
   :class:`~kubexpose.errors.ValidationError` is raised here, before anything is registered.
2. **claim and declare**: `child = self.declare(check, name, opts, model.claim, inputs=(args, model))` claims the Service
   name and node ports for the program run, registers the component, and returns the options
   (`parent=self`) for its children.
3. **build and register children**: each child's spec comes from a pure builder in
   :mod:`kubexpose.k8s`; a child is declared by its class annotation and registered as
   `self.add("<attribute>", name, child, adoption, **props)` (Pulumi name `<name>-<attribute with dashes>`):
   through the SDK, or by the registrar the run installed (:mod:`kubexpose.registrar`; the render's fast
   path records children as the SDK would send them) when `declare` was given the component's `inputs`
   and the registrar took them.
4. **outputs**: `self.finish({...})` sets each typed output attribute and calls `register_outputs`.

Checks that need the whole program use :func:`kubexpose.claims.at_program_end`; the
tooling (render, test kit) needs nothing per component.
"""

import dataclasses
import inspect
import types
import typing
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

import pulumi

from ...claims import Claim, claim
from ...errors import ArgumentsError
from ...k8s.validation import Checker
from ...profile import StackProfile
from ...registrar import Registrar, current
from ...target import check_target, cluster_of
from .outputs import Fixed, Out, in_namespace, known
from .patches import patched

R = TypeVar("R")
_NO_INPUTS: Any = object()
"""`declare()` without `inputs`: the component does not offer the fast path."""


def resolve_profile(profile: StackProfile | None) -> StackProfile:
    """The explicit profile, else the one the stack config describes."""
    if profile is None:
        return StackProfile.from_config()
    if not isinstance(profile, StackProfile):
        raise TypeError(f"profile must be a StackProfile, not {type(profile).__name__}")
    return profile


def resolve_namespace(check: Checker, namespace: Any, profile: StackProfile) -> Any:
    """The component's namespace (a name, or an Output of one checked when known), else the profile's."""
    if namespace is None:
        return profile.namespace
    return check.input("namespace", namespace, lambda value: check.dns_label("namespace", value))


def check_args(check: Checker, args: Any, fields: frozenset[str], example: str) -> Mapping[str, Any]:
    """The args mapping, with every key a field of the component's Args type."""
    if not isinstance(args, Mapping):
        check.fail("args", args, "is not a mapping", f"pass {example}")
    check.only_fields("", args, fields, f"{'an' if check.kind[0] in 'AEIOU' else 'a'} {check.kind} argument")
    return args


MAX_INT32 = 2**31 - 1
"""The largest value of a Kubernetes `int32` field (counts, seconds)."""


def whole_number(check: Checker, field: str, value: Any, fix: str, unit: str = "") -> int:
    """`value` as a whole number from 0 to :data:`MAX_INT32` (`unit`, e.g. " of seconds", names what it counts)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_INT32:
        check.fail(field, value, f"is not a whole number{unit} >= 0", fix)
    return value


def check_bool(check: Checker, args: Mapping[str, Any], field: str, default: bool) -> bool:
    """A boolean argument, `default` when absent."""
    value = args.get(field, default)
    if not isinstance(value, bool):
        check.fail(field, value, "is not a boolean", f"give {field}=True or {field}=False")
    return value


def child_resource_name(opts: pulumi.ResourceOptions, name: str) -> str:
    """`name` as the Pulumi name of a child registered directly with `opts` (see
    :meth:`KubexposeComponent.resource_name`)."""
    mapper = getattr(opts.parent, "resource_name", None)
    return mapper(name) if callable(mapper) else name


def children_of(component: type) -> dict[str, type]:
    """The children a component class declares: each attribute annotated with a pulumi_kubernetes resource class
    (or that class or None), mapped to the class. The schema's outputs come from the same annotations."""
    known = _CHILDREN.get(component)
    if known is None:
        known = _CHILDREN[component] = {}
        hints = [vars(cls).get("__annotations__", {}) for cls in reversed(component.__mro__)]
        for attribute, hint in {key: hint for own in hints for key, hint in own.items()}.items():
            if typing.get_origin(hint) not in (None, types.UnionType, typing.Union):
                continue  # a list of children (ExternalAlias's EndpointSlices) is not one declared child
            for cls in typing.get_args(hint) or (hint,):
                if isinstance(cls, type) and issubclass(cls, pulumi.CustomResource):
                    known[attribute] = cls
    return known


_CHILDREN: dict[type, dict[str, type]] = {}


PASSED_TO_CHILDREN = ("custom_timeouts", "retain_on_delete", "deleted_with")
"""Resource options a component gives every child it makes, beyond what the engine passes on by itself (`parent`,
`providers`, `protect`): each means the same for every child (how long `pulumi up` waits for an object, keep the
objects when the component goes, delete them with another resource). `ignore_changes` and `replace_on_changes` name
properties of one child's type, so they stay on the component; a transform targets one child
(docs/_index.md, "Resource options and the children")."""


def children_options(component: pulumi.Resource, opts: pulumi.ResourceOptions | None) -> pulumi.ResourceOptions:
    """The options of `component`'s children: `parent`, and :data:`PASSED_TO_CHILDREN` as `opts` give them."""
    passed = {key: getattr(opts, key, None) for key in PASSED_TO_CHILDREN}
    return pulumi.ResourceOptions(
        parent=component, **{key: value for key, value in passed.items() if value is not None}
    )


class KubexposeComponent(pulumi.ComponentResource):
    """Base of every kubexpose component (see the module docstring for the contract)."""

    if TYPE_CHECKING:  # declared for type checkers only: the schema analyzer reads class annotations as outputs
        kind: ClassVar[str]
        """The class name users see in error messages, e.g. `ExposedDeployment` (each component sets it)."""
        type_token: ClassVar[str]
        """The Pulumi type token, `kubexpose:index:<kind>` (part of every child's URN: never change it)."""

    def __new__(cls, *args: Any, **kwargs: Any) -> "KubexposeComponent":
        """Refuse keyword arguments `__init__` does not take with the fix (args are one mapping), before
        Python's bare `unexpected keyword argument`."""
        accepted = inspect.signature(cls.__init__).parameters
        unexpected = [key for key in kwargs if key not in accepted]
        if unexpected:
            name = args[0] if args else kwargs.get("name", "?")
            fields = ", ".join(f"'{key}': ..." for key in unexpected)
            raise ArgumentsError(
                f"{cls.kind} '{name}': {unexpected[0]} is not a parameter of {cls.kind}(); the arguments are one "
                f"mapping: {cls.kind}('{name}', {{{fields}}})",
                unexpected[0],
            )
        return super().__new__(cls)

    @classmethod
    def checker(cls, name: str) -> Checker:
        """A Checker whose errors name this component."""
        return Checker(cls.kind, name)

    def declare(
        self,
        check: Checker,
        name: str,
        opts: pulumi.ResourceOptions | None,
        taken: Claim,
        *,
        inputs: Any = _NO_INPUTS,
        slow_because: str | None = None,
        patches: Any = None,
    ) -> pulumi.ResourceOptions:
        """Claim `taken` for this program run, register the component, return its children's options.

        With a registrar installed for the run (:mod:`kubexpose.registrar`: the render's fast path) the
        component is registered by it when its `opts` and its checked `inputs` (raw args and parsed model)
        allow it and `slow_because` gives no reason not to; :meth:`child` then hands it the children. `patches` (a
        :class:`~kubexpose.components._parts.patches.Patches`, checked) are applied to each child in :meth:`child`."""
        check_target(taken.expected_cluster, f"{check.kind} '{check.name}'", opts)
        self._kubexpose_cluster = cluster_of(opts)
        claim(check, dataclasses.replace(taken, cluster=self._kubexpose_cluster))
        self._kubexpose_patches = (check, patches)
        for attribute in children_of(type(self)):  # a child the component goes without stays None
            setattr(self, attribute, None)
        self._kubexpose_registrar: Registrar | None = None
        self._kubexpose_fixed: dict[str, Any] = {}
        registrar = current()
        if registrar is not None:
            if inputs is _NO_INPUTS:
                slow_because = slow_because or "it gives declare() no inputs to check"
            reason = slow_because or registrar.why_not(opts, inputs)
            if reason is None:
                self._kubexpose_urn = registrar.declare_component(self, self.type_token, name)
                self._kubexpose_registrar = registrar
                return pulumi.ResourceOptions(parent=self)
            registrar.took_the_sdk_path(f"{self.kind} '{name}': {reason}")
        pulumi.ComponentResource.__init__(self, self.type_token, name, None, opts)
        return children_options(self, opts)

    def resource_name(self, child: str) -> str:
        """The Pulumi name of a child named after the app (`<app>-env`): after the component's Pulumi name, which
        differs from the app's name in the cluster when a program serves one app in several clusters."""
        app, own = self.__dict__.get("_kubexpose_names") or ("", "")
        return own + child[len(app) :] if app and app != own and child.startswith(app) else child

    def child(self, cls: type[R], name: str, opts: pulumi.ResourceOptions, **props: Any) -> R:
        """Child `name` of class `cls` (a pulumi_kubernetes resource) with constructor arguments `props`:
        registered with `opts`, or by the run's registrar (unless `opts` carry aliases, which only the SDK's
        registration records)."""
        name = self.resource_name(name)
        check, patches = self.__dict__.get("_kubexpose_patches") or (None, None)
        if patches and check is not None and cls.__name__ in patches.by_kind:
            props = patched(check, self._name, cls.__name__, cls, props, patches.by_kind[cls.__name__])
        registrar = self._kubexpose_registrar
        if registrar is not None and not opts.aliases:
            stand_in = registrar.record_child(f"{self.kind} '{self._name}'", cls, name, self._kubexpose_urn, props)
            if stand_in is not None:
                return cast(R, stand_in)
        return cls(name, opts=opts, **props)  # type: ignore[call-arg]

    def add(self, attribute: str, name: str, opts: pulumi.ResourceOptions, adoption: Any = None, **props: Any) -> Any:
        """Child `attribute` of this component, declared once, by the class annotation of that attribute: its class
        (the annotation's type), its Pulumi name (`<name>-<attribute with dashes>`, e.g. `web-disruption-budget`),
        its `adopt` key (the attribute) and its output (the attribute, set here) all follow from it.
        `adoption` (an :class:`~kubexpose.components._parts.adopt.Adoption`) adds the alias of an adopted
        resource."""
        cls = children_of(type(self))[attribute]
        child_opts = adoption.opts(opts, attribute) if adoption is not None else opts
        resource: Any = self.child(cls, f"{name}-{attribute.replace('_', '-')}", child_opts, **props)
        setattr(self, attribute, resource)
        return resource

    def name_of(self, child: Any, name: str) -> Any:
        """The child's `metadata.name` as an input of a sibling: its Output (so the sibling waits for it),
        or for a child the run's registrar recorded the name itself."""
        return child.metadata.name if self.recorded_state(child) is None else name

    def recorded_state(self, child: Any) -> dict[str, Any] | None:
        """The state the engine answered for a child the run's registrar recorded; None for a child registered
        through the SDK."""
        registrar = self._kubexpose_registrar
        return None if registrar is None else registrar.state_of(child)

    def fixed(self, value: Any, depends_on: pulumi.Resource) -> Out:
        """An output whose value is known at declaration and that depends on child `depends_on`: a
        :class:`~kubexpose.components.outputs.Fixed` value, an Output once read (see :meth:`finish`); on the fast
        path the Output depends on the component (its children are stand-ins)."""
        return Fixed(value, depends_on if self._kubexpose_registrar is None else None)

    def in_namespace(self, template: str, namespace: Any, depends_on: pulumi.Resource) -> Out:
        """:meth:`fixed` of `template` with its `{namespace}` filled in; once the namespace is known when it is an
        Output."""
        if isinstance(namespace, pulumi.Output):
            return in_namespace(template, namespace, depends_on)
        return self.fixed(template.format(namespace=namespace), depends_on)

    def finish(self, outputs: Mapping[str, Out]) -> None:
        """Set every output attribute and register them (the last step of `__init__`).

        A :class:`~kubexpose.components.outputs.Fixed` value (known at declaration) becomes an Output only the first
        time program code reads it: each Output costs an asyncio task, and most outputs are never read. The values
        are registered as they are (the state records values, never dependencies); on the fast path nothing reads
        the registered outputs, so nothing is registered."""
        for key, value in outputs.items():
            if isinstance(value, Fixed):
                self._kubexpose_fixed[key] = value
            else:
                setattr(self, key, value)
        if self._kubexpose_registrar is None:
            self.register_outputs({k: v.value if isinstance(v, Fixed) else v for k, v in outputs.items()})

    def __getattr__(self, attr: str) -> Any:
        """An output known at declaration, read for the first time: made an Output now (see :meth:`finish`)."""
        fixed = self.__dict__.get("_kubexpose_fixed")
        if fixed is None or attr not in fixed:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {attr!r}")
        value = fixed.pop(attr)
        output = known(value.value, value.depends_on if value.depends_on is not None else self)
        setattr(self, attr, output)
        return output
