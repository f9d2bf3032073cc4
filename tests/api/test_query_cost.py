"""A nested query costs the same number of SQL statements however many rows it returns."""

from __future__ import annotations

import logging

import pytest

from tests.helpers import Console

NESTED = """
query {
  plugins(first: 50) {
    totalCount
    edges { node {
      name entity { name }
      onlineVersion { version } experienceVersion { version }
      versions(first: 10) {
        totalCount
        edges { node {
          version status availableActions uploadedBy { name } plugin { name }
          events(first: 10) { totalCount edges { node { kind actor { name } version { version } } } }
        } }
      }
      events(first: 5) { totalCount edges { node { kind } } }
    } }
  }
}"""


class StatementCounter(logging.Handler):
    """Counts the statements Tortoise sends (it logs each one at DEBUG)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")):
            self.statements.append(message)


async def count_statements(console: Console, who) -> int:
    logger = logging.getLogger("tortoise.db_client")
    counter = StatementCounter()
    previous = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(counter)
    try:
        await console.query(NESTED, who=who)
    finally:
        logger.removeHandler(counter)
        logger.setLevel(previous)
    return len(counter.statements)


async def add_plugins(console: Console, who, count: int, start: int) -> None:
    for i in range(start, start + count):
        plugin = await console.create_plugin(who, f"Plugin {i}")
        for minor in range(3):
            version = await console.upload(who, plugin, f"1.{minor}.0")
            await console.act(who, "updateVersion", version, description=f"edit {minor}")
        await console.act(who, "setExperienceVersion", version)


@pytest.mark.parametrize("viewer", ["owner", "reviewer"])
async def test_nested_query_cost_does_not_grow_with_rows(console: Console, alice, rita, viewer):
    who = alice if viewer == "owner" else rita
    await add_plugins(console, alice, 2, 0)
    few = await count_statements(console, who)
    await add_plugins(console, alice, 6, 2)
    many = await count_statements(console, who)
    assert many == few, f"{few} statements for 2 plugins but {many} for 8"
    assert few < 25
