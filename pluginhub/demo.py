"""A demo data set that shows every state a console has to draw.

It goes through the same resolvers as the API, so the demo obeys every rule.
"""

from __future__ import annotations

import io
import json
import zipfile

from .config import Settings
from .models import Entity, Role
from .packages import PackageStore
from .resolvers import accounts, bindings, orders, plugins, versions
from .resolvers.viewer import Viewer


class InMemoryPackage:
    def __init__(self, data: bytes, filename: str) -> None:
        self._buffer = io.BytesIO(data)
        self.filename = filename

    async def read(self, size: int = -1) -> bytes:
        return self._buffer.read(size)


def build_package(name: str, version: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("plugin.json", json.dumps({"name": name, "version": version, "main": "index.js"}))
        archive.writestr("index.js", f"// {name} {version}\nmodule.exports = {{}};\n")
    return buffer.getvalue()


class DemoNotEmpty(RuntimeError):
    pass


async def load_demo(settings: Settings) -> dict[str, str]:
    """Create the demo data; returns the API token of every demo account by name."""
    if await Entity.first() is not None:  # a bare exists() emits a broken LIMIT on asyncpg
        raise DemoNotEmpty("the database already has data: the demo loads into an empty database only")
    store = PackageStore(settings.storage_dir)
    tokens: dict[str, str] = {}

    async def person(entity: Entity, name: str, role: Role) -> Viewer:
        account, tokens[name] = await accounts.create_account(entity.id, name, role)
        return Viewer(account.id, entity.id, role, name)

    acme = await accounts.create_entity("Acme Plugins Ltd.")
    shop = await accounts.create_entity("Blue Harbor Retail")
    platform = await accounts.create_entity("Platform Review Team")
    alice = await person(acme, "alice", Role.DEVELOPER)
    bob = await person(shop, "bob", Role.DEVELOPER)
    rita = await person(platform, "rita", Role.REVIEWER)

    async def upload(plugin_id: str, version: str, features: list[str]) -> int:
        row = await versions.upload_version(
            alice,
            store,
            settings.max_package_bytes,
            plugin_id=plugin_id,
            version=version,
            description=f"Release {version}",
            features=features,
            package=InMemoryPackage(build_package(plugin_id, version), f"plugin-{version}.zip"),
        )
        return row.id

    async def reviewed(plugin_id: str, version: str, approve: bool = True) -> int:
        vid = await upload(plugin_id, version, ["payment"])
        await versions.submit_version(alice, vid, self_check_confirmed=True)
        if approve:
            await versions.approve_version(rita, vid)
        else:
            await versions.reject_version(rita, vid, reason="The privacy statement is missing.")
        return vid

    # Bob's host mini-programs, and one of Acme's own.
    shop_app = await plugins.create_mini_program(bob, name="Blue Harbor Store")
    club_app = await plugins.create_mini_program(bob, name="Blue Harbor Member Club")
    outlet_app = await plugins.create_mini_program(bob, name="Blue Harbor Outlet")
    acme_app = await plugins.create_mini_program(alice, name="Acme Sandbox")

    # Pay Button: OFFLINE 1.0.0, ONLINE 1.1.0, GRAY 1.2.0, AUDITING 1.3.0, DEVELOPMENT 1.4.0.
    pay = await plugins.create_plugin(alice, name="Pay Button", description="One-tap checkout for mini-programs.")
    pid = pay.plugin_id
    await versions.go_online(alice, await reviewed(pid, "1.0.0"))
    await versions.go_online(alice, await reviewed(pid, "1.1.0"))
    gray = await reviewed(pid, "1.2.0")
    await versions.gray_release(alice, gray, percentage=30, app_ids=[shop_app.app_id])
    auditing = await upload(pid, "1.3.0", ["payment", "refund"])
    await versions.submit_version(alice, auditing, self_check_confirmed=True)
    development = await upload(pid, "1.4.0", ["payment", "refund", "coupons"])
    await versions.set_experience_version(alice, development)

    # Joint debugging of Pay Button, in every binding status.
    async def invite(app_id: str) -> int:
        return (await bindings.add_debug_host(alice, plugin_id=pid, app_id=app_id)).id

    await bindings.authorize_debug_binding(bob, await invite(shop_app.app_id))  # AUTHORIZED
    await bindings.reject_debug_binding(bob, await invite(club_app.app_id))  # REJECTED
    await invite(club_app.app_id)  # PENDING again after the rejection
    await bindings.cancel_debug_host(alice, await invite(outlet_app.app_id))  # CANCELLED
    unbound = await invite(outlet_app.app_id)
    await bindings.authorize_debug_binding(bob, unbound)
    await bindings.unbind_debug_host(bob, unbound)  # UNBOUND
    await invite(acme_app.app_id)  # AUTHORIZED at once: same entity

    # Orders: two active, one cancelled.
    await orders.order_plugin(bob, app_id=shop_app.app_id, plugin_id=pid)
    await orders.order_plugin(bob, app_id=outlet_app.app_id, plugin_id=pid)
    cancelled = await orders.order_plugin(bob, app_id=club_app.app_id, plugin_id=pid)
    await orders.cancel_order(bob, cancelled.id)

    # Map View: REJECTED 0.9.0, APPROVED 1.0.0, DEVELOPMENT 1.1.0 without features.
    maps = await plugins.create_plugin(alice, name="Map View", description="Store locator map with directions.")
    await reviewed(maps.plugin_id, "0.9.0", approve=False)
    await reviewed(maps.plugin_id, "1.0.0")
    await upload(maps.plugin_id, "1.1.0", [])

    return tokens
