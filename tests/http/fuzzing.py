"""What the fuzz test and `bench/fuzz_http.py` share: the strategies and the one check.

Documents come from the schema (hypothesis-graphql, valid and with one
violation each), variables and bodies from hostile values: odd unicode
(NUL, lone surrogates, astral characters), huge numbers, malformed global
ids and cursors. The check fails on a 5xx, a non-JSON answer, an error
without `extensions.code`, a masked internal error, or an error logged.
"""

from __future__ import annotations

import base64
import json
import logging
from dataclasses import dataclass, field
from typing import Any

import graphql
import httpx
from hypothesis import strategies as st
from hypothesis_graphql import Mode, mutations, queries

# ---------------------------------------------------------------- hostile values

odd_text = st.text(st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF), max_size=30)
huge_ints = st.integers(min_value=-(2**70), max_value=2**70) | st.sampled_from([2**31, 2**63, -(2**63) - 1, 10**400])


def b64(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode("utf-8", "surrogatepass")).decode()


global_ids = st.builds(
    lambda kind, key: b64(f"{kind}:{key}"),
    st.sampled_from(
        ["Plugin", "PluginVersion", "PluginEvent", "Account", "Entity", "DebugBinding", "PluginOrder", "X"]
    ),
    st.one_of(huge_ints.map(str), odd_text, st.sampled_from(["²", "١", "1" * 5000, "-1", ""])),
)
json_values = st.recursive(
    st.none() | st.booleans() | huge_ints | st.floats(allow_nan=False) | odd_text,
    lambda inner: st.lists(inner, max_size=3),
)
cursors = st.one_of(
    json_values.map(lambda v: b64(json.dumps(v))),
    st.sampled_from(
        [
            b64("[" * 100_000),
            b64('["2020-01-01T00:00:00+00:00", "\\ud800"]'),
            b64('["2020-01-01T00:00:00+00:00", 9223372036854775808]'),
            b64('["0001-01-01T00:00:00+14:00", "1000000000000000"]'),
            b64('["2020-01-01T00:00:00+00:00", "%s"]' % ("1" * 300)),
            b64("[%d]" % 2**63),
        ]
    ),
    odd_text,
)
public_ids = st.one_of(st.from_regex(r"\A[0-9]{16}\Z"), odd_text, st.just("１２３４５６７８９０１２３４５６"))
hostile = st.one_of(
    odd_text,
    huge_ints,
    global_ids,
    cursors,
    public_ids,
    json_values,
    st.dictionaries(odd_text, json_values, max_size=3),
)

# ---------------------------------------------------------------- documents with variables

VARIABLE_DOCUMENTS = [
    "query($f: Int, $a: String, $s: String) "
    "{ plugins(first: $f, after: $a, search: $s) { totalCount edges { cursor } } }",
    "query($p: String!, $v: String!, $f: Int, $a: String) "
    "{ plugin(pluginId: $p) { version(version: $v) { id } events(first: $f, after: $a) { totalCount } } }",
    "query($id: ID!) { node(id: $id) { id ... on Account { name } ... on PluginVersion { status } } }",
    "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
    "query($a: String) { reviewQueue(after: $a) { totalCount } }",
    "query($a: String!, $p: String!, $t: String) "
    "{ resolvePluginVersion(appId: $a, pluginId: $p, scene: DEVELOP, debugToken: $t) { __typename } }",
    "mutation($input: CreatePluginInput!) { createPlugin(input: $input) { plugin { id } userErrors { code } } }",
    "mutation($input: UpdateVersionInput!) { updateVersion(input: $input) { version { id } userErrors { code } } }",
    "mutation($input: RejectVersionInput!) { rejectVersion(input: $input) { version { id } userErrors { code } } }",
    "mutation($input: GrayReleaseInput!) { grayRelease(input: $input) { version { id } userErrors { code } } }",
    "mutation($input: UploadVersionInput!) { uploadVersion(input: $input) { version { id } userErrors { code } } }",
    "mutation($input: AddDebugHostInput!) { addDebugHost(input: $input) { debugBinding { id } userErrors { code } } }",
]


def variables_for(document: str) -> st.SearchStrategy[dict[str, Any]]:
    names = [v.variable.name.value for v in graphql.parse(document).definitions[0].variable_definitions]
    return st.fixed_dictionaries(dict.fromkeys(names, hostile))


variable_requests = st.sampled_from(VARIABLE_DOCUMENTS).flatmap(
    lambda document: variables_for(document).map(lambda variables: {"query": document, "variables": variables})
)


def document_requests(schema: graphql.GraphQLSchema) -> st.SearchStrategy[dict[str, Any]]:
    scalars = {
        "DateTime": st.just(graphql.StringValueNode(value="2020-01-01T00:00:00Z")),
        "Upload": st.just(graphql.NullValueNode()),
    }
    generated = st.one_of(
        *(
            strategy(schema, custom_scalars=scalars, codec=None, mode=mode)
            for strategy in (queries, mutations)
            for mode in (Mode.POSITIVE, Mode.NEGATIVE)
        )
    )
    return generated.map(lambda document: {"query": document})


bodies = st.one_of(
    json_values.map(json.dumps),
    st.text(max_size=50),
    st.sampled_from(["null", "1", '"x"', "[" * 100_000, '{"query": "{" }', '[{"query": "{ __typename }"}]']),
)

# ---------------------------------------------------------------- the check


@dataclass
class Findings:
    cases: int = 0
    problems: list[str] = field(default_factory=list)

    def add(self, problem: str) -> None:
        self.problems.append(problem)


class ErrorLog(logging.Handler):
    """Everything logged at ERROR or with a trace while a case ran."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR or record.exc_info:
            self.records.append(record)


def problems_in(response: httpx.Response, log: ErrorLog) -> list[str]:
    found = []
    if response.status_code >= 500:
        found.append(f"HTTP {response.status_code}")
    try:
        body = response.json()
    except ValueError:
        return [*found, f"not JSON: {response.text[:200]!r}"]
    for error in (body.get("errors") if isinstance(body, dict) else None) or []:
        code = (error.get("extensions") or {}).get("code")
        if not code:
            found.append(f"uncoded error: {error.get('message')!r}")
        elif code == "INTERNAL_SERVER_ERROR":
            found.append("masked internal error")
    found.extend(f"logged: {record.getMessage()[:200]}" for record in log.records)
    log.records.clear()
    return found


async def send(client: httpx.AsyncClient, request: dict[str, Any] | str, headers: dict[str, str]) -> httpx.Response:
    content = request if isinstance(request, str) else json.dumps(request)  # ensure_ascii keeps lone surrogates
    return await client.post("/graphql", content=content, headers={"content-type": "application/json", **headers})
