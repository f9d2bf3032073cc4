"""GraphQL over HTTP and WebSocket: the view and its parts, one job per module."""

from .view import GraphQLView

__all__ = ["GraphQLView"]
