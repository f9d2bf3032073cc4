"""Which addresses a webhook may reach: public ones only.

A webhook URL is the platform making requests on a developer's behalf, so a
URL that resolves to a loopback, private, link-local, shared, multicast,
reserved or otherwise non-global address is refused: it could reach the
platform's own network (SSRF). Every address a host name resolves to must be
public. The check runs when a webhook is saved and again at each connection
(`webhooks.transport`), so a name that later resolves elsewhere (DNS
rebinding) is refused too. `PLUGINHUB_WEBHOOK_ALLOW_PRIVATE=1` lifts it for
tests and private deployments.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class Refused(Exception):
    """The address may not be reached; the message says why, for a person."""


def is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public(embedded)
        if address.teredo is not None:
            return all(is_public(a) for a in address.teredo)
    return address.is_global and not address.is_multicast


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` stands for (an IP literal stands for itself)."""
    literal = host.strip("[]")
    try:
        return [ipaddress.ip_address(literal)]
    except ValueError:
        pass
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(literal, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Refused(f"{host} does not resolve") from exc
    found = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not found:
        raise Refused(f"{host} does not resolve")
    return list(dict.fromkeys(found))


async def public_addresses(host: str, port: int, allow_private: bool) -> list[IPAddress]:
    """The addresses to connect to, all public unless `allow_private`; else Refused."""
    addresses = await resolve(host, port)
    if not allow_private:
        for address in addresses:
            if not is_public(address):
                raise Refused(f"{host} resolves to {address}, which is not a public address")
    return addresses
