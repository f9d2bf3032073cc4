"""Who acts: the signed-in account, and the one vocabulary for its part in a thing.

A viewer's `Party` to a plugin, a host or a binding decides what it may see
and do there; `access` answers those questions and the rule table names the
party each action needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ..models import Role
from .errors import ErrorCode, UserError


class Party(StrEnum):
    PLUGIN_OWNER = "PLUGIN_OWNER"  # a developer of the plugin's entity
    HOST_OWNER = "HOST_OWNER"  # a developer of the host mini-program's entity
    REVIEWER = "REVIEWER"  # a platform reviewer


@dataclass(frozen=True)
class Viewer:
    account_id: int
    entity_id: int
    role: Role
    name: str

    @property
    def is_reviewer(self) -> bool:
        return self.role == Role.REVIEWER

    @property
    def is_developer(self) -> bool:
        return self.role == Role.DEVELOPER

    def owns(self, entity_id: int) -> bool:
        return self.entity_id == entity_id

    def require_developer(self) -> None:
        """Plugin and mini-program management is a developer's job, not a reviewer's."""
        if not self.is_developer:
            raise UserError(ErrorCode.FORBIDDEN, "only developer accounts may do this")

    def require_reviewer(self) -> None:
        if not self.is_reviewer:
            raise UserError(ErrorCode.FORBIDDEN, "only reviewer accounts may do this")
