"""Offline checks for what the Kubernetes API server rejects, and for what it accepts but never works.

The rules follow ``pkg/apis/core/validation/validation.go`` and apimachinery's
``pkg/util/validation``. Every failure raises :class:`ValidationError` with a message of the form
``<Kind> '<name>': <field> <value> <problem>; <fix>``.
"""

from __future__ import annotations

import copy
import difflib
import functools
import ipaddress
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NoReturn, TypeVar, cast

import pulumi

from .._values import any_leaf
from ..errors import ValidationError
from .secret_fields import SECRET_FIXES
from .shown import SECRET_SHOWN as SECRET_SHOWN
from .shown import hide

DNS1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
QUALIFIED_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
IANA_SVC_NAME = re.compile(r"^[-a-z0-9]+$")
HAS_LETTER = re.compile(r"[a-z]")
CONFIG_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
"""A ConfigMap or Secret key."""
ENV_VAR_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")

T = TypeVar("T")
PROTOCOLS = ("TCP", "UDP", "SCTP")
ROUTE_PATH = re.compile(r"^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})+$")
"""Characters of an HTTPRoute path value (the Gateway API CRD's pattern), which Ingress accepts too."""
MAX_AFFINITY_TIMEOUT = 86400
MAX_ANNOTATIONS_SIZE = 256 * 1024
"""Keys and values of one object's annotations together (apimachinery `TotalAnnotationSizeLimitB`)."""


UNREADABLE_SECRET = SECRET_SHOWN
"""The value the offline render gives a `secure:` config value it cannot decrypt (one text everywhere)."""


def unreadable(value: Any) -> bool:
    """The value holds a secret the offline render could not decrypt: a check on it would judge the placeholder."""
    return any_leaf(value, lambda v: isinstance(v, str) and UNREADABLE_SECRET in v)


def not_checked(message: str) -> None:
    """Report a check that could not run (a value unknown in a preview, a secret the render cannot read):
    a warning starting with `not checked:` (the render lists these in its summary)."""
    pulumi.log.warn(f"not checked: {message}")


_PACKAGE = __file__.rsplit("/k8s/", 1)[0]


def _caller_outside_packages() -> tuple[str, int] | None:
    """The innermost frame that is neither kubexpose nor an installed package (the user's program line)."""
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if not name.startswith(_PACKAGE) and not installed(name):
            return name, frame.f_lineno
        frame = frame.f_back  # type: ignore[assignment]
    return None


def installed(path: str) -> bool:
    """The file belongs to an installed package or the interpreter, not to a user's project."""
    parts = path.replace("\\", "/").split("/")
    return "site-packages" in parts or "dist-packages" in parts or path.startswith(("<", sys.base_prefix + "/lib"))


def shown_value(value: Any) -> str:
    """`repr(value)`, with an Output shown as `<Output>` (its value is not known yet) instead of its address."""
    if isinstance(value, pulumi.Output):
        return "<Output>"
    if isinstance(value, Mapping) and holds_output(value):
        return "{" + ", ".join(f"{shown_value(k)}: {shown_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple) and holds_output(value):
        inner = ", ".join(shown_value(v) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner}{',' if len(value) == 1 else ''})"
    return repr(value)


def holds_output(value: Any) -> bool:
    """Whether `value` is or holds an Output (in its mappings, lists, tuples, sets and dataclasses)."""
    return any_leaf(value, lambda v: isinstance(v, pulumi.Output))


FAILURE_LISTENERS: list[Callable[[ValidationError], None]] = []
"""Told of every component error as it is raised (:mod:`kubexpose.claims` keeps the first of each program run, so
that checks of the whole program never replace it)."""


