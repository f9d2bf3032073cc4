"""Keyset pagination for every connection.

Cursors name a row's position in the list's order (not an offset), so a page
stays correct while rows are added or removed around it. `hasPreviousPage`
when paging forward (and `hasNextPage` when paging back) is true exactly when
a cursor was given, as the Relay spec allows: it costs no extra query.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from tortoise.expressions import Q
from tortoise.functions import Count
from tortoise.models import Model
from tortoise.queryset import QuerySet

from .errors import RequestCode, RequestError
from .identifiers import INT32_MAX, INT64_MAX
from .validation import unstorable_character

T = TypeVar("T", bound=Model)


@dataclass(frozen=True)
class PageArgs:
    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None

    @classmethod
    def checked(
        cls,
        first: int | None,
        after: str | None,
        last: int | None,
        before: str | None,
        *,
        default_size: int,
        max_size: int,
    ) -> PageArgs:
        """Refuse a page size out of range rather than silently cutting it."""
        if first is not None and last is not None:
            raise RequestError(RequestCode.VALIDATION, "pass either `first` or `last`, not both")
        for name, size in (("first", first), ("last", last)):
            if size is not None and not 0 <= size <= max_size:
                raise RequestError(RequestCode.VALIDATION, f"`{name}` must be between 0 and {max_size}, got {size}")
        if first is None and last is None:
            first = default_size
        return cls(first=first, after=after, last=last, before=before)

    @property
    def backward(self) -> bool:
        return self.last is not None

    @property
    def size(self) -> int:
        return self.last if self.backward else self.first  # type: ignore[return-value]


MAX_CURSOR = 200  # our cursors are a few dozen characters
MAX_TEXT_KEY = 64  # the longest text column a list is ordered by (public ids are 16)
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)  # nothing in the log is older
LATEST = datetime(9999, 1, 1, tzinfo=UTC)


def _key_value(column: Any, value: Any) -> Any:
    """One value of a cursor, checked against the column it positions on."""
    kind = type(column).__name__
    if "Datetime" in kind:
        if not isinstance(value, str):
            raise ValueError
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None or not EARLIEST <= moment <= LATEST:  # our cursors always carry UTC
            raise ValueError
        return moment.astimezone(UTC)
    if "Int" in kind:
        limit = INT64_MAX if "BigInt" in kind else INT32_MAX
        if not isinstance(value, int) or isinstance(value, bool) or not -limit <= value <= limit:
            raise ValueError
        return value
    if not isinstance(value, str) or len(value) > MAX_TEXT_KEY or unstorable_character(value):
        raise ValueError
    return value


@dataclass(frozen=True)
class Ordering:
    """The columns that order a list; the last one must be unique."""

    keys: tuple[tuple[str, bool], ...]  # (field, descending)

    def order_by(self, reverse: bool = False) -> list[str]:
        return [("-" if desc != reverse else "") + name for name, desc in self.keys]

    def values(self, row: Model) -> list[Any]:
        return [getattr(row, name) for name, _ in self.keys]

    def cursor(self, row: Model) -> str:
        return self.cursor_of(self.values(row))

    def cursor_of(self, values: Sequence[Any]) -> str:
        """The cursor of the position `values` (one per key)."""
        raw = [v.isoformat() if isinstance(v, datetime) else v for v in values]
        return base64.urlsafe_b64encode(json.dumps(raw, separators=(",", ":")).encode()).decode().rstrip("=")

    def decode(self, cursor: str, sample: type[Model]) -> list[Any]:
        """The position a cursor names, or VALIDATION: only what our own cursors
        can hold (the key columns' types, within their ranges) reaches SQL."""
        try:
            if len(cursor) > MAX_CURSOR or not cursor.isascii():
                raise ValueError
            padded = cursor + "=" * (-len(cursor) % 4)
            raw = json.loads(base64.urlsafe_b64decode(padded.encode()))
            if not isinstance(raw, list) or len(raw) != len(self.keys):
                raise ValueError
            return [
                _key_value(sample._meta.fields_map[name], value)
                for (name, _), value in zip(self.keys, raw, strict=True)
            ]
        except (ValueError, TypeError, KeyError, OverflowError, RecursionError):
            raise RequestError(RequestCode.VALIDATION, f"malformed cursor {cursor[:MAX_CURSOR]!r}") from None

    def beyond(self, values: Sequence[Any], towards_end: bool) -> Q:
        """Rows strictly after (`towards_end`) or before the position `values`."""
        clauses: list[Q] = []
        for i, (name, desc) in enumerate(self.keys):
            op = "gt" if desc != towards_end else "lt"
            equal = {self.keys[j][0]: values[j] for j in range(i)}
            clauses.append(Q(**equal, **{f"{name}__{op}": values[i]}))
        return Q(*clauses, join_type="OR")

    def sort_key(self, row: Model) -> tuple[Any, ...]:
        return tuple(_Desc(v) if desc else v for v, (_, desc) in zip(self.values(row), self.keys, strict=True))


class _Desc:
    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: _Desc) -> bool:
        return bool(other.value < self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Desc) and other.value == self.value

    def __hash__(self) -> int:
        return hash(self.value)


