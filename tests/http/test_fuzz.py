"""The API fuzzed from its schema, as several viewers (issue 10, part 3).

Bounded in examples so each backend spends well under a minute here;
`bench/fuzz_http.py` runs the same strategies for 100,000 cases. The
reproducers of issues 10 and 15 are explicit seeds.
"""

from __future__ import annotations

import base64
import json
import logging

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from pluginhub.schema import build_schema
from tests.http import fuzzing

FUZZ = settings(
    max_examples=120,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
)
SCHEMA = build_schema()._schema


def b64(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode("utf-8", "surrogatepass")).decode()


@pytest.fixture
def error_log():
    handler = fuzzing.ErrorLog()
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)


@pytest.fixture
async def viewers(console, alice, bob, rita, plugin, online_version, mini_program, active_order):
    """An owner, a host that ordered the plugin, a reviewer, and nobody: every side of the rules."""
    await console.submit(alice, await console.upload(alice, plugin, "1.1.0"))
    return {"alice": alice.headers, "bob": bob.headers, "rita": rita.headers, "anonymous": {}}


VIEWER = st.sampled_from(["alice", "bob", "rita", "anonymous"])


async def check(client, viewers, error_log, request, viewer) -> None:
    response = await fuzzing.send(client, request, viewers[viewer])
    assert fuzzing.problems_in(response, error_log) == [], (request, viewer, response.text[:500])


@FUZZ
@given(request=st.deferred(lambda: fuzzing.document_requests(SCHEMA)), viewer=VIEWER)
@example(request={"query": "{ __typename ...o }"}, viewer="anonymous")
@example(request={"query": "{" * 400 + "}" * 400}, viewer="anonymous")
@example(request={"query": 'subscription { pluginEvents(pluginId: "1000000000000000") { kind } }'}, viewer="alice")
@example(
    request={"query": 'mutation { createPlugin(input: {name: "a\\u0000b", description: ""}) { plugin { id } } }'},
    viewer="alice",
)
@example(request={"query": "query A { __typename } query B { __typename }"}, viewer="anonymous")
async def test_fuzzed_documents(client, viewers, error_log, request, viewer):
    await check(client, viewers, error_log, request, viewer)


SHARED_LOADER = (
    'query($p: String!) { plugin(pluginId: $p) { version(version: "1.0.0") { events(first: 101) { totalCount } '
    "uploadedBy { id } } auditingVersion { uploadedBy { name } } } }"
)


@FUZZ
@given(request=fuzzing.variable_requests, viewer=VIEWER)
@example(request={"query": fuzzing.VARIABLE_DOCUMENTS[0], "variables": {"a": b64("[" * 100_000)}}, viewer="alice")
@example(request={"query": fuzzing.VARIABLE_DOCUMENTS[0], "variables": {"a": b64('["x", "\\ud800"]')}}, viewer="alice")
@example(
    request={
        "query": fuzzing.VARIABLE_DOCUMENTS[4],
        "variables": {"a": b64('["2020-01-01T00:00:00+00:00", 9223372036854775808]')},
    },
    viewer="rita",
)
@example(
    request={
        "query": fuzzing.VARIABLE_DOCUMENTS[0],
        "variables": {"a": b64('["0001-01-01T00:00:00+14:00", "1000000000000000"]')},
    },
    viewer="alice",
)
@example(
    request={
        "query": fuzzing.VARIABLE_DOCUMENTS[0],
        "variables": {"a": b64('["2020-01-01T00:00:00+00:00", "%s"]' % ("1" * 300))},
    },
    viewer="alice",
)
@example(request={"query": fuzzing.VARIABLE_DOCUMENTS[2], "variables": {"id": b64("PluginVersion:²")}}, viewer="alice")
@example(
    request={"query": fuzzing.VARIABLE_DOCUMENTS[2], "variables": {"id": b64("DebugBinding:2147483648")}},
    viewer="alice",
)
@example(request={"query": fuzzing.VARIABLE_DOCUMENTS[0], "variables": {"s": "a\u0000b"}}, viewer="alice")
@example(request={"query": fuzzing.VARIABLE_DOCUMENTS[0], "variables": {"s": "\ud800"}}, viewer="alice")
@example(
    request={
        "query": fuzzing.VARIABLE_DOCUMENTS[1],
        "variables": {"p": "1000000000000000", "v": "123456789012345678901"},
    },
    viewer="alice",
)
@example(
    request={"query": fuzzing.VARIABLE_DOCUMENTS[6], "variables": {"input": {"name": "a\ud800", "description": ""}}},
    viewer="alice",
)
@example(
    request={
        "query": fuzzing.VARIABLE_DOCUMENTS[10],
        "variables": {"input": {"pluginId": "1", "version": "1.0.0", "description": "", "features": [], "package": {}}},
    },
    viewer="alice",
)
@example(request={"query": "query($f:Int){plugins(first:$f){totalCount}}", "variables": {"f": "x"}}, viewer="alice")
@example(request={"query": "query($f:Int){plugins(first:$f){totalCount}}", "variables": {"f": 10**400}}, viewer="alice")
async def test_fuzzed_variables(client, viewers, error_log, request, viewer):
    await check(client, viewers, error_log, request, viewer)


async def test_the_shared_loader_seed_as_the_owner(client, viewers, error_log, plugin):
    """Reproducer 3 through the fuzz check, with the plugin's real id."""
    for _ in range(3):
        await check(
            client, viewers, error_log, {"query": SHARED_LOADER, "variables": {"p": plugin["pluginId"]}}, "alice"
        )


@FUZZ
@given(body=fuzzing.bodies, viewer=VIEWER)
@example(body="null", viewer="anonymous")
@example(body="1", viewer="anonymous")
@example(body='"x"', viewer="anonymous")
@example(body="[" * 100_000, viewer="anonymous")
@example(body=json.dumps([{"query": "{ __typename }"}]), viewer="anonymous")
@example(body=json.dumps({"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "ab"}}}), viewer="anonymous")
async def test_fuzzed_bodies(client, viewers, error_log, body, viewer):
    await check(client, viewers, error_log, body, viewer)