class Checker:
    """Raises errors that name one component, so every message has the same shape."""

    def __init__(self, kind: str, name: str) -> None:
        self.kind = kind
        self.name = name
        self._secrets: list[Any] = []
        self.origin = _caller_outside_packages()
        """`(file, line)` of the program line that declared the component: an error raised later, inside an
        Output, has no program frame in its traceback, so it carries this one."""
        self.prefix = ""
        """Put before every field this checker names (a nested container's `sidecars[0].`)."""

    def within(self, prefix: str) -> Checker:
        """A checker for the fields of a nested argument: the same component, every field named `<prefix><field>`."""
        nested = copy.copy(self)
        nested.prefix = self.prefix + prefix
        return nested

    def fail(self, field: str, value: Any, problem: str, fix: str) -> NoReturn:
        """Raise a ValidationError naming the component, the field, the bad value and the fix.

        While a secret value is being checked, the message names the field but shows `[secret]` for the
        value and for every piece of it (error messages reach CI logs)."""
        shown = shown_value(value)
        if self._secrets:
            shown = SECRET_SHOWN
            # The problem may quote the value or its parts; the fix is kubexpose's own text (an example such as
            # 'ghcr.io/acme/api@sha256:...' shares words with many a secret value), so only a whole value goes.
            problem, fix = hide(problem, self._secrets), hide(fix, self._secrets, whole=True)
        raise self._error(f"{field} {shown} {problem}; {fix}", field, reason=f"{shown} {problem}")

    def missing(self, field: str, fix: str) -> NoReturn:
        """Raise for a required field that was not given: `<field> is required; <fix>`."""
        raise self._error(f"{field} is required; {fix}", field, reason="is required")

    def _error(self, text: str, field: str, reason: str | None = None) -> ValidationError:
        """The error naming this component, carrying the program line that declared it (every raise goes here)."""
        text, field = self.prefix + text, self.prefix + field
        err = ValidationError(f"{self.kind} '{self.name}': {text}", field)
        err.reason = reason
        err.origin = self.origin
        for listener in FAILURE_LISTENERS:
            listener(err)
        return err

    def input(self, field: str, value: Any, validate: Callable[[Any], T], secret_ok: bool = False) -> Any:
        """`validate(value)` now for a plain value; for an Output, when its value is known (an error then
        fails the update with the same message, the value hidden when the Output is secret; an unknown
        value in a preview is not checked). A secret the offline render could not decrypt is not checked
        either, and reported as such (see :func:`not_checked`).

        A secret Output is refused unless `secret_ok` (an env value, which reaches the Pod through a Secret):
        pulumi-kubernetes stores every other field of an object in plain text in the state."""
        if isinstance(value, pulumi.Output):
            secret = pulumi.Output.from_input(cast(Any, value.is_secret()))

            def known(both: list[Any]) -> T:
                if both[1] and not secret_ok and not unreadable(both[0]):
                    self.refuse_secret(field, both[0])
                return self.secretly(both[0], validate, both[1], field)

            return pulumi.Output.all(value, secret).apply(known)
        return self.secretly(value, validate, False, field)

    def refuse_secret(self, field: str, value: Any) -> NoReturn:
        """Fail for a secret value in `field`, which would be stored in plain text, with where it belongs (the value
        itself is never shown)."""
        top = field.split("[", 1)[0].split(".", 1)[0]
        problem = "is a secret, which pulumi-kubernetes would store in plain text in the state"
        fix = SECRET_FIXES.get(top, SECRET_FIXES[""])
        raise self._error(f"{field} {SECRET_SHOWN} {problem}; {fix}", field, reason=f"{SECRET_SHOWN} {problem}")

    def secretly(self, value: Any, validate: Callable[[Any], T], secret: bool = True, field: str = "") -> T:
        """`validate(value)`; when `secret`, a failure's message shows `[secret]` instead of the value."""
        if unreadable(value):
            not_checked(
                f"{self.kind} '{self.name}': {field or 'a value'} holds a secure config value the offline render "
                "cannot decrypt; pulumi up checks it"
            )
            return cast(T, value)
        if not secret:
            return validate(value)
        self._secrets.append(value)
        try:
            return validate(value)
        finally:
            self._secrets.pop()

    def only_fields(
        self, prefix: str, value: Mapping[str, Any], allowed: Iterable[str], what: str, hint: str = "use only"
    ) -> None:
        """Reject the first key of `value` that is not in `allowed` (typos must not pass silently)."""
        allowed = sorted(allowed)
        unknown = sorted(set(value) - set(allowed), key=str)
        if unknown:
            field = f"{prefix}.{unknown[0]}" if prefix else str(unknown[0])
            close = difflib.get_close_matches(str(unknown[0]), allowed, n=1)
            fix = f"did you mean {close[0]}?" if close else f"{hint} {', '.join(allowed)}"
            self.fail(field, value[unknown[0]], f"is not {what}", fix)

    def _given_text(self, field: str, value: Any, fix: str) -> None:
        """A required, non-empty string: `is required`, `is empty` or `is not a string` otherwise."""
        if value is None:
            self.missing(field, fix)
        if not isinstance(value, str) or not value:
            self.fail(field, value, "is empty" if value == "" else "is not a string", fix)

    # -- names -----------------------------------------------------------------------------
    def service_name(self, field: str, value: Any) -> str:
        """A Service name: a DNS-1035 label (it is the DNS name callers use)."""
        self._given_text(field, value, "use a name such as 'backend'")
        if len(value) > 63:
            self.fail(
                field,
                value,
                f"is {len(value)} characters long",
                "use at most 63 characters (it becomes a DNS label)",
            )
        if not DNS1035_LABEL.match(value):
            self.fail(
                field,
                value,
                "is not a DNS-1035 label",
                "use lower-case letters, digits and '-', starting with a letter and "
                "ending with a letter or digit (e.g. 'my-app')",
            )
        return value

    def dns_label(self, field: str, value: Any) -> str:
        """A DNS-1123 label such as a namespace or a Service port name."""
        if not isinstance(value, str) or not value or len(value) > 63 or not DNS1123_LABEL.match(value):
            self.fail(
                field,
                value,
                "is not a DNS-1123 label",
                "use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit",
            )
        return value

    def dns_subdomain(self, field: str, value: Any, what: str) -> str:
        """The name of an object such as a Secret or a ConfigMap: a DNS-1123 subdomain (<= 253)."""
        if not isinstance(value, str) or not value or len(value) > 253 or not DNS1123_SUBDOMAIN.match(value):
            self.fail(
                field,
                value,
                f"is not a {what} name (DNS-1123 subdomain)",
                "use at most 253 lower-case letters, digits, '-' and '.', e.g. 'db-credentials'",
            )
        return value

    def route_host(self, field: str, value: Any) -> str:
        """A host an Ingress rule or HTTPRoute matches: a DNS-1123 subdomain, with `*` only as the whole
        first label (`*.example.com`); no scheme, path, port or IP."""
        fix = "give a DNS name such as 'shop.example.com' (or '*.example.com')"
        self._bare_host(
            field,
            value,
            fix,
            path_fix="put the path in http.path and the host alone here",
            ip=("is an IP address, which an Ingress or HTTPRoute host cannot be", fix),
            port_fix=f"routers listen on their own ports; {fix}",
        )
        rest = value[2:] if value.startswith("*.") else value
        if "*" in rest:
            self.fail(field, value, "has a wildcard that is not the whole first label", "write it as '*.example.com'")
        if len(value) > 253 or not DNS1123_SUBDOMAIN.match(rest):
            self.fail(
                field, value, "is not a valid DNS name (DNS-1123 subdomain: lower-case letters, digits, '-', '.')", fix
            )
        return value

    def _bare_host(self, field: str, value: Any, fix: str, *, path_fix: str, ip: tuple[str, str], port_fix: str) -> str:
        """The checks every host field shares: a non-empty string with no scheme, path, IP or port.
        Returns the host without a trailing dot."""
        self._given_text(field, value, fix)
        if "://" in value:
            self.fail(field, value, "contains a URL scheme", f"drop the scheme: {fix}")
        if "/" in value:
            self.fail(field, value, "contains a path", path_fix)
        host = value[:-1] if value.endswith(".") else value
        if is_ip(host) or is_ip(host.strip("[]")):
            self.fail(field, value, *ip)
        if ":" in host:
            self.fail(field, value, "contains a port", port_fix)
        return host

    def route_path(self, field: str, value: Any) -> str:
        """A path prefix both an Ingress (pathType Prefix) and an HTTPRoute (PathPrefix) accept."""
        fix = "give an absolute path such as '/' or '/api'"
        if not isinstance(value, str) or not value.startswith("/"):
            self.fail(field, value, "does not start with '/'", fix)
        if len(value) > 1024 or not ROUTE_PATH.match(value):
            self.fail(field, value, "has characters a URL path cannot hold unescaped", f"escape them as %XX, or {fix}")
        for bad in ("//", "/./", "/../", "%2f", "%2F", "#"):
            if bad in value:
                self.fail(field, value, f"contains {bad!r}, which Kubernetes refuses in a route path", fix)
        if value.endswith(("/..", "/.")):
            self.fail(field, value, "ends with a dot segment, which Kubernetes refuses in a route path", fix)
        return value

    def hostname(self, field: str, value: Any) -> str:
        """A DNS name for ExternalName: no scheme, path, port or IP; a trailing dot is trimmed."""
        fix = "give a bare DNS name such as 'api.example.com'"
        host = self._bare_host(
            field,
            value,
            fix,
            path_fix=f"drop the path: {fix}",
            ip=(
                "is an IP address, which Kubernetes never resolves in externalName",
                "give a DNS name, or pass the IP in an ExternalAlias's addresses "
                "(it then creates a selector-less Service plus an EndpointSlice)",
            ),
            port_fix=f"put the port in ports=[...]; {fix}",
        )
        if len(host) > 253 or not DNS1123_SUBDOMAIN.match(host):
            self.fail(field, value, "is not a valid DNS name (DNS-1123 subdomain)", fix)
        return host

    def label_key(self, field: str, key: Any, fix: str = "use e.g. 'team' or 'example.com/team'") -> str:
        """A label or annotation key (or another qualified name, with its own `fix`): optional DNS-1123 subdomain
        prefix, '/', qualified name."""
        if not isinstance(key, str) or not key:
            self.fail(field, key, "is empty" if key == "" else "is not a string", fix)
        prefix, _, name = key.rpartition("/")
        if "/" in key and (not prefix or len(prefix) > 253 or not DNS1123_SUBDOMAIN.match(prefix)):
            self.fail(field, key, "has a prefix that is not a DNS-1123 subdomain", fix)
        if not name or len(name) > 63 or not QUALIFIED_NAME.match(name):
            self.fail(
                field,
                key,
                "is not a qualified name",
                "use at most 63 characters of [A-Za-z0-9-_.], starting and ending with "
                f"an alphanumeric character; {fix}",
            )
        return key

    def labels(self, field: str, labels: Any) -> dict[str, Any]:
        """A label map: valid keys, values empty or qualified names of at most 63 characters."""
        return self._keyed(field, labels, "label", self.label_value)

    def _keyed(self, field: str, mapping: Any, what: str, check_value: Callable[[str, Any], str]) -> dict[str, Any]:
        """A map of label-style keys to values `check_value(field, value)` accepts (now, or when an Output is known)."""
        if mapping is None:
            return {}
        if not isinstance(mapping, Mapping):
            self.fail(field, mapping, "is not a mapping", f"pass a dict of {what} key to value")
        out: dict[str, Any] = {}
        for key, value in mapping.items():
            self.label_key(f"{field} key", key)
            out[key] = self.input(f"{field}[{key!r}]", value, functools.partial(check_value, f"{field}[{key!r}]"))
        return out

    def label_value(self, field: str, value: Any) -> str:
        """A label value: empty, or a qualified name of at most 63 characters."""
        if not isinstance(value, str) or (value and (len(value) > 63 or not QUALIFIED_NAME.match(value))):
            self.fail(
                field,
                value,
                "is not a valid label value",
                "use a string of at most 63 characters of [A-Za-z0-9-_.], starting and "
                "ending with an alphanumeric character, or ''",
            )
        return value

    def annotations(self, field: str, annotations: Any) -> dict[str, Any]:
        """An annotation map: valid keys, string values, at most 256 KiB in all (`ValidateAnnotationsSize`)."""
        checked = self._keyed(field, annotations, "annotation", self._text)
        size = sum(len(k) + len(v) for k, v in checked.items() if isinstance(v, str))
        if size > MAX_ANNOTATIONS_SIZE:
            self.fail(
                field,
                f"<{len(checked)} annotations>",
                f"hold {size} bytes, more than the {MAX_ANNOTATIONS_SIZE} Kubernetes accepts on one object",
                "keep large data in a ConfigMap and reference it",
            )
        return checked

    def _text(self, field: str, value: Any) -> str:
        if not isinstance(value, str):
            self.fail(field, value, "is not a string", f"quote it: '{value}'")
        return value

    # -- ports -----------------------------------------------------------------------------
    def port_number(self, field: str, value: Any) -> int:
        """An integer port in 1..65535."""
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(field, value, "is not an integer", "give a port number from 1 to 65535")
        if not 1 <= value <= 65535:
            self.fail(field, value, "is outside 1-65535", "give a port number from 1 to 65535")
        return value

    def iana_name(self, field: str, value: Any) -> str:
        """A named port (IANA_SVC_NAME): at most 15 of [-a-z0-9], a letter, no '--', no edge '-'."""
        if not is_iana_name(value):
            self.fail(
                field,
                value,
                "is not a valid port name (IANA_SVC_NAME)",
                "use at most 15 lower-case letters, digits and single '-', with at least one "
                "letter (e.g. 'http'), or give a port number",
            )
        return value

    def protocol(self, field: str, value: Any) -> str:
        """TCP, UDP or SCTP."""
        if value not in PROTOCOLS:
            self.fail(field, value, "is not a protocol Kubernetes supports", "use 'TCP', 'UDP' or 'SCTP'")
        return str(value)

    def node_port(self, field: str, value: Any, port_range: tuple[int, int]) -> int:
        """A node port inside the stack's node-port range."""
        self.port_number(field, value)
        low, high = port_range
        if not low <= value <= high:
            self.fail(
                field,
                value,
                f"is outside {low}-{high}",
                "pick a port in the range or omit it to let Kubernetes allocate one",
            )
        return int(value)

    # -- addresses -------------------------------------------------------------------------
    def endpoint_ip(self, field: str, value: Any) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
        """An EndpointSlice address: an IP that is not unspecified, loopback, link-local or multicast."""
        try:
            ip = ipaddress.ip_address(value)
        except ValueError:
            self.fail(field, value, "is not an IP address", "give an IPv4 or IPv6 address")
        if ip.is_unspecified or ip.is_loopback or ip.is_link_local or ip.is_multicast:
            self.fail(
                field,
                value,
                "is an unspecified, loopback, link-local or multicast address, which Kubernetes rejects as an endpoint",
                "give a routable address of the external service",
            )
        return ip

    def cidr(self, field: str, value: Any) -> str:
        """A canonical CIDR such as '10.0.0.0/8'."""
        if not isinstance(value, str):
            self.fail(field, value, "is not a CIDR string", "give a CIDR such as '10.0.0.0/8'")
        try:
            net = ipaddress.ip_network(value, strict=False)
        except ValueError:
            self.fail(field, value, "is not a CIDR", "give a CIDR such as '10.0.0.0/8'")
        if "/" not in value or str(net) != value:
            self.fail(field, value, "is not a canonical CIDR", f"write it as '{net}'")
        return value

    def affinity_timeout(self, field: str, value: Any) -> int:
        """A ClientIP session-affinity timeout in 1..86400 seconds."""
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_AFFINITY_TIMEOUT:
            self.fail(
                field,
                value,
                f"is not an integer in 1-{MAX_AFFINITY_TIMEOUT}",
                "give the stickiness timeout in seconds (default 10800)",
            )
        return value

    def one_of(self, field: str, value: Any, allowed: Iterable[str], fix: str) -> str:
        """A value from a closed set."""
        allowed = tuple(allowed)
        if value not in allowed:
            self.fail(field, value, f"is not one of {', '.join(allowed)}", fix)
        return str(value)


def is_iana_name(value: Any) -> bool:
    """True for a valid named port (IANA_SVC_NAME), as containers and Services use them."""
    return (
        isinstance(value, str)
        and 1 <= len(value) <= 15
        and IANA_SVC_NAME.match(value) is not None
        and HAS_LETTER.search(value) is not None
        and "--" not in value
        and not value.startswith("-")
        and not value.endswith("-")
    )


def is_ip(value: str) -> bool:
    """True when ``value`` parses as an IPv4 or IPv6 address."""
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True
