"""The database: Tortoise configuration, migrations and the ORM context.

Tortoise 1.x keeps its state in a `TortoiseContext` found through a context
variable. The server opens one context and makes it current for each request
(`activate`), so several apps (tests, a second server in one process) never
share hidden global state.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tortoise.context import TortoiseContext, _current_context
from tortoise.migrations.api.migrate import migrate as run_migrations
from tortoise.migrations.executor import MigrationExecutor

from .config import Settings

APP_LABEL = "models"
MODEL_MODULES = ["pluginhub.models"]
MIGRATIONS_MODULE = "pluginhub.migrations"


def orm_config(database_url: str, pool_max: int = 10) -> dict[str, Any]:
    if database_url.startswith("sqlite://"):
        path = database_url.removeprefix("sqlite://")
        credentials: dict[str, Any] = {"file_path": path, "journal_mode": "WAL", "foreign_keys": "ON"}
        connection: dict[str, Any] = {"engine": "tortoise.backends.sqlite", "credentials": credentials}
    else:
        connection = _postgres_connection(database_url, pool_max)
    return {
        "connections": {"default": connection},
        "apps": {
            APP_LABEL: {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": MIGRATIONS_MODULE,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def _postgres_connection(database_url: str, pool_max: int) -> dict[str, Any]:
    from urllib.parse import unquote, urlsplit

    url = urlsplit(database_url)
    return {
        "engine": "tortoise.backends.asyncpg",
        "credentials": {
            "host": url.hostname or "127.0.0.1",
            "port": url.port or 5432,
            "user": unquote(url.username or "postgres"),
            "password": unquote(url.password or ""),
            "database": url.path.lstrip("/") or "postgres",
            "minsize": 1,
            "maxsize": pool_max,
        },
    }


def __getattr__(name: str) -> Any:
    """`TORTOISE_ORM`, for `tortoise makemigrations` (see [tool.tortoise] in
    pyproject.toml), computed when asked for: importing this module reads no
    settings and creates nothing."""
    if name == "TORTOISE_ORM":
        return orm_config(Settings.from_env().database_url)
    raise AttributeError(name)


def ensure_directory(database_url: str) -> None:
    """A SQLite file's directory must exist before the file can be opened."""
    if database_url.startswith("sqlite://"):
        path = database_url.removeprefix("sqlite://")
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)


async def open_context(settings: Settings) -> TortoiseContext:
    ensure_directory(settings.database_url)
    ctx = TortoiseContext()
    with activate(ctx):
        await ctx.init(config=orm_config(settings.database_url))
    return ctx


@contextlib.contextmanager
def activate(ctx: TortoiseContext) -> Iterator[None]:
    """Make `ctx` the ORM context of the current task until the block ends.

    `TortoiseContext.__enter__` keeps its reset token on the instance, which
    breaks when concurrent requests share one context; a local token does not.
    """
    token = _current_context.set(ctx)
    try:
        yield
    finally:
        _current_context.reset(token)


async def migrate(settings: Settings) -> None:
    ensure_directory(settings.database_url)
    ctx = TortoiseContext()
    with activate(ctx):
        try:
            await run_migrations(config=orm_config(settings.database_url))
        finally:
            await ctx.close_connections()


async def pending_migrations(ctx: TortoiseContext) -> list[str]:
    """Names of the migrations the database has not applied yet."""
    with activate(ctx):
        config = orm_config("sqlite://:memory:")["apps"]
        executor = MigrationExecutor(ctx.db(), config)
        try:
            plan = await executor.plan()
        except Exception:  # no migration table yet: nothing is applied
            plan = None
        if plan is None:
            await executor.loader.build_graph()
            return [key.name for key in executor.loader.graph.leaf_nodes(APP_LABEL)] or ["(all)"]
        return [step.migration.name for step in plan if not step.backward]
