"""Relay connections with a `totalCount`, built from a resolver's `Page`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

import strawberry
from strawberry import relay

from ..resolvers.pagination import Page

NodeType = TypeVar("NodeType", bound=relay.Node)


@strawberry.type(name="Connection", description="A page of a list, with cursors to move through it.")
class Connection(relay.Connection[NodeType], Generic[NodeType]):
    _count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many items the whole list holds, across all pages.")
    async def total_count(self) -> int:
        return await self._count()

    @classmethod
    def of(cls, page: Page[Any]) -> Connection[Any]:
        return cls(
            edges=[relay.Edge(cursor=cursor, node=row) for cursor, row in zip(page.cursors, page.rows, strict=True)],
            page_info=relay.PageInfo(
                has_next_page=page.has_next,
                has_previous_page=page.has_previous,
                start_cursor=page.cursors[0] if page.cursors else None,
                end_cursor=page.cursors[-1] if page.cursors else None,
            ),
            _count=page.count,
        )
