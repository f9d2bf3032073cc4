"""GraphQL over HTTP: media types and status codes (issue 10, part 2).

Under `application/graphql-response+json` a request error (nothing ran)
answers 4xx without `data`; under legacy `application/json` every GraphQL
response is 200. Every error carries `extensions.code`.
"""

from __future__ import annotations

import httpx
import pytest

from tests.helpers import top_level_codes

NEW = "application/graphql-response+json"
LEGACY = "application/json"

TYPENAME = "{ __typename }"
SYNTAX_ERROR = "{"
UNKNOWN_FIELD = "{ noSuchField }"
COERCION = "query CoerceFailure($id: ID!) { __typename }"
VIEWER = "{ viewer { name } }"
TOO_MANY = "query { plugins(first: 101) { totalCount } }"


async def post(client: httpx.AsyncClient, body: dict, accept: str | None = None, headers: dict | None = None):
    sent = {**({"accept": accept} if accept else {}), **(headers or {})}
    return await client.post("/graphql", json=body, headers=sent)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (NEW, NEW),
        (LEGACY, LEGACY),
        ("*/*", LEGACY),
        (None, LEGACY),
        (f"{NEW}, {LEGACY};q=0.9", NEW),
        (f"{NEW};q=0.5, {LEGACY}", LEGACY),
        ("text/html", LEGACY),
    ],
)
async def test_the_media_type_follows_accept(client, accept, expected):
    response = await post(client, {"query": TYPENAME}, accept)
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{expected}; charset=utf-8"
    assert response.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize(
    ("query", "variables", "code"),
    [
        (SYNTAX_ERROR, None, "GRAPHQL_PARSE_FAILED"),
        (UNKNOWN_FIELD, None, "GRAPHQL_VALIDATION_FAILED"),
        (COERCION, {"id": None}, "GRAPHQL_VALIDATION_FAILED"),
        ("query($f: Int) { plugins(first: $f) { totalCount } }", {"f": "x"}, "GRAPHQL_VALIDATION_FAILED"),
    ],
)
async def test_request_errors_are_400_without_data_under_graphql_response_json(client, alice, query, variables, code):
    response = await post(client, {"query": query, "variables": variables}, NEW, alice.headers)
    assert response.status_code == 400
    body = response.json()
    assert "data" not in body
    assert top_level_codes(body) == [code]


@pytest.mark.parametrize(
    ("query", "variables", "code"),
    [
        (SYNTAX_ERROR, None, "GRAPHQL_PARSE_FAILED"),
        (UNKNOWN_FIELD, None, "GRAPHQL_VALIDATION_FAILED"),
        (COERCION, {"id": None}, "GRAPHQL_VALIDATION_FAILED"),
    ],
)
async def test_request_errors_are_200_under_legacy_json(client, query, variables, code):
    response = await post(client, {"query": query, "variables": variables}, LEGACY)
    assert response.status_code == 200
    assert top_level_codes(response.json()) == [code]


async def test_unauthenticated_is_401_under_graphql_response_json(client):
    response = await post(client, {"query": VIEWER}, NEW)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "data" not in response.json()
    assert top_level_codes(response.json()) == ["UNAUTHENTICATED"]


async def test_unauthenticated_is_200_under_legacy_json(client):
    response = await post(client, {"query": VIEWER}, LEGACY)
    assert response.status_code == 200
    assert top_level_codes(response.json()) == ["UNAUTHENTICATED"]


async def test_a_field_error_keeps_data_and_200_under_both(client, alice):
    """`plugins` is non-null, so its error nulls `data`: still a result, with the `data` entry."""
    for accept in (NEW, LEGACY):
        response = await post(client, {"query": TOO_MANY}, accept, alice.headers)
        assert response.status_code == 200
        body = response.json()
        assert "data" in body and body["data"] is None
        assert top_level_codes(body) == ["VALIDATION"]


async def test_variables_and_operation_name_from_a_get_query_string(client, alice):
    response = await client.get(
        "/graphql",
        params={"query": "query Me { viewer { name } } query Other { __typename }", "operationName": "Me"},
        headers={"accept": NEW, **alice.headers},
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"viewer": {"name": "alice"}}}


async def test_graphiql_is_served_to_a_browser(client):
    response = await client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()
