import pytest

from pluginhub.models import VersionAction as A
from pluginhub.models import VersionStatus as S
from pluginhub.resolvers.errors import ErrorCode, UserError
from pluginhub.resolvers.transitions import TRANSITIONS, Actor, allowed_from, check_transition

TABLE = {
    A.UPDATE: ({S.DEVELOPMENT, S.REJECTED}, None),
    A.SUBMIT: ({S.DEVELOPMENT, S.REJECTED}, S.AUDITING),
    A.WITHDRAW: ({S.AUDITING}, S.DEVELOPMENT),
    A.APPROVE: ({S.AUDITING}, S.APPROVED),
    A.REJECT: ({S.AUDITING}, S.REJECTED),
    A.GRAY_RELEASE: ({S.APPROVED, S.GRAY}, S.GRAY),
    A.GO_ONLINE: ({S.APPROVED, S.GRAY}, S.ONLINE),
    A.RETURN_TO_DEVELOPMENT: ({S.APPROVED, S.REJECTED, S.GRAY}, S.DEVELOPMENT),
    A.SET_EXPERIENCE: (set(S) - {S.OFFLINE}, None),
    A.CLEAR_EXPERIENCE: (set(S), None),
    A.DELETE: ({S.DEVELOPMENT, S.REJECTED, S.APPROVED}, None),
    A.ROLLBACK: ({S.ONLINE}, S.OFFLINE),
}


def test_every_action_has_exactly_the_documented_row():
    assert set(TRANSITIONS) == set(A)
    for action, (sources, target) in TABLE.items():
        assert TRANSITIONS[action].sources == sources, action
        assert TRANSITIONS[action].target == target, action


def test_only_reviewers_approve_and_reject():
    reviewer_actions = {a for a, t in TRANSITIONS.items() if t.actor == Actor.REVIEWER}
    assert reviewer_actions == {A.APPROVE, A.REJECT}


@pytest.mark.parametrize("action", list(A))
@pytest.mark.parametrize("status", list(S))
def test_check_transition_allows_exactly_the_table(action, status):
    if status in TABLE[action][0]:
        assert check_transition(action, status) is TRANSITIONS[action]
    else:
        with pytest.raises(UserError) as refused:
            check_transition(action, status)
        assert refused.value.code == ErrorCode.INVALID_TRANSITION
        assert status.value in refused.value.message
        for allowed in allowed_from(status):
            assert allowed.value in refused.value.message
