"""Service ports: the shape users write, normalised and checked once for every component."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..inputs import PortArgs
from .validation import Checker

_PORT_FIELDS = frozenset(PortArgs.__annotations__)


@dataclass(frozen=True)
class Port:
    """A checked Service port."""

    port: int
    target_port: int | str
    name: str | None
    protocol: str
    node_port: int | None
    app_protocol: str | None = None

    def service_port(self, with_node_port: bool) -> dict[str, Any]:
        """The `spec.ports[]` entry; `nodePort` only where the user fixed it and the type allows it."""
        out: dict[str, Any] = {"port": self.port, "target_port": self.target_port, "protocol": self.protocol}
        if self.name is not None:
            out["name"] = self.name
        if self.app_protocol is not None:
            out["app_protocol"] = self.app_protocol
        if with_node_port and self.node_port is not None:
            out["node_port"] = self.node_port
        return out


def normalize_ports(check: Checker, ports: Any, port: Any, required: bool) -> list[Port]:
    """Accept `ports=[80, {...}]`, `ports=80`, `ports={...}` or `port=80`; return checked ports."""
    if ports is not None and port is not None:
        check.fail("port", port, "is given together with ports", "give either port=80 or ports=[...], not both")
    raw = ports if ports is not None else port
    if raw is None:
        if required:
            check.missing(
                "ports",
                "give the port the app listens on, e.g. port=8080, or ports=[{'port': 80, 'target_port': 8080}]",
            )
        return []
    items = raw if isinstance(raw, list | tuple) else [raw]
    if required and not items:
        check.fail("ports", raw, "is empty", "give at least one port, e.g. ports=[8080]")
    out = [_one(check, f"ports[{i}]", item) for i, item in enumerate(items)]
    _check_unique(check, out)
    return out


def _one(check: Checker, field: str, item: Any) -> Port:
    if isinstance(item, int) and not isinstance(item, bool):
        item = {"port": item}
    if not isinstance(item, Mapping):
        check.fail(field, item, "is not a port", "give a number or {'port': 80, 'target_port': 8080, 'name': 'http'}")
    check.only_fields(field, item, _PORT_FIELDS, "a port field")
    if "port" not in item:
        check.missing(f"{field}.port", "give the port the Service listens on")
    number = check.port_number(f"{field}.port", item["port"])
    target = item.get("target_port", number)
    if "target_port_name" in item:
        if "target_port" in item:
            check.fail(
                f"{field}.target_port_name",
                item["target_port_name"],
                "is given together with target_port",
                "give the container port's number in target_port or its name in target_port_name, not both",
            )
        target = item["target_port_name"]
        if not isinstance(target, str):
            check.fail(f"{field}.target_port_name", target, "is not a port name", "give e.g. 'http'")
    if isinstance(target, str):
        check.iana_name(f"{field}.target_port", target)
    else:
        check.port_number(f"{field}.target_port", target)
    name = item.get("name")
    if name is not None:
        check.dns_label(f"{field}.name", name)
    protocol = check.protocol(f"{field}.protocol", item.get("protocol", "TCP"))
    node_port = item.get("node_port")
    if node_port is not None:
        check.port_number(f"{field}.node_port", node_port)
    app_protocol = item.get("app_protocol")
    if app_protocol is not None:
        check.label_key(
            f"{field}.app_protocol",
            app_protocol,
            "use an IANA service name such as 'http', 'https' or 'grpc', or a prefixed name such as 'kubernetes.io/h2c'",
        )
    return Port(number, target, name, protocol, node_port, app_protocol)


def _check_unique(check: Checker, ports: list[Port]) -> None:
    seen: dict[tuple[str, int], int] = {}
    names: dict[str, int] = {}
    node_ports: dict[tuple[str, int], int] = {}
    for i, p in enumerate(ports):
        if (p.protocol, p.port) in seen:
            check.fail(
                f"ports[{i}].port",
                p.port,
                f"is used twice with {p.protocol} (also ports[{seen[(p.protocol, p.port)]}])",
                "give each (protocol, port) pair once",
            )
        seen[(p.protocol, p.port)] = i
        if len(ports) > 1 and p.name is None:
            check.missing(
                f"ports[{i}].name",
                "a Service with several ports needs a name on each: name every port, e.g. {'port': 80, 'name': 'http'}",
            )
        if p.name is not None:
            if p.name in names:
                check.fail(
                    f"ports[{i}].name",
                    p.name,
                    f"is used twice (also ports[{names[p.name]}])",
                    "give every port its own name",
                )
            names[p.name] = i
        if p.node_port is not None:
            key = (p.protocol, p.node_port)
            if key in node_ports:
                check.fail(
                    f"ports[{i}].node_port",
                    p.node_port,
                    f"is used twice with {p.protocol} (also ports[{node_ports[key]}])",
                    "give each port its own node port or omit it",
                )
            node_ports[key] = i
