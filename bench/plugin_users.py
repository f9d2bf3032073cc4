"""How Plugin.adoption and Plugin.hosts scale with the number of ordered hosts.

    .venv/bin/python bench/plugin_users.py [--hosts 10000 50000] [--requests 20] [--database-url URL]

Builds a throwaway database (SQLite in a temp dir unless --database-url names
an empty PostgreSQL database), orders one plugin by N hosts (bulk inserted,
each with its gray bucket), starts a 30% gray rollout, and times adoption (one
grouped statement) and a page of 100 hosts with what each loads, through the
real ASGI app. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from tortoise.context import set_global_context

from pluginhub import db
from pluginhub.app import create_app
from pluginhub.config import Settings
from pluginhub.demo import InMemoryPackage, build_package
from pluginhub.models import MiniProgram, PluginOrder, Role
from pluginhub.resolvers import accounts, plugins
from pluginhub.resolvers.resolution import bucket
from pluginhub.resolvers.versions import release, review, upload
from pluginhub.resolvers.viewer import Viewer

ADOPTION = "query($p: String!) { plugin(pluginId: $p) { adoption { version { version } source hostCount } } }"
HOSTS = """query($p: String!) { plugin(pluginId: $p) { hosts(first: 100) { edges { node {
  miniProgram { appId } relation releaseVersion { version } releaseSource } } } } }"""
TOTAL = "query($p: String!) { plugin(pluginId: $p) { hosts(first: 1) { totalCount } } }"


async def fill(settings: Settings, hosts: int) -> tuple[str, str]:
    from pluginhub.packages import PackageStore

    entity = await accounts.create_entity("Bench Co")
    account, token = await accounts.create_account(entity.id, "bench", Role.DEVELOPER)
    reviewer, _ = await accounts.create_account(entity.id, "reviewer", Role.REVIEWER)
    me = Viewer(account.id, entity.id, Role.DEVELOPER, "bench")
    rita = Viewer(reviewer.id, entity.id, Role.REVIEWER, "reviewer")
    store = PackageStore(settings.storage_dir)
    plugin = await plugins.create_plugin(me, name="Bench", description="")
    pid = plugin.plugin_id

    async def approved(number: str) -> int:
        version = await upload.upload_version(
            me, store, settings.max_package_bytes, plugin_id=pid, version=number, description="", features=["f"],
            package=InMemoryPackage(build_package(pid, number), "p.zip"),
        )
        await review.submit_version(me, version.id, self_check_confirmed=True)
        await review.approve_version(rita, version.id)
        return version.id

    await release.go_online(me, await approved("1.0.0"))
    apps = [str(4_000_000_000_000_000 + i) for i in range(hosts)]
    await MiniProgram.bulk_create([MiniProgram(app_id=a, entity_id=entity.id, name=a) for a in apps], batch_size=2000)
    await PluginOrder.bulk_create(
        [PluginOrder(plugin_id=pid, mini_program_id=a, rollout_bucket=bucket(pid, a)) for a in apps], batch_size=2000
    )
    await release.gray_release(me, await approved("1.1.0"), percentage=30, app_ids=None)
    return token, pid


async def timed(client: httpx.AsyncClient, query: str, pid: str, headers: dict[str, str], n: int) -> list[float]:
    timings = []
    for _ in range(n):
        start = time.perf_counter()
        response = await client.post("/graphql", json={"query": query, "variables": {"p": pid}}, headers=headers)
        timings.append(time.perf_counter() - start)
        assert "errors" not in response.json(), response.text[:500]
    return sorted(timings)


async def run(hosts: int, requests: int, database_url: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            database_url=database_url or f"sqlite://{Path(tmp) / 'bench.sqlite3'}",
            storage_dir=str(Path(tmp) / "packages"),
            secret_key="bench",
            webhook_worker=False,
        )
        await db.migrate(settings)
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            set_global_context(app.state.orm)
            token, pid = await fill(settings, hosts)
            headers = {"authorization": f"Bearer {token}"}
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
                for name, query in (("adoption", ADOPTION), ("hosts(first: 100)", HOSTS), ("hosts totalCount", TOTAL)):
                    t = await timed(client, query, pid, headers, requests)
                    print(f"  {hosts:>7} hosts  {name:<18} p50 {statistics.median(t) * 1000:7.1f} ms   max {t[-1] * 1000:7.1f} ms")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hosts", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--database-url", help="an empty PostgreSQL database (one size per run)")
    args = parser.parse_args()
    print(f"Plugin.adoption and Plugin.hosts, {args.requests} requests each")
    for hosts in args.hosts:
        await run(hosts, args.requests, args.database_url)


if __name__ == "__main__":
    asyncio.run(main())
