"""Environment variables: plain values, references (Secrets, ConfigMaps, Pod fields), and secret values that reach the Pod through the component's own Secret (a change rolls the Pods)."""

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, cast

import pulumi
import pulumi_kubernetes as k8s

from ...k8s.metadata import object_metadata
from ...k8s.pod import (
    ENV_SECRET_VERSION,
    PodModel,
    container_env,
    env_order,
    env_references,
    template_metadata,
)
from ...k8s.validation import CONFIG_KEY, ENV_VAR_NAME, Checker
from .base import child_resource_name


def parse_env(check: Checker, env: Any, refs: Any) -> tuple[tuple[str, Any], ...]:
    pairs = env_values(check, env)
    return check_references(check, pairs, env_refs_of(check, refs, {name for name, _ in pairs}))


SERVICE_LINK = re.compile(
    r"^[A-Z0-9_]+_(SERVICE_HOST|SERVICE_PORT(_[A-Z0-9_]+)?|PORT(_[0-9]+_(TCP|UDP|SCTP)(_(PROTO|PORT|ADDR))?)?)$"
)
"""The variables Kubernetes gives a container for each Service of its namespace (`enableServiceLinks`, on by
default): a value may refer to them though no entry defines them."""


def check_references(
    check: Checker, pairs: tuple[tuple[str, Any], ...], refs: tuple[tuple[str, Any], ...]
) -> tuple[tuple[str, Any], ...]:
    """`pairs` (env values), each `$(NAME)` reference checked: to a variable `env` or `env_refs` defines (or a
    Service link), and not in a cycle; a value known only later is checked when known, against the variables the
    order (:func:`~kubexpose.k8s.pod.env_order`) puts before it. Returns `pairs` with those values wrapped."""
    entries = [*pairs, *((name, None) for name, _ in refs)]
    defined = {name for name, _ in entries}
    order = [entries[i][0] for i in env_order(entries)]
    out = []
    for name, value in pairs:
        field = f"env[{name!r}]"
        if isinstance(value, pulumi.Output):
            before = set(order[: order.index(name)])
            value = check.input(
                field, value, functools.partial(_late_references, check, field, defined, before), secret_ok=True
            )
        else:
            _undefined(check, field, value, defined)
        out.append((name, value))
    values = dict(pairs)
    for name, value in pairs:  # a cycle keeps a reference from ever expanding
        chain = _cycle(name, values)
        if chain:
            check.fail(
                f"env[{name!r}]",
                value,
                f"refers to itself through {' -> '.join(f'$({n})' for n in chain)}",
                "Kubernetes expands a reference only to a variable listed before it: break the cycle",
            )
    return tuple(out)


def _undefined(check: Checker, field: str, value: Any, defined: set[str]) -> None:
    for ref in env_references(value):
        if ref not in defined and not SERVICE_LINK.match(ref):
            check.fail(
                field,
                value,
                f"refers to $({ref}), which no env or env_refs entry defines (Kubernetes would leave the text as it is)",
                f"define {ref} in env or env_refs, or write $$({ref}) for the text itself",
            )


def _late_references(check: Checker, field: str, defined: set[str], before: set[str], value: Any) -> Any:
    """A value known only now: its references were not known when the order was decided."""
    _undefined(check, field, value, defined)
    late = [ref for ref in env_references(value) if ref in defined and ref not in before]
    if late:
        check.fail(
            field,
            value,
            f"refers to $({late[0]}), which the container's env lists after it (the order is decided before this "
            "value is known, so it cannot follow its references)",
            f"give this value as a plain string, or give {late[0]} in env_refs",
        )
    return value


def _cycle(start: str, values: Mapping[str, Any]) -> list[str]:
    """The names from `start` back to it through `$(NAME)` references of plain values, or [] when there is none."""
    path: list[str] = []

    def walk(name: str) -> bool:
        for ref in env_references(values.get(name)):
            if ref == start:
                path.append(ref)
                return True
            if ref in values and ref not in path:
                path.append(ref)
                if walk(ref):
                    return True
                path.pop()
        return False

    return [start, *path] if walk(start) else []


def env_values(check: Checker, env: Any) -> tuple[tuple[str, Any], ...]:
    if env is None:
        return ()
    if not isinstance(env, Mapping):
        check.fail("env", env, "is not a mapping", "pass {'NAME': 'value'}")
    out = []
    for key, value in env.items():
        if not isinstance(key, str) or not ENV_VAR_NAME.match(key):
            check.fail(
                "env key",
                key,
                "is not a valid environment variable name",
                "use letters, digits, '_', '-' and '.', not starting with a digit",
            )
        checked = check.input(
            f"env[{key!r}]", value, functools.partial(env_text, check, f"env[{key!r}]"), secret_ok=True
        )
        out.append((key, checked))
    return tuple(out)


