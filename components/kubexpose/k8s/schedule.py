"""A CronJob's `schedule` and `timeZone` as the API server accepts them.

The API server parses a schedule with robfig/cron v3's `ParseStandard` (five fields, or a descriptor such as
`@daily` or `@every 90m`) and refuses a `TZ=`/`CRON_TZ=` prefix (the `timeZone` field says it). The rules below are
that parser's, written here because the Python cron libraries accept more than it does (a day of week 7, `L`, `#`,
a sixth field for seconds): a schedule they accept would pass kubexpose and fail in the middle of `pulumi up`.
The e2e fuzz compares every schedule kubexpose accepts with the API server's answer.
"""

import re
import zoneinfo
from typing import Any

from .validation import Checker

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_FIELDS: tuple[tuple[str, int, int, dict[str, int]], ...] = (
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day of month", 1, 31, {}),
    ("month", 1, 12, {m: i + 1 for i, m in enumerate(_MONTHS)}),
    ("day of week", 0, 6, {d: i for i, d in enumerate(_DAYS)}),
)
_DESCRIPTORS = frozenset({"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"})
_DURATION = re.compile(r"^(\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))*$")
_DIGITS = re.compile(r"^[0-9]+$")
_ZONE_PART = re.compile(r"^[A-Za-z.\-_0-9+]{1,14}$")
_EXAMPLE = "e.g. '0 3 * * *' (03:00 every day), '*/15 * * * *' or '@hourly'"


def check_schedule(check: Checker, field: str, value: Any) -> str:
    """A schedule the API server accepts: five fields (minute hour day-of-month month day-of-week) or a descriptor."""
    if not isinstance(value, str) or not value.strip():
        check.fail(field, value, "is not a cron schedule", f"give one, {_EXAMPLE}")
    if "TZ" in value:
        check.fail(field, value, "names a time zone", "give the zone as time_zone, e.g. 'Europe/Berlin'")
    if value.startswith("@"):
        if value in _DESCRIPTORS:
            return value
        every = value.removeprefix("@every ")
        if every != value and _DURATION.match(every):
            return value
        check.fail(
            field, value, "is no descriptor the API server knows", f"use one of {', '.join(sorted(_DESCRIPTORS))}"
        )
    parts = value.split()
    if len(parts) != 5:
        check.fail(field, value, f"has {len(parts)} fields, not 5", f"give minute hour day month weekday, {_EXAMPLE}")
    for part, (what, low, high, names) in zip(parts, _FIELDS, strict=True):
        for item in part.split(","):
            problem = _range_problem(item, low, high, names)
            if problem:
                check.fail(field, value, f"has a bad {what} {item!r}: {problem}", f"give {low}-{high}, {_EXAMPLE}")
    return value


def _range_problem(item: str, low: int, high: int, names: dict[str, int]) -> str:
    """Why one comma-separated item of a cron field is refused ('' when it is accepted): `*`, `?`, `N`, `N-M`, each
    with an optional `/step`, names for months and weekdays."""
    span, _, step = item.partition("/")
    if "/" in step:
        return "more than one '/'"
    if step and (not _DIGITS.match(step) or int(step) == 0):
        return "the step is not a whole number above 0"
    if span in ("*", "?"):
        return ""
    ends = span.split("-")
    if len(ends) > 2:
        return "more than one '-'"
    numbers = []
    for end in ends:
        number = names.get(end.lower()) if end.lower() in names else (int(end) if _DIGITS.match(end) else None)
        if number is None:
            return "not a number" + (f" or name ({', '.join(names)})" if names else "")
        numbers.append(number)
    start, stop = numbers[0], (numbers[-1] if len(numbers) == 2 else (high if step else numbers[0]))
    if start < low or stop > high:
        return f"outside {low}-{high}"
    if start > stop:
        return "the range runs backwards"
    return ""


def check_time_zone(check: Checker, field: str, value: Any) -> str:
    """An IANA time zone name the API server loads (never `Local`: the API server's own zone would decide)."""
    fix = "give an IANA zone name, e.g. 'Europe/Berlin', 'America/New_York' or 'Etc/UTC'"
    if not isinstance(value, str) or not value or value.lower() == "local":
        check.fail(field, value, "is no IANA time zone", fix)
    parts = value.split("/")
    if any(p in (".", "..") or p.startswith("-") or not _ZONE_PART.match(p) for p in parts):
        check.fail(field, value, "is no IANA time zone", fix)
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        check.fail(field, value, "is no IANA time zone", fix)
    return value
