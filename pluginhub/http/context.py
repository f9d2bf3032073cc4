"""Who is asking, and where links point: the context every resolver gets.

Authentication reads the database before any GraphQL runs, so its failure
(the database dropping connections) cannot become a GraphQL error on its
own: it is answered here as a retryable SERVICE_UNAVAILABLE with the
request id, and logged with its trace.
"""

from __future__ import annotations

import logging
from typing import Any

from ..config import Settings
from ..delivery import Notifier
from ..packages import PackageStore
from ..resolvers.accounts import authenticate
from ..resolvers.viewer import Viewer
from ..schema.context import Context
from . import refusals

log = logging.getLogger("pluginhub.http")


def bearer(value: str | None) -> str | None:
    if value and value[:7].lower() == "bearer ":
        return value[7:].strip()
    return None


def request_id(request: Any) -> str:
    return str(request.scope.get("state", {}).get("request_id", "-"))


async def viewer_for(token: str | None, rid: str) -> Viewer | None:
    """The token's account; a database failure is a `Refusal` (503) naming the request id."""
    if not token:
        return None
    try:
        return await authenticate(token)
    except Exception:
        log.exception("request %s: authentication could not read the database", rid)
        raise refusals.service_unavailable(rid) from None


def base_url(settings: Settings, request: Any) -> str:
    """Where links (package downloads) point.

    PLUGINHUB_PUBLIC_URL when set; otherwise the request's Host only when it
    is one of PLUGINHUB_TRUSTED_HOSTS, so a forged Host cannot plant its
    address in a link another client follows; else the address the server
    listens on.
    """
    if settings.public_url:
        return settings.public_url.rstrip("/")
    scheme = {"ws": "http", "wss": "https"}.get(request.url.scheme, request.url.scheme)
    host = request.headers.get("host", "")
    if host and host.rsplit(":", 1)[0].strip("[]").lower() in settings.trusted_host_names:
        return f"{scheme}://{host}"
    server = request.scope.get("server")
    if server and server[0]:
        address, port = server[0], server[1]
        shown = f"[{address}]" if ":" in str(address) else str(address)
        default = (scheme == "http" and port == 80) or (scheme == "https" and port == 443) or port is None
        return f"{scheme}://{shown}" + ("" if default else f":{port}")
    return ""


def make_context(
    settings: Settings, store: PackageStore, notifier: Notifier, request: Any, response: Any, viewer: Viewer | None
) -> Context:
    return Context(
        settings=settings,
        store=store,
        notifier=notifier,
        viewer=viewer,
        request_id=request_id(request),
        base_url=base_url(settings, request),
        request=request,
        response=response,
    )
