"""Requests refused before any GraphQL runs: each a JSON body with a code (issue 10).

Whatever the client accepts, the body is GraphQL-shaped JSON
(`errors[0].extensions.code`), never text/plain, never a 5xx.
"""

from __future__ import annotations

import json

import httpx
import pytest

from tests.helpers import top_level_codes

NEW = "application/graphql-response+json"


def refused(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(("application/json", NEW)), response.headers
    body = response.json()
    assert "data" not in body, body
    assert top_level_codes(body) == [code], body
    return body


async def raw(client: httpx.AsyncClient, content: bytes | str, content_type: str | None = "application/json"):
    headers = {"content-type": content_type} if content_type else {}
    return await client.post("/graphql", content=content, headers=headers)


# ---------------------------------------------------------------- issue 15, reproducer 1: bodies that are not an object


@pytest.mark.parametrize("body", ["null", "1", '"x"', "[" * 100_000, "true", "{", "", b"\xff\xfe"])
async def test_a_body_that_is_not_a_json_object_is_bad_request(client, body):
    refused(await raw(client, body), 400, "BAD_REQUEST")


async def test_a_body_that_is_not_json_is_bad_request_under_both_media_types(client):
    for accept in (NEW, "application/json"):
        response = await client.post(
            "/graphql", content='{ "not a JSON', headers={"content-type": "application/json", "accept": accept}
        )
        refused(response, 400, "BAD_REQUEST")


@pytest.mark.parametrize(
    "body",
    [
        {"notquery": "{ __typename }"},
        {"query": {"obj": "ect"}},
        {"query": 0},
        {"query": ["array"]},
        {"query": "{ __typename }", "variables": "string"},
        {"query": "{ __typename }", "variables": ["array"]},
        {"query": "{ __typename }", "operationName": 0},
        {"query": "{ __typename }", "extensions": False},
    ],
)
async def test_parameters_of_the_wrong_type_are_bad_request(client, body):
    refused(await raw(client, json.dumps(body)), 400, "BAD_REQUEST")


@pytest.mark.parametrize(
    "content_type", [None, "text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin-1"]
)
async def test_an_unsupported_content_type_is_415(client, content_type):
    refused(await raw(client, json.dumps({"query": "{ __typename }"}), content_type), 415, "UNSUPPORTED_MEDIA_TYPE")


async def test_a_batch_is_refused(client):
    refused(await raw(client, json.dumps([{"query": "{ __typename }"}])), 400, "BATCH_NOT_SUPPORTED")


async def test_an_unknown_persisted_query_hash_is_answered_with_a_code(client):
    body = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "e" * 64}}}
    response = await raw(client, json.dumps(body))
    assert response.status_code == 200  # as Apollo Server answers it: the client then sends the document
    assert top_level_codes(response.json()) == ["PERSISTED_QUERY_NOT_FOUND"]


async def test_a_hash_only_multipart_request_is_refused_as_apollo_expects(client):
    operations = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "e" * 64}}, "variables": {"f": None}}
    response = await client.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": '{"0": ["variables.f"]}'},
        files={"0": ("p.zip", b"zip")},
    )
    answer = refused(response, 400, "PERSISTED_QUERY_NOT_SUPPORTED")
    assert answer["errors"][0]["message"] == "PersistedQueryNotSupported"


async def test_a_deeply_nested_body_naming_a_persisted_query_is_bad_request(client):
    refused(await raw(client, "[" * 100_000 + '"persistedQuery"'), 400, "BAD_REQUEST")


async def test_a_mutation_over_get_is_405_allowing_post(client, alice):
    response = await client.get(
        "/graphql",
        params={"query": 'mutation { createPlugin(input: {name: "x", description: ""}) { plugin { id } } }'},
        headers=alice.headers,
    )
    refused(response, 405, "METHOD_NOT_ALLOWED")
    assert response.headers["allow"] == "POST"


async def test_other_methods_are_405_allowing_get_and_post(client):
    response = await client.put("/graphql", json={"query": "{ __typename }"})
    refused(response, 405, "METHOD_NOT_ALLOWED")
    assert response.headers["allow"] == "GET, POST"


async def test_an_unknown_operation_name_is_coded(client):
    response = await client.post("/graphql", json={"query": "query A { __typename }", "operationName": "B"})
    assert response.status_code == 200
    assert top_level_codes(response.json()) == ["OPERATION_RESOLUTION_FAILURE"]
    response = await client.post(
        "/graphql", json={"query": "query A { __typename }", "operationName": "B"}, headers={"accept": NEW}
    )
    refused(response, 400, "OPERATION_RESOLUTION_FAILURE")


async def test_several_operations_without_a_name_run_none_of_them(client, alice):
    document = (
        'mutation A { createPlugin(input: {name: "x", description: ""}) { plugin { id } } } query B { __typename }'
    )
    response = await client.post("/graphql", json={"query": document}, headers={"accept": NEW, **alice.headers})
    refused(response, 400, "OPERATION_RESOLUTION_FAILURE")
    mine = await client.post("/graphql", json={"query": "{ plugins { totalCount } }"}, headers=alice.headers)
    assert mine.json()["data"]["plugins"]["totalCount"] == 0


async def test_a_document_with_no_operation_is_coded(client):
    response = await client.post(
        "/graphql", json={"query": "fragment F on Query { __typename }"}, headers={"accept": NEW}
    )
    assert response.status_code == 400
    assert top_level_codes(response.json()) in (["GRAPHQL_VALIDATION_FAILED"], ["OPERATION_RESOLUTION_FAILURE"])


# ---------------------------------------------------------------- issue 15, reproducer 11: subscriptions over HTTP


SUBSCRIPTION = 'subscription { pluginEvents(pluginId: "1000000000000000") { kind } }'


async def test_a_subscription_over_post_is_refused_with_a_code(client, alice):
    response = await client.post("/graphql", json={"query": SUBSCRIPTION}, headers=alice.headers)
    body = refused(response, 400, "SUBSCRIPTION_OVER_HTTP")
    assert "WebSocket" in body["errors"][0]["message"]


async def test_a_subscription_over_get_is_refused_with_a_code(client, alice):
    response = await client.get("/graphql", params={"query": SUBSCRIPTION}, headers=alice.headers)
    refused(response, 400, "SUBSCRIPTION_OVER_HTTP")
