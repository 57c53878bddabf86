"""Parsing of what every workload's Pod shares: image, container ports, env, probes, security, volumes.

A component that runs a container (today ExposedDeployment; a CronJob-backed worker would too)
turns its container arguments into a :class:`~kubexpose.k8s.pod.PodModel` here; the field names
and messages are then the same in every component.
"""

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, NotRequired, TypedDict, cast

import pulumi
import pulumi_kubernetes as k8s
from pulumi_kubernetes.core.v1 import (
    PodSecurityContextArgsDict,
    ProbeArgsDict,
    ResourceRequirementsArgsDict,
    SecurityContextArgsDict,
)

from ..k8s.metadata import object_metadata
from ..k8s.pod import (
    ENV_SECRET_VERSION,
    ContainerPort,
    Mount,
    PodModel,
    container_env,
    default_liveness_probe,
    default_readiness_probe,
    default_resources,
    secure_container_context,
    secure_pod_context,
    template_metadata,
)
from ..k8s.ports import Port
from ..k8s.quantity import check_resources
from ..k8s.schema import check_fields
from ..k8s.validation import ENV_VAR_NAME, Checker, is_iana_name
from .base import check_bool

_VOLUME_NAME_CHARS = re.compile(r"[^a-z0-9-]+")


# -- argument types shared by every component that runs a container --------------------------------
# They are what other languages see (the schema is derived from them). Python may pass any field of the
# matching Kubernetes type (e.g. a port name where a number is typed); it is checked against that type.
class ResourcesArgs(TypedDict):
    """CPU and memory for the container, as Kubernetes quantities."""

    requests: NotRequired[Mapping[str, str]]
    """What the scheduler reserves, e.g. `{"cpu": "100m", "memory": "128Mi"}`. Default: 50m CPU, 64Mi."""
    limits: NotRequired[Mapping[str, str]]
    """The most the container may use, e.g. `{"cpu": "1", "memory": "256Mi"}`. Default: 500m CPU, 256Mi."""


class HttpGetArgs(TypedDict):
    """An HTTP GET probe: success is a status from 200 to 399."""

    port: int
    """Container port number to call. Required."""
    path: NotRequired[str]
    """Path to request, e.g. `/healthz`. Default: `/`."""
    scheme: NotRequired[str]
    """`HTTP` or `HTTPS`. Default: `HTTP`."""


class TcpSocketArgs(TypedDict):
    """A TCP probe: success is an accepted connection."""

    port: int
    """Container port number to connect to. Required."""


class ExecArgs(TypedDict):
    """A command probe: success is exit status 0."""

    command: Sequence[str]
    """The command and its arguments, run in the container (no shell). Required."""


class ProbeArgs(TypedDict):
    """A readiness or liveness probe: exactly one of `http_get`, `tcp_socket`, `exec`, or `disabled`."""

    http_get: NotRequired[HttpGetArgs]
    """Probe with an HTTP GET."""
    tcp_socket: NotRequired[TcpSocketArgs]
    """Probe by opening a TCP connection."""
    exec: NotRequired[ExecArgs]
    """Probe by running a command."""
    initial_delay_seconds: NotRequired[int]
    """Seconds after the container starts before the first probe. Default: 0."""
    period_seconds: NotRequired[int]
    """Seconds between probes. Default: 10."""
    timeout_seconds: NotRequired[int]
    """Seconds before a probe times out. Default: 1."""
    success_threshold: NotRequired[int]
    """Successes in a row that count as healthy again (1 for liveness). Default: 1."""
    failure_threshold: NotRequired[int]
    """Failures in a row that count as unhealthy. Default: 3."""
    disabled: NotRequired[bool]
    """True: no probe at all, not even the default (Python may also pass None). Default: false."""


class CapabilitiesArgs(TypedDict):
    """Linux capabilities to add to or drop from the container."""

    add: NotRequired[Sequence[str]]
    """Capabilities to add, e.g. `["NET_BIND_SERVICE"]`. Default: none."""
    drop: NotRequired[Sequence[str]]
    """Capabilities to drop. Default: `["ALL"]`."""


