"""Large HTTP responses are gzipped for clients that accept it; small ones and packages are not."""

from __future__ import annotations

import dataclasses
import gzip

import httpx

from pluginhub.app import create_app
from pluginhub.config import Settings
from tests.liveserver import serve

INTROSPECTION = "query Schema { __schema { types { name fields { name description } } } }"
GZIP = {"accept-encoding": "gzip"}


async def test_a_large_answer_is_gzipped(client: httpx.AsyncClient) -> None:
    answer = await client.post("/graphql", json={"query": INTROSPECTION}, headers=GZIP)
    assert answer.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in answer.headers["vary"].lower()
    assert len(answer.content) > 1024 * 10
    assert any(t["name"] == "PluginVersion" for t in answer.json()["data"]["__schema"]["types"])


async def test_it_is_smaller_on_the_wire(client: httpx.AsyncClient) -> None:
    async with client.stream("POST", "/graphql", json={"query": INTROSPECTION}, headers=GZIP) as answer:
        wire = b"".join([chunk async for chunk in answer.aiter_raw()])
    assert len(wire) * 4 < len(gzip.decompress(wire))


async def test_small_answers_and_clients_without_gzip_get_plain_bytes(client: httpx.AsyncClient) -> None:
    small = await client.get("/healthz", headers=GZIP)
    assert "content-encoding" not in small.headers
    plain = await client.post("/graphql", json={"query": INTROSPECTION}, headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers


async def test_packages_are_sent_as_they_are(client: httpx.AsyncClient, console, alice, development_version) -> None:
    url = development_version["package"]["downloadUrl"]
    answer = await client.get(url.removeprefix("http://testserver"), headers=GZIP)
    assert answer.status_code == 200
    assert "content-encoding" not in answer.headers


async def test_a_minimum_of_zero_turns_gzip_off(settings: Settings, app) -> None:
    async with (
        serve(create_app(dataclasses.replace(settings, gzip_min_bytes=0))) as server,
        httpx.AsyncClient() as http,
    ):
        answer = await http.post(f"{server.http_url}/graphql", json={"query": INTROSPECTION}, headers=GZIP)
    assert answer.status_code == 200
    assert "content-encoding" not in answer.headers
