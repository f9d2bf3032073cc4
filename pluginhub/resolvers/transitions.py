"""The version state machine: one table that both the mutations and
`availableActions` read, so a console's buttons never disagree with the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ..models import DebugBindingStatus as B
from ..models import VersionAction as A
from ..models import VersionStatus as S
from .errors import ErrorCode, UserError


class Actor(StrEnum):
    OWNER = "OWNER"  # a developer of the plugin's entity
    REVIEWER = "REVIEWER"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[S]
    target: S | None  # None: the status does not change
    actor: Actor


def _t(sources: set[S], target: S | None, actor: Actor = Actor.OWNER) -> Transition:
    return Transition(frozenset(sources), target, actor)


ALL_BUT_OFFLINE = set(S) - {S.OFFLINE}

TRANSITIONS: dict[A, Transition] = {
    A.UPDATE: _t({S.DEVELOPMENT, S.REJECTED}, None),
    A.SUBMIT: _t({S.DEVELOPMENT, S.REJECTED}, S.AUDITING),
    A.WITHDRAW: _t({S.AUDITING}, S.DEVELOPMENT),
    A.APPROVE: _t({S.AUDITING}, S.APPROVED, Actor.REVIEWER),
    A.REJECT: _t({S.AUDITING}, S.REJECTED, Actor.REVIEWER),
    A.GRAY_RELEASE: _t({S.APPROVED, S.GRAY}, S.GRAY),
    A.GO_ONLINE: _t({S.APPROVED, S.GRAY}, S.ONLINE),
    A.RETURN_TO_DEVELOPMENT: _t({S.APPROVED, S.REJECTED, S.GRAY}, S.DEVELOPMENT),
    A.SET_EXPERIENCE: _t(ALL_BUT_OFFLINE, None),
    A.CLEAR_EXPERIENCE: _t(set(S), None),
    A.DELETE: _t({S.DEVELOPMENT, S.REJECTED, S.APPROVED}, None),
    A.ROLLBACK: _t({S.ONLINE}, S.OFFLINE),
}


def allowed_from(status: S) -> list[A]:
    return [action for action, t in TRANSITIONS.items() if status in t.sources]


def check_transition(action: A, status: S) -> Transition:
    """Refuse an action the current status does not allow, naming what is allowed."""
    transition = TRANSITIONS[action]
    if status not in transition.sources:
        allowed = ", ".join(allowed_from(status)) or "none"
        raise UserError(
            ErrorCode.INVALID_TRANSITION,
            f"cannot {action.value} a version in status {status.value}; allowed from {status.value}: {allowed}",
        )
    return transition


# ---------------------------------------------------------------- joint debugging


class BindingAction(StrEnum):
    CANCEL = "CANCEL"
    AUTHORIZE = "AUTHORIZE"
    REJECT = "REJECT"
    UNBIND = "UNBIND"


class Side(StrEnum):
    PLUGIN = "PLUGIN"  # a developer of the plugin's entity
    HOST = "HOST"  # a developer of the host mini-program's entity
    EITHER = "EITHER"


@dataclass(frozen=True)
class BindingTransition:
    source: B
    target: B
    side: Side


BINDING_TRANSITIONS: dict[BindingAction, BindingTransition] = {
    BindingAction.CANCEL: BindingTransition(B.PENDING, B.CANCELLED, Side.PLUGIN),
    BindingAction.AUTHORIZE: BindingTransition(B.PENDING, B.AUTHORIZED, Side.HOST),
    BindingAction.REJECT: BindingTransition(B.PENDING, B.REJECTED, Side.HOST),
    BindingAction.UNBIND: BindingTransition(B.AUTHORIZED, B.UNBOUND, Side.EITHER),
}

ACTIVE_BINDING = (B.PENDING, B.AUTHORIZED)


def check_binding_transition(action: BindingAction, status: B) -> BindingTransition:
    transition = BINDING_TRANSITIONS[action]
    if status != transition.source:
        allowed = ", ".join(a for a, t in BINDING_TRANSITIONS.items() if t.source == status) or "none"
        raise UserError(
            ErrorCode.INVALID_TRANSITION,
            f"cannot {action.value} a binding in status {status.value}; allowed from {status.value}: {allowed}",
        )
    return transition
