"""Text no database can store (NUL, lone surrogates) never reaches a resolver.

Every string a client sends is either a literal in the document (checked
by a validation rule) or a variable (checked before execution): together
they are the one door every text input passes, so the refusal is the same
VALIDATION error on every backend and every field.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError, StringValueNode, ValidationRule
from strawberry.extensions import SchemaExtension

from ..resolvers.errors import RequestCode
from ..resolvers.validation import unstorable_character


def refusal(what: str, found: str, node: Any = None) -> GraphQLError:
    return GraphQLError(
        f"{what} holds {found}, which no text input may contain",
        node,
        extensions={"code": RequestCode.VALIDATION.value},
    )


class TextLiterals(ValidationRule):
    def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
        found = unstorable_character(node.value)
        if found:
            self.report_error(refusal("a string in the document", found, node))


def first_unstorable(value: Any, path: str) -> tuple[str, str] | None:
    """(path, what) of the first unstorable string in a variable's value, keys included."""
    if isinstance(value, str):
        found = unstorable_character(value)
        return (path, found) if found else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = unstorable_character(key) if isinstance(key, str) else None
            if found:
                return (path, found)
            deeper = first_unstorable(item, f"{path}.{key}")
            if deeper:
                return deeper
    elif isinstance(value, list):
        for i, item in enumerate(value):
            deeper = first_unstorable(item, f"{path}.{i}")
            if deeper:
                return deeper
    return None


class TextVariables(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        variables = self.execution_context.variables or {}
        found = first_unstorable(variables, "$")
        if found:
            path, what = found
            raise refusal(f"the variable {path.replace('$.', '$', 1)}", what)
        yield
