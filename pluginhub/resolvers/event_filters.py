"""Filters of an event list: kinds, actor and a time window.

`since` is inclusive and `until` exclusive, so consecutive windows
([Mon, Tue), [Tue, Wed)) never count an event twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise.connection import get_connection
from tortoise.expressions import Q

from .errors import RequestCode, RequestError


@dataclass(frozen=True)
class EventFilter:
    kinds: tuple[str, ...] = ()
    actor_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None

    @classmethod
    def checked(
        cls,
        kinds: list[str] | None = None,
        actor_id: int | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> EventFilter:
        """A time without a zone is ambiguous: refused, like a cursor without one."""
        for name, moment in (("since", since), ("until", until)):
            if moment is not None and moment.utcoffset() is None:
                raise RequestError(RequestCode.VALIDATION, f"`{name}` needs a time zone, e.g. 2026-01-31T00:00:00Z")
        if since is not None and until is not None and since > until:
            raise RequestError(RequestCode.VALIDATION, "`since` must not be later than `until`")
        return cls(tuple(sorted(set(kinds or []))), actor_id, since, until)

    def q(self) -> Q:
        terms: dict[str, Any] = {}
        if self.kinds:
            terms["kind__in"] = list(self.kinds)
        if self.actor_id is not None:
            terms["actor_id"] = self.actor_id
        if self.since is not None:
            terms["occurred_at__gte"] = _comparable(self.since)
        if self.until is not None:
            terms["occurred_at__lt"] = _comparable(self.until)
        return Q(**terms)


def _comparable(moment: datetime) -> datetime | str:
    """SQLite keeps times as text (`str()` of the UTC datetime) and compares text; batched
    pages inline their parameters, so on SQLite the bound must be that same text."""
    if get_connection("default").capabilities.dialect == "sqlite":
        return str(moment.astimezone(UTC))
    return moment


NO_FILTER = EventFilter()
