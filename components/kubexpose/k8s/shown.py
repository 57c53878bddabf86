"""How an error message shows a secret value: `[secret]` for the value and for every piece of it it could quote."""

import re
from collections.abc import Mapping
from typing import Any

SECRET_SHOWN = "[secret]"
"""What an error message, a manifest or a report shows in place of a secret value."""


def hide(text: str, secrets: list[Any], *, whole: bool = False) -> str:
    """`text` with every piece of each secret value (with `whole`, each whole value and its repr) redacted."""
    for secret in secrets:
        quoted = [p for p in (repr(secret), str(secret)) if p] if whole else pieces(secret)
        for piece in quoted:
            text = text.replace(piece, SECRET_SHOWN)
    return text


def pieces(value: Any) -> list[str]:
    """The texts of a secret value an error message could quote: the value, its repr, its parts (longest first)."""
    if isinstance(value, str):
        parts = [value, repr(value), *[p for p in re.split(r"[^A-Za-z0-9._-]+", value) if len(p) >= 4]]
    elif isinstance(value, Mapping):
        parts = [repr(value), *[p for v in value.values() for p in pieces(v)]]
    elif isinstance(value, list | tuple):
        parts = [repr(value), *[p for v in value for p in pieces(v)]]
    else:
        parts = [repr(value), str(value)]
    return sorted({p for p in parts if p}, key=len, reverse=True)
