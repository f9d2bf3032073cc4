"""The GraphQL endpoint: HTTP here, WebSocket through strawberry's protocol handlers.

Every HTTP request goes the same way: read the operation (`requests`;
persisted-query hashes were already resolved by `pluginhub.persisted`,
which wraps this view), parse, validate and pick the operation
(`operations`), authenticate (`context`), run it (`execution`, the one seam
where another executor can answer), and answer (`responses`). Any refusal
on the way is a `Refusal`, answered as GraphQL JSON with a code; a document
with request errors is answered by strawberry, so its extensions (metrics,
logs) see it like any other.
"""

from __future__ import annotations

import logging
from typing import Any

from graphql import GraphQLError
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry import UNSET
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError

from .. import graphiql
from ..config import Settings
from ..cors import OriginPolicy
from ..delivery import Notifier
from ..packages import PackageStore
from ..resolvers.errors import RequestCode
from ..schema import Schema
from ..schema.context import Context, Loaders
from . import refusals, responses
from .context import bearer, make_context, request_id, viewer_for
from .execution import ANY, Executor, strawberry_executor
from .operations import PreparedOperation, prepare
from .refusals import Refusal
from .requests import Operation, read_operation
from .websockets import LegacyWSHandler, TransportWSHandler

log = logging.getLogger("pluginhub.http")


class GraphQLView(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = TransportWSHandler
    graphql_ws_handler_class = LegacyWSHandler

    def __init__(
        self, schema: Schema, settings: Settings, store: PackageStore, notifier: Notifier, origins: OriginPolicy
    ) -> None:
        super().__init__(schema, graphql_ide="graphiql", keep_alive=True, keep_alive_interval=15)
        self.schema: Schema = schema
        self.settings = settings
        self.store = store
        self.notifier = notifier
        self.origins = origins
        self.execute: Executor = strawberry_executor(schema)
        self.report = strawberry_executor(schema, ANY)  # answers a document's request errors, through the extensions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = Request(scope, receive)
            response = await self.answer(request)
            await response(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)

    # ------------------------------------------------------------ HTTP

    async def answer(self, request: Request) -> Response:
        media = responses.negotiate(request.headers.get("accept"))
        operation: Operation | None = None
        try:
            if request.method not in ("GET", "POST"):
                raise refusals.method_not_allowed("GraphQL is served over GET and POST", allow="GET, POST")
            if self.wants_graphiql(request):
                return graphiql.page(request)
            operation = await read_operation(request)
            return await self.run_prepared(request, prepare(self.schema, operation), media)
        except Refusal as refusal:
            return responses.refusal_response(refusal, media)
        except ClientDisconnect:
            log.info("request %s: the client disconnected before sending its whole request", request_id(request))
            return Response(status_code=499)  # never sent: there is nobody to read it
        finally:
            if operation is not None and operation.form is not None:
                await operation.form.close()

    @staticmethod
    def wants_graphiql(request: Request) -> bool:
        accept = request.headers.get("accept", "")
        return request.method == "GET" and "query" not in request.query_params and "text/html" in accept

    async def run_prepared(self, request: Request, prepared: PreparedOperation, media: str) -> Response:
        """Only a runnable operation costs authentication; request errors are answered without."""
        errors: list[GraphQLError] | None
        sub_response = Response()
        if prepared.unresolved is not None:
            data, errors, extensions = None, [prepared.unresolved], None
        else:
            viewer = None
            if not prepared.errors:
                viewer = await viewer_for(bearer(request.headers.get("authorization")), request_id(request))
            context = make_context(self.settings, self.store, self.notifier, request, sub_response, viewer)
            run = self.report if prepared.errors else self.execute
            result = await run(prepared, context)
            data, errors, extensions = result.data, result.errors, result.extensions
        body = responses.result_body(data, errors, extensions)
        status = responses.result_status(body, media)
        headers = dict(sub_response.headers)
        headers.pop("content-length", None)
        if status == 401:
            headers["www-authenticate"] = "Bearer"
        return responses.respond(body, status, media, headers)

    # ------------------------------------------------------------ WebSocket

    def is_websocket_origin_allowed(self, request: Any, origin: str) -> bool:
        """Cross-origin handshakes: the same list as CORS (see cors.py)."""
        return self.origins.allows(origin)

    async def get_context(self, request: Any, response: Any) -> Context:
        """A WebSocket's context: its viewer comes with connection_init (`on_ws_connect`)."""
        return make_context(self.settings, self.store, self.notifier, request, response, None)

    async def on_ws_connect(self, context: Context) -> Any:
        """Subscriptions authenticate once, with the token in the connection_init payload."""
        params = context.connection_params or {}
        raw = params.get("authorization") or params.get("Authorization")
        token = bearer(raw) if isinstance(raw, str) else None
        try:
            viewer = await viewer_for(token, context.request_id)
        except Refusal as refusal:
            raise ConnectionRejectionError(responses.refusal_body(refusal)["errors"][0]) from None
        if viewer is None:
            raise ConnectionRejectionError(
                {
                    "message": 'send {"authorization": "Bearer <token>"} with a valid token in connection_init',
                    "extensions": {"code": RequestCode.UNAUTHENTICATED.value},
                }
            )
        context.viewer = viewer
        context.token = token
        context.loaders = Loaders(viewer)
        return UNSET


__all__ = ["GraphQLView", "WebSocket"]
