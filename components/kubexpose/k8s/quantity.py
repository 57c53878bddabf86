"""Kubernetes resource quantities, checked as the API server checks a container's `resources`.

The grammar is apimachinery's (`pkg/api/resource/quantity.go`)::

    <quantity> ::= <signedNumber><suffix>
    <suffix>   ::= Ki | Mi | Gi | Ti | Pi | Ei | m | "" | k | M | G | T | P | E | (e|E)<signedNumber>

and `pkg/apis/core/validation` adds: a request or limit is not negative; a resource name without a
domain is a standard one (`cpu`, `memory`, `ephemeral-storage`, `hugepages-<size>`); a request is at
most its limit; `hugepages-*` need a whole number and a limit. Written here by hand because the only
Python implementations live in the full Kubernetes client (`kubernetes.utils.parse_quantity`), a
heavy dependency for one function that also accepts what the server refuses (e.g. `1.5Ki` bytes is
fine there, `--1` too), while the grammar is a single regular expression.
"""

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pulumi

from .validation import DNS1123_SUBDOMAIN, QUALIFIED_NAME, Checker

_QUANTITY = re.compile(
    r"^(?P<number>[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))"
    r"(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$"
)
_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {"m": Decimal("0.001"), "k": Decimal(10**3), "M": Decimal(10**6), "G": Decimal(10**9)}
_DECIMAL |= {"T": Decimal(10**12), "P": Decimal(10**15), "E": Decimal(10**18)}
STANDARD = ("cpu", "memory", "ephemeral-storage")


def _extended(name: str) -> bool:
    """A domain-qualified extended resource name (`nvidia.com/gpu`): a DNS subdomain, '/', a qualified name."""
    domain, slash, rest = name.partition("/")
    return bool(slash) and bool(DNS1123_SUBDOMAIN.match(domain)) and bool(QUALIFIED_NAME.match(rest))


def parse_quantity(value: Any) -> Decimal | None:
    """The amount a quantity stands for, or None when the API server would refuse its text."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        text = repr(value) if isinstance(value, float) else str(value)
        if isinstance(value, float) and ("inf" in text or "nan" in text):
            return None
        value = text.replace("e+", "e")
    if not isinstance(value, str):
        return None
    match = _QUANTITY.match(value)
    if not match:
        return None
    number, suffix = Decimal(match["number"]), match["suffix"] or ""
    if suffix in _BINARY:
        return number * _BINARY[suffix]
    if suffix in _DECIMAL:
        return number * _DECIMAL[suffix]
    if suffix:
        return number.scaleb(int(suffix[1:]))
    return number


def check_resources(check: Checker, resources: Mapping[str, Any]) -> None:
    """Refuse what the API server refuses in a container's `resources` (requests and limits)."""
    amounts: dict[str, dict[str, Decimal]] = {}
    for part in ("requests", "limits"):
        given = resources.get(part)
        if given is None:
            continue
        if not isinstance(given, Mapping):
            check.fail(f"resources.{part}", given, "is not a mapping", f"give e.g. {part}={{'cpu': '100m'}}")
        amounts[part] = {}
        for name, value in given.items():
            field = f"resources.{part}.{name}"
            if isinstance(value, pulumi.Output):
                continue  # computed elsewhere: the API server judges it
            if not isinstance(name, str) or not (name in STANDARD or name.startswith("hugepages-") or _extended(name)):
                check.fail(
                    f"resources.{part}",
                    name,
                    "is not a resource Kubernetes knows",
                    "use cpu, memory, ephemeral-storage, hugepages-<size> or a domain-qualified "
                    "extended resource such as nvidia.com/gpu",
                )
            amount = parse_quantity(value)
            if amount is None:
                check.fail(
                    field,
                    value,
                    "is not a Kubernetes quantity",
                    "write a number with an optional suffix, e.g. '250m' or '0.5' for CPU, '128Mi' or '1Gi' for memory",
                )
            if amount < 0:
                check.fail(field, value, "is negative", "give zero or more")
            if name.startswith("hugepages-") and amount != amount.to_integral_value():
                check.fail(field, value, "is not a whole number of bytes", "give hugepages in whole bytes, e.g. '2Mi'")
            if "/" in name and amount != amount.to_integral_value():
                check.fail(
                    field, value, "is not a whole number", f"extended resources such as {name} come in whole units"
                )
            amounts[part][name] = amount
    requests, limits = amounts.get("requests", {}), amounts.get("limits", {})
    for name, request in requests.items():
        if name in limits and request > limits[name]:
            check.fail(
                f"resources.requests.{name}",
                resources["requests"][name],
                f"is more than the limit {resources['limits'][name]!r}",
                "raise the limit or lower the request (a request may not exceed its limit)",
            )
        if name.startswith("hugepages-") and name not in limits:
            check.fail(
                f"resources.requests.{name}",
                resources["requests"][name],
                "has no limit",
                f"hugepages need a limit: add limits={{'{name}': ...}} equal to the request",
            )
    for name in limits:
        if (
            name not in STANDARD
            and not name.startswith("hugepages-")
            and name in requests
            and requests[name] != limits[name]
        ):
            check.fail(
                f"resources.requests.{name}",
                resources["requests"][name],
                f"differs from the limit {resources['limits'][name]!r}",
                "an extended resource cannot be overcommitted: give the same request and limit",
            )
