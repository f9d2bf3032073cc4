"""GraphiQL, served from the package: no request leaves for a CDN.

The page (`page.html`) loads React, GraphiQL and its explorer plugin from
`assets/`, files vendored byte for byte from npm at pinned versions
(`assets/MANIFEST.json`, refreshed by `make graphiql-assets`). It opens on
`default.graphql`, which walks a newcomer from signing in through plugins
and versions to which version a host loads.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

HERE = Path(__file__).parent
ASSETS = HERE / "assets"
PATH = "/graphiql"  # where the assets are mounted, beside /graphql (the page links to them relatively)
DEFAULT_HEADERS = '{\n  "Authorization": "Bearer <paste a token here>"\n}'


def _script_literal(text: str) -> str:
    """A JavaScript string literal that cannot end the <script> element it is in."""
    return json.dumps(text).replace("</", "<\\/")


@cache
def html() -> str:
    template = (HERE / "page.html").read_text(encoding="utf-8")
    return template.replace("__DEFAULT_QUERY__", _script_literal(default_document())).replace(
        "__DEFAULT_HEADERS__", _script_literal(DEFAULT_HEADERS)
    )


@cache
def default_document() -> str:
    return (HERE / "default.graphql").read_text(encoding="utf-8")


def page(request: Any = None) -> Response:
    return HTMLResponse(html(), headers={"cache-control": "no-cache"})


class Assets(StaticFiles):
    """The vendored files; browsers keep them a day and revalidate with their ETag after."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            response.headers["cache-control"] = "public, max-age=86400"
        return response


def mount() -> Mount:
    return Mount(PATH, Assets(directory=ASSETS), name="graphiql")
