"""The two kinds of refusal, each with its closed list of codes.

A `UserError` is a rule the caller broke: the schema puts it in the
payload's `userErrors` with one of `ErrorCode`. A `RequestError` is about the
request itself (authentication, a malformed query argument, a limit): the
schema turns it into a top-level GraphQL error whose `extensions.code` is one
of `RequestCode`. Every code a client can see is listed here, nowhere else.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """Codes of `UserError`: the contract's `ErrorCode` enum."""

    VALIDATION = "VALIDATION"
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    VERSION_EXISTS = "VERSION_EXISTS"
    VERSION_NOT_GREATER = "VERSION_NOT_GREATER"
    SELF_CHECK_REQUIRED = "SELF_CHECK_REQUIRED"
    FEATURES_REQUIRED = "FEATURES_REQUIRED"
    ALREADY_IN_REVIEW = "ALREADY_IN_REVIEW"
    BINDING_LIMIT_REACHED = "BINDING_LIMIT_REACHED"
    BINDING_EXISTS = "BINDING_EXISTS"
    NOT_LISTED = "NOT_LISTED"
    ORDER_EXISTS = "ORDER_EXISTS"
    PACKAGE_INVALID = "PACKAGE_INVALID"
    PACKAGE_TOO_LARGE = "PACKAGE_TOO_LARGE"
    QUOTA_EXCEEDED = "QUOTA_EXCEEDED"
    REVIEW_CLAIMED_BY_OTHER = "REVIEW_CLAIMED_BY_OTHER"
    WEBHOOK_URL_REFUSED = "WEBHOOK_URL_REFUSED"


class RequestCode(StrEnum):
    """Codes of top-level errors (`extensions.code`).

    The first group answers GraphQL requests; the second refuses an HTTP
    request before any GraphQL runs (docs/behaviour.md lists each one's
    HTTP status).
    """

    UNAUTHENTICATED = "UNAUTHENTICATED"
    VALIDATION = "VALIDATION"
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    OPERATION_RESOLUTION_FAILURE = "OPERATION_RESOLUTION_FAILURE"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"

    BAD_REQUEST = "BAD_REQUEST"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    BATCH_NOT_SUPPORTED = "BATCH_NOT_SUPPORTED"
    SUBSCRIPTION_OVER_HTTP = "SUBSCRIPTION_OVER_HTTP"
    REQUEST_TOO_LARGE = "REQUEST_TOO_LARGE"
    PACKAGE_TOO_LARGE = "PACKAGE_TOO_LARGE"
    REQUEST_TIMEOUT = "REQUEST_TIMEOUT"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    # Persisted queries (persisted.py): Apollo's two codes, and ours for the allow-list and a wrong hash.
    PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
    PERSISTED_QUERY_NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED"
    PERSISTED_QUERY_NOT_IN_LIST = "PERSISTED_QUERY_NOT_IN_LIST"
    PERSISTED_QUERY_HASH_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"


class UserError(Exception):
    def __init__(self, code: ErrorCode, message: str, field: list[str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class RequestError(Exception):
    def __init__(self, code: RequestCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def not_found(what: str, field: list[str] | None = None) -> UserError:
    return UserError(ErrorCode.NOT_FOUND, f"{what} not found", field)


def validation(message: str, field: list[str] | None = None) -> UserError:
    return UserError(ErrorCode.VALIDATION, message, field)


def invalid_transition(message: str) -> UserError:
    return UserError(ErrorCode.INVALID_TRANSITION, message)
