"""ASGI middleware: request ids, body limits and the ORM context per request."""

from __future__ import annotations

import json
import re
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .db import activate

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
        body = json.dumps(
            {"errors": [{"message": f"request body is larger than {limit} bytes", "extensions": {"code": code}}]}
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})


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