class SecurityContextArgs(TypedDict):
    """Container security-context fields, merged over the secure defaults."""

    allow_privilege_escalation: NotRequired[bool]
    """Let a process gain more privileges than its parent. Default: false."""
    privileged: NotRequired[bool]
    """Run the container privileged. Default: false."""
    read_only_root_filesystem: NotRequired[bool]
    """Mount the root filesystem read-only (`writable_paths` become emptyDirs). Default: true."""
    run_as_non_root: NotRequired[bool]
    """Refuse to start as UID 0. Default: true."""
    run_as_user: NotRequired[int]
    """UID of the container's processes. Default: the Pod's (10001)."""
    run_as_group: NotRequired[int]
    """GID of the container's processes. Default: the Pod's (10001)."""
    capabilities: NotRequired[CapabilitiesArgs]
    """Capabilities to add or drop. Default: drop ALL."""


class SeccompProfileArgs(TypedDict):
    """The seccomp profile of the Pod's containers."""

    type: str
    """`RuntimeDefault`, `Localhost` or `Unconfined`. Required."""
    localhost_profile: NotRequired[str]
    """Profile file on the node, for `Localhost`. Default: none."""


class PodSecurityContextArgs(TypedDict):
    """Pod security-context fields, merged over the secure defaults."""

    run_as_non_root: NotRequired[bool]
    """Refuse to start containers as UID 0. Default: true."""
    run_as_user: NotRequired[int]
    """UID of every container's processes. Default: 10001."""
    run_as_group: NotRequired[int]
    """GID of every container's processes. Default: 10001."""
    fs_group: NotRequired[int]
    """Group that owns mounted volumes. Default: 10001."""
    supplemental_groups: NotRequired[Sequence[int]]
    """Extra groups of every container's processes. Default: none."""
    seccomp_profile: NotRequired[SeccompProfileArgs]
    """Seccomp profile. Default: `RuntimeDefault`."""


class MountArgs(TypedDict):
    """A ConfigMap or Secret mounted read-only into the container (exactly one of `config_map`, `secret`)."""

    config_map: NotRequired[str]
    """Name of an existing ConfigMap in the namespace."""
    secret: NotRequired[str]
    """Name of an existing Secret in the namespace."""
    path: str
    """Absolute directory the keys appear in, e.g. `/etc/app`; no other mount or writable path inside or above it. Required."""
    items: NotRequired[Mapping[str, str]]
    """Only these keys, each at a relative path under `path` (`{"app.yaml": "app.yaml"}`). Default: every key."""


class EnvRefArgs(TypedDict):
    """Where an environment variable's value comes from: a key of a Secret or ConfigMap, or a Pod field."""

    secret: NotRequired[str]
    """Name of an existing Secret in the namespace (with `key`)."""
    config_map: NotRequired[str]
    """Name of an existing ConfigMap in the namespace (with `key`)."""
    key: NotRequired[str]
    """The key inside the Secret or ConfigMap."""
    field: NotRequired[str]
    """A Pod field from the downward API, e.g. `status.podIP` or `metadata.name`."""


def check_image(check: Checker, image: Any) -> Any:
    """An image reference (a non-empty string without whitespace), or an Output checked when known."""
    return check.input("image", image, lambda value: _image(check, value))


def _image(check: Checker, image: Any) -> str:
    if not isinstance(image, str) or not image.strip() or any(c.isspace() for c in image):
        check.fail("image", image, "is not an image reference", "give e.g. 'nginxinc/nginx-unprivileged:1.27-alpine'")
    return image


