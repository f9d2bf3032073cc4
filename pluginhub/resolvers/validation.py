"""Checks of free-text input shared by several mutations."""

from __future__ import annotations

from .errors import validation

MAX_DESCRIPTION = 500
MAX_FEATURES = 20
MAX_FEATURE_NAME = 64


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
