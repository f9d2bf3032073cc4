"""What every type backed by an ORM row shares."""

from __future__ import annotations

from typing import Any, ClassVar

import strawberry
from strawberry import relay
from tortoise.models import Model

from ..context import Info


class ModelNode(relay.Node):
    """A Node backed by an ORM row: its global id is `TypeName:<primary key>`."""

    model: ClassVar[type[Model]]

    @classmethod
    def resolve_id(cls, root: Any, *, info: Info) -> str:
        return str(root.pk)

    @classmethod
    def is_type_of(cls, obj: Any, info: Any) -> bool:
        return isinstance(obj, cls.model)


def owned_id(type_name: str, owner_pk: int) -> strawberry.ID:
    """The id of a value object that belongs to one row (a version's package, a binding's
    authorization): a global id of its own type, so it never equals a Node's id, and
    `node(id:)` answers null for it."""
    return strawberry.ID(str(relay.GlobalID(type_name, str(owner_pk))))


def statuses(values: list[Any] | None) -> tuple[str, ...]:
    """A status filter as a loader key: sorted, without repeats."""
    return tuple(sorted({v.value for v in values or []}))
