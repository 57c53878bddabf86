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
from decimal import ROUND_UP, Context, Decimal
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


_BINARY_EXPONENT = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL_EXPONENT = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_SI_SUFFIX = {exponent: suffix for suffix, exponent in _DECIMAL_EXPONENT.items()}
_BINARY_SUFFIX = {0: "", **{exponent: suffix for suffix, exponent in _BINARY_EXPONENT.items()}}


def canonical(value: Any, *, milli: bool = False) -> Any:
    """The text the API server stores (and pulumi-kubernetes applies) for quantity `value`: apimachinery's
    `ParseQuantity(value).String()` (`pkg/api/resource/quantity.go`). `0.5` becomes `500m`, `1.5Gi` `1536Mi`,
    `1024Mi` `1Gi`, `1000` `1k`; a text already canonical for its format (`250m`, `129e6`, `3Ki`) is kept as
    written, as apimachinery keeps it. A value that is not a quantity is returned unchanged (validation refuses
    it elsewhere). With `milli` (a value of a ResourceList: a container's requests and limits) the amount is first
    rounded up to thousandths, as the API server's defaulting does (`SetDefaults_ResourceList`): `0.5e-3` becomes
    `1e-3`. `e2e/test_server_agreement.py` compares both with what the server stores."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = (repr(value) if isinstance(value, float) else str(value)).replace("e+", "e")
    match = _QUANTITY.match(value) if isinstance(value, str) else None
    if match is None or value == "0" or parse_quantity(value) is None:
        return value
    number, suffix = match["number"], match["suffix"] or ""
    digits = number.lstrip("+-")
    whole, _, fraction = digits.partition(".")
    whole = whole.lstrip("0")  # ParseQuantity drops leading zeros before it looks at the digits
    scientific = len(suffix) > 1 and suffix[0] in "eE"  # `E` alone is exa
    if suffix in _BINARY_EXPONENT:
        binary, exponent = True, _BINARY_EXPONENT[suffix]
    else:
        binary, exponent = False, int(suffix[1:]) if scientific else _DECIMAL_EXPONENT[suffix]
    # The fast path of ParseQuantity keeps the text as written when it is already canonical.
    shifted = (whole or "0") + fraction
    scale = exponent - len(fraction)
    kept = not milli or scale >= -3  # RoundUp(milli) keeps the text of an amount with no finer digits
    fits = not binary and 18 - len(whole or "0") - len(fraction) >= 0 and scale >= -9
    if kept and fits and scale % 3 == 0 and not shifted.endswith("000") and shifted[:1] != "0":
        return value
    precise = binary and not fraction and 15 - len(whole or "0") - int(exponent * 3 / 10) - 1 >= 0
    if precise and exponent % 10 == 0 and int(shifted) & 0x07 != 0:
        return value
    amount = Decimal(digits) * (2**exponent if binary else Decimal(10) ** exponent)
    if amount.as_tuple().exponent < -9:  # type: ignore[operator]
        amount = amount.quantize(Decimal("1e-9"), rounding=ROUND_UP)  # the server rounds up to nano units
    if milli and amount.as_tuple().exponent < -3:  # type: ignore[operator]
        amount = amount.quantize(Decimal("1e-3"), rounding=ROUND_UP)
    if amount == 0:
        return "0"
    minus = "-" if number.startswith("-") else ""
    if binary and amount >= 1024 and amount == amount.to_integral_value():
        mantissa, power = int(amount), 0
        while mantissa % 1024 == 0:
            mantissa, power = mantissa // 1024, power + 10
        return f"{minus}{mantissa}{_BINARY_SUFFIX.get(power, '')}"
    _, digit_tuple, tuple_exponent = amount.normalize(Context(prec=100)).as_tuple()
    mantissa, power = int("".join(map(str, digit_tuple))), int(tuple_exponent)
    while power % 3:  # AsCanonicalBytes: every factor of ten in the exponent, lowered to a multiple of 3
        mantissa, power = mantissa * 10, power - 1
    tail = (f"e{power}" if power else "") if scientific else _SI_SUFFIX.get(power, "")
    return f"{minus}{mantissa}{tail}"


def _in_resource_list(value: Any) -> Any:
    return canonical(value, milli=True)


def canonical_resources(resources: Mapping[str, Any]) -> dict[str, Any]:
    """A container's `resources` with every plain request and limit in its canonical text (:func:`canonical`)."""
    out = dict(resources)
    for part in ("requests", "limits"):
        given = resources.get(part)
        if (
            isinstance(given, Mapping) and not given
        ):  # no request (or limit) at all: left out, as the provider applies it
            del out[part]
        elif isinstance(given, Mapping):
            out[part] = {
                name: value.apply(_in_resource_list) if isinstance(value, pulumi.Output) else _in_resource_list(value)
                for name, value in given.items()
            }
    return out


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
