"""Validating a document once per distinct text, with the project's rules.

The HTTP layer validates before it picks a way to run an operation, and the
schema's `Validation` extension answers strawberry from the same cache, so
a document is validated once, not once per step.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator

from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema, specified_rules
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document


class Validator:
    """graphql-core's rules, strawberry's (in `validate_document`) and ours (limits)."""

    def __init__(self, extra_rules: tuple[type[ASTValidationRule], ...], size: int = 512) -> None:
        self.rules = (*specified_rules, *extra_rules)
        self.size = size
        self._cache: OrderedDict[tuple[int, str], list[GraphQLError]] = OrderedDict()

    def errors(self, schema: GraphQLSchema, query: str, document: DocumentNode) -> list[GraphQLError]:
        key = (id(schema), query)
        found = self._cache.get(key)
        if found is None:
            found = validate_document(schema, document, self.rules)
            for error in found:
                # A literal a scalar could not parse is the document's fault, whatever the scalar raised.
                error.original_error = None
            self._cache[key] = found
            if len(self._cache) > self.size:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        return found


class Validation(SchemaExtension):
    """Strawberry validates through the validator: a cache hit once the HTTP layer has validated."""

    def __init__(self, validator: Validator) -> None:
        self.validator = validator

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        if ctx.pre_execution_errors is None and ctx.graphql_document is not None and ctx.query:
            ctx.pre_execution_errors = list(self.validator.errors(ctx.schema._schema, ctx.query, ctx.graphql_document))
        yield
