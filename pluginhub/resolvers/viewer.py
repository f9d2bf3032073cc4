"""The signed-in account as every resolver sees it."""

from __future__ import annotations

from dataclasses import dataclass

from ..models import Role
from .errors import ErrorCode, UserError


@dataclass(frozen=True)
class Viewer:
    account_id: int
    entity_id: int
    role: Role
    name: str

    @property
    def is_reviewer(self) -> bool:
        return self.role == Role.REVIEWER

    def owns(self, entity_id: int) -> bool:
        return self.entity_id == entity_id

    def require_developer(self) -> None:
        """Plugin and mini-program management is a developer's job, not a reviewer's."""
        if self.role != Role.DEVELOPER:
            raise UserError(ErrorCode.FORBIDDEN, "only developer accounts may do this")

    def require_reviewer(self) -> None:
        if not self.is_reviewer:
            raise UserError(ErrorCode.FORBIDDEN, "only reviewer accounts may do this")
