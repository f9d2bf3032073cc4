"""The GraphQL schema: strawberry types mapped onto the resolvers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.schema.config import StrawberryConfig

from ..config import Settings
from .extensions import extensions, log_errors, validator
from .mutation import Mutation
from .query import Query
from .subscription import Subscription
from .validation import Validator

DateTime = strawberry.scalar(
    name="DateTime",
    description="A moment in time: ISO 8601 in UTC, e.g. 2026-11-21T08:30:00Z.",
    serialize=lambda value: value.astimezone(UTC).isoformat().replace("+00:00", "Z"),
    parse_value=datetime.fromisoformat,
)


class Schema(strawberry.Schema):
    """Strawberry's schema with the settings it was built for, its validator and error logging."""

    settings: Settings
    validator: Validator

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
