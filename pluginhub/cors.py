"""Which pages on other origins may call the API, over HTTP and WebSocket alike.

`PLUGINHUB_CORS_ORIGINS` is one list for both: starlette's CORS middleware
answers preflights and marks responses for HTTP, and the GraphQL view asks
`OriginPolicy.allows` before it accepts a cross-origin WebSocket handshake.
Tokens travel in the `Authorization` header or the `connection_init`
payload, never in cookies, so no credentials are allowed (browsers then
accept `*`), and an allowed origin gains nothing a page could not already do
with a token it holds.

An entry is `*`, an exact origin (`https://console.example.com`), one with
any port (`http://localhost:*`), any subdomain (`https://*.example.com`) or
any host of a scheme (`vscode-webview://*`), or the literal `null` (sandboxed
frames and `file://` pages: allow it only if you mean every such page).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

# What GraphQL clients send: the token, JSON bodies, our request id, Apollo
# Client's and Apollo Studio's headers, and W3C trace context.
ALLOW_HEADERS = (
    "authorization",
    "content-type",
    "x-request-id",
    "apollographql-client-name",
    "apollographql-client-version",
    "apollo-require-preflight",
    "x-apollo-operation-name",
    "traceparent",
    "tracestate",
)
ALLOW_METHODS = ("GET", "POST")
EXPOSE_HEADERS = ("x-request-id",)
MAX_AGE = 3600  # seconds a browser may keep a preflight's answer (Chrome caps it at 7200)

ENTRY = re.compile(
    r"(?P<scheme>[a-z][a-z0-9+.-]*)://"
    r"(?P<host>\*|(?:\*\.)?(?:[a-z0-9-]+\.)*[a-z0-9-]+|\[[0-9a-f:.]+\])"
    r"(?::(?P<port>\*|[0-9]{1,5}))?"
)
DEFAULT_PORTS = {"http": "80", "https": "443"}


def parse_list(raw: str) -> tuple[str, ...]:
    """Entries separated by commas or whitespace, as a shell or `.env` file gives them."""
    return tuple(entry for entry in re.split(r"[\s,]+", raw.strip()) if entry)


def _pattern(entry: str) -> str | None:
    """The regular expression for a wildcard entry; None for an exact origin."""
    match = ENTRY.fullmatch(entry)
    if match is None:
        raise ValueError(
            f"PLUGINHUB_CORS_ORIGINS: {entry!r} is not an origin: give scheme://host[:port], "
            "with * for any port, any subdomain (*.example.com) or any host, or * alone"
        )
    scheme, host, port = match["scheme"], match["host"], match["port"]
    if host != "*" and not host.startswith("*.") and port != "*":
        return None
    if host == "*":
        host_re = r"[^/:]+"
    elif host.startswith("*."):
        host_re = r"[a-z0-9-]+(?:\.[a-z0-9-]+)*" + re.escape(host[1:])
    else:
        host_re = re.escape(host)
    if port == "*":
        port_re = r"(?::[0-9]{1,5})?"
    elif port is None or port == DEFAULT_PORTS.get(scheme):
        port_re = ""
    else:
        port_re = ":" + port
    return re.escape(scheme) + "://" + host_re + port_re


def _exact(entry: str) -> str:
    """An exact origin as browsers send it: no default port."""
    match = ENTRY.fullmatch(entry)
    assert match is not None
    if match["port"] is not None and match["port"] == DEFAULT_PORTS.get(match["scheme"]):
        return f"{match['scheme']}://{match['host']}"
    return entry


@dataclass(frozen=True)
class OriginPolicy:
    any_origin: bool
    exact: frozenset[str]
    pattern: str | None  # one alternation of every wildcard entry

    @classmethod
    def parse(cls, entries: Iterable[str]) -> OriginPolicy:
        exact: set[str] = set()
        patterns: list[str] = []
        any_origin = False
        for raw in entries:
            entry = raw.strip().rstrip("/").lower()
            if entry == "*":
                any_origin = True
            elif entry == "null":
                exact.add("null")
            elif (pattern := _pattern(entry)) is not None:
                patterns.append(pattern)
            else:
                exact.add(_exact(entry))
        pattern = "|".join(f"(?:{p})" for p in patterns) or None
        return cls(any_origin=any_origin, exact=frozenset(exact), pattern=pattern)

    @classmethod
    def from_setting(cls, raw: str) -> OriginPolicy:
        return cls.parse(parse_list(raw))

    def allows(self, origin: str) -> bool:
        if self.any_origin:
            return True
        origin = origin.lower()
        return origin in self.exact or (self.pattern is not None and re.fullmatch(self.pattern, origin) is not None)

    def middleware(self) -> Middleware:
        """Starlette's CORS middleware, with this policy. With no origin allowed it
        still answers a preflight (400, "Disallowed CORS origin") instead of a 405."""
        return Middleware(
            CORSMiddleware,
            allow_origins=["*"] if self.any_origin else sorted(self.exact),
            allow_origin_regex=self.pattern,
            allow_methods=ALLOW_METHODS,
            allow_headers=ALLOW_HEADERS,
            expose_headers=EXPOSE_HEADERS,
            allow_private_network=True,  # a page on an allowed origin may reach a server on a private address
            max_age=MAX_AGE,
        )
