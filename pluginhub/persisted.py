"""Persisted queries: Apollo's automatic protocol (APQ), or an operator's allow-list.

APQ (`PLUGINHUB_PERSISTED_QUERIES=apq`, the default): a client sends only
`extensions.persistedQuery.sha256Hash`; if this process has not seen that
document it answers `PersistedQueryNotFound` (HTTP 200, as Apollo Server
does) and the client sends hash and document together, which is checked
and remembered (an LRU of `PLUGINHUB_APQ_CACHE_SIZE` documents per
process: a client that reaches another process just registers again).
POST and GET both work, so hashed queries can be cached by a CDN.

Allow-list (`allowlist`): the server runs only the documents in
`PLUGINHUB_PERSISTED_QUERIES_FILE`, an Apollo persisted-query manifest
(what `@apollo/generate-persisted-query-manifest` writes, or
`pluginhub allowlist add`). A client may send the hash alone or the full
text; anything else is refused with `PERSISTED_QUERY_NOT_IN_LIST`, over
HTTP and WebSocket alike. The file is read at start (the server refuses to
start without a valid one) and again whenever it changes.

`off` refuses hashes with `PersistedQueryNotSupported`, which tells Apollo
Client to stop sending them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections import OrderedDict
from collections.abc import Iterator
from functools import cache, partial
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from graphql import GraphQLError
from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

from .config import Settings
from .resolvers.errors import RequestCode

log = logging.getLogger("pluginhub.persisted")
SHA256 = re.compile(r"[0-9a-f]{64}")
MANIFEST_FORMAT = "apollo-persisted-query-manifest"
NO_STORE = {"cache-control": "private, no-cache, must-revalidate"}  # a "not found" must never be cached


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# ---------------------------------------------------------------- the allow-list file


def read_manifest(path: Path) -> dict[str, str]:
    """id → document of an Apollo manifest; every id must be its document's sha256."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT or data.get("version") != 1:
        raise ValueError(
            f'{path}: not an {MANIFEST_FORMAT} (version 1): expected {{"format": ..., "operations": [...]}}'
        )
    documents: dict[str, str] = {}
    for entry in data.get("operations") or []:
        body, given = entry.get("body"), entry.get("id")
        if not isinstance(body, str) or given != sha256(body):
            raise ValueError(f"{path}: operation {entry.get('name') or given!r}: its id is not the sha256 of its body")
        documents[given] = body
    return documents


def write_manifest(path: Path, operations: list[dict[str, str]]) -> None:
    """Write to a temporary name, then rename: a server never reads half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({"format": MANIFEST_FORMAT, "version": 1, "operations": operations}, indent=2) + "\n")
    os.replace(tmp, path)


class AllowList:
    """The manifest's documents, read again when the file changes (a stat per request)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.stamp: tuple[int, int] | None = None
        self.documents: dict[str, str] = {}
        self.refresh(strict=True)

    def refresh(self, strict: bool = False) -> None:
        try:
            stat = self.path.stat()
            if (stat.st_mtime_ns, stat.st_size) == self.stamp:
                return
            self.documents = read_manifest(self.path)
            self.stamp = (stat.st_mtime_ns, stat.st_size)
        except (OSError, ValueError) as error:
            if strict:
                raise ValueError(f"PLUGINHUB_PERSISTED_QUERIES=allowlist needs a valid manifest: {error}") from None
            log.error("allow-list not reloaded, keeping the %d documents read before: %s", len(self.documents), error)

    def get(self, digest: str) -> str | None:
        self.refresh()
        return self.documents.get(digest)

    def allows(self, document: str) -> bool:
        return self.get(sha256(document)) is not None


@cache
def allow_list(path: str) -> AllowList:
    """One per file per process, shared by the HTTP layer and the schema extension."""
    return AllowList(Path(path))


# ---------------------------------------------------------------- HTTP: hashes to documents


class Refusal(Exception):
    def __init__(self, code: RequestCode, message: str, status: int = 200) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status

    def response(self) -> JSONResponse:
        body = {"errors": [{"message": self.message, "extensions": {"code": self.code.value}}]}
        return JSONResponse(body, status_code=self.status, headers=NO_STORE)


