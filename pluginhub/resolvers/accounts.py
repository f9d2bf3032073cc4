"""Entities, accounts and API tokens: what the operator's command line creates."""

from __future__ import annotations

import hashlib
import secrets

from .. import clock
from ..models import Account, ApiToken, Entity, Role
from .viewer import Viewer

TOKEN_PREFIX = "phk_"


def hash_token(raw: str) -> str:
    """Tokens carry 256 random bits, so one fast hash is enough to store them safely."""
    return hashlib.sha256(raw.encode()).hexdigest()


async def authenticate(raw: str) -> Viewer | None:
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 128 or not raw.isascii():
        return None
    token = await ApiToken.filter(token_hash=hash_token(raw), revoked_at=None).select_related("account").first()
    if token is None:
        return None
    account = token.account
    return Viewer(account_id=account.id, entity_id=account.entity_id, role=account.role, name=account.name)


async def create_entity(name: str) -> Entity:
    return await Entity.create(name=name)


async def issue_token(account_id: int) -> tuple[ApiToken, str]:
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = await ApiToken.create(account_id=account_id, token_hash=hash_token(raw))
    return token, raw


async def create_account(entity_id: int, name: str, role: Role) -> tuple[Account, str]:
    account = await Account.create(entity_id=entity_id, name=name, role=role)
    _, raw = await issue_token(account.id)
    return account, raw


async def revoke_token(token_id: int) -> bool:
    changed = await ApiToken.filter(id=token_id, revoked_at=None).update(revoked_at=clock.now())
    return changed > 0