def parse_container_ports(check: Checker, declared: Any, ports: list[Port]) -> tuple[ContainerPort, ...]:
    """The declared container ports, else one per Service port at its numeric target port; named
    target ports must name one of them."""
    out: list[ContainerPort] = []
    if declared is not None:
        if isinstance(declared, str) or not isinstance(declared, Sequence):
            check.fail("container_ports", declared, "is not a list", "give [{'container_port': 8080, 'name': 'http'}]")
        for i, item in enumerate(declared):
            field = f"container_ports[{i}]"
            if not isinstance(item, Mapping) or "container_port" not in item:
                check.fail(field, item, "is not a container port", "give {'container_port': 8080, 'name': 'http'}")
            port = ContainerPort(
                check.port_number(f"{field}.container_port", item["container_port"]),
                check.protocol(f"{field}.protocol", item.get("protocol", "TCP")),
                None if item.get("name") is None else check.iana_name(f"{field}.name", item["name"]),
            )
            if any((c.container_port, c.protocol) == (port.container_port, port.protocol) for c in out):
                # The API server keys a container's ports by (containerPort, protocol): server-side apply refuses
                # a second entry ("duplicate entries for key"), which the e2e suite found.
                check.fail(
                    f"{field}.container_port",
                    port.container_port,
                    f"is declared twice for {port.protocol}",
                    "declare each (port, protocol) once; one entry can carry the name",
                )
            out.append(port)
    else:
        for p in ports:
            if isinstance(p.target_port, int) and not any(
                c.container_port == p.target_port and c.protocol == p.protocol for c in out
            ):
                named = p.name is not None and is_iana_name(p.name) and all(c.name != p.name for c in out)
                out.append(ContainerPort(p.target_port, p.protocol, p.name if named else None))
    names = [c.name for c in out if c.name is not None]
    if len(names) != len(set(names)):
        check.fail("container_ports", names, "has a name used twice", "give every container port its own name")
    for i, p in enumerate(ports):
        if isinstance(p.target_port, str) and p.target_port not in names:
            check.fail(
                f"ports[{i}].target_port",
                p.target_port,
                "names no port of the container",
                f"declare it: container_ports=[{{'name': '{p.target_port}', 'container_port': 8080}}], or give a number",
            )
    return tuple(out)


def parse_pod(
    check: Checker,
    name: str,
    args: Mapping[str, Any],
    image: Any,
    container_ports: tuple[ContainerPort, ...],
    ports: list[Port],
) -> PodModel:
    """The single-container Pod: secure defaults with the user's fields merged over them.

    With `ports`, the probes default to TCP on the first target port; without (a batch worker), there
    are no default probes."""
    image_pull_policy = check.one_of(
        "image_pull_policy",
        args.get("image_pull_policy", "Always"),
        ("Always", "IfNotPresent", "Never"),
        "use 'Always', 'IfNotPresent' or 'Never'",
    )
    security_context = _merged(
        check, "security_context", secure_container_context(), args.get("security_context"), SecurityContextArgsDict
    )
    probes = {field: _probe(check, field, args) for field in ("readiness_probe", "liveness_probe")}
    if args.get("resources") is not None:
        check_fields(check, "resources", args["resources"], ResourceRequirementsArgsDict)
        check_resources(check, args["resources"])
    lists: dict[str, tuple[str, ...] | None] = {}
    for field in ("command", "args"):
        value = args.get(field)
        if value is not None and (
            isinstance(value, str) or not isinstance(value, Sequence) or not all(isinstance(v, str) for v in value)
        ):
            check.fail(field, value, "is not a list of strings", f"give e.g. {field}=['--port', '8080']")
        lists[field] = None if value is None else tuple(value)
    writable = _volumes(check, args.get("writable_paths"))
    env: Any = args.get("env")
    if isinstance(env, pulumi.Output):
        # The whole mapping computed (or, from another language, a map holding a secret: the wire then
        # marks the whole map secret): checked when known, like any Output.
        refs = args.get("env_refs")
        env_refs = _env_refs(check, refs, set())
        env = env.apply(lambda known: _env_beside_refs(check, known, refs))
    else:
        env = _env(check, env)
        env_refs = _env_refs(check, args.get("env_refs"), {name for name, _ in env})
    first_target = ports[0].target_port if ports else None
    return PodModel(
        container_name=name,
        image=image,
        image_pull_policy=image_pull_policy,
        ports=container_ports,
        resources=args.get("resources", default_resources()),
        security_context=security_context,
        command=lists["command"],
        args=lists["args"],
        env=env,
        env_refs=env_refs,
        readiness_probe=probes["readiness_probe"].get(_default(default_readiness_probe, first_target)),
        liveness_probe=probes["liveness_probe"].get(_default(default_liveness_probe, first_target)),
        automount_service_account_token=check_bool(check, args, "automount_service_account_token", False),
        pod_security_context=_merged(
            check,
            "pod_security_context",
            secure_pod_context(),
            args.get("pod_security_context"),
            PodSecurityContextArgsDict,
        ),
        writable_paths=writable,
        mounts=_mounts(check, args.get("mounts"), writable),
        annotations=check.annotations("pod_annotations", args.get("pod_annotations")),
        image_pull_secrets=_names(check, "image_pull_secrets", args.get("image_pull_secrets"), "Secret"),
    )