@dataclass
class Page(Generic[T]):
    rows: list[T]
    cursors: list[str]
    has_next: bool
    has_previous: bool
    count: Callable[[], Awaitable[int]] = field(repr=False)


def _within_cursors(qs: QuerySet[T], ordering: Ordering, args: PageArgs) -> QuerySet[T]:
    model = qs.model
    if args.after is not None:
        qs = qs.filter(ordering.beyond(ordering.decode(args.after, model), towards_end=True))
    if args.before is not None:
        qs = qs.filter(ordering.beyond(ordering.decode(args.before, model), towards_end=False))
    return qs


def _bounded(qs: QuerySet[T], ordering: Ordering, args: PageArgs) -> QuerySet[T]:
    """The page's rows plus one, to tell whether more follow."""
    qs = _within_cursors(qs, ordering, args)
    return qs.order_by(*ordering.order_by(reverse=args.backward)).limit(args.size + 1)


def _page(rows: list[T], ordering: Ordering, args: PageArgs, count: Callable[[], Awaitable[int]]) -> Page[T]:
    more = len(rows) > args.size
    rows = rows[: args.size]
    if args.backward:
        rows.reverse()
        has_next, has_previous = args.before is not None, more
    else:
        has_next, has_previous = more, args.after is not None
    return Page(rows, [ordering.cursor(r) for r in rows], has_next, has_previous, count)


def empty_page(args: PageArgs) -> Page[Any]:
    """A list the viewer may not see any row of."""

    async def none() -> int:
        return 0

    return Page(
        [], [], has_next=args.backward and args.before is not None, has_previous=args.after is not None, count=none
    )


async def paginate(qs: QuerySet[T], ordering: Ordering, args: PageArgs) -> Page[T]:
    rows = await _bounded(qs, ordering, args)
    return _page(list(rows), ordering, args, qs.count)


class _Once:
    """Runs a coroutine the first time it is awaited and shares the result.

    Each waiter awaits a shield, so a waiter cancelled (a sibling field
    failed) never cancels the shared work under the others.
    """

    def __init__(self, make: Callable[[], Awaitable[Any]]) -> None:
        self._make = make
        self._task: asyncio.Future[Any] | None = None

    async def get(self) -> Any:
        if self._task is None:
            self._task = asyncio.ensure_future(self._make())
        return await asyncio.shield(self._task)


async def paginate_many(
    base: QuerySet[T], parent: str, parents: Iterable[Any], ordering: Ordering, args: PageArgs
) -> dict[Any, Page[T]]:
    """One page per parent in one SQL statement.

    Nested connections (a plugin's versions, a version's events) go through
    here from a DataLoader, so a list of N parents costs one query, not N:
    the rows within the cursors are numbered per parent in page order
    (ROW_NUMBER, on SQLite and PostgreSQL alike) and each parent keeps its
    first `size + 1`. Total counts are one grouped query, run only if a
    client asks for them.
    """
    parents = list(dict.fromkeys(parents))
    model = base.model
    rows_by_parent: dict[Any, list[T]] = {p: [] for p in parents}
    if parents:
        column = model._meta.fields_db_projection
        inner = _within_cursors(base.filter(**{f"{parent}__in": parents}), ordering, args).sql(params_inline=True)
        order = ", ".join(
            f'"{column[name]}" {"DESC" if desc != args.backward else "ASC"}' for name, desc in ordering.keys
        )
        sql = (
            f'SELECT * FROM (SELECT page_rows.*, ROW_NUMBER() OVER (PARTITION BY "{column[parent]}" ORDER BY {order})'
            f" AS page_position FROM ({inner}) AS page_rows) AS numbered WHERE page_position <= {args.size + 1}"
        )
        rows: list[T] = await model.raw(sql)
        for row in rows:
            rows_by_parent[getattr(row, parent)].append(row)
    counts = _Once(lambda: _grouped_count(base, parent, parents))

    def counter(p: Any) -> Callable[[], Awaitable[int]]:
        async def count() -> int:
            found: dict[Any, int] = await counts.get()
            return found.get(p, 0)

        return count

    pages = {}
    for p, rows in rows_by_parent.items():
        rows.sort(key=ordering.sort_key, reverse=args.backward)
        pages[p] = _page(rows, ordering, args, counter(p))
    return pages


async def _grouped_count(base: QuerySet[T], parent: str, parents: list[Any]) -> dict[Any, int]:
    rows = (
        await base.filter(**{f"{parent}__in": parents})
        .annotate(n=Count(base.model._meta.pk_attr))
        .group_by(parent)
        .values(parent, "n")
    )
    return {r[parent]: r["n"] for r in rows}
