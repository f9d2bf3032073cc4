"""Persisted queries: a request that sends only a query's hash.

The server keeps no persisted queries yet, so a hash-only request is
refused with the code Apollo's persisted-query link understands (it then
sends the full query). Serving them means replacing `load_persisted` in the
view with a function that finds the query by its hash.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from ..resolvers.errors import RequestCode
from .refusals import Refusal
from .requests import Operation

LoadPersisted = Callable[[Operation], Awaitable[Operation]]


async def refuse_persisted(operation: Operation) -> Operation:
    if operation.query is None:
        raise Refusal(400, RequestCode.PERSISTED_QUERY_NOT_SUPPORTED, "PersistedQueryNotSupported")
    return operation
