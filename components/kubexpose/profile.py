"""The per-stack exposure profile: what ``stacks/Pulumi.<stack>.yaml`` decides for every component.

The program reads the ``kubexpose:`` config namespace once into a :class:`StackProfile`; components
take it as their default and explicit arguments always win. Components never look at the stack name.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import pulumi
from pulumi_kubernetes.core.v1 import ServiceSpecType

from . import _sdk
from .claims import ProgramState, at_program_end
from .errors import ConfigError, ValidationError
from .k8s.scheduling import Scheduling, parse_scheduling
from .k8s.validation import Checker

CONFIG_NAMESPACE = "kubexpose"
DEFAULT_NODE_PORT_RANGE = (30000, 32767)
EXTERNAL_TRAFFIC_POLICIES = ("Cluster", "Local")


@dataclass(frozen=True)
class LoadBalancerSettings:
    """Stack-wide defaults written only on LoadBalancer Services."""

    annotations: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """Cloud load-balancer annotations (e.g. internal/external scheme). Default: none."""
    source_ranges: tuple[str, ...] = ()
    """Canonical CIDRs allowed to reach the load balancer. Default: everyone."""
    load_balancer_class: str | None = None
    """`spec.loadBalancerClass`, for clusters with several LB implementations. Default: the cluster's."""
    external_traffic_policy: str | None = None
    """`Cluster` or `Local` (keeps the client IP). Default: Kubernetes' (`Cluster`)."""


@dataclass(frozen=True)
class IngressSettings:
    """The stack's Ingress controller, for apps with `http` (`kubexpose:ingress`)."""

    class_name: str
    """`spec.ingressClassName`, e.g. `nginx`."""
    annotations: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """Annotations on every Ingress (controller settings). Default: none."""
    tls_secret: str | None = None
    """A TLS Secret (in each app's namespace) the controller serves the hosts with; `url` is then https. Default: none."""
    namespace: str | None = None
    """The controller's namespace: the NetworkPolicy of an app behind it admits that namespace only.
    Default: unknown, so the route's port admits every namespace."""


@dataclass(frozen=True)
class GatewaySettings:
    """The stack's Gateway API Gateway, for apps with `http` (`kubexpose:gateway`)."""

    name: str
    """The Gateway's name."""
    namespace: str
    """The Gateway's namespace (also the one the app's NetworkPolicy admits on the route's port)."""
    section_name: str | None = None
    """The listener to attach to (`parentRefs[].sectionName`). Default: every listener that allows it."""
    tls: bool = False
    """The listener terminates TLS, so `url` is https. Default: false."""


