"""`egress`: whom an app's Pods may call, derived from what the program says the app calls.

Restricted egress adds `Egress` rules to the app's NetworkPolicy: DNS to the cluster's DNS Pods always; the apps and
ExternalAliases the app calls, by name (from its `env` values, e.g. `PRODUCT_CATALOG_ADDR: productcatalog:3550` or
`DB_URL: postgres://orders-db.shop:5432/orders`, and from `egress.apps`), to their Pods on any port (each app's own
NetworkPolicy admits only its Service's ports); and the `networks` outside the cluster. An ExternalAlias has no Pods:
its addresses are outside the cluster, and only the alias knows them, so the Pods carry a label per name they call
(`calls.kubexpose.dev/<name>`) and an ExternalAlias with `callers_egress` writes the NetworkPolicy `<name>-callers`
that lets those Pods reach its addresses (any address for a DNS alias: a name cannot be limited by address). Every
rule follows from the component's own arguments, so a program in any language writes the same objects.
"""

import ipaddress
import re
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi

from ...k8s.network_policy import Egress
from ...k8s.validation import Checker
from ...profile import StackProfile

_FIELDS = frozenset({"restricted", "apps", "networks"})
_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
_ADDRESS = re.compile(
    r"^(?:(?P<scheme>[a-z][a-z0-9+.-]*)://)?(?:[^@/\s]*@)?(?P<host>[^:/?#\s]+)(?::(?P<port>\d{1,5}))?"
)


def called_names(value: Any) -> list[tuple[str, str | None]]:
    """The in-cluster Services an env value names, as `(name, namespace or None)`: each word of the form
    `[scheme://]name[.namespace[.svc[.cluster.local]]][:port][/...]` with a scheme, a port or `.svc` (a bare word
    such as `live` names nothing); nothing for an Output."""
    if not isinstance(value, str):
        return []
    found = []
    for word in re.split(r"[\s,;]+", value.strip()):
        match = _ADDRESS.match(word)
        if match is None:
            continue
        labels = match.group("host").split(".")
        svc = labels[2:] in (["svc"], ["svc", "cluster", "local"])
        if (len(labels) > 2 and not svc) or not all(_LABEL.match(label) for label in labels[:2]):
            continue
        if labels[0] == "localhost":
            continue
        if match.group("scheme") or match.group("port") or svc:
            found.append((labels[0], labels[1] if len(labels) > 1 else None))
    return found


def parse_egress(
    check: Checker,
    args: Mapping[str, Any],
    profile: StackProfile,
    env: Any,
    name: str,
    network_policy: bool,
) -> Egress | None:
    """The app's egress (None: open), its callees derived from `env` (the `(name, value)` pairs of every container;
    an Output is not read) and `egress.apps`."""
    raw = args.get("egress")
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        check.fail("egress", raw, "is not a mapping", "give e.g. egress={'restricted': True, 'apps': ['orders']}")
    check.only_fields("egress", raw, _FIELDS, "an egress field")
    restricted = raw.get("restricted", profile.egress_restricted)
    if not isinstance(restricted, bool):
        check.fail("egress.restricted", restricted, "is not true or false", "give True or False")
    if not restricted:
        extra = next((key for key in ("apps", "networks") if raw.get(key)), None)
        if extra is not None:
            check.fail(
                f"egress.{extra}",
                raw[extra],
                "is set while egress is open (anything may be called)",
                "add 'restricted': True, or set kubexpose:egress: restricted for the stack",
            )
        return None
    if not network_policy:
        check.fail("egress.restricted", True, "is set with network_policy=False", "nothing would enforce it: drop one")
    apps: dict[tuple[str, str | None], None] = {}
    for pair in env:
        for called in called_names(pair[1]):
            if called[0] != name or called[1] is not None:
                apps[called] = None
    for i, entry in enumerate(_list(check, "egress.apps", raw.get("apps"), "['orders', 'payments.shop']")):
        parts = entry.split(".") if isinstance(entry, str) else [entry]
        if len(parts) > 2:
            check.fail(f"egress.apps[{i}]", entry, "is not a name or name.namespace", "give e.g. 'orders.shop'")
        app = check.dns_label(f"egress.apps[{i}]", parts[0])
        namespace = check.dns_label(f"egress.apps[{i}]", parts[1]) if len(parts) == 2 else None
        apps[(app, namespace)] = None
    networks = []
    for i, item in enumerate(_list(check, "egress.networks", raw.get("networks"), "[{'cidr': '10.20.0.0/16'}]")):
        field = f"egress.networks[{i}]"
        if not isinstance(item, Mapping):
            check.fail(field, item, "is not a network", "give {'cidr': '10.20.0.0/16', 'ports': [5432]}")
        check.only_fields(field, item, frozenset({"cidr", "ports"}), "a network field")
        networks.append((_cidr(check, f"{field}.cidr", item.get("cidr")), _ports(check, field, item.get("ports"))))
    return Egress(tuple(sorted(apps, key=lambda a: (a[1] or "", a[0]))), tuple(networks))


def _list(check: Checker, field: str, value: Any, example: str) -> Sequence[Any]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, Sequence):
        check.fail(field, value, "is not a list", f"give e.g. {example}")
    return value


def _cidr(check: Checker, field: str, value: Any) -> str:
    if isinstance(value, pulumi.Output) or not isinstance(value, str):
        check.fail(field, value, "is not a CIDR block", "give e.g. '10.20.0.0/16' or '203.0.113.7/32'")
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        check.fail(field, value, "is not a CIDR block", "give e.g. '10.20.0.0/16' or '203.0.113.7/32'")
    if str(network) != value:
        check.fail(field, value, f"is not the block as the API server stores it ({network})", f"give '{network}'")
    return value


def _ports(check: Checker, field: str, value: Any) -> tuple[int, ...]:
    ports = tuple(
        check.port_number(f"{field}.ports[{i}]", p)
        for i, p in enumerate(_list(check, f"{field}.ports", value, "[5432]"))
    )
    if len(set(ports)) != len(ports):
        check.fail(f"{field}.ports", list(ports), "repeats a port", "list each port once")
    return ports