@dataclass(frozen=True)
class _Probe:
    """A probe argument: absent (the default applies), disabled, or the user's own."""

    given: bool
    value: Mapping[str, Any] | None = None

    def get(self, default: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
        return self.value if self.given else default


def _probe(check: Checker, field: str, args: Mapping[str, Any]) -> _Probe:
    """`None` or `{"disabled": True}` turns a probe off; anything else is checked as a Kubernetes probe."""
    if field not in args:
        return _Probe(False)
    value = args[field]
    if value is None:
        return _Probe(True)
    if isinstance(value, Mapping) and "disabled" in value:
        disabled = value["disabled"]
        if not isinstance(disabled, bool):
            check.fail(f"{field}.disabled", disabled, "is not a boolean", f"give {field}={{'disabled': True}}")
        rest = {k: v for k, v in value.items() if k != "disabled"}
        if disabled:
            if rest:
                check.fail(
                    field, dict(value), "is disabled and set at once", "drop `disabled`, or drop the probe's fields"
                )
            return _Probe(True)
        if not rest:
            return _Probe(False)
        value = rest
    if "exec" in value:  # the wire and schema name (ProbeArgs.exec); pulumi_kubernetes' Python name is exec_
        if "exec_" in value:
            check.fail(f"{field}.exec", value["exec"], "is given together with exec_", "give one of them")
        value = {("exec_" if k == "exec" else k): v for k, v in value.items()}
    check_fields(check, field, value, ProbeArgsDict)
    _probe_values(check, field, value)
    return _Probe(True, value)


_PROBE_HANDLERS = ("http_get", "tcp_socket", "exec_", "grpc")
_PROBE_COUNTS = ("initial_delay_seconds", "period_seconds", "timeout_seconds", "success_threshold", "failure_threshold")


def _probe_values(check: Checker, field: str, value: Mapping[str, Any]) -> None:
    """What the API server refuses in a probe (`validateProbe`, `validateHandler` in Kubernetes' core
    validation): exactly one handler, ports in 1-65535 or a port name, HTTP or HTTPS, a command,
    no negative count, and a liveness probe that succeeds after one success."""
    handlers = [h for h in _PROBE_HANDLERS if value.get(h) is not None]
    if len(handlers) != 1:
        check.fail(
            field,
            dict(value),
            "names no handler" if not handlers else f"names {len(handlers)} handlers ({', '.join(handlers)})",
            "give exactly one of http_get, tcp_socket, exec (or grpc)",
        )
    handler = value[handlers[0]]
    where = f"{field}.{handlers[0].rstrip('_')}"
    if isinstance(handler, Mapping) and handlers[0] in ("http_get", "tcp_socket", "grpc"):
        port = handler.get("port")
        if isinstance(port, str) and handlers[0] != "grpc":
            check.iana_name(f"{where}.port", port)
        elif not isinstance(port, pulumi.Output):
            check.port_number(f"{where}.port", port)
        scheme = handler.get("scheme")
        if scheme is not None and scheme not in ("HTTP", "HTTPS"):
            check.fail(f"{where}.scheme", scheme, "is not a scheme probes support", "use 'HTTP' or 'HTTPS'")
    if handlers[0] == "exec_" and isinstance(handler, Mapping) and not handler.get("command"):
        check.fail(f"{where}.command", handler.get("command"), "is empty", "give the command and its arguments")
    for count in _PROBE_COUNTS:
        number = value.get(count)
        if isinstance(number, int) and not isinstance(number, bool) and number < 0:
            check.fail(f"{field}.{count}", number, "is negative", "give 0 or more (0 takes Kubernetes' default)")
    success = value.get("success_threshold")
    if field == "liveness_probe" and isinstance(success, int) and success not in (0, 1):
        check.fail(
            f"{field}.success_threshold",
            success,
            "is not 1, which Kubernetes requires of a liveness probe",
            "drop it (one success ends a liveness failure)",
        )


def _default(probe: Callable[[int | str], dict[str, Any]], port: int | str | None) -> dict[str, Any] | None:
    return None if port is None else probe(port)


def _env_beside_refs(check: Checker, env: Any, refs: Any) -> tuple[tuple[str, Any], ...]:
    pairs = _env(check, env)
    _env_refs(check, refs, {name for name, _ in pairs})
    return pairs


def _env(check: Checker, env: Any) -> tuple[tuple[str, Any], ...]:
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
        out.append((key, check.input(f"env[{key!r}]", value, functools.partial(_env_text, check, f"env[{key!r}]"))))
    return tuple(out)


_REF_KINDS = {
    "secret": ("secret_key_ref", "Secret"),
    "config_map": ("config_map_key_ref", "ConfigMap"),
}
_FIELD_PATHS = (
    "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName",
    "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs",
)  # fmt: skip
_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")


def _env_refs(check: Checker, refs: Any, plain: set[str]) -> tuple[tuple[str, dict[str, Any]], ...]:
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
            out.append((name, {"field_ref": {"field_path": path}}))
            continue
        kind = kinds[0]
        source, what = _REF_KINDS[kind]
        object_name = check.dns_subdomain(f"{where}.{kind}", ref[kind], what)
        key = ref.get("key")
        if not isinstance(key, str) or not key or len(key) > 253 or not _KEY.match(key):
            check.fail(
                f"{where}.key", key, f"is not a {what} key", "use at most 253 of [-._a-zA-Z0-9], e.g. 'password'"
            )
        out.append((name, {source: {"name": object_name, "key": key}}))
    return tuple(out)


def _env_text(check: Checker, field: str, value: Any) -> str:
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


def _merged(check: Checker, field: str, defaults: dict[str, Any], override: Any, kind: type) -> dict[str, Any]:
    """The secure defaults with the user's fields merged over them, each field checked against `kind`."""
    if override is None:
        return defaults
    if not isinstance(override, Mapping):
        check.fail(field, override, "is not a mapping", "pass the fields to change, e.g. {'run_as_user': 101}")
    check_fields(check, field, override, kind)
    return {**defaults, **override}


def _names(check: Checker, field: str, value: Any, what: str) -> tuple[str, ...]:
    """A list of object names (DNS-1123 subdomains), each once."""
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, Sequence):
        check.fail(field, value, "is not a list of names", f"give e.g. {field}=['registry-credentials']")
    names = tuple(check.dns_subdomain(f"{field}[{i}]", v, what) for i, v in enumerate(value))
    if len(set(names)) != len(names):
        check.fail(field, list(value), "repeats a name", "list each name once")
    return names


