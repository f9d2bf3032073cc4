"""Schema extensions: authentication, error codes, masking and limits.

Every top-level error carries `extensions.code`. Errors the client caused
(auth, malformed queries, limits, bad arguments) are shown as they are;
anything unexpected is replaced by "internal error" with the request id, and
logged in full under that id.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from functools import partial
from typing import Any

from graphql import ExecutionResult, GraphQLError, OperationDefinitionNode
from graphql.language import FieldNode
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.types.graphql import OperationType

from .. import persisted
from ..config import Settings
from ..resolvers.errors import RequestCode, RequestError, UserError
from ..telemetry import tracing
from ..telemetry.metrics import OperationNames
from ..telemetry.operations import Observe
from .limits import limits_rule
from .parsing import parse_document
from .text_inputs import TextLiterals, TextVariables
from .validation import Validation, Validator

log = logging.getLogger("pluginhub.errors")
CLIENT_ERRORS = (RequestError, UserError)


def is_unexpected(error: GraphQLError) -> bool:
    original = error.original_error
    return original is not None and not isinstance(original, (*CLIENT_ERRORS, GraphQLError))


def request_id(context: Any) -> str:
    return getattr(context, "request_id", "-")


class Parsing(SchemaExtension):
    """Parse through `parsing.parse_document` (token limit, shared cache).

    Setting `graphql_document` here means strawberry does not parse again;
    every error is a GraphQLError that already carries its code.
    """

    def __init__(self, max_tokens: int) -> None:
        self.max_tokens = max_tokens

    def on_parse(self) -> Iterator[None]:
        ctx = self.execution_context
        if ctx.query and ctx.graphql_document is None:
            ctx.graphql_document = parse_document(ctx.query, self.max_tokens)
        yield


class Authentication(SchemaExtension):
    """Refuse any operation that reads more than introspection without a valid token."""

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        if getattr(ctx.context, "viewer", None) is None and _needs_viewer(ctx.graphql_document, ctx.operation_name):
            ctx.result = ExecutionResult(
                data=None,
                errors=[
                    GraphQLError(
                        "authentication required: send `Authorization: Bearer <token>`",
                        extensions={"code": RequestCode.UNAUTHENTICATED.value},
                    )
                ],
            )
        yield


def _needs_viewer(document: Any, operation_name: str | None) -> bool:
    if document is None:
        return False
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        if operation_name and (definition.name is None or definition.name.value != operation_name):
            continue
        for selection in definition.selection_set.selections:
            if not (isinstance(selection, FieldNode) and selection.name.value.startswith("__")):
                return True
    return False


class WakeSubscribers(SchemaExtension):
    """After a mutation has committed, let this process's subscribers read the log."""

    def on_execute(self) -> Iterator[None]:
        yield
        ctx = self.execution_context
        if ctx.operation_type == OperationType.MUTATION:
            notifier = getattr(ctx.context, "notifier", None)
            if notifier is not None:
                notifier.wake()


def give_codes(errors: list[GraphQLError] | None) -> None:
    """Give every client error its code: the resolvers' own, the one of the
    error it wraps (a variable that did not coerce wraps the scalar's error),
    or, for an error graphql-core raised about the document or its
    variables, GRAPHQL_VALIDATION_FAILED. Unexpected errors are left to
    MaskInternalErrors."""
    for error in errors or []:
        if error.extensions and "code" in error.extensions:
            continue
        original = error.original_error
        if isinstance(original, CLIENT_ERRORS):
            code = str(original.code)
        elif isinstance(original, GraphQLError):
            code = (original.extensions or {}).get("code") or RequestCode.GRAPHQL_VALIDATION_FAILED.value
        elif original is not None:
            continue
        else:
            code = RequestCode.GRAPHQL_VALIDATION_FAILED.value
        error.extensions = {**(error.extensions or {}), "code": code}


class ErrorCodes(SchemaExtension):
    """Codes on every result: a query's or mutation's, and each a subscription streams."""

    def on_operation(self) -> Iterator[None]:
        yield
        give_codes(getattr(self.execution_context.result, "errors", None))

    def on_stream_result(self, result: Any) -> Iterator[None]:
        give_codes(getattr(result, "errors", None))
        yield


class MaskInternalErrors(MaskErrors):
    def __init__(self) -> None:
        super().__init__(should_mask_error=is_unexpected, error_message="internal error")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        rid = request_id(self.execution_context.context)
        return GraphQLError(
            f"internal error (request id {rid})",
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": RequestCode.INTERNAL_SERVER_ERROR.value, "requestId": rid},
        )


def log_errors(errors: list[GraphQLError], execution_context: Any = None) -> None:
    """The full trace of unexpected errors, under the request id the client sees."""
    context = getattr(execution_context, "context", None)
    for error in errors:
        if is_unexpected(error):
            log.error(
                "request %s failed at %s",
                request_id(context),
                ".".join(str(p) for p in error.path or []),
                exc_info=error.original_error,
            )
        else:
            log.debug("client error: %s", error.message)


def validator(settings: Settings) -> Validator:
    return Validator((limits_rule(settings.max_query_depth, settings.max_aliases), TextLiterals))


def extensions(settings: Settings, checks: Validator) -> list[Any]:
    return [
        partial(Observe, names=OperationNames(settings.metrics_max_operations)),  # first: it sees the final result
        TextVariables,
        Authentication,
        partial(Parsing, max_tokens=settings.max_query_tokens),
        partial(Validation, checks),
        MaskInternalErrors,
        ErrorCodes,
        WakeSubscribers,
        *tracing.extensions(settings.tracing),
        *persisted.extensions(settings),  # after Validation: it sets the validation errors
    ]
