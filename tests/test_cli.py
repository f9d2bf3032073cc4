"""The `pluginhub` command line, run as the real console script in subprocesses.

Each test gets its own SQLite file under tmp_path and runs with cwd=tmp_path,
whatever the backend of the rest of the suite: these test the command line,
not the database.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import httpx
import pytest

from pluginhub.config import Settings
from tests.helpers import bearer, top_level_codes
from tests.processes import child_env, free_port

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(sys.executable).parent / "pluginhub"
COMMAND = [str(SCRIPT)] if SCRIPT.is_file() else [sys.executable, "-m", "pluginhub.cli"]
TIMEOUT = 60  # seconds any one command may take

VIEWER = "query { viewer { name role entity { name } } }"


class Cli:
    def __init__(self, tmp_path: Path) -> None:
        self.cwd = tmp_path
        self.database_url = f"sqlite://{tmp_path / 'cli.sqlite3'}"
        self.storage_dir = str(tmp_path / "packages")
        self.secret_key = "cli-test-secret"
        self.env = child_env(
            Settings(database_url=self.database_url, storage_dir=self.storage_dir, secret_key=self.secret_key)
        )

    def run(self, *args: str, timeout: float = TIMEOUT) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*COMMAND, *args], cwd=self.cwd, env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )

    def ok(self, *args: str) -> subprocess.CompletedProcess[str]:
        result = self.run(*args)
        assert result.returncode == 0, f"pluginhub {' '.join(args)} failed ({result.returncode}):\n{result.stderr}"
        return result

    def json(self, *args: str) -> dict:
        """Run a command with --json: stdout must be exactly one JSON object."""
        result = self.ok(*args, "--json")
        try:
            data = json.loads(result.stdout)
        except json.JSONDecodeError as exc:
            raise AssertionError(f"stdout is not one JSON document ({exc}):\n{result.stdout}") from None
        assert isinstance(data, dict), result.stdout
        assert result.stdout.count("\n") <= 1, f"more than one line on stdout:\n{result.stdout}"
        return data

    @contextmanager
    def server(self) -> Iterator[str]:
        """`pluginhub serve` on this database; yields its base URL.

        A real process rather than an in-process app: Tortoise builds each
        model's base query for the dialect of the last context it set up,
        so one process cannot mix this SQLite file with a PostgreSQL test
        session.
        """
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = (self.cwd / "serve.log").open("w")
        process = subprocess.Popen(
            [*COMMAND, "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=self.cwd,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            with httpx.Client(base_url=base, timeout=2) as http:
                while True:
                    assert process.poll() is None, "the server exited:\n" + (self.cwd / "serve.log").read_text()
                    assert time.monotonic() < deadline, (
                        "no /healthz within 30 s:\n" + (self.cwd / "serve.log").read_text()
                    )
                    try:
                        if http.get("/healthz").status_code == 200:
                            break
                    except httpx.TransportError:
                        time.sleep(0.1)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
            log.close()

    @asynccontextmanager
    async def app(self) -> AsyncIterator[httpx.AsyncClient]:
        """The real API on the same database, over HTTP."""
        with self.server() as base:
            async with httpx.AsyncClient(base_url=base, timeout=10) as http:
                yield http


async def viewer(http: httpx.AsyncClient, token: str) -> dict:
    response = await http.post("/graphql", json={"query": VIEWER}, headers=bearer(token))
    assert response.status_code in (200, 400), response.text
    return response.json()


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


@pytest.fixture
def migrated(cli: Cli) -> Cli:
    cli.ok("migrate")
    return cli


def no_data_dir(cli: Cli) -> None:
    assert not (cli.cwd / "data").exists(), "the command wrote ./data although every setting was given"


# ---------------------------------------------------------------- migrate, entities, accounts, tokens


def test_migrate_then_entity_create_prints_one_json_object(cli: Cli) -> None:
    result = cli.ok("migrate")
    assert result.stdout == ""
    assert Path(cli.database_url.removeprefix("sqlite://")).is_file()

    data = cli.json("entity", "create", "Acme Plugins")
    assert set(data) == {"id", "name"}
    assert isinstance(data["id"], int)
    assert data["name"] == "Acme Plugins"

    second = cli.json("entity", "create", "Blue Harbor")
    assert second["id"] != data["id"]
    no_data_dir(cli)


def test_migrate_twice_is_harmless(migrated: Cli) -> None:
    migrated.ok("migrate")
    assert migrated.json("entity", "create", "Acme")["name"] == "Acme"


async def test_account_create_prints_a_working_token(migrated: Cli) -> None:
    entity = await asyncio.to_thread(migrated.json, "entity", "create", "Platform Review")
    account = await asyncio.to_thread(
        migrated.json, "account", "create", "--entity", str(entity["id"]), "--name", "rita", "--role", "reviewer"
    )
    assert set(account) == {"id", "name", "role", "entity_id", "token"}
    assert isinstance(account["id"], int)
    assert account["name"] == "rita"
    assert account["role"].lower() == "reviewer"
    assert account["entity_id"] == entity["id"]
    assert isinstance(account["token"], str) and len(account["token"]) >= 32

    async with migrated.app() as http:
        body = await viewer(http, account["token"])
    assert body.get("errors") is None, body
    assert body["data"]["viewer"] == {"name": "rita", "role": "REVIEWER", "entity": {"name": "Platform Review"}}


def test_account_create_defaults_to_developer(migrated: Cli) -> None:
    entity = migrated.json("entity", "create", "Acme")
    account = migrated.json("account", "create", "--entity", str(entity["id"]), "--name", "alice")
    assert account["role"].lower() == "developer"


def test_account_create_refuses_an_unknown_entity(migrated: Cli) -> None:
    result = migrated.run("account", "create", "--entity", "424242", "--name", "ghost", "--json")
    assert result.returncode != 0
    assert result.stdout == ""
    assert "424242" in result.stderr


async def test_token_create_and_revoke(migrated: Cli) -> None:
    entity = await asyncio.to_thread(migrated.json, "entity", "create", "Acme")
    account = await asyncio.to_thread(
        migrated.json, "account", "create", "--entity", str(entity["id"]), "--name", "alice"
    )
    first = await asyncio.to_thread(migrated.json, "token", "create", "--account", str(account["id"]))
    second = await asyncio.to_thread(migrated.json, "token", "create", "--account", str(account["id"]))
    for issued in (first, second):
        assert set(issued) == {"id", "token"}
        assert isinstance(issued["id"], int)
    assert len({first["token"], second["token"], account["token"]}) == 3

    async with migrated.app() as http:
        for token in (first["token"], second["token"], account["token"]):
            body = await viewer(http, token)
            assert body.get("errors") is None, body
            assert body["data"]["viewer"]["name"] == "alice"

        revoked = await asyncio.to_thread(migrated.run, "token", "revoke", str(first["id"]))
        assert revoked.returncode == 0, revoked.stderr

        # At once, on a server that was already running.
        body = await viewer(http, first["token"])
        assert body.get("data") is None, body
        assert top_level_codes(body) == ["UNAUTHENTICATED"], body
        for token in (second["token"], account["token"]):
            body = await viewer(http, token)
            assert body.get("errors") is None, body

    again = await asyncio.to_thread(migrated.run, "token", "revoke", str(first["id"]))
    assert again.returncode != 0
    assert str(first["id"]) in again.stderr


def test_token_create_refuses_an_unknown_account(migrated: Cli) -> None:
    result = migrated.run("token", "create", "--account", "424242", "--json")
    assert result.returncode != 0
    assert result.stdout == ""
    assert "424242" in result.stderr


def test_commands_refuse_an_unmigrated_database(cli: Cli) -> None:
    result = cli.run("entity", "create", "Acme", "--json")
    assert result.returncode != 0
    assert result.stdout == ""
    assert "pluginhub migrate" in result.stderr


# ---------------------------------------------------------------- demo


async def test_demo_prints_working_tokens(migrated: Cli) -> None:
    data = await asyncio.to_thread(migrated.json, "demo")
    assert set(data) == {"tokens"}
    tokens = data["tokens"]
    assert isinstance(tokens, dict) and len(tokens) >= 2
    assert all(isinstance(v, str) and v for v in tokens.values())

    roles = set()
    async with migrated.app() as http:
        for name, token in tokens.items():
            body = await viewer(http, token)
            assert body.get("errors") is None, (name, body)
            roles.add(body["data"]["viewer"]["role"])
    assert {"DEVELOPER", "REVIEWER"} <= roles


def test_demo_refuses_a_database_with_data(migrated: Cli) -> None:
    migrated.json("demo")
    again = migrated.run("demo", "--json")
    assert again.returncode != 0
    assert again.stdout == ""
    assert "empty" in again.stderr.lower()
    assert "Traceback" not in again.stderr


def test_demo_refuses_after_an_entity_was_created(migrated: Cli) -> None:
    migrated.json("entity", "create", "Acme")
    result = migrated.run("demo", "--json")
    assert result.returncode != 0
    assert result.stdout == ""
    assert "empty" in result.stderr.lower()


# ---------------------------------------------------------------- export-schema


def test_export_schema_prints_the_committed_sdl(cli: Cli) -> None:
    result = cli.ok("export-schema")
    assert result.stdout == (ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert "type Query" in result.stdout


# ---------------------------------------------------------------- serve


def test_serve_refuses_several_workers_on_sqlite(migrated: Cli) -> None:
    result = migrated.run("serve", "--workers", "2", "--port", str(free_port()), timeout=30)
    assert result.returncode != 0
    assert "PostgreSQL" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_refuses_an_unmigrated_database(cli: Cli) -> None:
    # If it started serving instead of refusing, the timeout fails the test.
    result = cli.run("serve", "--port", str(free_port()), timeout=30)
    assert result.returncode != 0
    assert "pluginhub migrate" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_runs_the_api(migrated: Cli) -> None:
    entity = migrated.json("entity", "create", "Acme")
    account = migrated.json("account", "create", "--entity", str(entity["id"]), "--name", "alice")
    with migrated.server() as base, httpx.Client(base_url=base, timeout=2) as http:
        health = http.get("/healthz")
        assert health.status_code == 200
        assert health.json() == {"status": "ok"}

        ready = http.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json() == {"status": "ready"}

        ide = http.get("/graphql", headers={"accept": "text/html"})
        assert ide.status_code == 200
        assert ide.headers["content-type"].startswith("text/html")
        assert "graphiql" in ide.text.lower()

        response = http.post("/graphql", json={"query": VIEWER}, headers=bearer(account["token"]))
        assert response.status_code == 200, response.text
        assert response.json()["data"]["viewer"]["name"] == "alice"
        assert response.headers.get("x-request-id")
    no_data_dir(migrated)