class Documents:
    """Where a hash finds its document: the APQ cache, or the allow-list."""

    def __init__(self, settings: Settings) -> None:
        self.mode = settings.persisted_queries
        self.size = settings.apq_cache_size
        self.cache: OrderedDict[str, str] = OrderedDict()
        self.allow_list = allow_list(settings.persisted_queries_file) if self.mode == "allowlist" else None

    def resolve(self, query: Any, extensions: Any) -> str | None:
        """The document to run, or None to leave the request as it is."""
        persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
        if persisted is None:
            return None
        if self.mode == "off":
            raise Refusal(RequestCode.PERSISTED_QUERY_NOT_SUPPORTED, "PersistedQueryNotSupported")
        digest = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
        if not isinstance(persisted, dict) or persisted.get("version") != 1 or not isinstance(digest, str):
            raise Refusal(RequestCode.VALIDATION, "persistedQuery needs version 1 and a sha256Hash", 400)
        if not SHA256.fullmatch(digest):
            raise Refusal(RequestCode.VALIDATION, "sha256Hash must be 64 lowercase hex digits", 400)
        if isinstance(query, str) and query:
            if sha256(query) != digest:
                raise Refusal(RequestCode.PERSISTED_QUERY_HASH_MISMATCH, "provided sha does not match query", 400)
            if self.allow_list is None:
                self._remember(digest, query)
            return None  # the text is there; the allow-list, if any, is checked with the document
        found = self.allow_list.get(digest) if self.allow_list is not None else self._recall(digest)
        if found is None:
            raise Refusal(RequestCode.PERSISTED_QUERY_NOT_FOUND, "PersistedQueryNotFound")
        return found

    def _remember(self, digest: str, query: str) -> None:
        self.cache[digest] = query
        self.cache.move_to_end(digest)
        while len(self.cache) > self.size:
            self.cache.popitem(last=False)

    def _recall(self, digest: str) -> str | None:
        found = self.cache.get(digest)
        if found is not None:
            self.cache.move_to_end(digest)
        return found


class PersistedQueries:
    """Wraps the GraphQL endpoint: puts the document into a hash-only request, or answers for it."""

    def __init__(self, app: ASGIApp, documents: Documents) -> None:
        self.app = app
        self.documents = documents

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
        elif scope["method"] == "GET":
            await self._get(scope, receive, send)
        elif scope["method"] == "POST" and Headers(scope=scope).get("content-type", "").startswith("application/json"):
            await self._post(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _get(self, scope: Scope, receive: Receive, send: Send) -> None:
        params = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
        if "extensions" not in params:
            await self.app(scope, receive, send)
            return
        try:
            document = self.documents.resolve(params.get("query"), _json(params["extensions"]))
        except Refusal as refusal:
            await refusal.response()(scope, receive, send)
            return
        if document is not None:
            params["query"] = document
            scope = {**scope, "query_string": urlencode(params).encode()}
        await self.app(scope, receive, send)

    async def _post(self, scope: Scope, receive: Receive, send: Send) -> None:
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        if b"persistedQuery" in body:
            data = _json(body)
            if isinstance(data, dict):
                try:
                    document = self.documents.resolve(data.get("query"), data.get("extensions"))
                except Refusal as refusal:
                    await refusal.response()(scope, receive, send)
                    return
                if document is not None:
                    body = json.dumps({**data, "query": document}).encode()
                    scope = dict(scope)
                    headers = MutableHeaders(scope=scope)
                    headers["content-length"] = str(len(body))
        await self.app(scope, _replay(body, receive), send)


def _json(raw: str | bytes) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: brackets nested thousands deep
        return None  # not ours to judge: the GraphQL view says what is wrong with it


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


# ---------------------------------------------------------------- every transport: the allow-list


class AllowListOnly(SchemaExtension):
    """In allow-list mode, refuse any document not on the list, before it runs.

    It sets the validation errors itself, so it must come after
    `ValidationCache` in the schema's extensions (which sets them too).
    """

    def __init__(self, path: str) -> None:
        self.allow_list = allow_list(path)

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        if not self.allow_list.allows(ctx.query or ""):
            ctx.pre_execution_errors = [
                GraphQLError(
                    "this server runs only the operations on its allow-list, and this document is not one of them",
                    extensions={"code": RequestCode.PERSISTED_QUERY_NOT_IN_LIST.value},
                )
            ]
        yield


def extensions(settings: Settings) -> list[Any]:
    if settings.persisted_queries != "allowlist":
        return []
    allow_list(settings.persisted_queries_file)  # refuse to start without a valid list
    return [partial(AllowListOnly, settings.persisted_queries_file)]
