"""Throughput and latency of a console's main page: plugins → versions → events.

    .venv/bin/python bench/nested_query.py [--plugins 50] [--requests 200] [--database-url URL]

Builds a throwaway database (SQLite in a temp dir unless --database-url names
an empty PostgreSQL database), fills it through the resolvers, and times the
nested query through the real ASGI app. Prints figures; asserts nothing.
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
from pluginhub.models import Role
from pluginhub.resolvers import accounts, plugins, versions
from pluginhub.resolvers.viewer import Viewer

QUERY = """
{ plugins(first: 50) { totalCount edges { node {
    name onlineVersion { version }
    versions(first: 10) { totalCount edges { node {
      version status availableActions
      events(first: 10) { edges { node { kind actor { name } } } } } } }
} } } }"""


async def fill(settings: Settings, count: int) -> str:
    entity = await accounts.create_entity("Bench Co")
    account, token = await accounts.create_account(entity.id, "bench", Role.DEVELOPER)
    viewer = Viewer(account.id, entity.id, Role.DEVELOPER, "bench")
    from pluginhub.packages import PackageStore

    store = PackageStore(settings.storage_dir)
    for i in range(count):
        plugin = await plugins.create_plugin(viewer, name=f"Plugin {i}", description="bench")
        for minor in range(5):
            number = f"1.{minor}.0"
            await versions.upload_version(
                viewer, store, settings.max_package_bytes, plugin_id=plugin.plugin_id, version=number,
                description="", features=["f"], package=InMemoryPackage(build_package(plugin.plugin_id, number), "p.zip"),
            )
    return token


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plugins", type=int, default=50)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            database_url=args.database_url or f"sqlite://{Path(tmp) / 'bench.sqlite3'}",
            storage_dir=str(Path(tmp) / "packages"),
            secret_key="bench",
        )
        await db.migrate(settings)
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            set_global_context(app.state.orm)
            token = await fill(settings, args.plugins)
            headers = {"authorization": f"Bearer {token}"}
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                timings: list[float] = []
                queue = list(range(args.requests))

                async def worker() -> None:
                    while queue:
                        queue.pop()
                        start = time.perf_counter()
                        response = await client.post("/graphql", json={"query": QUERY}, headers=headers)
                        timings.append(time.perf_counter() - start)
                        assert "errors" not in response.json(), response.text[:500]

                wall = time.perf_counter()
                await asyncio.gather(*(worker() for _ in range(args.concurrency)))
                wall = time.perf_counter() - wall
    timings.sort()
    print(f"nested query over {args.plugins} plugins × 5 versions, {args.requests} requests, {args.concurrency} at a time")
    print(f"  throughput  {args.requests / wall:8.1f} req/s")
    print(f"  p50         {statistics.median(timings) * 1000:8.1f} ms")
    print(f"  p95         {timings[int(len(timings) * 0.95) - 1] * 1000:8.1f} ms")


if __name__ == "__main__":
    asyncio.run(main())
