"""The seam where one prepared operation runs.

An `Executor` takes an operation that parsed, validated and resolved to a
query or mutation allowed for the request's method, and answers its result.
The default hands it to strawberry, whose extensions authenticate, code and
mask errors and wake subscribers. A faster path (a planned executor for
common queries, say) wraps this: it answers what it can and calls the
default for the rest.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from ..schema import Schema
from ..schema.context import Context
from .operations import PreparedOperation

Executor = Callable[[PreparedOperation, Context], Awaitable[ExecutionResult]]

RUNNABLE = (OperationType.QUERY, OperationType.MUTATION)
ANY = (*RUNNABLE, OperationType.SUBSCRIPTION)  # for reporting a document's errors: nothing runs


def strawberry_executor(schema: Schema, allowed: tuple[OperationType, ...] = RUNNABLE) -> Executor:
    async def execute(prepared: PreparedOperation, context: Context) -> ExecutionResult:
        operation = prepared.operation
        return await schema.execute(
            operation.query,
            variable_values=operation.variables,
            context_value=context,
            operation_name=operation.operation_name,
            allowed_operation_types=allowed,
            operation_extensions=operation.extensions,
        )

    return execute
