"""GraphiQL is served from the package and works with no network beyond this server."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from graphql import parse, validate

from pluginhub import graphiql
from pluginhub.app import create_app
from pluginhub.config import Settings
from pluginhub.schema import build_schema
from tests.browser import chromium_path, launch
from tests.liveserver import LiveServer, serve

HTML = {"accept": "text/html"}
ME = "query Me { viewer { name role } }"


async def test_the_page_loads_every_asset_from_this_server(client: httpx.AsyncClient) -> None:
    page = await client.get("/graphql", headers=HTML)
    assert page.status_code == 200
    assert "unpkg" not in page.text and "https://" not in page.text
    sources = re.findall(r'(?:src|href)="(graphiql/[^"]+)"', page.text)
    assert len(sources) == 6
    for source in sources:
        assert source.startswith("graphiql/"), "assets are linked relatively, so a path prefix keeps working"
        asset = await client.get("/" + source)
        assert asset.status_code == 200, source
        assert "max-age" in asset.headers["cache-control"]


async def test_the_vendored_assets_are_the_pinned_npm_files_with_their_licenses() -> None:
    manifest = json.loads((graphiql.ASSETS / "MANIFEST.json").read_text())["files"]
    on_disk = {str(p.relative_to(graphiql.ASSETS)) for p in graphiql.ASSETS.rglob("*") if p.is_file()}
    assert on_disk == {*manifest, "MANIFEST.json"}
    for name, entry in manifest.items():
        assert hashlib.sha256((graphiql.ASSETS / name).read_bytes()).hexdigest() == entry["sha256"], name
    packages = {entry["package"] for entry in manifest.values()}
    assert packages == {"react", "react-dom", "graphiql", "@graphiql/plugin-explorer", "graphiql-explorer"}
    for folder in ("react", "react-dom", "graphiql", "plugin-explorer"):
        assert "MIT License" in (graphiql.ASSETS / folder / "LICENSE").read_text()


async def test_the_default_document_is_valid_against_the_schema() -> None:
    document = parse(graphiql.default_document())
    assert validate(build_schema()._schema, document) == []
    names = [d.name.value for d in document.definitions]  # type: ignore[attr-defined]
    assert names == ["Me", "Plugins", "Versions", "MyMiniPrograms", "Resolution"]
    assert "Authorization" in graphiql.default_document() and "Bearer" in graphiql.DEFAULT_HEADERS


async def test_a_path_outside_the_assets_is_not_served(client: httpx.AsyncClient) -> None:
    assert (await client.get("/graphiql/../config.py")).status_code == 404
    assert (await client.get("/graphiql/nothing.js")).status_code == 404


# ---------------------------------------------------------------- in a real browser, offline

CHROMIUM = chromium_path()
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no Chromium: install Debian's `chromium` package (or set PLUGINHUB_TEST_CHROMIUM) to run the browser test",
)


@pytest_asyncio.fixture
async def live(settings: Settings, app) -> AsyncIterator[LiveServer]:
    async with serve(create_app(settings)) as server:
        yield server


def editor(selector: str) -> str:
    return f"document.querySelector({json.dumps(selector)})?.CodeMirror"


HEADERS_EDITOR = (
    "[...document.querySelectorAll('.graphiql-editor-tool .CodeMirror')]"
    ".find(e => e.CodeMirror.getValue().includes('Authorization'))?.CodeMirror"
)
QUERY_EDITOR = editor(".graphiql-query-editor .CodeMirror")
RESPONSE = editor(".result-window .CodeMirror")
ANSWERED = f"({RESPONSE}?.getValue() || '').includes('viewer') && {RESPONSE}.getValue()"


@needs_chromium
@pytest.mark.slow
async def test_graphiql_runs_a_query_with_the_network_cut(live: LiveServer, alice) -> None:
    assert CHROMIUM is not None
    async with launch(CHROMIUM, live.http_url) as browser:
        await browser.open(f"{live.http_url}/graphql")
        first_screen = await browser.wait_for(f"{QUERY_EDITOR}?.getValue()")
        assert "Welcome to pluginhub" in first_screen and "resolvePluginVersion" in first_screen
        await browser.wait_for("document.querySelector('[aria-label=\"Show GraphiQL Explorer\"]') !== null")
        await browser.wait_for(f"{HEADERS_EDITOR} !== undefined")
        await browser.evaluate(
            f"{HEADERS_EDITOR}.setValue({json.dumps(json.dumps({'Authorization': f'Bearer {alice.token}'}))})"
        )
        await browser.evaluate(f"{QUERY_EDITOR}.setValue({json.dumps(ME)})")
        answer = None
        for _attempt in range(10):  # the editors pass their text on to GraphiQL's state after a short debounce
            await browser.evaluate("document.querySelector('.graphiql-execute-button').click()")
            try:
                answer = await browser.wait_for(ANSWERED, timeout=2)
                break
            except AssertionError:
                continue
        assert answer is not None, "GraphiQL showed no answer after ten runs"
        assert json.loads(answer) == {"data": {"viewer": {"name": "alice", "role": "DEVELOPER"}}}

    assert browser.blocked == [], f"the page tried to leave the server: {browser.blocked}"
    loaded = {url.removeprefix(live.http_url) for url in browser.requested}
    assert "/graphiql/graphiql/graphiql.min.js" in loaded and "/graphiql/plugin-explorer/index.umd.js" in loaded
