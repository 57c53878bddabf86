"""Readiness and liveness probes: absent (the default applies), disabled, or the user's own, checked as the API server's `validateProbe` does."""

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi_kubernetes.core.v1 import (
    ProbeArgsDict,
)

from ...k8s.pod import ContainerPort
from ...k8s.schema import check_fields
from ...k8s.validation import Checker


@dataclass(frozen=True)
class Probe:
    """A probe argument: absent (the default applies), disabled, or the user's own."""

    given: bool
    value: Mapping[str, Any] | None = None

    def get(self, default: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
        return self.value if self.given else default


def parse_probe(check: Checker, field: str, args: Mapping[str, Any]) -> Probe:
    """`None` or `{"disabled": True}` turns a probe off; anything else is checked as a Kubernetes probe."""
    if field not in args:
        return Probe(False)
    value = args[field]
    if value is None:
        return Probe(True)
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
            return Probe(True)
        if not rest:
            return Probe(False)
        value = rest
    if "exec" in value:  # the wire and schema name (ProbeArgs.exec); pulumi_kubernetes' Python name is exec_
        if "exec_" in value:
            check.fail(f"{field}.exec", value["exec"], "is given together with exec_", "give one of them")
        value = {("exec_" if k == "exec" else k): v for k, v in value.items()}
    check_fields(check, field, value, ProbeArgsDict)
    _probe_values(check, field, value)
    # A count of 0 means Kubernetes' default: pulumi-kubernetes applies none (its typed Probe omits a zero integer),
    # and the server then writes the default; so does the render (e2e/test_server_agreement.py checks every field).
    # An empty header list is left out the same way (e2e/test_provider_types.py).
    value = {k: v for k, v in value.items() if not (k in _PROBE_COUNTS and v == 0 and v is not False)}
    http = value.get("http_get")
    if isinstance(http, Mapping) and isinstance(http.get("http_headers"), list | tuple) and not http["http_headers"]:
        value["http_get"] = {k: v for k, v in http.items() if k != "http_headers"}
    return Probe(True, value)


_PROBE_HANDLERS = ("http_get", "tcp_socket", "exec_", "grpc")
_HEADER_NAME = re.compile(r"[-A-Za-z0-9]+")
"""What the API server takes as a probe header's name (IsHTTPHeaderName)."""


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
        for i, header in enumerate(handler.get("http_headers") or [] if handlers[0] == "http_get" else []):
            name = header.get("name") if isinstance(header, Mapping) else None
            if not isinstance(name, str) or not _HEADER_NAME.fullmatch(name):
                check.fail(
                    f"{where}.http_headers[{i}].name",
                    name,
                    "is not an HTTP header name",
                    "use letters, digits and '-', e.g. 'X-Probe'",
                )
    if handlers[0] == "exec_" and isinstance(handler, Mapping) and not handler.get("command"):
        check.fail(f"{where}.command", handler.get("command"), "is empty", "give the command and its arguments")
    for count in _PROBE_COUNTS:
        number = value.get(count)
        if isinstance(number, int) and not isinstance(number, bool) and number < 0:
            check.fail(f"{field}.{count}", number, "is negative", "give 0 or more (0 takes Kubernetes' default)")
    success = value.get("success_threshold")
    if field in ("liveness_probe", "startup_probe") and isinstance(success, int) and success not in (0, 1):
        check.fail(
            f"{field}.success_threshold",
            success,
            f"is not 1, which Kubernetes requires of a {field.split('_')[0]} probe",
            "drop it (one success ends a liveness failure)"
            if field == "liveness_probe"
            else "drop it (one success ends the start; the readiness probe decides when traffic comes)",
        )


def _probe_port(probe: Mapping[str, Any] | None) -> tuple[str, Any] | None:
    """`(handler, port)` of a probe that targets a port (HTTP, TCP, gRPC), else None."""
    for handler in ("http_get", "tcp_socket", "grpc"):
        action = (probe or {}).get(handler)
        if isinstance(action, Mapping) and action.get("port") is not None:
            return handler, action["port"]
    return None


def check_probe_ports(check: Checker, probes: Mapping[str, Probe], container_ports: Sequence[ContainerPort]) -> None:
    """A probe's port name must be a name the container declares: the kubelet cannot resolve another, and the
    Pods never become Ready (or are restarted without end)."""
    names = sorted(p.name for p in container_ports if p.name)
    for field, probe in probes.items():
        found = _probe_port(probe.value)
        if found is None or not isinstance(found[1], str):
            continue
        handler, port = found
        if port not in names:
            check.fail(
                f"{field}.{handler}.port",
                port,
                "names no port of the container"
                + (f" (it declares {', '.join(repr(n) for n in names)})" if names else " (it declares no named port)"),
                "name a port of container_ports, give the port number, or declare the port with this name",
            )


def probe_port_warnings(
    check: Checker, probes: Mapping[str, Mapping[str, Any] | None], container_ports: Sequence[ContainerPort]
) -> list[str]:
    """A probe on a port number no container port declares: legal (the kubelet probes the number), but often a
    typo or a port the app does not listen on, so a warning."""
    declared = sorted(p.container_port for p in container_ports)
    out = []
    for field, probe in probes.items():
        found = _probe_port(probe)
        if found is None or not isinstance(found[1], int) or isinstance(found[1], bool) or found[1] in declared:
            continue
        handler, port = found
        out.append(
            f"{check.kind} '{check.name}': {field}.{handler}.port {port} is no port the container declares "
            f"({', '.join(map(str, declared)) or 'none'}); the kubelet probes it anyway: check that the app listens there"
        )
    return out


def default_probe(probe: Callable[[int | str], dict[str, Any]], port: int | str | None) -> dict[str, Any] | None:
    return None if port is None else probe(port)
