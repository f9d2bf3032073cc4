"""`pluginhub events export`: a plugin's events as JSON lines or CSV, streamed in keyset batches."""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import subprocess
import sys
from typing import Any

import pytest

from pluginhub.export import export_events
from tests.helpers import Console

COMMAND = [sys.executable, "-m", "pluginhub.cli"]

EVENTS = """
query($pluginId: String!) {
  plugin(pluginId: $pluginId) { events(first: 100) { edges { cursor node { id kind occurredAt actor { id name } } } } }
}"""


def run(settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLUGINHUB_")}
    env.update(PLUGINHUB_DATABASE_URL=settings.database_url, PLUGINHUB_SECRET_KEY=settings.secret_key)
    return subprocess.run(
        [*COMMAND, "events", "export", *args], check=False, env=env, capture_output=True, text=True, timeout=60
    )


async def api_events(console: Console, who, plugin) -> list[dict[str, Any]]:
    data = await console.query(EVENTS, {"pluginId": plugin["pluginId"]}, who)
    return [edge["cursor"] and {**edge["node"], "cursor": edge["cursor"]} for edge in data["plugin"]["events"]["edges"]]


async def test_jsonl_export_has_every_event_in_order(
    console: Console, alice, plugin, online_version, active_order, settings
):
    result = run(settings, "--plugin", plugin["pluginId"])
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    expected = await api_events(console, alice, plugin)
    assert [(d["id"], d["cursor"], d["kind"]) for d in lines] == [(e["id"], e["cursor"], e["kind"]) for e in expected]
    ordered = next(d for d in lines if d["kind"] == "PLUGIN_ORDERED")
    assert ordered["actorName"] == "bob"
    assert ordered["appId"] and ordered["orderId"]
    online = next(d for d in lines if d["kind"] == "WENT_ONLINE")
    assert (online["version"], online["fromStatus"], online["toStatus"]) == ("1.0.0", "APPROVED", "ONLINE")
    assert f"{len(lines)} events exported" in result.stderr


async def test_csv_export_since(console: Console, alice, plugin, online_version, active_order, settings):
    expected = await api_events(console, alice, plugin)
    since = expected[3]["occurredAt"]
    result = run(settings, "--plugin", plugin["pluginId"], "--format", "csv", "--since", since)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["id"] for r in rows] == [e["id"] for e in expected if e["occurredAt"] >= since]
    assert rows[0]["id"] == expected[3]["id"]
    assert list(rows[0]) == [
        "id",
        "cursor",
        "kind",
        "pluginId",
        "versionId",
        "version",
        "fromStatus",
        "toStatus",
        "reason",
        "occurredAt",
        "actorId",
        "actorName",
        "appId",
        "debugBindingId",
        "orderId",
    ]


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["--plugin", "123"], 2, "16 decimal digits"),
        (["--plugin", "1000000000000000"], 1, "no plugin 1000000000000000"),
        (["--plugin", "1000000000000000", "--since", "yesterday"], 2, "--since"),
        (["--plugin", "1000000000000000", "--since", "2026-01-01T00:00:00"], 2, "with a zone"),
        (["--plugin", "1000000000000000", "--format", "xml"], 2, "invalid choice"),
    ],
)
async def test_export_refusals(app, settings, args, code, says):
    result = run(settings, *args)
    assert result.returncode == code, result.stderr
    assert says in result.stderr
    assert result.stdout == ""


class Selects(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().lstrip().upper().startswith("SELECT"):
            self.statements.append(record.getMessage())


async def test_export_reads_in_keyset_batches(console: Console, alice, plugin, online_version, active_order):
    """Memory stays flat: the log is read `batch` rows at a time after the last id, never all at once."""
    total = len(await api_events(console, alice, plugin))
    logger = logging.getLogger("tortoise.db_client")
    counter, previous = Selects(), logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(counter)
    out = io.StringIO()
    try:
        written = await export_events(plugin["pluginId"], out, batch=3)
    finally:
        logger.removeHandler(counter)
        logger.setLevel(previous)
    assert written == total == len(out.getvalue().splitlines())
    assert len(counter.statements) == total // 3 + 1
    assert all("LIMIT" in s.upper() for s in counter.statements)
    assert all('"id">' in s.replace(" ", "") for s in counter.statements[1:])
