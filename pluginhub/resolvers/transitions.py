"""The rule table: every action on a version or a binding, who takes it,
from which states, and the plugin-level guards it must pass.

The mutations call `check` under the plugin's lock before they change
anything, and `availableActions` calls `allowed`: both read the same rows,
so a console's buttons never disagree with the API. A guard is a named
predicate over the `Situation` (the version, its plugin and the plugin's
one-per-plugin places) that answers the refusal it stands for, or None.
Checks of a mutation's own input (a reason's length, a percentage) are not
guards: they do not depend on the state, and run before it is read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from ..models import DebugBindingStatus as B
from ..models import Plugin, PluginVersion
from ..models import VersionAction as A
from ..models import VersionStatus as S
from .errors import ErrorCode, UserError, invalid_transition
from .slots import PluginSlots
from .viewer import Party, Viewer


@dataclass(frozen=True)
class Situation:
    """What the guards read."""

    version: PluginVersion
    plugin: Plugin
    slots: PluginSlots


Guard = Callable[[Situation], UserError | None]


@dataclass(frozen=True)
class Rule:
    sources: frozenset[S]
    target: S | None  # None: the status does not change
    party: Party
    guards: tuple[Guard, ...] = ()


# ---------------------------------------------------------------- guards


def has_features(s: Situation) -> UserError | None:
    if s.version.features:
        return None
    return UserError(ErrorCode.FEATURES_REQUIRED, "add at least one feature package before submitting")


def no_other_in_review(s: Situation) -> UserError | None:
    other = s.slots.auditing
    if other is None or other.id == s.version.id:
        return None
    return UserError(ErrorCode.ALREADY_IN_REVIEW, f"version {other.version} of this plugin is already in review")


def no_other_gray(s: Situation) -> UserError | None:
    other = s.slots.gray
    if other is None or other.id == s.version.id:
        return None
    return invalid_transition(
        f"version {other.version} of this plugin is already in gray release; "
        "take it online or return it to development first"
    )


def no_gray_release(s: Situation) -> UserError | None:
    if s.slots.gray is None:
        return None
    return invalid_transition(
        f"version {s.slots.gray.version} is in gray release; finish or return it to development first"
    )


def earlier_online_version(s: Situation) -> UserError | None:
    if s.slots.online_history >= 2:
        return None
    return invalid_transition("there is no earlier online version to roll back to")


def not_experience(s: Situation) -> UserError | None:
    if not s.version.is_experience:
        return None
    return invalid_transition(f"version {s.version.version} is already the experience version")


def is_experience(s: Situation) -> UserError | None:
    if s.version.is_experience:
        return None
    return invalid_transition(f"version {s.version.version} is not the experience version")


# ---------------------------------------------------------------- the table


def _rule(sources: set[S], target: S | None, *guards: Guard, party: Party = Party.PLUGIN_OWNER) -> Rule:
    return Rule(frozenset(sources), target, party, guards)


ALL_BUT_OFFLINE = set(S) - {S.OFFLINE}

RULES: dict[A, Rule] = {
    A.UPDATE: _rule({S.DEVELOPMENT, S.REJECTED}, None),
    A.SUBMIT: _rule({S.DEVELOPMENT, S.REJECTED}, S.AUDITING, has_features, no_other_in_review),
    A.WITHDRAW: _rule({S.AUDITING}, S.DEVELOPMENT),
    A.APPROVE: _rule({S.AUDITING}, S.APPROVED, party=Party.REVIEWER),
    A.REJECT: _rule({S.AUDITING}, S.REJECTED, party=Party.REVIEWER),
    A.GRAY_RELEASE: _rule({S.APPROVED, S.GRAY}, S.GRAY, no_other_gray),
    A.GO_ONLINE: _rule({S.APPROVED, S.GRAY}, S.ONLINE),
    A.RETURN_TO_DEVELOPMENT: _rule({S.APPROVED, S.REJECTED, S.GRAY}, S.DEVELOPMENT),
    A.SET_EXPERIENCE: _rule(ALL_BUT_OFFLINE, None, not_experience),
    A.CLEAR_EXPERIENCE: _rule(set(S), None, is_experience),
    A.DELETE: _rule({S.DEVELOPMENT, S.REJECTED, S.APPROVED}, None),
    A.ROLLBACK: _rule({S.ONLINE}, S.OFFLINE, no_gray_release, earlier_online_version),
}

# The plugin-level mutations act on the version that holds one of the plugin's
# places; without one there is nothing to act on.
PLUGIN_ACTION_SLOTS: dict[A, tuple[str, str]] = {
    A.ROLLBACK: ("online", "the plugin has no ONLINE version to roll back"),
    A.CLEAR_EXPERIENCE: ("experience", "the plugin has no experience version to clear"),
}


def allowed_from(status: S) -> list[A]:
    return [action for action, rule in RULES.items() if status in rule.sources]


def refusal(action: A, situation: Situation) -> UserError | None:
    """Why `action` may not be taken now (the status first, then each guard), or None."""
    rule = RULES[action]
    status = situation.version.status
    if status not in rule.sources:
        allowed = ", ".join(allowed_from(status)) or "none"
        return invalid_transition(
            f"cannot {action.value} a version in status {status.value}; allowed from {status.value}: {allowed}"
        )
    for guard in rule.guards:
        if (refused := guard(situation)) is not None:
            return refused
    return None


def check(action: A, situation: Situation) -> Rule:
    if (refused := refusal(action, situation)) is not None:
        raise refused
    return RULES[action]


def takes_part(viewer: Viewer, plugin: Plugin, party: Party) -> bool:
    if party == Party.REVIEWER:
        return viewer.is_reviewer
    return viewer.owns(plugin.entity_id) and viewer.is_developer


def allowed(viewer: Viewer, situation: Situation) -> list[A]:
    """Exactly the actions this viewer could take on this version right now."""
    return [
        action
        for action, rule in RULES.items()
        if takes_part(viewer, situation.plugin, rule.party) and refusal(action, situation) is None
    ]


# ---------------------------------------------------------------- joint debugging


class BindingAction(StrEnum):
    CANCEL = "CANCEL"
    AUTHORIZE = "AUTHORIZE"
    REJECT = "REJECT"
    UNBIND = "UNBIND"


@dataclass(frozen=True)
class BindingRule:
    source: B
    target: B
    parties: frozenset[Party]


EITHER_SIDE = frozenset({Party.PLUGIN_OWNER, Party.HOST_OWNER})

BINDING_RULES: dict[BindingAction, BindingRule] = {
    BindingAction.CANCEL: BindingRule(B.PENDING, B.CANCELLED, frozenset({Party.PLUGIN_OWNER})),
    BindingAction.AUTHORIZE: BindingRule(B.PENDING, B.AUTHORIZED, frozenset({Party.HOST_OWNER})),
    BindingAction.REJECT: BindingRule(B.PENDING, B.REJECTED, frozenset({Party.HOST_OWNER})),
    BindingAction.UNBIND: BindingRule(B.AUTHORIZED, B.UNBOUND, EITHER_SIDE),
}

ACTIVE_BINDING = (B.PENDING, B.AUTHORIZED)


def check_binding(action: BindingAction, status: B) -> BindingRule:
    rule = BINDING_RULES[action]
    if status != rule.source:
        allowed = ", ".join(a for a, r in BINDING_RULES.items() if r.source == status) or "none"
        raise invalid_transition(
            f"cannot {action} a binding in status {status.value}; allowed from {status.value}: {allowed}"
        )
    return rule
