"""Domain errors.

A `UserError` is a rule the caller broke: the schema puts it in the
payload's `userErrors`. A `RequestError` is about the request itself
(authentication, malformed arguments to a query, limits): the schema turns it
into a top-level GraphQL error with `extensions.code`.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
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


class UserError(Exception):
    def __init__(self, code: ErrorCode, message: str, field: list[str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class RequestError(Exception):
    """A top-level error; `code` goes to `extensions.code`."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def not_found(what: str, field: list[str] | None = None) -> UserError:
    return UserError(ErrorCode.NOT_FOUND, f"{what} not found", field)


def validation(message: str, field: list[str] | None = None) -> UserError:
    return UserError(ErrorCode.VALIDATION, message, field)
