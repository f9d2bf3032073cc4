"""Answers as GraphQL over HTTP says: media type, status and body.

`application/graphql-response+json` when the client accepts it, JSON
otherwise. Under the new media type a request error (no `data`: the document
did not parse or validate, a variable did not coerce, authentication
failed) gets a 4xx status; under legacy `application/json` every GraphQL
response is 200, as the spec allows for older clients. Refusals keep their
own status under both.
"""

from __future__ import annotations

import json
from typing import Any

from graphql import GraphQLError
from starlette.responses import Response

from ..resolvers.errors import RequestCode
from .refusals import Refusal

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"

# The status of a request error (no `data`) under application/graphql-response+json, by its code.
REQUEST_ERROR_STATUS = {
    RequestCode.UNAUTHENTICATED.value: 401,
}


def negotiate(accept: str | None) -> str:
    """The media type to answer with: the new one only when asked for, at least as much as JSON."""
    best, best_q = JSON, -1.0
    for part in (accept or "").split(","):
        kind, _, params = part.partition(";")
        kind = kind.strip().lower()
        if kind not in (GRAPHQL_RESPONSE_JSON, JSON):
            continue
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0 and (q > best_q or (q == best_q and kind == GRAPHQL_RESPONSE_JSON)):
            best, best_q = kind, q
    return best


def encode(body: Any) -> bytes:
    """The one place a response body becomes bytes (UTF-8 JSON).

    A string holding a lone surrogate (echoed from a client's input) cannot
    be UTF-8: such a body is written with escapes instead.
    """
    try:
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    except UnicodeEncodeError:
        return json.dumps(body, separators=(",", ":")).encode()


def is_request_error(data: Any, errors: list[GraphQLError] | None) -> bool:
    """Nothing ran: no data, and no error belongs to a field."""
    return data is None and bool(errors) and all(not error.path for error in errors or [])


def result_body(data: Any, errors: list[GraphQLError] | None, extensions: dict[str, Any] | None) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if not is_request_error(data, errors):
        body["data"] = data
    if errors:
        body["errors"] = [error.formatted for error in errors]
    if extensions:
        body["extensions"] = extensions
    return body


def result_status(body: dict[str, Any], media: str) -> int:
    if media != GRAPHQL_RESPONSE_JSON or "data" in body:
        return 200
    first = body["errors"][0].get("extensions") or {}
    return REQUEST_ERROR_STATUS.get(str(first.get("code")), 400)


def respond(body: dict[str, Any], status: int, media: str, headers: dict[str, str] | None = None) -> Response:
    return Response(encode(body), status_code=status, headers=headers, media_type=f"{media}; charset=utf-8")


def refusal_body(refusal: Refusal) -> dict[str, Any]:
    extensions = {"code": refusal.code.value, **refusal.extensions}
    return {"errors": [{"message": refusal.message, "extensions": extensions}]}


def refusal_response(refusal: Refusal, media: str) -> Response:
    return respond(refusal_body(refusal), refusal.status, media, refusal.headers)
