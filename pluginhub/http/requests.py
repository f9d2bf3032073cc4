"""Reading one GraphQL operation out of an HTTP request.

GET carries it in the query string, POST as a JSON object or as a GraphQL
multipart request (uploads). Anything else, or any part of the wrong shape,
is a `Refusal` naming what is wrong: the body is never trusted to be what
its content type says.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException
from starlette.requests import Request

from ..resolvers.errors import RequestCode
from . import refusals
from .refusals import Refusal

MAX_FORM_PARTS = 100  # operations, map and the files of one upload
JSON_TYPES = frozenset({"application/json", "application/graphql-response+json"})


@dataclass
class Operation:
    """What a request asks for, checked for shape but not yet parsed."""

    query: str
    variables: dict[str, Any] | None
    operation_name: str | None
    extensions: dict[str, Any] | None
    method: str
    form: FormData | None = None  # a multipart request's parts, closed after the response


def media_type(header: str) -> tuple[str, dict[str, str]]:
    kind, _, rest = header.partition(";")
    params = {}
    for part in rest.split(";"):
        name, _, value = part.partition("=")
        if name.strip():
            params[name.strip().lower()] = value.strip().strip('"').lower()
    return kind.strip().lower(), params


async def read_operation(request: Request) -> Operation:
    if request.method == "GET":
        return _from_query_string(request)
    kind, params = media_type(request.headers.get("content-type", ""))
    if kind in JSON_TYPES:
        if params.get("charset", "utf-8") != "utf-8":
            raise refusals.unsupported_media_type(request.headers.get("content-type", ""))
        return _from_object(_decode_json(await request.body(), "the body"), "POST")
    if kind == "multipart/form-data":
        return await _from_multipart(request)
    raise refusals.unsupported_media_type(request.headers.get("content-type", ""))


def _decode_json(raw: bytes | str, what: str) -> Any:
    if not raw:
        raise refusals.bad_request(f"{what} is empty: send a JSON object with a `query`")
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: brackets nested thousands deep
        raise refusals.bad_request(f"{what} is not valid JSON (UTF-8)") from None


def _from_query_string(request: Request) -> Operation:
    params = request.query_params
    data: dict[str, Any] = {"query": params.get("query"), "operationName": params.get("operationName")}
    for name in ("variables", "extensions"):
        raw = params.get(name)
        if raw:
            data[name] = _decode_json(raw, f"the `{name}` parameter")
    return _from_object(data, "GET")


def _from_object(data: Any, method: str, form: FormData | None = None) -> Operation:
    if isinstance(data, list):
        raise refusals.batch_not_supported()
    if not isinstance(data, dict):
        raise refusals.bad_request("the request must be a JSON object with a `query` string")
    query = data.get("query")
    variables = data.get("variables")
    operation_name = data.get("operationName")
    extensions = data.get("extensions")
    if not isinstance(query, str | None):
        raise refusals.bad_request("`query` must be a string")
    if not isinstance(variables, dict | None):
        raise refusals.bad_request("`variables` must be an object or null")
    if not isinstance(operation_name, str | None):
        raise refusals.bad_request("`operationName` must be a string or null")
    if not isinstance(extensions, dict | None):
        raise refusals.bad_request("`extensions` must be an object or null")
    if query is None and (extensions or {}).get("persistedQuery"):
        # Hashes are resolved before the view (pluginhub.persisted); one that gets here came another way.
        raise Refusal(400, RequestCode.PERSISTED_QUERY_NOT_SUPPORTED, "PersistedQueryNotSupported")
    if query is None:
        raise refusals.bad_request("the request has no `query`")
    return Operation(query, variables, operation_name, extensions, method, form)


# ---------------------------------------------------------------- the GraphQL multipart request spec


async def _from_multipart(request: Request) -> Operation:
    try:
        form = await request.form(max_files=MAX_FORM_PARTS, max_fields=MAX_FORM_PARTS)
    except MultiPartException as error:
        raise refusals.bad_request(f"the multipart body cannot be read: {error.message}") from None
    try:
        operations = _decode_json(_text_part(form, "operations"), "the `operations` part")
        file_map = _decode_json(_text_part(form, "map"), "the `map` part")
        if isinstance(operations, dict):
            _place_files(operations, file_map, form)
        return _from_object(operations, "POST", form)
    except Refusal:
        await form.close()
        raise


def _text_part(form: FormData, name: str) -> str:
    value = form.get(name)
    if not isinstance(value, str):
        raise refusals.bad_request(f"a multipart request needs an `{name}` field holding JSON")
    return value


def _place_files(operations: dict[str, Any], file_map: Any, form: FormData) -> None:
    """Put each file where the map says: `{"0": ["variables.input.package"]}`."""
    if not isinstance(file_map, dict):
        raise refusals.bad_request('`map` must be an object of file keys to paths, e.g. {"0": ["variables.file"]}')
    for key, paths in file_map.items():
        file = form.get(key)
        if not isinstance(file, UploadFile):
            raise refusals.bad_request(f"the map names file {key!r}, which the request does not carry")
        if not isinstance(paths, list) or not paths or not all(isinstance(p, str) for p in paths):
            raise refusals.bad_request(f"`map[{key!r}]` must be a non-empty list of paths like 'variables.file'")
        for path in paths:
            _place(operations, path, file)


def _place(operations: dict[str, Any], path: str, file: UploadFile) -> None:
    """Replace the null at `path` (which must exist) with the file."""
    parts = path.split(".")
    if parts[0] != "variables" or len(parts) < 2:
        raise refusals.bad_request(f"map path {path!r} must point into `variables`")
    container: Any = operations
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(container, dict) and part in container:
            if last:
                if container[part] is not None:
                    break
                container[part] = file
                return
            container = container[part]
        elif isinstance(container, list) and part.isdecimal() and part.isascii() and int(part) < len(container):
            index = int(part)
            if last:
                if container[index] is not None:
                    break
                container[index] = file
                return
            container = container[index]
        else:
            break
    raise refusals.bad_request(f"map path {path!r} does not name a null placeholder in `operations`")
