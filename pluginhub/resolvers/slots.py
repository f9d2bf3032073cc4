"""The read model of a plugin's one-per-plugin places.

A plugin has at most one AUDITING, GRAY, ONLINE and experience version, and
an online history that rollback walks back. The rule table's guards, the
resolution and the Plugin fields all read them from here, in one batched
query per list of plugins.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.expressions import Q
from tortoise.functions import Count

from ..models import OnlineRecord, PluginVersion, VersionStatus

HELD = (VersionStatus.AUDITING, VersionStatus.GRAY, VersionStatus.ONLINE)


@dataclass
class PluginSlots:
    auditing: PluginVersion | None = None
    gray: PluginVersion | None = None
    online: PluginVersion | None = None
    experience: PluginVersion | None = None
    online_history: int = 0  # live steps of the online history

    def get(self, name: str) -> PluginVersion | None:
        """One place by name: "auditing", "gray", "online" or "experience"."""
        value: PluginVersion | None = getattr(self, name)
        return value


async def load_slots(plugin_ids: list[str]) -> dict[str, PluginSlots]:
    slots = {pid: PluginSlots() for pid in plugin_ids}
    held = await PluginVersion.filter(
        Q(status__in=HELD) | Q(is_experience=True),
        plugin_id__in=plugin_ids,
        deleted_at=None,
    )
    for version in held:
        if version.status in HELD:
            setattr(slots[version.plugin_id], version.status.value.lower(), version)
        if version.is_experience:
            slots[version.plugin_id].experience = version
    history = (
        await OnlineRecord.filter(plugin_id__in=plugin_ids, rolled_back_at=None)
        .annotate(n=Count("id"))
        .group_by("plugin_id")
        .values("plugin_id", "n")
    )
    for row in history:
        slots[row["plugin_id"]].online_history = row["n"]
    return slots


async def slots_of(plugin_id: str) -> PluginSlots:
    return (await load_slots([plugin_id]))[plugin_id]
