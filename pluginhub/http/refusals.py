"""Refusals of an HTTP request before any GraphQL runs.

Each is a status, a code from `RequestCode` and a message a person can act
on; `responses.refusal_response` turns one into a GraphQL-shaped JSON body,
so a client (GraphiQL included) always gets `errors[0].extensions.code`.
"""

from __future__ import annotations

from typing import Any

from ..resolvers.errors import RequestCode


class Refusal(Exception):
    def __init__(
        self,
        status: int,
        code: RequestCode,
        message: str,
        headers: dict[str, str] | None = None,
        extensions: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.extensions = extensions or {}


def bad_request(message: str) -> Refusal:
    return Refusal(400, RequestCode.BAD_REQUEST, message)


def unsupported_media_type(given: str) -> Refusal:
    shown = given or "none"
    return Refusal(
        415,
        RequestCode.UNSUPPORTED_MEDIA_TYPE,
        f"send the request as application/json, or multipart/form-data for uploads (content-type: {shown})",
    )


def method_not_allowed(message: str, allow: str) -> Refusal:
    return Refusal(405, RequestCode.METHOD_NOT_ALLOWED, message, headers={"allow": allow})


def batch_not_supported() -> Refusal:
    return Refusal(400, RequestCode.BATCH_NOT_SUPPORTED, "batched requests are not supported: send one operation")


def subscription_over_http() -> Refusal:
    return Refusal(
        400,
        RequestCode.SUBSCRIPTION_OVER_HTTP,
        "subscriptions are served over WebSocket at this URL (graphql-transport-ws or graphql-ws)",
    )


def service_unavailable(request_id: str) -> Refusal:
    """The database could not be reached before the operation ran: safe to retry."""
    return Refusal(
        503,
        RequestCode.SERVICE_UNAVAILABLE,
        f"the service is unavailable for a moment; retry (request id {request_id})",
        headers={"retry-after": "1"},
        extensions={"requestId": request_id, "retryable": True},
    )
