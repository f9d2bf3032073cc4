"""What the edge features cost and save, through the real ASGI app on SQLite.

    .venv/bin/python bench/edge.py [--requests 500]

Times a small named query (every request passes CORS, the telemetry
middleware, the persisted-query wrapper and the metrics extension), a
persisted query by hash, a /metrics scrape after that traffic, and gzip on
the introspection answer; prints bytes saved by APQ and gzip. Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import hashlib
import json
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from pluginhub import db, graphiql
from pluginhub.app import create_app
from pluginhub.config import Settings
from pluginhub.models import Role
from pluginhub.resolvers import accounts

ME = "query Me { viewer { name role entity { name } } }"
INTROSPECTION = "query Schema { __schema { types { name description fields { name description } } } }"


async def timed(requests: int, send) -> list[float]:
    laps = []
    for _ in range(requests):
        started = time.perf_counter()
        answer = await send()
        laps.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, answer.text
    return laps


def report(name: str, laps: list[float]) -> None:
    laps = sorted(laps)
    p95 = laps[int(len(laps) * 0.95) - 1]
    print(f"{name:38} mean {statistics.mean(laps):6.2f} ms   p95 {p95:6.2f} ms   ({len(laps)} requests)")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            database_url=f"sqlite://{Path(tmp) / 'bench.sqlite3'}", storage_dir=str(Path(tmp) / "p"), secret_key="x"
        )
        await db.migrate(settings)
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            with db.activate(app.state.orm):
                entity = await accounts.create_entity("Bench Co")
                _, token = await accounts.create_account(entity.id, "bench", Role.DEVELOPER)
            auth = {"authorization": f"Bearer {token}", "origin": "http://localhost:5173"}
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
                await timed(20, lambda: http.post("/graphql", json={"query": ME}, headers=auth))  # warm up
                report(
                    "query Me, full text",
                    await timed(args.requests, lambda: http.post("/graphql", json={"query": ME}, headers=auth)),
                )
                digest = hashlib.sha256(ME.encode()).hexdigest()
                hashed = {"operationName": "Me", "extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}}
                await http.post("/graphql", json={**hashed, "query": ME}, headers=auth)
                report(
                    "query Me, APQ hash only",
                    await timed(args.requests, lambda: http.post("/graphql", json=hashed, headers=auth)),
                )
                report("GET /metrics after that traffic", await timed(50, lambda: http.get("/metrics")))
                plain = await http.post(
                    "/graphql", json={"query": INTROSPECTION}, headers={"accept-encoding": "identity"}
                )
                report(
                    "introspection, gzipped",
                    await timed(
                        50,
                        lambda: http.post(
                            "/graphql", json={"query": INTROSPECTION}, headers={"accept-encoding": "gzip"}
                        ),
                    ),
                )
                report(
                    "introspection, plain",
                    await timed(
                        50,
                        lambda: http.post(
                            "/graphql", json={"query": INTROSPECTION}, headers={"accept-encoding": "identity"}
                        ),
                    ),
                )
    for name, document in (("query Me", ME), ("GraphiQL's first document", graphiql.default_document())):
        by_hash = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}}
        full, short = len(json.dumps({"query": document})), len(json.dumps(by_hash))
        print(f"request body, {name}: full text {full} bytes, APQ hash only {short} bytes")
    packed = len(gzip.compress(plain.content, 6))
    print(f"introspection answer: {len(plain.content)} bytes plain, {packed} gzipped (level 6)")


if __name__ == "__main__":
    asyncio.run(main())
