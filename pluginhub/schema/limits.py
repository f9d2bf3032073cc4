"""The size limits on a query document: tokens, depth and aliases.

Each is checked in time linear in the document: tokens by the lexer before
parsing, depth and aliases by one walk in which every fragment is measured
once and remembered, so nested fragment spreads cannot make the check itself
the expensive part. A refusal is a top-level error with code
LIMIT_EXCEEDED naming the limit.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    Source,
    ValidationContext,
)
from graphql.language.lexer import Lexer
from graphql.language.token_kind import TokenKind

from ..resolvers.errors import RequestCode


def limit_exceeded(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": RequestCode.LIMIT_EXCEEDED.value})


MAX_NESTING = 100  # brackets inside brackets; far below what the recursive parser survives
OPENING = frozenset({TokenKind.BRACE_L, TokenKind.PAREN_L, TokenKind.BRACKET_L})
CLOSING = frozenset({TokenKind.BRACE_R, TokenKind.PAREN_R, TokenKind.BRACKET_R})


def check_tokens(query: str, max_tokens: int) -> None:
    """Refuse a document of more than `max_tokens` tokens, or nested deeper
    than MAX_NESTING, before it is parsed.

    A document the lexer cannot read is left to the parser, which names the
    syntax error.
    """
    lexer = Lexer(Source(query))
    count = nesting = 0
    try:
        while (kind := lexer.advance().kind) != TokenKind.EOF:
            count += 1
            if count > max_tokens:
                raise limit_exceeded(f"the document has more than {max_tokens} tokens")
            if kind in OPENING:
                nesting += 1
                if nesting > MAX_NESTING:
                    raise limit_exceeded(f"the document nests brackets more than {MAX_NESTING} deep")
            elif kind in CLOSING:
                nesting -= 1
    except GraphQLError as error:
        if error.extensions and error.extensions.get("code") == RequestCode.LIMIT_EXCEEDED.value:
            raise


class Shape:
    """Depth and alias count of every selection set of a document, each fragment measured once."""

    def __init__(self, document: DocumentNode) -> None:
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        self._depth: dict[str, int] = {}
        self._visiting: set[str] = set()
        self.aliases = sum(_aliases(d.selection_set) for d in document.definitions if hasattr(d, "selection_set"))

    def depth(self, selection_set: SelectionSetNode | None) -> int:
        """Levels of fields with selections below this set: `{ a { b } }` is 1,
        and introspection fields do not count."""
        if selection_set is None:
            return 0
        deepest = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if selection.selection_set is not None and not selection.name.value.startswith("__"):
                    deepest = max(deepest, 1 + self.depth(selection.selection_set))
            elif isinstance(selection, InlineFragmentNode):
                deepest = max(deepest, self.depth(selection.selection_set))
            elif isinstance(selection, FragmentSpreadNode):
                deepest = max(deepest, self.fragment_depth(selection.name.value))
        return deepest

    def fragment_depth(self, name: str) -> int:
        if name in self._depth:
            return self._depth[name]
        fragment = self.fragments.get(name)
        if fragment is None or name in self._visiting:  # unknown or cyclic: other rules refuse it
            return 0
        self._visiting.add(name)
        self._depth[name] = self.depth(fragment.selection_set)
        self._visiting.discard(name)
        return self._depth[name]


def _aliases(selection_set: SelectionSetNode | None) -> int:
    if selection_set is None:
        return 0
    count = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode) and selection.alias is not None:
            count += 1
        count += _aliases(getattr(selection, "selection_set", None))
    return count


def limits_rule(max_depth: int, max_aliases: int) -> type[ASTValidationRule]:
    """A validation rule refusing operations deeper than `max_depth` or with more than `max_aliases` aliases."""

    class Limits(ASTValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.shape = Shape(context.document)
            if self.shape.aliases > max_aliases:
                context.report_error(
                    limit_exceeded(f"the document has {self.shape.aliases} aliases; at most {max_aliases} are allowed")
                )

        def enter_operation_definition(self, node: OperationDefinitionNode, *_args: Any) -> Any:
            depth = self.shape.depth(node.selection_set)
            if depth > max_depth:
                name = node.name.value if node.name else "the operation"
                self.report_error(limit_exceeded(f"the depth of {name} is {depth}; at most {max_depth} is allowed"))
            return self.SKIP

        def enter_fragment_definition(self, *_args: Any) -> Any:
            return self.SKIP

    return Limits