_MOUNT_FIELDS = frozenset({"config_map", "secret", "path", "items"})


def _mounts(check: Checker, value: Any, writable: tuple[tuple[str, str], ...]) -> tuple[Mount, ...]:
    """ConfigMaps and Secrets mounted read-only; no path inside another mount or a writable path."""
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, Sequence):
        check.fail(
            "mounts", value, "is not a list", "give e.g. mounts=[{'config_map': 'settings', 'path': '/etc/app'}]"
        )
    out: list[Mount] = []
    taken = [(path, "writable_paths") for _, path in writable]
    for i, item in enumerate(value):
        field = f"mounts[{i}]"
        if not isinstance(item, Mapping):
            check.fail(field, item, "is not a mapping", "give {'config_map': NAME, 'path': '/etc/app'}")
        check.only_fields(field, item, _MOUNT_FIELDS, "a mount field")
        kinds = [k for k in ("config_map", "secret") if k in item]
        if len(kinds) != 1:
            check.fail(field, dict(item), "is not one source", "give either config_map=NAME or secret=NAME")
        kind = kinds[0]
        name = check.dns_subdomain(f"{field}.{kind}", item[kind], "ConfigMap" if kind == "config_map" else "Secret")
        path = item.get("path")
        if not isinstance(path, str) or not path.startswith("/") or ":" in path or path.rstrip("/") == "":
            check.fail(f"{field}.path", path, "is not an absolute path below /", "give e.g. '/etc/app'")
        path = path.rstrip("/")
        for other, where in taken:
            if path == other or path.startswith(other.rstrip("/") + "/") or other.startswith(path + "/"):
                check.fail(f"{field}.path", path, f"overlaps {other!r} ({where})", "mount each source at its own path")
        items = _items(check, f"{field}.items", item.get("items"))
        base = _VOLUME_NAME_CHARS.sub("-", f"{kind.replace('_', '')}-{name}".lower()).strip("-")[:50].strip("-")
        out.append(Mount(f"m{i}-{base}", path, kind, name, items))
        taken.append((path, field))
    return tuple(out)


