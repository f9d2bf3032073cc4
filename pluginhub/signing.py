"""Signed, expiring package download links.

The link carries its expiry and an HMAC over the package hash, file name and
expiry, so it needs no bearer token and no server-side state, and any edit
to it (or its expiry passing) makes it worthless.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlencode

from . import clock


def _now() -> float:
    return clock.now().timestamp()


def _signature(secret: str, sha256: str, file_name: str, expires: int) -> str:
    message = f"{sha256}\n{file_name}\n{expires}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def download_path(secret: str, sha256: str, file_name: str, ttl: int, now: float | None = None) -> str:
    """A link that expires exactly `ttl` seconds from now."""
    return _path(secret, sha256, file_name, int((_now() if now is None else now) + ttl))


def stable_download_path(secret: str, sha256: str, file_name: str, ttl: int, now: float | None = None) -> str:
    """A link valid for at least `ttl` seconds (at most twice that), the same for
    every read within one `ttl` window: clients and caches see one URL per
    package, not a new one on every query."""
    moment = int(_now() if now is None else now)
    ttl = max(ttl, 1)
    return _path(secret, sha256, file_name, (moment // ttl + 2) * ttl)


def _path(secret: str, sha256: str, file_name: str, expires: int) -> str:
    query = urlencode({"name": file_name, "expires": expires, "sig": _signature(secret, sha256, file_name, expires)})
    return f"/packages/{sha256}?{query}"


MAX_EXPIRES_DIGITS = 12  # a link's expiry is a Unix time: ten digits until the year 2286


def verify(secret: str, sha256: str, file_name: str, expires: str, signature: str, now: float | None = None) -> bool:
    """Whether a link is ours and still valid; anything else in its parts (a
    non-ASCII digit, thousands of digits, a non-ASCII signature) is simply
    not a valid link."""
    if not (expires.isascii() and expires.isdigit() and len(expires) <= MAX_EXPIRES_DIGITS):
        return False
    if not signature.isascii() or int(expires) < (_now() if now is None else now):
        return False
    expected = _signature(secret, sha256, file_name, int(expires))
    return hmac.compare_digest(expected, signature)
