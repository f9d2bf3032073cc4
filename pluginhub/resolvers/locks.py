"""The lock every change to a plugin, its versions, bindings and orders takes first."""

from __future__ import annotations

from ..models import Plugin


async def lock_plugin(plugin_id: str) -> Plugin:
    """Lock the plugin's row until the transaction ends and return it fresh.

    Changes to one plugin then run one after another on PostgreSQL, so each
    checks its one-per-plugin rules (one AUDITING, GRAY and ONLINE version,
    20 active bindings, one active binding or order per host) against what
    the one before it committed. Must be called inside a transaction; on
    SQLite, which serialises writers, it is a plain read.
    """
    return await Plugin.filter(plugin_id=plugin_id).select_for_update().get()
