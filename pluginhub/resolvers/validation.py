"""Checks of free-text input shared by several mutations."""

from __future__ import annotations

import re

from .errors import validation

MAX_DESCRIPTION = 500
MAX_FEATURES = 20
MAX_FEATURE_NAME = 64
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable_character(value: str) -> str | None:
    """What in `value` no database may store, named, or None.

    PostgreSQL refuses NUL in text and no UTF-8 column holds a lone
    surrogate; SQLite would store either. Every text input is refused for
    them the same way on both, before it reaches a query.
    """
    found = UNSTORABLE.search(value)
    if found is None:
        return None
    return "a NUL character" if found.group() == "\x00" else "a lone surrogate (U+D800 to U+DFFF)"


def text(value: str, field: list[str], *, what: str, min_len: int, max_len: int) -> str:
    value = value.strip()
    if not min_len <= len(value) <= max_len:
        if min_len:
            raise validation(f"{what} must be {min_len} to {max_len} characters", field)
        raise validation(f"{what} must be at most {max_len} characters", field)
    return value


def description(value: str, field: list[str]) -> str:
    return text(value, field, what="description", min_len=0, max_len=MAX_DESCRIPTION)


def features(values: list[str], field: list[str]) -> list[str]:
    """0 to 20 distinct, non-empty feature names of at most 64 characters."""
    if len(values) > MAX_FEATURES:
        raise validation(f"at most {MAX_FEATURES} features", field)
    cleaned: list[str] = []
    for i, raw in enumerate(values):
        name = text(raw, [*field, str(i)], what="a feature name", min_len=1, max_len=MAX_FEATURE_NAME)
        if name in cleaned:
            raise validation(f"feature {name!r} is listed twice", [*field, str(i)])
        cleaned.append(name)
    return cleaned
