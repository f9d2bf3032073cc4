"""A demo data set that shows every state a console has to draw.

It goes through the same resolvers as the API, so the demo obeys every rule.
"""

from __future__ import annotations

import io
import json
import zipfile

from .config import Settings
from .models import Entity, PluginEventKind, Role
from .packages import from_settings
from .resolvers import accounts, bindings, orders, plugins, webhooks
from .resolvers.versions import experience, release, review
from .resolvers.versions import upload as uploads
from .resolvers.viewer import Viewer


class InMemoryPackage:
    def __init__(self, data: bytes, filename: str) -> None:
        self._buffer = io.BytesIO(data)
        self.filename: str | None = filename

    async def read(self, size: int = -1) -> bytes:
        return self._buffer.read(size)


def build_package(name: str, version: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("plugin.json", json.dumps({"name": name, "version": version, "main": "index.js"}))
        archive.writestr("index.js", f"// {name} {version}\nmodule.exports = {{}};\n")
    return buffer.getvalue()


# The demo's webhook: a receiver on this machine (README, "Webhooks for CI and chat-ops" runs one).
DEMO_WEBHOOK_URL = "http://127.0.0.1:9000/pluginhub"
DEMO_WEBHOOK_SECRET = "demo-webhook-secret-change-me"
DEMO_WEBHOOK_KINDS = [
    PluginEventKind.SUBMITTED,
    PluginEventKind.APPROVED,
    PluginEventKind.REJECTED,
    PluginEventKind.WENT_ONLINE,
    PluginEventKind.ROLLED_BACK,
]


class DemoNotEmpty(RuntimeError):
    pass


async def load_demo(settings: Settings) -> dict[str, str]:
    """Create the demo data; returns the API token of every demo account by name."""
    if await Entity.first() is not None:  # a bare exists() emits a broken LIMIT on asyncpg
        raise DemoNotEmpty("the database already has data: the demo loads into an empty database only")
    demo = Demo(settings)
    try:
        await demo.people()
        await demo.pay_button()
        await demo.map_view()
        await demo.ci_webhook()
    finally:
        await demo.store.store.close()
    return demo.tokens


class Demo:
    """The demo's people and the scenes a console has to draw, one method each."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = from_settings(settings)
        self.tokens: dict[str, str] = {}

    async def person(self, entity: Entity, name: str, role: Role) -> Viewer:
        account, self.tokens[name] = await accounts.create_account(entity.id, name, role)
        return Viewer(account.id, entity.id, role, name)

    async def people(self) -> None:
        """alice develops plugins at Acme, bob runs Blue Harbor's hosts, rita reviews; and their hosts."""
        acme = await accounts.create_entity("Acme Plugins Ltd.")
        shop = await accounts.create_entity("Blue Harbor Retail")
        platform = await accounts.create_entity("Platform Review Team")
        self.alice = await self.person(acme, "alice", Role.DEVELOPER)
        self.bob = await self.person(shop, "bob", Role.DEVELOPER)
        self.rita = await self.person(platform, "rita", Role.REVIEWER)
        self.shop_app = (await plugins.create_mini_program(self.bob, name="Blue Harbor Store")).app_id
        self.club_app = (await plugins.create_mini_program(self.bob, name="Blue Harbor Member Club")).app_id
        self.outlet_app = (await plugins.create_mini_program(self.bob, name="Blue Harbor Outlet")).app_id
        self.acme_app = (await plugins.create_mini_program(self.alice, name="Acme Sandbox")).app_id

    async def upload(self, plugin_id: str, version: str, features: list[str]) -> int:
        row = await uploads.upload_version(
            self.alice,
            self.store,
            self.settings.max_package_bytes,
            plugin_id=plugin_id,
            version=version,
            description=f"Release {version}",
            features=features,
            package=InMemoryPackage(build_package(plugin_id, version), f"plugin-{version}.zip"),
        )
        return row.id

    async def reviewed(self, plugin_id: str, version: str, approve: bool = True) -> int:
        vid = await self.upload(plugin_id, version, ["payment"])
        await review.submit_version(self.alice, vid, self_check_confirmed=True)
        if approve:
            await review.approve_version(self.rita, vid)
        else:
            await review.reject_version(self.rita, vid, reason="The privacy statement is missing.")
        return vid

    async def pay_button(self) -> None:
        """OFFLINE 1.0.0, ONLINE 1.1.0, GRAY 1.2.0, AUDITING 1.3.0, DEVELOPMENT 1.4.0 (the experience
        version); debug bindings in every status; two active orders and a cancelled one."""
        alice, bob = self.alice, self.bob
        pay = await plugins.create_plugin(alice, name="Pay Button", description="One-tap checkout for mini-programs.")
        pid = self.pay_id = pay.plugin_id
        await release.go_online(alice, await self.reviewed(pid, "1.0.0"))
        await release.go_online(alice, await self.reviewed(pid, "1.1.0"))
        gray = await self.reviewed(pid, "1.2.0")
        await release.gray_release(alice, gray, percentage=30, app_ids=[self.shop_app])
        auditing = await self.upload(pid, "1.3.0", ["payment", "refund"])
        await review.submit_version(alice, auditing, self_check_confirmed=True)
        development = await self.upload(pid, "1.4.0", ["payment", "refund", "coupons"])
        await experience.set_experience_version(alice, development)

        async def invite(app_id: str) -> int:
            return (await bindings.add_debug_host(alice, plugin_id=pid, app_id=app_id)).id

        await bindings.authorize_debug_binding(bob, await invite(self.shop_app))  # AUTHORIZED
        await bindings.reject_debug_binding(bob, await invite(self.club_app))  # REJECTED
        await invite(self.club_app)  # PENDING again after the rejection
        await bindings.cancel_debug_host(alice, await invite(self.outlet_app))  # CANCELLED
        unbound = await invite(self.outlet_app)
        await bindings.authorize_debug_binding(bob, unbound)
        await bindings.unbind_debug_host(bob, unbound)  # UNBOUND
        await invite(self.acme_app)  # AUTHORIZED at once: same entity

        await orders.order_plugin(bob, app_id=self.shop_app, plugin_id=pid)
        await orders.order_plugin(bob, app_id=self.outlet_app, plugin_id=pid)
        cancelled = await orders.order_plugin(bob, app_id=self.club_app, plugin_id=pid)
        await orders.cancel_order(bob, cancelled.id)

    async def ci_webhook(self) -> None:
        """Pay Button posts review and release events to a CI hook on this machine (DEMO_WEBHOOK_URL):
        nothing leaves the machine; with no receiver there, its deliveries fail and back off."""
        await webhooks.create_webhook(
            self.alice,
            webhooks.Policy(self.settings.secret_key, allow_private=True),  # the demo's own loopback receiver
            plugin_id=self.pay_id,
            url=DEMO_WEBHOOK_URL,
            kinds=DEMO_WEBHOOK_KINDS,
            secret=DEMO_WEBHOOK_SECRET,
        )

    async def map_view(self) -> None:
        """REJECTED 0.9.0, APPROVED 1.0.0, DEVELOPMENT 1.1.0 without features."""
        maps = await plugins.create_plugin(
            self.alice, name="Map View", description="Store locator map with directions."
        )
        await self.reviewed(maps.plugin_id, "0.9.0", approve=False)
        await self.reviewed(maps.plugin_id, "1.0.0")
        await self.upload(maps.plugin_id, "1.1.0", [])