_REF_KINDS = {
    "secret": ("secret_key_ref", "Secret"),
    "config_map": ("config_map_key_ref", "ConfigMap"),
}


_FIELD_PATHS = (
    "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName",
    "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs",
)  # fmt: skip


def env_refs_of(check: Checker, refs: Any, plain: set[str]) -> tuple[tuple[str, dict[str, Any]], ...]:
    """`env_refs` as `(name, EnvVarSource)` pairs, each checked (names, keys, field paths, no clash with `env`)."""
    if refs is None:
        return ()
    if not isinstance(refs, Mapping):
        check.fail("env_refs", refs, "is not a mapping", "pass {'DB_PASSWORD': {'secret': 'db', 'key': 'password'}}")
    out: list[tuple[str, dict[str, Any]]] = []
    for name, ref in refs.items():
        where = f"env_refs[{name!r}]"
        if not isinstance(name, str) or not ENV_VAR_NAME.match(name):
            check.fail(
                "env_refs key",
                name,
                "is not a valid environment variable name",
                "use letters, digits, '_', '-' and '.', not starting with a digit",
            )
        if name in plain:
            check.fail(
                where, ref, "sets a variable `env` sets too", "give each variable in env or in env_refs, not both"
            )
        if not isinstance(ref, Mapping):
            check.fail(
                where,
                ref,
                "is not a mapping",
                "give {'secret': NAME, 'key': KEY}, {'config_map': NAME, 'key': KEY} or {'field': PATH}",
            )
        kinds = [k for k in ("secret", "config_map", "field") if k in ref]
        if len(kinds) != 1 or set(ref) - {"secret", "config_map", "field", "key"}:
            check.fail(
                where,
                dict(ref),
                "is not one source",
                "give {'secret': NAME, 'key': KEY}, {'config_map': NAME, 'key': KEY} or {'field': PATH}",
            )
        if kinds == ["field"]:
            path = ref["field"]
            if "key" in ref or (
                path not in _FIELD_PATHS and not re.match(r"^metadata\.(labels|annotations)\['[^']+'\]$", str(path))
            ):
                check.fail(
                    f"{where}.field",
                    path,
                    "is not a field the downward API gives",
                    f"use one of {', '.join(_FIELD_PATHS)}, or metadata.labels['KEY']",
                )
            # apiVersion v1 is the server's default, written out: the selector is an atomic struct, so without it
            # the stored one differs as a whole (a conflict for a second server-side applier)
            out.append((name, {"field_ref": {"api_version": "v1", "field_path": path}}))
            continue
        kind = kinds[0]
        source, what = _REF_KINDS[kind]
        object_name = check.dns_subdomain(f"{where}.{kind}", ref[kind], what)
        key = ref.get("key")
        if not isinstance(key, str) or not key or len(key) > 253 or not CONFIG_KEY.match(key):
            check.fail(
                f"{where}.key", key, f"is not a {what} key", "use at most 253 of [-._a-zA-Z0-9], e.g. 'password'"
            )
        out.append((name, {source: {"name": object_name, "key": key}}))
    return tuple(out)


def env_text(check: Checker, field: str, value: Any) -> str:
    """An env value as Kubernetes takes it: a string (numbers and booleans are written as text)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if not isinstance(value, str):
        check.fail(
            field,
            value,
            "is not a string, number or boolean",
            "give a string or an Output of one, or drop the variable",
        )
    return value


@dataclass(frozen=True)
class PodEnv:
    """The containers' `env` and the Pod template's metadata (None: just the labels), each a value or an Output."""

    env: Any
    template_metadata: Any = None
    init_env: tuple[Any, ...] = ()
    """The `env` of each init container (sidecars and init steps), in order."""


def plain_env(pod: PodModel) -> PodEnv:
    """The containers' env as declared, secret values in place (a dry run of the children: nothing is declared)."""

    def env_of(model: PodModel) -> Any:
        return model.env if isinstance(model.env, pulumi.Output) else (container_env(model) or None)

    return PodEnv(env_of(pod), None, tuple(env_of(c.model) for c in pod.init_containers))


def _computed(model: PodModel) -> bool:
    return isinstance(model.env, pulumi.Output) or any(isinstance(v, pulumi.Output) for _, v in model.env)


