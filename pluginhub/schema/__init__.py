"""The GraphQL schema: strawberry types mapped onto the resolvers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.exceptions import CannotGetOperationTypeError
from strawberry.types.base import get_object_definition
from strawberry.types.execution import PreExecutionError

from ..config import Settings
from ..resolvers.errors import RequestCode
from .extensions import extensions, log_errors, validator
from .mutation import Mutation as BaseMutation
from .query import Query
from .subscription import Subscription
from .validation import Validator
from .webhook_mutations import WebhookMutations

DateTime = strawberry.scalar(
    name="DateTime",
    description="A moment in time: ISO 8601 in UTC, e.g. 2026-11-21T08:30:00Z.",
    serialize=lambda value: value.astimezone(UTC).isoformat().replace("+00:00", "Z"),
    parse_value=datetime.fromisoformat,
)


@strawberry.type(name="Mutation", description=get_object_definition(BaseMutation, strict=True).description)
class Mutation(BaseMutation, WebhookMutations):
    """Every mutation: the core ones and, in their own module, the webhook ones."""


class Schema(strawberry.Schema):
    """Strawberry's schema with the settings it was built for, its validator and error logging."""

    settings: Settings
    validator: Validator

    async def _prepare_operation_async(self, context: Any, extensions_runner: Any) -> PreExecutionError | None:
        """Parse and validate, turning our extensions' coded errors into a result.

        Our `Parsing` extension raises its coded GraphQLError (parse failure,
        token limit) from `on_parse`, outside the part strawberry guards:
        `execute` would still answer it, but a subscription's stream would
        end in a trace. Here both get the same coded result, as does an
        `operationName` the document lacks (over WebSocket).
        """
        try:
            return await super()._prepare_operation_async(context, extensions_runner)
        except GraphQLError as error:
            failure = error
        except CannotGetOperationTypeError as error:
            failure = GraphQLError(
                error.as_http_error_reason(), extensions={"code": RequestCode.OPERATION_RESOLUTION_FAILURE.value}
            )
        context.pre_execution_errors = [failure]
        return PreExecutionError(data=None, errors=[failure])

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        log_errors(errors, execution_context)


def build_schema(settings: Settings | None = None) -> Schema:
    settings = settings or Settings()
    checks = validator(settings)
    schema = Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions(settings, checks),
        config=StrawberryConfig(scalar_map={datetime: DateTime}),
    )
    schema.settings = settings
    schema.validator = checks
    return schema


def export_sdl() -> str:
    return build_schema().as_str() + "\n"
