"""Outbound HTTP for webhooks: public addresses only, checked at each connection.

httpx connects through httpcore's network backend; this backend resolves the
host itself, refuses unless every address is public (`addresses`), and
connects to one of the checked addresses, so what is checked is what is
reached (no DNS rebinding between check and connect). TLS still verifies the
URL's host name. Redirects are never followed and proxies from the
environment are ignored.
"""

from __future__ import annotations

import typing

import httpcore
import httpx
from httpcore import AsyncNetworkBackend, AsyncNetworkStream

from .. import addresses

SocketOption = typing.Any


class RefusedAddress(httpcore.ConnectError):
    """httpx reports it as a ConnectError carrying the reason."""


class PublicOnlyBackend(AsyncNetworkBackend):
    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private
        self._backend = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: typing.Iterable[SocketOption] | None = None,
    ) -> AsyncNetworkStream:
        try:
            found = await addresses.public_addresses(host, port, self.allow_private)
        except addresses.Refused as exc:
            raise RefusedAddress(str(exc)) from None
        last: Exception | None = None
        for address in found:
            try:
                return await self._backend.connect_tcp(
                    str(address), port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        socket_options: typing.Iterable[SocketOption] | None = None,
    ) -> AsyncNetworkStream:
        raise RefusedAddress("webhooks do not use unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


class PublicOnlyTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport, its connection pool built on `PublicOnlyBackend`."""

    def __init__(self, allow_private: bool) -> None:
        super().__init__(trust_env=False, retries=0)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=PublicOnlyBackend(allow_private),
        )


def client(allow_private: bool, user_agent: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=PublicOnlyTransport(allow_private),
        follow_redirects=False,
        trust_env=False,
        headers={"user-agent": user_agent},
    )