def declare_env(
    name: str, namespace: Any, labels: Mapping[str, Any], pod: PodModel, opts: pulumi.ResourceOptions
) -> PodEnv:
    """The containers' env, with every secret value moved into a Secret `<name>-env` the component owns.

    An env value that is a secret Output (`config.require_secret(...)`, `pulumi.Output.secret(...)`, a
    resource's secret output) becomes a key of that Secret (its data secret in Pulumi's state) and
    reaches the container through `valueFrom.secretKeyRef`: the Deployment never holds it. The app's variables are
    keys of their own name; a sidecar's or init step's `<container>.<NAME>`. Whether an Output is secret is known
    only once it resolves (during a preview too, even when its value is not), so the Secret is declared then, and
    only when some value is secret; an `env` given as one secret Output (a map holding a secret, as another
    language sends it) goes into the Secret whole. The Pod template carries the Secret's `resourceVersion`
    (:data:`ENV_SECRET_VERSION`), so a changed secret rolls the Pods; under mocks, which give no
    `resourceVersion`, the annotation is left out."""
    models = [pod, *(c.model for c in pod.init_containers)]
    prefixes = ["", *(f"{m.container_name}." for m in models[1:])]
    if not any(_computed(m) for m in models):
        return PodEnv(container_env(pod) or None, None, tuple(container_env(m) or None for m in models[1:]))

    async def secrecy() -> list[Any]:
        """Per container: whether its whole `env` Output is secret, or the names of its secret values."""
        out: list[Any] = []
        for m in models:
            if isinstance(m.env, pulumi.Output):
                out.append(await m.env.is_secret())
            else:
                out.append(frozenset([k for k, v in m.env if isinstance(v, pulumi.Output) and await v.is_secret()]))
        return out

    def declare(flags: list[Any]) -> Any:
        secret = None
        if any(flags):
            pieces: list[Any] = []
            for m, prefix, flag in zip(models, prefixes, flags, strict=True):
                if isinstance(m.env, pulumi.Output) and flag:
                    pieces.append(m.env.apply(functools.partial(_keyed, prefix)))
                elif flag:
                    pieces.append({prefix + k: v for k, v in m.env if k in flag})
            data = pieces[0] if len(pieces) == 1 else pulumi.Output.all(*pieces).apply(_merged)
            secret = _env_secret(name, namespace, labels, data, opts)
        envs = [_env_of(m, prefix, flag, secret) for m, prefix, flag in zip(models, prefixes, flags, strict=True)]
        metadata = template_metadata(labels, pod.annotations) if secret is None else _rolling(secret, labels, pod)
        return pulumi.Output.from_input({"envs": envs, "metadata": metadata})

    both = pulumi.Output.from_input(cast(Any, secrecy())).apply(declare)
    return PodEnv(
        both.apply(lambda d: d["envs"][0]),
        both.apply(lambda d: d["metadata"]),
        tuple(
            both.apply(functools.partial(_nth_env, i)) if _computed(m) else (container_env(m) or None)
            for i, m in enumerate(models)
            if i
        ),
    )


def _keyed(prefix: str, pairs: Any) -> dict[str, Any]:
    return {prefix + key: value for key, value in pairs}


def _nth_env(i: int, declared: Mapping[str, Any]) -> Any:
    return declared["envs"][i]


def _merged(pieces: list[Mapping[str, Any]]) -> dict[str, Any]:
    return {key: value for piece in pieces for key, value in piece.items()}


def _env_of(model: PodModel, prefix: str, flag: Any, secret: k8s.core.v1.Secret | None) -> Any:
    """One container's env: its secret values (`flag`: the names, or True for a whole secret `env` Output) through
    `secret`; the list of a whole secret Output holds names and references only, so it is made plain (the
    Deployment's diffs stay readable)."""
    if isinstance(model.env, pulumi.Output):
        if not flag or secret is None:
            return model.env.apply(lambda pairs: container_env(replace(model, env=pairs)))
        owned = secret.metadata.name
        listed = model.env.apply(
            lambda pairs: container_env(replace(model, env=pairs), owned, frozenset(k for k, _ in pairs), prefix)
        )
        return pulumi.Output.unsecret(listed)
    if flag and secret is not None:
        return container_env(model, secret.metadata.name, flag, prefix)
    return container_env(model)


def _env_secret(
    name: str, namespace: Any, labels: Mapping[str, Any], data: Any, opts: pulumi.ResourceOptions
) -> k8s.core.v1.Secret:
    """The Secret `<name>-env` the component owns, holding the secret variables."""
    return k8s.core.v1.Secret(
        child_resource_name(opts, f"{name}-env"),
        metadata=object_metadata(f"{name}-env", namespace, labels),
        type="Opaque",
        string_data=data,
        opts=opts,
    )


def _rolling(secret: k8s.core.v1.Secret, labels: Mapping[str, Any], pod: PodModel) -> pulumi.Output[Any]:
    """The Pod template's metadata, with the Secret's `resourceVersion` once a cluster gave it one."""
    return secret.metadata.apply(
        lambda meta: template_metadata(
            labels,
            {**pod.annotations, ENV_SECRET_VERSION: meta["resource_version"]}
            if meta.get("resource_version")
            else pod.annotations,
        )
    )
