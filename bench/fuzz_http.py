"""A long fuzz run of the GraphQL endpoint: the fuzz test's strategies, many more cases.

    .venv/bin/python bench/fuzz_http.py [--cases 100000] [--database-url URL]

Builds a throwaway database (SQLite in a temp dir unless --database-url names
an empty PostgreSQL database) with an owner, an ordering host, a reviewer and
an anonymous caller, then sends generated documents, hostile variables and
hostile bodies in turn through the real ASGI app. Each case is checked as the
suite's fuzz test checks it (no 5xx, JSON, every error coded, nothing
logged at ERROR); findings are collected, not raised. Prints the count and
the findings.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import logging
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from tortoise.context import set_global_context

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pluginhub import db
from pluginhub.app import create_app
from pluginhub.config import Settings
from pluginhub.schema import build_schema
from tests.helpers import Console
from tests.http import fuzzing


async def setup(console: Console) -> dict[str, dict[str, str]]:
    alice = await console.person("Acme Plugins", "alice")
    bob = await console.person("Blue Harbor", "bob")
    rita = await console.person("Platform Review", "rita", role="reviewer")
    plugin = await console.create_plugin(alice, "Pay Button")
    online = await console.approved(alice, plugin, "1.0.0")
    await console.act(alice, "goOnline", online)
    await console.submit(alice, await console.upload(alice, plugin, "1.1.0"))
    host = await console.create_mini_program(bob, "Blue Harbor Store")
    await console.order(bob, host, plugin)
    return {"alice": alice.headers, "bob": bob.headers, "rita": rita.headers, "anonymous": {}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    logging.getLogger("pluginhub").setLevel(logging.CRITICAL)  # findings come from the ErrorLog handler
    error_log = fuzzing.ErrorLog()
    logging.getLogger().addHandler(error_log)
    loop = asyncio.new_event_loop()
    with tempfile.TemporaryDirectory() as tmp:
        config = Settings(
            database_url=args.database_url or f"sqlite://{Path(tmp) / 'fuzz.sqlite3'}",
            storage_dir=str(Path(tmp) / "packages"),
            secret_key="fuzz",
        )
        loop.run_until_complete(db.migrate(config))
        app = create_app(config)
        lifespan = app.router.lifespan_context(app)
        loop.run_until_complete(lifespan.__aenter__())
        set_global_context(app.state.orm)
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fuzz")
        viewers = loop.run_until_complete(setup(Console(client, config)))
        findings = fuzzing.Findings()
        kinds: collections.Counter[str] = collections.Counter()
        # Generating a document from the schema costs ~30 ms; variables and bodies ~3 ms: one case in
        # four is a document, so a run of 100,000 takes well under an hour on one core.
        documents = fuzzing.document_requests(build_schema()._schema).map(lambda r: ("document", r))
        variables = fuzzing.variable_requests.map(lambda r: ("variables", r))
        bodies = fuzzing.bodies.map(lambda r: ("body", r))
        strategy = st.sampled_from([documents, variables, variables, bodies]).flatmap(lambda chosen: chosen)

        @settings(
            max_examples=args.cases,
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy, viewer=st.sampled_from(sorted(viewers)))
        def run(case: tuple[str, Any], viewer: str) -> None:
            kind, request = case
            kinds[kind] += 1
            findings.cases += 1
            response = loop.run_until_complete(fuzzing.send(client, request, viewers[viewer]))
            for problem in fuzzing.problems_in(response, error_log):
                findings.add(f"{problem} <- {viewer}: {str(request)[:300]}")
            if findings.cases % 1000 == 0:
                print(f"{findings.cases} cases, {len(findings.problems)} findings", flush=True)

        started = time.perf_counter()
        run()
        elapsed = time.perf_counter() - started
        loop.run_until_complete(client.aclose())
        loop.run_until_complete(lifespan.__aexit__(None, None, None))
    print(f"\n{findings.cases} cases in {elapsed:.0f}s ({findings.cases / elapsed:.0f}/s): {dict(kinds)}")
    print(f"{len(findings.problems)} findings")
    for problem, count in collections.Counter(findings.problems).most_common(50):
        print(f"  {count} x {problem}")
    return 1 if findings.problems else 0


if __name__ == "__main__":
    sys.exit(main())
