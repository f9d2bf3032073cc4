"""`pluginhub packages gc` and `pluginhub packages migrate`: the operator's chores on the package store."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from ..config import Settings


def open_store_or_exit(url: str | None, settings: Settings) -> Any:
    from . import StoreUnavailable, open_store, store_from_url

    try:
        if url is None:
            return open_store(settings)
        return store_from_url(url, default_dir=settings.storage_dir, database_url=settings.database_url)
    except StoreUnavailable as exc:
        raise SystemExit(f"pluginhub: {exc}") from None


def cmd_packages_gc(args: argparse.Namespace, settings: Settings) -> int:
    from .gc import collect, report

    grace = settings.storage_grace if args.grace is None else args.grace
    if grace < 0:
        print("pluginhub packages gc: --grace is a number of seconds, 0 or more", file=sys.stderr)
        return 2
    store = open_store_or_exit(None, settings)

    async def work() -> list[str]:
        try:
            return report(await collect(store, grace, dry_run=args.dry_run), store, grace, args.dry_run)
        finally:
            await store.close()

    lines: list[str] = asyncio.run(with_db(settings, work))
    for line in lines:
        print(line)
    return 0


def cmd_packages_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from .copy import copy_all

    source = open_store_or_exit(None, settings)
    target = open_store_or_exit(args.to, settings)
    if source.url == target.url:
        print(f"pluginhub packages migrate: {target.url} is the current store", file=sys.stderr)
        return 2

    async def work() -> tuple[int, int]:
        done = failed = 0
        try:
            async for line, ok in copy_all(source, target):
                print(line, flush=True)
                done, failed = done + ok, failed + (not ok)
        finally:
            await source.close()
            await target.close()
        return done, failed

    done, failed = asyncio.run(with_db(settings, work))
    print(f"{source.url} -> {target.url}: {done} object(s) verified in the target, {failed} failed")
    if failed:
        return 1
    print(f"set PLUGINHUB_STORAGE_URL={args.to} and restart the servers to use it", file=sys.stderr)
    return 0


async def with_db(settings: Settings, work: Any) -> Any:
    from ..cli import _with_db

    return await _with_db(settings, work)


def add_packages_commands(commands: Any) -> None:
    packages = commands.add_parser("packages", help="manage the package store").add_subparsers(
        dest="action", required=True
    )
    gc = packages.add_parser("gc", help="delete stored packages nothing references")
    gc.add_argument("--dry-run", action="store_true", help="print what would be deleted; delete nothing")
    gc.add_argument("--grace", type=int, help="spare objects younger than this many seconds (default: setting)")
    gc.set_defaults(run=cmd_packages_gc)
    migrate_store = packages.add_parser("migrate", help="copy every package to another store, verified")
    migrate_store.add_argument("--to", required=True, help="the target: file://PATH, s3://bucket/prefix or database")
    migrate_store.set_defaults(run=cmd_packages_migrate)
