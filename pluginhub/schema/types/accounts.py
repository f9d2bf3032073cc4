"""Entities and the accounts that act for them."""

from __future__ import annotations

from typing import Any, ClassVar

import strawberry

from ... import models
from .. import enums
from ..context import Info
from .base import ModelNode


@strawberry.type(name="Entity", description="A legal entity (主体) that owns mini-programs and plugins.")
class Entity(ModelNode):
    model: ClassVar = models.Entity
    name: str = strawberry.field(description="The entity's registered name.")


@strawberry.type(name="Account", description="A person signed in with an API token.")
class Account(ModelNode):
    model: ClassVar = models.Account
    name: str = strawberry.field(description="The account's display name.")
    role: enums.Role = strawberry.field(description="Developer or reviewer.")

    @strawberry.field(description="The entity the account acts for.")
    async def entity(self, root: strawberry.Parent[Any], info: Info) -> Entity:
        return await info.context.loaders.entity.load(root.entity_id)
