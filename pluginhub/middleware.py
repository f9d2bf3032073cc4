"""ASGI middleware: request ids, body limits and timeouts, the ORM context per request."""

from __future__ import annotations

import asyncio
import re
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .db import activate
from .http.responses import encode

REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class RequestId:
    """Tag each request with an id (the client's X-Request-ID if sane) and echo it back."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        given = Headers(scope=scope).get("x-request-id", "")
        rid = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = rid

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["x-request-id"] = rid
            await send(message)

        await self.app(scope, receive, send_with_id)


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    """Refuse an oversized body while it streams in, before it is all read.

    Multipart uploads may be as large as the package limit plus the ordinary
    body limit; everything else only the body limit.
    """

    def __init__(self, app: ASGIApp, max_body_bytes: int, max_package_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_package_bytes = max_package_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return None
        headers = Headers(scope=scope)
        multipart = headers.get("content-type", "").startswith("multipart/")
        limit = self.max_body_bytes + (self.max_package_bytes if multipart else 0)
        code = "PACKAGE_TOO_LARGE" if multipart else "REQUEST_TOO_LARGE"
        declared = headers.get("content-length", "")
        if declared.isascii() and declared.isdigit() and (len(declared) > 18 or int(declared) > limit):
            return await self._refuse(send, code, limit)
        seen = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(send, code, limit)

    @staticmethod
    async def _refuse(send: Send, code: str, limit: int) -> None:
        await refuse(send, 413, code, f"request body is larger than {limit} bytes")


async def refuse(send: Send, status: int, code: str, message: str) -> None:
    """A GraphQL-shaped JSON refusal; the connection closes, since the body was not all read."""
    body = encode({"errors": [{"message": message, "extensions": {"code": code}}]})
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyTimedOut(Exception):
    pass


class BodyTimeout:
    """Cut off a request body that stalls (no bytes for `read_timeout` seconds)
    or drags on past `total_timeout`: a slow upload must not hold a worker,
    a temporary file and a database slot for ever."""

    def __init__(self, app: ASGIApp, read_timeout: float, total_timeout: float) -> None:
        self.app = app
        self.read_timeout = read_timeout
        self.total_timeout = total_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.total_timeout
        body_done = False
        started = False

        async def timed_receive() -> Message:
            nonlocal body_done
            if body_done:  # after the body, receive only waits for the client to leave
                return await receive()
            try:
                async with asyncio.timeout(max(0.0, min(self.read_timeout, deadline - loop.time()))):
                    message = await receive()
            except TimeoutError:
                raise BodyTimedOut from None
            if message["type"] != "http.request" or not message.get("more_body", False):
                body_done = True
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, timed_receive, tracking_send)
        except BodyTimedOut:
            if not started:
                await refuse(
                    send,
                    408,
                    "REQUEST_TIMEOUT",
                    f"the request body stalled for {self.read_timeout:g}s or took over {self.total_timeout:g}s",
                )


class OrmContext:
    """Run each request inside the app's Tortoise context (see `db.activate`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        orm = getattr(scope["app"].state, "orm", None) if "app" in scope else None
        if orm is None or scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        with activate(orm):
            await self.app(scope, receive, send)
