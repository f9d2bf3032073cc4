"""The schema extension that tells metrics and logs which operation ran, for whom, and how it ended.

On HTTP it fills in the request's `RequestInfo`, which the access line
carries; a subscription, which lives as long as its WebSocket operation,
writes a line of its own when it ends, with how many results it sent.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

from graphql import FieldNode, GraphQLError, OperationDefinitionNode
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from . import metrics
from .requests import current

log = logging.getLogger("pluginhub.operations")


class Observe(SchemaExtension):
    def __init__(self, names: metrics.OperationNames) -> None:
        self.names = names
        self.subscription: str | None = None
        self.delivered = 0

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        refused: GraphQLError | None = None
        try:
            yield
        except GraphQLError as error:  # a limit or a parse error raised by another extension
            refused = error
            raise
        finally:
            self._finish(time.perf_counter() - started, refused)

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        if ctx.operation_type == OperationType.SUBSCRIPTION:
            self.subscription = _root_field(ctx.graphql_document, ctx.operation_name)
            metrics.SUBSCRIPTIONS_OPEN.labels(self.subscription).inc()
        yield

    def on_stream_result(self, result: Any) -> Iterator[None]:
        if self.subscription is not None and not getattr(result, "errors", None):
            self.delivered += 1
            metrics.EVENTS_DELIVERED.labels(self.subscription).inc()
        yield

    def _finish(self, seconds: float, refused: GraphQLError | None) -> None:
        ctx = self.execution_context
        name = self.names.label(_safe(lambda: ctx.operation_name))
        kind = _safe(lambda: ctx.operation_type.value) or "unknown"
        code = _code(refused) if refused is not None else _first_code(ctx)
        outcome = metrics.outcome(code or "ok")
        metrics.OPERATIONS.labels(name, kind, outcome).inc()
        viewer = getattr(getattr(ctx.context, "viewer", None), "account_id", None)
        info = current.get()
        if info is not None:
            info.operation, info.operation_type, info.viewer = name, kind, viewer
        if self.subscription is not None:
            metrics.SUBSCRIPTIONS_OPEN.labels(self.subscription).dec()
            log.info(
                "subscription %s ended after %d results",
                self.subscription,
                self.delivered,
                extra={"operation": name, "outcome": outcome, "duration_ms": round(seconds * 1000, 1)},
            )
        else:
            metrics.OPERATION_SECONDS.labels(name, kind).observe(seconds)


def _safe(read: Any) -> Any:
    try:
        return read()
    except Exception:  # no document (a parse error): nothing to read
        return None


def _code(error: GraphQLError) -> Any:
    return (error.extensions or {}).get("code")


def _first_code(ctx: Any) -> Any:
    errors = getattr(ctx.result, "errors", None) or ctx.pre_execution_errors or []
    return _code(errors[0]) if errors else None


def _root_field(document: Any, operation_name: str | None) -> str:
    for definition in getattr(document, "definitions", ()):
        if isinstance(definition, OperationDefinitionNode) and (
            operation_name is None or (definition.name is not None and definition.name.value == operation_name)
        ):
            for selection in definition.selection_set.selections:
                if isinstance(selection, FieldNode):
                    return selection.name.value
    return "(unknown)"
