"""The `pluginhub` command: serve, migrate, and the operator's chores.

Commands that create something print one JSON object on stdout with
`--json`, and nothing else there, so scripts can read them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from . import db
from .config import Settings
from .models import Role
from .storage.commands import add_packages_commands, open_store_or_exit


def _print(args: argparse.Namespace, data: dict[str, Any], human: str) -> None:
    print(json.dumps(data) if args.json else human)


async def _with_db(settings: Settings, work: Callable[[], Awaitable[Any]]) -> Any:
    orm = await db.open_context(settings)
    try:
        with db.activate(orm):
            pending = await db.pending_migrations(orm)
            if pending:
                raise SystemExit("pluginhub: the database is not migrated: run `pluginhub migrate` first")
            return await work()
    finally:
        await orm.close_connections()


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    if args.workers > 1 and settings.is_sqlite:
        print(
            "pluginhub: --workers > 1 needs PostgreSQL: SQLite is one file that one process writes, and "
            "live events are delivered in process. Set PLUGINHUB_DATABASE_URL=postgres://... or run one worker.",
            file=sys.stderr,
        )
        return 2

    async def check() -> list[str]:
        orm = await db.open_context(settings)
        try:
            return await db.pending_migrations(orm)
        finally:
            await orm.close_connections()

    open_store_or_exit(None, settings)  # a wrong PLUGINHUB_STORAGE_URL stops here, said plainly
    pending = asyncio.run(check())
    if pending:
        print(
            f"pluginhub: the database is not migrated ({', '.join(pending)} pending): run `pluginhub migrate`",
            file=sys.stderr,
        )
        return 2
    from .telemetry.multiprocess import multiprocess_directory

    with multiprocess_directory():  # before anything imports prometheus-client (see telemetry/multiprocess.py)
        from .telemetry.logs import uvicorn_config

        uvicorn.run(
            "pluginhub.app:from_env",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            ws="websockets",
            proxy_headers=True,
            log_config=uvicorn_config(settings.log_format, settings.log_level),
            log_level=settings.log_level,
        )
    return 0


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    asyncio.run(db.migrate(settings))
    print("pluginhub: database migrated", file=sys.stderr)
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from .demo import DemoNotEmpty, load_demo

    settings = settings.with_secret_key()
    try:
        tokens = asyncio.run(_with_db(settings, lambda: load_demo(settings)))
    except DemoNotEmpty as exc:
        print(f"pluginhub: {exc}", file=sys.stderr)
        return 1
    _print(args, {"tokens": tokens}, "\n".join(f"{name}: {token}" for name, token in tokens.items()))
    return 0


def cmd_entity_create(args: argparse.Namespace, settings: Settings) -> int:
    from .resolvers.accounts import create_entity

    entity = asyncio.run(_with_db(settings, lambda: create_entity(args.name)))
    _print(args, {"id": entity.id, "name": entity.name}, f"entity {entity.id}: {entity.name}")
    return 0


def cmd_account_create(args: argparse.Namespace, settings: Settings) -> int:
    from .models import Entity
    from .resolvers.accounts import create_account

    async def work() -> Any:
        if not await Entity.exists(id=args.entity):
            raise SystemExit(f"pluginhub: no entity with id {args.entity}")
        return await create_account(args.entity, args.name, Role(args.role.upper()))

    account, token = asyncio.run(_with_db(settings, work))
    data = {
        "id": account.id,
        "name": account.name,
        "role": account.role.value,
        "entity_id": account.entity_id,
        "token": token,
    }
    _print(args, data, f"account {account.id} ({account.role.value.lower()}) created; its token (shown once):\n{token}")
    return 0


def cmd_token_create(args: argparse.Namespace, settings: Settings) -> int:
    from .models import Account
    from .resolvers.accounts import issue_token

    async def work() -> Any:
        if not await Account.exists(id=args.account):
            raise SystemExit(f"pluginhub: no account with id {args.account}")
        return await issue_token(args.account)

    token, raw = asyncio.run(_with_db(settings, work))
    _print(args, {"id": token.id, "token": raw}, f"token {token.id} (shown once):\n{raw}")
    return 0


def cmd_token_revoke(args: argparse.Namespace, settings: Settings) -> int:
    from .resolvers.accounts import revoke_token

    if not asyncio.run(_with_db(settings, lambda: revoke_token(args.id))):
        print(f"pluginhub: no active token with id {args.id}", file=sys.stderr)
        return 1
    print(f"token {args.id} revoked", file=sys.stderr)
    return 0


def cmd_events_export(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import datetime

    from .export import export_events
    from .models import Plugin
    from .resolvers.identifiers import PUBLIC_ID

    if not PUBLIC_ID.fullmatch(args.plugin):
        print("pluginhub events export: --plugin must be a pluginId (16 decimal digits)", file=sys.stderr)
        return 2
    since = None
    if args.since:
        try:
            since = datetime.fromisoformat(args.since)
        except ValueError:
            since = None
        if since is None or since.utcoffset() is None:
            print(
                "pluginhub events export: --since must be an ISO 8601 time with a zone, e.g. 2026-01-31T00:00:00Z",
                file=sys.stderr,
            )
            return 2

    async def work() -> int | None:
        if not await Plugin.exists(plugin_id=args.plugin):
            return None
        return await export_events(args.plugin, sys.stdout, fmt=args.format, since=since)

    written = asyncio.run(_with_db(settings, work))
    if written is None:
        print(f"pluginhub events export: no plugin {args.plugin}", file=sys.stderr)
        return 1
    print(f"pluginhub: {written} events exported", file=sys.stderr)
    return 0


def events_commands(commands: Any) -> None:
    events = commands.add_parser("events", help="read the event log").add_subparsers(dest="action", required=True)
    export = events.add_parser("export", help="stream a plugin's events (JSON lines or CSV) to stdout")
    export.add_argument("--plugin", required=True, help="the pluginId")
    export.add_argument("--format", choices=["jsonl", "csv"], default="jsonl", help="default: %(default)s")
    export.add_argument("--since", help="only events at or after this time (ISO 8601 with a zone)")
    export.set_defaults(run=cmd_events_export)


def cmd_export_schema(args: argparse.Namespace, settings: Settings) -> int:
    from .schema import export_sdl

    sys.stdout.write(export_sdl())
    return 0


def cmd_allowlist_add(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from graphql import OperationDefinitionNode, parse

    from .persisted import read_manifest, sha256, write_manifest

    path = Path(args.list or settings.persisted_queries_file)
    try:
        listed = read_manifest(path) if path.exists() else {}
    except ValueError as error:
        print(f"pluginhub: {error}", file=sys.stderr)
        return 1
    operations = [{"id": k, "body": v} for k, v in listed.items()]
    known = {operation["id"] for operation in operations}
    added = 0
    for name in args.documents:
        body = Path(name).read_text(encoding="utf-8")
        errors = _invalid(body)
        if errors:
            print(f"pluginhub: {name} is not valid against the schema: {errors}", file=sys.stderr)
            return 1
        if sha256(body) in known:
            continue
        definition = next(d for d in parse(body).definitions if isinstance(d, OperationDefinitionNode))
        operations.append(
            {
                "id": sha256(body),
                "name": definition.name.value if definition.name else "",
                "type": definition.operation.value,
                "body": body,
            }
        )
        known.add(sha256(body))
        added += 1
    write_manifest(path, operations)
    print(f"pluginhub: {added} added, {len(operations)} on the list in {path}", file=sys.stderr)
    return 0


def cmd_allowlist_check(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from .persisted import read_manifest

    path = Path(args.list or settings.persisted_queries_file)
    try:
        documents = read_manifest(path)
    except (OSError, ValueError) as error:
        print(f"pluginhub: {error}", file=sys.stderr)
        return 1
    broken = {digest: errors for digest, body in documents.items() if (errors := _invalid(body))}
    for digest, errors in broken.items():
        print(f"pluginhub: {digest[:12]}… no longer fits the schema: {errors}", file=sys.stderr)
    print(f"pluginhub: {len(documents) - len(broken)} of {len(documents)} documents fit the schema", file=sys.stderr)
    return 1 if broken else 0


def _invalid(body: str) -> str:
    """What is wrong with a document against the current schema; empty when nothing is."""
    from graphql import GraphQLError, OperationDefinitionNode, parse, validate

    from .schema import build_schema

    try:
        document = parse(body)
    except GraphQLError as error:
        return error.message
    if not any(isinstance(d, OperationDefinitionNode) for d in document.definitions):
        return "it has no operation"
    return "; ".join(error.message for error in validate(build_schema()._schema, document))


def cmd_watch(args: argparse.Namespace, settings: Settings) -> int:
    import os

    from .watch import Refused, Watch, websocket_url

    token = args.token or os.environ.get("PLUGINHUB_TOKEN", "")
    if not token:
        print("pluginhub watch: give --token or set PLUGINHUB_TOKEN", file=sys.stderr)
        return 2
    if args.scene and not (args.plugin and args.app):
        print("pluginhub watch: --scene needs both --plugin and --app", file=sys.stderr)
        return 2
    if not args.scene and bool(args.plugin) == bool(args.app):
        print(
            "pluginhub watch: give --plugin ID or --app ID (both, with --scene, to follow a resolution)",
            file=sys.stderr,
        )
        return 2
    watch = Watch(
        url=websocket_url(args.url),
        token=token,
        plugin_id=args.plugin,
        app_id=args.app,
        scene=args.scene,
        debug_token=args.debug_token,
        after=args.after,
    )
    try:
        asyncio.run(watch.run())
    except Refused as exc:
        print(f"pluginhub watch: refused: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


JSON_HELP = "print one JSON object on stdout, and nothing else there"


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pluginhub")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def parser() -> argparse.ArgumentParser:  # noqa: PLR0915 (one block per command; packages adds one line)
    root = argparse.ArgumentParser(
        prog="pluginhub",
        description="The plugin console's GraphQL API. Settings come from PLUGINHUB_* variables and ./.env.",
    )
    root.add_argument("--version", action="version", version=f"%(prog)s {_version()}", help="print the version")
    commands = root.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the API")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: %(default)s)")
    serve.add_argument(
        "--workers", type=int, default=1, help="server processes; more than 1 needs PostgreSQL (default: %(default)s)"
    )
    serve.set_defaults(run=cmd_serve)

    commands.add_parser("migrate", help="apply the database migrations").set_defaults(run=cmd_migrate)

    demo = commands.add_parser("demo", help="load demo data into an empty database")
    demo.add_argument("--json", action="store_true", help=JSON_HELP)
    demo.set_defaults(run=cmd_demo)

    entity = commands.add_parser("entity", help="manage entities").add_subparsers(dest="action", required=True)
    entity_create = entity.add_parser("create", help="create an entity")
    entity_create.add_argument("name", help="the entity's name")
    entity_create.add_argument("--json", action="store_true", help=JSON_HELP)
    entity_create.set_defaults(run=cmd_entity_create)

    account = commands.add_parser("account", help="manage accounts").add_subparsers(dest="action", required=True)
    account_create = account.add_parser("create", help="create an account and its first token")
    account_create.add_argument("--entity", type=int, required=True, help="the id of the entity it belongs to")
    account_create.add_argument("--name", required=True, help="the account's name")
    account_create.add_argument(
        "--role", choices=["developer", "reviewer"], default="developer", help="default: %(default)s"
    )
    account_create.add_argument("--json", action="store_true", help=JSON_HELP)
    account_create.set_defaults(run=cmd_account_create)

    token = commands.add_parser("token", help="manage API tokens").add_subparsers(dest="action", required=True)
    token_create = token.add_parser("create", help="issue another token")
    token_create.add_argument("--account", type=int, required=True, help="the id of the account it signs in as")
    token_create.add_argument("--json", action="store_true", help=JSON_HELP)
    token_create.set_defaults(run=cmd_token_create)
    token_revoke = token.add_parser("revoke", help="revoke a token at once")
    token_revoke.add_argument("id", type=int, help="the token's id (printed when it was created)")
    token_revoke.set_defaults(run=cmd_token_revoke)

    add_packages_commands(commands)

    commands.add_parser("export-schema", help="print the GraphQL SDL").set_defaults(run=cmd_export_schema)

    allowlist = commands.add_parser(
        "allowlist", help="manage the persisted-query allow-list (PLUGINHUB_PERSISTED_QUERIES=allowlist)"
    ).add_subparsers(dest="action", required=True)
    allowlist_add = allowlist.add_parser("add", help="add GraphQL documents, each file as clients send it")
    allowlist_add.add_argument("documents", nargs="+", metavar="FILE", help="a .graphql file: one document")
    allowlist_add.add_argument("--list", help="the manifest (default: $PLUGINHUB_PERSISTED_QUERIES_FILE)")
    allowlist_add.set_defaults(run=cmd_allowlist_add)
    allowlist_check = allowlist.add_parser("check", help="check every listed document against the current schema")
    allowlist_check.add_argument("--list", help="the manifest (default: $PLUGINHUB_PERSISTED_QUERIES_FILE)")
    allowlist_check.set_defaults(run=cmd_allowlist_check)

    events_commands(commands)

    watch = commands.add_parser("watch", help="follow events (or a resolution) as JSON lines")
    watch.add_argument("--plugin", help="a pluginId: its events (with --app and --scene: its resolution)")
    watch.add_argument("--app", help="an appId: the events of its bindings and orders")
    watch.add_argument("--scene", choices=["DEVELOP", "PREVIEW", "RELEASE"], help="follow resolvedVersion")
    watch.add_argument("--after", help="resume after this event cursor")
    watch.add_argument("--debug-token", help="a debug binding's authorization token (with --scene)")
    watch.add_argument("--url", default="http://127.0.0.1:8000/graphql", help="the server (default: %(default)s)")
    watch.add_argument("--token", help="API token (default: $PLUGINHUB_TOKEN)")
    watch.set_defaults(run=cmd_watch)
    return root


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except ValueError as error:
        print(f"pluginhub: {error}", file=sys.stderr)
        sys.exit(2)
    sys.exit(args.run(args, settings))


if __name__ == "__main__":
    main()
