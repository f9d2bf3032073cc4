"""Appending to the event log, inside the caller's transaction.

On PostgreSQL, sequence values are handed out before commit, so two
concurrent transactions could commit their events out of cursor order and a
reader following cursors would skip one. A transaction-scoped advisory lock
taken just before the insert makes cursor order equal commit order; it is
held only for the tail of the transaction. SQLite serialises writers anyway.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise.connection import get_connection

from ..models import PluginEvent, PluginEventKind

EVENT_LOCK_KEY = 0x706C7567  # "plug"
NOTIFY_CHANNEL = "pluginhub_events"  # the channel delivery.PostgresListener listens on


def is_postgres() -> bool:
    return get_connection("default").capabilities.dialect == "postgres"


async def record_event(
    kind: PluginEventKind,
    *,
    plugin_id: str,
    actor_id: int | None,
    version_id: int | None = None,
    debug_binding_id: int | None = None,
    order_id: int | None = None,
    mini_program_id: str | None = None,
    from_status: StrEnum | None = None,
    to_status: StrEnum | None = None,
    reason: str | None = None,
) -> PluginEvent:
    connection = get_connection("default")
    if is_postgres():
        await connection.execute_query("SELECT pg_advisory_xact_lock($1)", [EVENT_LOCK_KEY])
    event = await PluginEvent.create(
        kind=kind,
        plugin_id=plugin_id,
        actor_id=actor_id,
        version_id=version_id,
        debug_binding_id=debug_binding_id,
        order_id=order_id,
        mini_program_id=mini_program_id,
        from_status=from_status.value if from_status else None,
        to_status=to_status.value if to_status else None,
        reason=reason,
    )
    if is_postgres():
        # Delivered by PostgreSQL only when the transaction commits.
        await connection.execute_query("SELECT pg_notify($1, $2)", [NOTIFY_CHANNEL, f"{event.id}"])
    return event