@dataclass(frozen=True)
class StackProfile:
    """Per-stack choices, read from the ``kubexpose:`` config namespace (see docs/installation-configuration.md)."""

    public_service_type: ServiceSpecType = ServiceSpecType.LOAD_BALANCER
    """Service type for ``Exposure.PUBLIC``: NodePort or LoadBalancer. Default: LoadBalancer."""
    namespace: str = "default"
    """Namespace of every object unless a component names its own. Default: `default`."""
    node_port_range: tuple[int, int] = DEFAULT_NODE_PORT_RANGE
    """The cluster's `--service-node-port-range`. Default: 30000-32767."""
    skip_await: bool = False
    """Annotate Services with `pulumi.com/skipAwait: "true"` (local clusters never get an LB IP)."""
    load_balancer: LoadBalancerSettings = field(default_factory=LoadBalancerSettings)
    """Defaults for LoadBalancer Services. Default: none."""
    aliases: Mapping[str, str | tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    """Per-stack ExternalAlias targets by alias name; they override the target in code."""
    node_address: str = "localhost"
    """Host that reaches a node port from outside (for the `url` output). Default: localhost."""
    ingress: IngressSettings | None = None
    """The Ingress controller apps with `http` go behind. Default: none."""
    gateway: GatewaySettings | None = None
    """The Gateway apps with `http` attach to (instead of an Ingress). Default: none."""
    zones: bool = False
    """The cluster's nodes span zones: apps with 2+ replicas also spread across `topology.kubernetes.io/zone`."""
    scheduling: Scheduling = field(default_factory=Scheduling)
    """Where every app's Pods run unless the app says otherwise (`kubexpose:scheduling`). Default: anywhere."""
    egress_restricted: bool = False
    """`kubexpose:egress: restricted`: every app may call only what the program says it calls. Default: open."""
    cluster: str | None = None
    """`kubexpose:cluster`: the kube context (or API server URL) the stack's default kubernetes provider must deploy
    to; a program whose default provider points elsewhere fails before anything is registered. Default: not checked."""
    stack: str = field(default="<explicit>", compare=False)
    """The stack the profile was read for (named in config errors)."""

    @property
    def has_router(self) -> bool:
        """The stack names an HTTP router (`kubexpose:ingress` or `kubexpose:gateway`) for apps with `http`."""
        return self.ingress is not None or self.gateway is not None

    @classmethod
    def from_config(cls, stack: str | None = None) -> StackProfile:
        """Read the ``kubexpose:`` stack config of the running program (or of a mocked one).

        A key whose namespace is one edit away from ``kubexpose`` (``kubexpse:namespace``) is an error,
        and so is a kubexpose key stored as a secret: kubexpose writes its settings into cluster
        objects (an ExternalName, annotations, ranges) that anyone who can read them sees in clear.
        """
        stack = stack or pulumi.get_stack()
        config = pulumi.Config(CONFIG_NAMESPACE)
        all_keys = _sdk.in_process_config_keys() | set(pulumi.runtime.get_config_env())
        _check_namespaces(all_keys, stack)
        _check_project_keys(all_keys, pulumi.get_project(), stack)
        raw: dict[str, Any] = {}
        prefix = f"{CONFIG_NAMESPACE}:"
        for key in sorted(k[len(prefix) :] for k in all_keys if k.startswith(prefix)):
            if pulumi.runtime.is_config_secret(f"{prefix}{key}"):
                raise ConfigError(
                    f"stack '{stack}': config '{prefix}{key}' is a secret, but kubexpose writes its settings into "
                    "cluster objects that anyone who can read them sees in clear text; store it as plain config "
                    f"(`pulumi config set {prefix}{key} ...` without --secret)",
                    f"{prefix}{key}",
                )
            value = config.get(key)
            if value is not None:
                raw[key] = value
        profile = cls.from_mapping(raw, stack=stack)
        if profile.aliases:
            # A per-stack alias for a name the program never declares would silently do nothing.
            at_program_end("kubexpose:aliases", profile._check_declared_aliases)
        return profile

    @classmethod
    def from_mapping(
        cls, raw: Mapping[str, Any], stack: str = "<explicit>", secret_keys: Iterable[str] = ()
    ) -> StackProfile:
        """Build a profile from config values keyed as in the stack file, without the namespace.

        Values may be already-parsed YAML (``{"nodePortRange": "30000-32767"}``) or the strings
        Pulumi passes to a program (objects as JSON). Unknown keys are an error, so typos surface.
        Values of `secret_keys` never appear in error messages.
        """
        unknown = sorted(set(raw) - set(_KEYS))
        if unknown:
            raise ConfigError(
                f"stack '{stack}': config key '{CONFIG_NAMESPACE}:{unknown[0]}' is not known to "
                f"kubexpose; use one of {', '.join(f'{CONFIG_NAMESPACE}:{k}' for k in _KEYS)}",
                f"{CONFIG_NAMESPACE}:{unknown[0]}",
            )
        kwargs: dict[str, Any] = {"stack": stack}
        hidden = set(secret_keys)
        for key, value in raw.items():
            kwargs[_KEYS[key][0]] = _KEYS[key][1](_Reader(stack, key, key in hidden), value)
        return cls(**kwargs)

    def _check_declared_aliases(self, state: ProgramState) -> None:
        self.check_aliases(state.declared.get("ExternalAlias", []))

    def check_aliases(self, declared: Iterable[str]) -> None:
        """Raise if `kubexpose:aliases` names an alias the program never declares (a typo would do nothing)."""
        names = set(declared)
        unknown = sorted(set(self.aliases) - names)
        if unknown:
            raise ConfigError(
                f"stack '{self.stack}': config '{CONFIG_NAMESPACE}:aliases' names '{unknown[0]}', which is not "
                "an ExternalAlias of the program; "
                + (
                    f"use one of: {', '.join(sorted(names))}"
                    if names
                    else "the program declares none: remove the entry or declare the ExternalAlias"
                ),
                f"{CONFIG_NAMESPACE}:aliases",
            )


def _check_project_keys(keys: Iterable[str], project: str, stack: str) -> None:
    """Raise for a project key named like a kubexpose setting (`publicServiceType:` written without the
    `kubexpose:` prefix belongs to the project), unless `Pulumi.yaml` declares it as the project's own."""
    if project == CONFIG_NAMESPACE:
        return
    declared: set[str] | None = None
    for key in sorted(keys):
        namespace, _, name = key.partition(":")
        if namespace != project or name not in _KEYS:
            continue
        if declared is None:
            declared = _declared_project_keys(project)
        if name not in declared:
            raise ConfigError(
                f"stack '{stack}': config key '{key}' belongs to project '{project}' (a key written without a "
                f"namespace does), which kubexpose does not read; write it as '{CONFIG_NAMESPACE}:{name}', or declare "
                f"'{name}' under config: in Pulumi.yaml if the program reads it itself",
                key,
            )


def _declared_project_keys(project: str) -> set[str]:
    """Keys the `Pulumi.yaml` of the working directory (where Pulumi runs a program) declares for the project,
    read by the rules the render reads it with (none when there is no readable project file)."""
    from .stackfiles import Project

    try:
        declared = Project.load(".").declared
    except ConfigError:
        return set()
    return {key.removeprefix(f"{project}:") for key in declared}


def _check_namespaces(keys: Iterable[str], stack: str) -> None:
    """Raise for a key whose namespace is one edit away from ``kubexpose`` (a typo would do nothing)."""
    for key in sorted(keys):
        namespace, _, name = key.partition(":")
        if namespace != CONFIG_NAMESPACE and _one_edit_apart(namespace, CONFIG_NAMESPACE):
            raise ConfigError(
                f"stack '{stack}': config key '{key}' is under namespace '{namespace}', which kubexpose does not "
                f"read; did you mean '{CONFIG_NAMESPACE}:{name}'?",
                key,
            )


def _one_edit_apart(a: str, b: str) -> bool:
    """True when one insertion, deletion, substitution or swap of neighbours turns `a` into `b`."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        swapped = len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
        return len(diff) == 1 or swapped
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


class _Reader:
    """Parses one config key and names the key and the stack when it is malformed."""

    def __init__(self, stack: str, key: str, secret: bool = False) -> None:
        self.stack = stack
        self.key = key
        self.secret = secret

    def fail(self, value: Any, problem: str, fix: str) -> ConfigError:
        shown = "[secret]" if self.secret else repr(value)
        return ConfigError(
            f"stack '{self.stack}': config '{CONFIG_NAMESPACE}:{self.key}' = {shown} {problem}; {fix}",
            f"{CONFIG_NAMESPACE}:{self.key}",
        )

    def obj(self, value: Any, kind: type, example: str) -> Any:
        if isinstance(value, str) and kind is not str:
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                raise self.fail(value, f"is not a {kind.__name__}", f"write it as {example}") from None
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise self.fail(value, f"is not a {kind.__name__}", f"write it as {example}")
        return value

    def checked(self, check: Any, *args: Any) -> Any:
        """Run a Checker rule and re-raise its message as a config error."""
        try:
            return check(*args)
        except ValidationError as err:
            if self.secret:
                raise self.fail(None, "is not valid", "check the secret's value") from None
            detail = str(err).split(": ", 1)[1]
            raise ConfigError(
                f"stack '{self.stack}': config '{CONFIG_NAMESPACE}:{self.key}' {detail}",
                f"{CONFIG_NAMESPACE}:{self.key}",
            ) from None


def _public_service_type(r: _Reader, value: Any) -> ServiceSpecType:
    allowed = {"NodePort": ServiceSpecType.NODE_PORT, "LoadBalancer": ServiceSpecType.LOAD_BALANCER}
    if value not in allowed:
        raise r.fail(value, "is not a public Service type", "use NodePort (local clusters) or LoadBalancer (cloud)")
    return allowed[value]


def _egress(r: _Reader, value: Any) -> bool:
    if value not in ("open", "restricted"):
        raise r.fail(value, "is not an egress setting", "use restricted (apps call only what they declare) or open")
    return value == "restricted"


def _namespace(r: _Reader, value: Any) -> str:
    return str(r.checked(Checker("profile", r.stack).dns_label, "namespace", value))


_RANGE = re.compile(r"^\s*(\d+)\s*-\s*(\d+)\s*$")


def _node_port_range(r: _Reader, value: Any) -> tuple[int, int]:
    match = _RANGE.match(value) if isinstance(value, str) else None
    if not match:
        raise r.fail(value, "is not a port range", "write it as 'LOW-HIGH', e.g. '30000-32767'")
    low, high = int(match.group(1)), int(match.group(2))
    if not 1 <= low <= high <= 65535:
        raise r.fail(
            value, "is reversed or outside 1-65535", "write it as 'LOW-HIGH' with LOW <= HIGH, e.g. '30000-32767'"
        )
    return (low, high)


def _bool(r: _Reader, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise r.fail(value, "is not a boolean", "write true or false")


_LB_FIELDS = {
    "annotations": "annotations",
    "sourceRanges": "source_ranges",
    "class": "load_balancer_class",
    "externalTrafficPolicy": "external_traffic_policy",
}


def _load_balancer(r: _Reader, value: Any) -> LoadBalancerSettings:
    block = r.obj(value, dict, "{annotations: {...}, sourceRanges: [...], class: ..., externalTrafficPolicy: Local}")
    unknown = sorted(set(block) - set(_LB_FIELDS))
    if unknown:
        raise r.fail(block, f"has the unknown field '{unknown[0]}'", f"use only {', '.join(_LB_FIELDS)}")
    check = Checker("profile", r.stack)
    kwargs: dict[str, Any] = {}
    if "annotations" in block:
        kwargs["annotations"] = MappingProxyType(
            r.checked(check.annotations, "loadBalancer.annotations", block["annotations"])
        )
    if "sourceRanges" in block:
        ranges = block["sourceRanges"]
        if not isinstance(ranges, list):
            raise r.fail(ranges, "has sourceRanges that are not a list", "write sourceRanges: ['10.0.0.0/8']")
        kwargs["source_ranges"] = tuple(r.checked(check.cidr, "loadBalancer.sourceRanges", c) for c in ranges)
    if "class" in block:
        kwargs["load_balancer_class"] = r.checked(check.label_key, "loadBalancer.class", block["class"])
    if "externalTrafficPolicy" in block:
        kwargs["external_traffic_policy"] = r.checked(
            check.one_of,
            "loadBalancer.externalTrafficPolicy",
            block["externalTrafficPolicy"],
            EXTERNAL_TRAFFIC_POLICIES,
            "use Cluster or Local",
        )
    return LoadBalancerSettings(**kwargs)


def _aliases(r: _Reader, value: Any) -> Mapping[str, str | tuple[str, ...]]:
    block = r.obj(value, dict, "{external-service: api.example.com}")
    out: dict[str, str | tuple[str, ...]] = {}
    for name, target in block.items():
        if isinstance(target, str) and target:
            out[name] = target
        elif isinstance(target, list) and target and all(isinstance(t, str) for t in target):
            out[name] = tuple(target)
        else:
            raise r.fail(block, f"maps '{name}' to {target!r}", "give a DNS name or a list of IP addresses")
    return MappingProxyType(out)


def _node_address(r: _Reader, value: Any) -> str:
    if not isinstance(value, str) or not value or "/" in value:
        raise r.fail(value, "is not a host name or IP", "give the address that reaches a node, e.g. localhost")
    return value


def _cluster(r: _Reader, value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or any(c.isspace() for c in value):
        raise r.fail(value, "is not a context name or API server URL", "give e.g. 'prod-eu' or 'https://10.0.0.1:6443'")
    return value


def _block(r: _Reader, value: Any, fields: Mapping[str, str], required: Iterable[str], example: str) -> dict[str, Any]:
    block = r.obj(value, dict, example)
    unknown = sorted(set(block) - set(fields))
    if unknown:
        raise r.fail(block, f"has the unknown field '{unknown[0]}'", f"use only {', '.join(fields)}")
    for key in required:
        if key not in block:
            raise r.fail(block, f"lacks '{key}'", f"write it as {example}")
    return block


def _ingress(r: _Reader, value: Any) -> IngressSettings:
    fields = {
        "className": "class_name",
        "annotations": "annotations",
        "tlsSecret": "tls_secret",
        "namespace": "namespace",
    }
    block = _block(r, value, fields, ["className"], "{className: nginx, tlsSecret: shop-tls, namespace: ingress-nginx}")
    check = Checker("profile", r.stack)
    kwargs: dict[str, Any] = {
        "class_name": r.checked(check.dns_subdomain, "ingress.className", block["className"], "IngressClass")
    }
    if "annotations" in block:
        kwargs["annotations"] = MappingProxyType(
            r.checked(check.annotations, "ingress.annotations", block["annotations"])
        )
    if "tlsSecret" in block:
        kwargs["tls_secret"] = r.checked(check.dns_subdomain, "ingress.tlsSecret", block["tlsSecret"], "Secret")
    if "namespace" in block:
        kwargs["namespace"] = r.checked(check.dns_label, "ingress.namespace", block["namespace"])
    return IngressSettings(**kwargs)


def _gateway(r: _Reader, value: Any) -> GatewaySettings:
    fields = {"name": "name", "namespace": "namespace", "sectionName": "section_name", "tls": "tls"}
    block = _block(r, value, fields, ["name", "namespace"], "{name: shared, namespace: gateways, sectionName: https}")
    check = Checker("profile", r.stack)
    kwargs: dict[str, Any] = {
        "name": r.checked(check.dns_subdomain, "gateway.name", block["name"], "Gateway"),
        "namespace": r.checked(check.dns_label, "gateway.namespace", block["namespace"]),
    }
    if "sectionName" in block:
        kwargs["section_name"] = r.checked(check.dns_label, "gateway.sectionName", block["sectionName"])
    if "tls" in block:
        kwargs["tls"] = _bool(r, block["tls"])
    return GatewaySettings(**kwargs)


_SCHEDULING_FIELDS = {
    "nodeSelector": "node_selector",
    "tolerations": "tolerations",
    "nodeAffinity": "node_affinity",
    "podAffinity": "pod_affinity",
    "podAntiAffinity": "pod_anti_affinity",
    "priorityClassName": "priority_class_name",
}
_CAMEL_FIELDS = {**_SCHEDULING_FIELDS, "tolerationSeconds": "toleration_seconds", "matchExpressions": "match_expressions",
                 "topologyKey": "topology_key"}  # fmt: skip
"""The camelCase fields of `kubexpose:scheduling` (as in the schema) and their names in an app's arguments."""


def _snake(value: Any, free: bool = False) -> Any:
    """A scheduling block with the field names of an app's arguments; label maps (`free`) keep their keys."""
    if isinstance(value, Mapping) and not free:
        return {_CAMEL_FIELDS.get(k, k): _snake(v, k in ("nodeSelector", "labels")) for k, v in value.items()}
    if isinstance(value, list):
        return [_snake(v) for v in value]
    return value


def _scheduling(r: _Reader, value: Any) -> Scheduling:
    example = "{nodeSelector: {pool: prod}, tolerations: [{key: pool, value: prod, effect: NoSchedule}]}"
    block = _block(r, value, _SCHEDULING_FIELDS, [], example)
    camel = {snake: name for name, snake in _CAMEL_FIELDS.items()}
    try:
        return parse_scheduling(Checker("profile", r.stack), _snake(block))
    except ValidationError as err:  # named as the stack file writes it
        detail = re.sub(r"[a-z]+(?:_[a-z]+)+", lambda m: camel.get(m.group(0), m.group(0)), str(err).split(": ", 1)[1])
        raise ConfigError(
            f"stack '{r.stack}': config '{CONFIG_NAMESPACE}:{r.key}' {detail}", f"{CONFIG_NAMESPACE}:{r.key}"
        ) from None


_KEYS: dict[str, tuple[str, Any]] = {
    "publicServiceType": ("public_service_type", _public_service_type),
    "namespace": ("namespace", _namespace),
    "nodePortRange": ("node_port_range", _node_port_range),
    "skipAwait": ("skip_await", _bool),
    "loadBalancer": ("load_balancer", _load_balancer),
    "aliases": ("aliases", _aliases),
    "nodeAddress": ("node_address", _node_address),
    "ingress": ("ingress", _ingress),
    "gateway": ("gateway", _gateway),
    "zones": ("zones", _bool),
    "scheduling": ("scheduling", _scheduling),
    "egress": ("egress_restricted", _egress),
    "cluster": ("cluster", _cluster),
}