def _items(check: Checker, field: str, value: Any) -> tuple[tuple[str, str], ...]:
    """`{key: relative path}`: which keys to project, and where under the mount path."""
    if value is None:
        return ()
    if not isinstance(value, Mapping) or not value:
        check.fail(field, value, "is not a non-empty mapping", "give {'app.yaml': 'app.yaml'}")
    out = []
    for key, path in value.items():
        if not isinstance(key, str) or not _KEY.match(key) or len(key) > 253:
            check.fail(f"{field} key", key, "is not a ConfigMap or Secret key", "use at most 253 of [-._a-zA-Z0-9]")
        if not isinstance(path, str) or not path or path.startswith("/") or ".." in path.split("/"):
            check.fail(f"{field}[{key!r}]", path, "is not a relative path without '..'", "give e.g. 'conf/app.yaml'")
        out.append((key, path))
    return tuple(out)


def _volumes(check: Checker, paths: Any) -> tuple[tuple[str, str], ...]:
    if paths is None:
        return ()
    if isinstance(paths, str) or not isinstance(paths, Sequence):
        check.fail("writable_paths", paths, "is not a list", "give e.g. writable_paths=['/tmp']")
    out: list[tuple[str, str]] = []
    for i, path in enumerate(paths):
        if not isinstance(path, str) or not path.startswith("/") or ":" in path:
            check.fail(f"writable_paths[{i}]", path, "is not an absolute path", "give e.g. '/tmp'")
        base = _VOLUME_NAME_CHARS.sub("-", path.lower()).strip("-")[:55].strip("-") or "root"
        volume = f"w-{base}"
        if any(v == volume for v, _ in out) or any(p == path for _, p in out):
            check.fail(f"writable_paths[{i}]", path, "repeats an earlier path", "list each path once")
        out.append((volume, path))
    return tuple(out)


def warn_on_image(resource: pulumi.Resource, check: Checker, image: Any) -> None:
    """Warn when `image` has no fixed tag or digest (`latest` counts as none); an Output when known."""
    if isinstance(image, pulumi.Output):
        image.apply(lambda value: warn_on_image(resource, check, value))
        return
    last = image.rsplit("/", 1)[-1]
    if "@" not in last and (":" not in last or last.endswith(":latest")):
        pulumi.log.warn(
            f"{check.kind} '{check.name}': image {image!r} has no fixed tag; every node may run a different "
            "version. Pin a tag or digest, e.g. 'nginxinc/nginx-unprivileged:1.27-alpine'.",
            resource=resource,
        )


