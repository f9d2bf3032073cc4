"""Parsing a document once: the token limit first, then graphql-core's parser.

The HTTP layer (to pick the operation before running it) and the schema's
`Parsing` extension both parse through here, so a document is lexed and
parsed once per distinct text, not once per step.
"""

from __future__ import annotations

from graphql import DocumentNode, GraphQLSyntaxError, parse

from ..resolvers.errors import RequestCode
from .limits import check_tokens

CACHE_SIZE = 512
_cache: dict[tuple[int, str], DocumentNode] = {}  # by token limit and text: shared by every request


def parse_document(query: str, max_tokens: int) -> DocumentNode:
    """The document, or a GraphQLError carrying LIMIT_EXCEEDED or GRAPHQL_PARSE_FAILED."""
    key = (max_tokens, query)
    document = _cache.get(key)
    if document is None:
        check_tokens(query, max_tokens)
        try:
            document = parse(query)
        except GraphQLSyntaxError as error:
            error.extensions = {"code": RequestCode.GRAPHQL_PARSE_FAILED.value}
            raise
        except RecursionError:  # check_tokens bounds nesting; this is the last line of defence
            raise GraphQLSyntaxError(None, 0, "the document nests too deep") from None  # type: ignore[arg-type]
        if len(_cache) >= CACHE_SIZE:
            _cache.pop(next(iter(_cache)))
        _cache[key] = document
    return document
