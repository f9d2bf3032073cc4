"""pluginhub: the GraphQL API behind a mini-program platform's plugin console."""

__version__ = "0.1.0"
