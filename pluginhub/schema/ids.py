"""Relay global ids (`base64("Type:key")`) as the API's inputs carry them."""

from __future__ import annotations

from strawberry import relay

from ..resolvers.errors import ErrorCode, RequestCode, RequestError, UserError
from ..resolvers.identifiers import int_key


def parse(raw: str) -> relay.GlobalID | None:
    try:
        return relay.GlobalID.from_id(raw)
    except Exception:  # strawberry raises several kinds for a malformed id
        return None


def key_of(raw: str, type_name: str, field: list[str]) -> int:
    """The integer key of a global id of `type_name`, or a VALIDATION user error naming `field`."""
    gid = parse(raw)
    if gid is None:
        raise UserError(ErrorCode.VALIDATION, f"{raw!r} is not a valid id", field)
    key = int_key(gid.node_id) if gid.type_name == type_name else None
    if key is None:
        raise UserError(ErrorCode.VALIDATION, f"expected the id of a {type_name}", field)
    return key


def query_key_of(raw: str, type_name: str, argument: str) -> int:
    """The same for a query's argument: a top-level VALIDATION error."""
    try:
        return key_of(raw, type_name, [argument])
    except UserError as exc:
        raise RequestError(RequestCode.VALIDATION, f"`{argument}`: {exc.message}") from None
