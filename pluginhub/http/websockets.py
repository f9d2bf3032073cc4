"""strawberry's two WebSocket protocol handlers, with pluginhub's manners.

- A client that goes away is an ordinary event: one info line, no trace.
- A document that does not parse is an `error` message with its code
  (graphql-transport-ws would otherwise close the socket with 4400 and a
  bare reason), so IDEs show it as they show any other error.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from graphql import GraphQLError
from starlette.websockets import WebSocketDisconnect
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from websockets.exceptions import ConnectionClosed

from ..schema.context import Context

log = logging.getLogger("pluginhub.ws")

GONE = (WebSocketDisconnected, WebSocketDisconnect, ConnectionClosed, ConnectionResetError)


def is_disconnect(error: BaseException) -> bool:
    if isinstance(error, GONE):
        return True
    # Sending on a socket the client already closed (uvicorn's words for it).
    return isinstance(error, RuntimeError) and "websocket.close" in str(error)


def client_left(context: Context) -> None:
    log.info("request %s: the WebSocket client disconnected", context.request_id)


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    async def handle_task_exception(self, error: Exception) -> None:
        if is_disconnect(error):
            client_left(self.context)
        else:
            await super().handle_task_exception(error)

    @staticmethod
    def _get_pre_execution_close_reason(error: GraphQLError) -> str | None:
        return None


class LegacyWSHandler(BaseGraphQLWSHandler[Context, None]):
    async def handle_async_results(self, operation_id: str, *args: Any, **kwargs: Any) -> None:
        try:
            await super().handle_async_results(operation_id, *args, **kwargs)
        except Exception as error:
            if not is_disconnect(error):
                raise
            client_left(self.context)
        except asyncio.CancelledError:
            raise
