"""`pluginhub serve` as operators run it: JSON log lines, and metrics summed over worker processes."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from prometheus_client.parser import text_string_to_metric_families

from pluginhub.config import Settings
from tests.conftest import BACKEND

pytestmark = pytest.mark.slow

READY_WITHIN = 30.0
ME = "query Me { viewer { name } }"


class ServeProcess:
    def __init__(self, settings: Settings, cwd: Path, workers: int, **env: str) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = cwd / "serve.log"
        self.out_path = cwd / "serve.out"
        environment = {k: v for k, v in os.environ.items() if not k.startswith(("PLUGINHUB_", "PROMETHEUS_"))}
        environment.update(
            PLUGINHUB_DATABASE_URL=settings.database_url,
            PLUGINHUB_STORAGE_DIR=settings.storage_dir,
            PLUGINHUB_SECRET_KEY=settings.secret_key,
            PYTHONUNBUFFERED="1",
            **env,
        )
        command = [sys.executable, "-m", "pluginhub.cli", "serve", "--port", str(self.port), "--workers", str(workers)]
        with self.log_path.open("w") as log, self.out_path.open("w") as out:
            self.process = subprocess.Popen(
                command, cwd=cwd, env=environment, stdout=out, stderr=log, start_new_session=True
            )

    def log_lines(self) -> list[str]:
        return [line for line in self.log_path.read_text(errors="replace").splitlines() if line.strip()]

    async def ready(self) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + READY_WITHIN
        async with httpx.AsyncClient(base_url=self.url, timeout=2) as http:
            while True:
                assert self.process.poll() is None, "\n".join(self.log_lines())
                try:
                    if (await http.get("/healthz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                assert loop.time() < deadline, "no /healthz in time:\n" + "\n".join(self.log_lines())
                await asyncio.sleep(0.1)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


@pytest_asyncio.fixture
async def serve_process(settings: Settings, tmp_path: Path, app) -> AsyncIterator[Callable[..., ServeProcess]]:
    started: list[ServeProcess] = []

    def start(workers: int = 1, **env: str) -> ServeProcess:
        server = ServeProcess(settings, tmp_path, workers, **env)
        started.append(server)
        return server

    yield start
    for server in started:
        await asyncio.to_thread(server.stop)


async def test_every_log_line_is_json_and_the_access_line_names_the_request(serve_process, alice) -> None:
    server = serve_process(PLUGINHUB_LOG_FORMAT="json")
    await server.ready()
    async with httpx.AsyncClient(base_url=server.url) as http:
        answer = await http.post(
            "/graphql", json={"query": ME}, headers={**alice.headers, "x-request-id": "trace-me-0001"}
        )
        assert answer.json() == {"data": {"viewer": {"name": "alice"}}}
        scraped = (await http.get("/metrics")).text
    await asyncio.to_thread(server.stop)
    assert 'pluginhub_graphql_operations_total{operation="Me",outcome="ok",type="query"} 1.0' in scraped
    assert "pluginhub_worker_up 1.0" in scraped or "pluginhub_worker_up{" in scraped

    lines = [json.loads(line) for line in server.log_lines()]  # fails on any line that is not JSON
    assert any(line["logger"].startswith("uvicorn") and "startup" in line["message"].lower() for line in lines)
    access = [
        line for line in lines if line["logger"] == "uvicorn.access" and line.get("request_id") == "trace-me-0001"
    ]
    assert len(access) == 1, lines
    line = access[0]
    assert line["operation"] == "Me" and line["operation_type"] == "query"
    assert line["viewer"] == alice.account_id
    assert line["status"] == 200 and line["method"] == "POST" and line["path"] == "/graphql"
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["level"] == "info" and line["time"].endswith("Z")


async def test_text_logs_for_development_still_carry_the_request_id(serve_process, alice) -> None:
    server = serve_process(PLUGINHUB_LOG_FORMAT="text")
    await server.ready()
    async with httpx.AsyncClient(base_url=server.url) as http:
        await http.post("/graphql", json={"query": ME}, headers={**alice.headers, "x-request-id": "plain-0001"})
    await asyncio.to_thread(server.stop)
    access = [line for line in server.log_lines() if "plain-0001" in line]
    assert len(access) == 1 and '"POST /graphql HTTP/1.1" 200' in access[0] and "op=Me" in access[0]
    with pytest.raises(json.JSONDecodeError):
        json.loads(access[0])


@pytest.mark.skipif(BACKEND != "postgres", reason="several workers need PostgreSQL")
async def test_metrics_add_up_every_worker_process(serve_process, alice) -> None:
    server = serve_process(workers=2)
    await server.ready()
    sent = 40
    for _ in range(sent):  # a new connection each time, so the workers share them out
        async with httpx.AsyncClient(base_url=server.url) as http:
            await http.post("/graphql", json={"query": ME}, headers=alice.headers)
    pids: set[str] = set()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + READY_WITHIN
    while len(pids) < 2:  # both workers are up once each has answered something and written its gauge
        async with httpx.AsyncClient(base_url=server.url) as http:
            text = (await http.get("/metrics")).text
        samples = [s for family in text_string_to_metric_families(text) for s in family.samples]
        pids = {s.labels.get("pid") for s in samples if s.name == "pluginhub_worker_up"}
        assert None not in pids, "no pid label: each process serves only its own metrics"
        assert loop.time() < deadline, f"worker pids seen: {pids}"
    counted = sum(
        s.value
        for s in samples
        if s.name == "pluginhub_graphql_operations_total"
        and s.labels == {"operation": "Me", "type": "query", "outcome": "ok"}
    )
    assert counted == sent, "whichever worker answers /metrics, it counts every worker's requests"


def json_documents(text: str) -> list[dict]:
    """The JSON objects printed one after another (the console exporter indents them)."""
    decoder, documents, at = json.JSONDecoder(), [], 0
    while (at := text.find("{", at)) != -1:
        document, at = decoder.raw_decode(text, at)
        documents.append(document)
    return documents


async def test_spans_continue_the_callers_trace(serve_process, alice) -> None:
    trace_id, parent_id = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
    server = serve_process(PLUGINHUB_TRACING="console")
    await server.ready()
    async with httpx.AsyncClient(base_url=server.url) as http:
        traceparent = f"00-{trace_id}-{parent_id}-01"
        await http.post("/graphql", json={"query": ME}, headers={**alice.headers, "traceparent": traceparent})
    await asyncio.to_thread(server.stop)

    spans = json_documents(server.out_path.read_text())
    in_trace = [span for span in spans if span["context"]["trace_id"] == f"0x{trace_id}"]
    by_name = {span["name"]: span for span in in_trace}
    assert by_name["POST /graphql"]["parent_id"] == f"0x{parent_id}", "the server span is a child of the caller's"
    assert by_name["POST /graphql"]["kind"] == "SpanKind.SERVER"
    assert "GraphQL Query: Me" in by_name
    assert not any(span["name"] == "GET /healthz" for span in spans), "probes are not traced"
    assert all(not key.startswith("graphql.param.") for span in spans for key in span["attributes"])
