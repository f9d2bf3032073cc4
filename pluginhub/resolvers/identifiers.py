"""Public identifiers and version numbers: their shape, generation and order."""

from __future__ import annotations

import re
import secrets

from .errors import RequestCode, RequestError, validation

PUBLIC_ID = re.compile(r"[0-9]{16}")
INT_KEY = re.compile(r"[0-9]{1,19}")
INT32_MAX = 2**31 - 1  # rows keyed by an IntField (int4 on PostgreSQL)
INT64_MAX = 2**63 - 1  # rows keyed by a BigIntField (events)
VERSION = re.compile(r"(0|[1-9][0-9]{0,4})\.(0|[1-9][0-9]{0,4})\.(0|[1-9][0-9]{0,4})")


def new_public_id() -> str:
    """16 decimal digits, never starting with 0 so it survives a trip through a number."""
    return str(secrets.randbelow(9 * 10**15) + 10**15)


def check_public_id(value: str, field: list[str], what: str) -> str:
    if not PUBLIC_ID.fullmatch(value):
        raise validation(f"{what} must be 16 decimal digits", field)
    return value


def check_query_id(value: str, what: str) -> str:
    """The same check for a query's or subscription's argument: a top-level error."""
    if not PUBLIC_ID.fullmatch(value):
        raise RequestError(RequestCode.VALIDATION, f"{what} must be 16 decimal digits")
    return value


def check_query_version(value: str) -> str:
    """A version number a query looks up: well-formed, or a top-level VALIDATION error."""
    if not VERSION.fullmatch(value):
        raise RequestError(
            RequestCode.VALIDATION,
            "version must be MAJOR.MINOR.PATCH: decimal, no leading zeros, each part at most 99999",
        )
    return value


def int_key(raw: str, limit: int = INT32_MAX) -> int | None:
    """The integer key inside a global id, or None when it cannot name a row:
    ASCII digits only, and within the column's range on every backend."""
    if not INT_KEY.fullmatch(raw):
        return None
    key = int(raw)
    return key if key <= limit else None


def version_key(version: str, field: list[str] | None = None) -> int:
    """MAJOR.MINOR.PATCH as one integer that sorts numerically (1.10.0 > 1.9.0)."""
    match = VERSION.fullmatch(version)
    if not match:
        raise validation(
            "version must be MAJOR.MINOR.PATCH: decimal, no leading zeros, each part at most 99999",
            field,
        )
    major, minor, patch = (int(part) for part in match.groups())
    return (major * 100_000 + minor) * 100_000 + patch


def version_from_key(key: int) -> str:
    rest, patch = divmod(key, 100_000)
    major, minor = divmod(rest, 100_000)
    return f"{major}.{minor}.{patch}"