@dataclass(frozen=True)
class PodEnv:
    """The container's `env` and the Pod template's metadata (None: just the labels), each a value or an Output."""

    env: Any
    template_metadata: Any = None


def declare_env(
    name: str, namespace: Any, labels: Mapping[str, Any], pod: PodModel, opts: pulumi.ResourceOptions
) -> PodEnv:
    """The container's env, with every secret value moved into a Secret `<name>-env` the component owns.

    An env value that is a secret Output (`config.require_secret(...)`, `pulumi.Output.secret(...)`, a
    resource's secret output) becomes a key of that Secret (its data secret in Pulumi's state) and
    reaches the container through `valueFrom.secretKeyRef`: the Deployment never holds it. Whether an
    Output is secret is known only once it resolves (during a preview too, even when its value is
    not), so the Secret is declared then, and only when some value is secret. The Pod template
    carries the Secret's `resourceVersion` (:data:`ENV_SECRET_VERSION`), so a changed secret rolls
    the Pods; under mocks, which give no `resourceVersion`, the annotation is left out."""
    if isinstance(pod.env, pulumi.Output):
        return _declare_computed_env(name, namespace, labels, pod, opts)
    computed = [(key, value) for key, value in pod.env if isinstance(value, pulumi.Output)]
    if not computed:
        return PodEnv(container_env(pod) or None)

    async def secrecy() -> list[bool]:
        return [await value.is_secret() for _, value in computed]

    def declare(flags: list[bool]) -> Any:
        secret_vars = frozenset(key for (key, _), secret in zip(computed, flags, strict=True) if secret)
        if not secret_vars:
            return pulumi.Output.from_input(
                {"env": container_env(pod), "metadata": template_metadata(labels, pod.annotations)}
            )
        secret = _env_secret(
            name, namespace, labels, {key: value for key, value in pod.env if key in secret_vars}, opts
        )
        return pulumi.Output.from_input(
            {"env": container_env(pod, secret.metadata.name, secret_vars), "metadata": _rolling(secret, labels, pod)}
        )

    both = pulumi.Output.from_input(cast(Any, secrecy())).apply(declare)
    return PodEnv(both.apply(lambda d: d["env"]), both.apply(lambda d: d["metadata"]))


def _declare_computed_env(
    name: str, namespace: Any, labels: Mapping[str, Any], pod: PodModel, opts: pulumi.ResourceOptions
) -> PodEnv:
    """`env` given as one Output: when it is secret (as a map holding a secret value arrives from another
    language: the wire marks the whole map secret), every variable goes into the Secret."""
    env: pulumi.Output[Any] = pod.env

    async def secrecy() -> bool:
        return await env.is_secret()

    def declare(secret: bool) -> Any:
        if not secret:
            return env.apply(
                lambda pairs: {
                    "env": container_env(replace(pod, env=pairs)),
                    "metadata": template_metadata(labels, pod.annotations),
                }
            )
        owned = _env_secret(name, namespace, labels, env.apply(dict), opts)
        listed = env.apply(
            lambda pairs: container_env(replace(pod, env=pairs), owned.metadata.name, frozenset(k for k, _ in pairs))
        )
        # The list holds names and references only: not secret, so diffs of the Deployment stay readable.
        return pulumi.Output.from_input(
            {"env": pulumi.Output.unsecret(listed), "metadata": _rolling(owned, labels, pod)}
        )

    both = pulumi.Output.from_input(cast(Any, secrecy())).apply(declare)
    return PodEnv(both.apply(lambda d: d["env"]), both.apply(lambda d: d["metadata"]))


def _env_secret(
    name: str, namespace: Any, labels: Mapping[str, Any], data: Any, opts: pulumi.ResourceOptions
) -> k8s.core.v1.Secret:
    """The Secret `<name>-env` the component owns, holding the secret variables."""
    return k8s.core.v1.Secret(
        f"{name}-env",
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
