"""The rule table, and the property that holds the API to it.

`availableActions` must list an action exactly when its mutation would accept
it, and both must agree with SPEC's rules (written out below as `spec`, apart
from the table). The property test builds a plugin in every reachable combination of the
version's status and the plugin-level conditions the guards read (features,
another version in review or in gray release, an earlier online version, the
experience flag here or elsewhere), reads `availableActions` over HTTP as the
owner and as a reviewer, then tries every action's mutation in a transaction
that is rolled back, and compares.
"""

from __future__ import annotations

import base64
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from tortoise.transactions import in_transaction

from pluginhub.demo import InMemoryPackage, build_package
from pluginhub.models import Role
from pluginhub.models import VersionAction as A
from pluginhub.models import VersionStatus as S
from pluginhub.resolvers import accounts, plugins
from pluginhub.resolvers.errors import ErrorCode, UserError
from pluginhub.resolvers.transitions import RULES, allowed_from, refusal
from pluginhub.resolvers.versions import experience, release, review, upload
from pluginhub.resolvers.viewer import Party, Viewer

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


def global_id(type_name: str, key: int) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


AVAILABLE_ACTIONS = """
query($id: ID!) { node(id: $id) { ... on PluginVersion { status availableActions } } }"""


def test_every_action_has_exactly_the_documented_row():
    assert set(RULES) == set(A)
    for action, (sources, target) in TABLE.items():
        assert RULES[action].sources == sources, action
        assert RULES[action].target == target, action


def test_only_reviewers_approve_and_reject():
    assert {a for a, rule in RULES.items() if rule.party == Party.REVIEWER} == {A.APPROVE, A.REJECT}


def test_a_refused_status_names_the_actions_it_allows():
    for action, status in itertools.product(A, S):
        if status in TABLE[action][0]:
            continue
        version = _FakeVersion(status)
        refused = refusal(action, _situation(version))
        assert refused is not None and refused.code == ErrorCode.INVALID_TRANSITION
        assert status.value in refused.message
        for allowed in allowed_from(status):
            assert allowed.value in refused.message


@dataclass
class _FakeVersion:
    status: S
    id: int = 1
    version: str = "1.0.0"
    features: tuple[str, ...] = ("payment",)
    is_experience: bool = False


def _situation(version: Any) -> Any:
    from pluginhub.resolvers.slots import PluginSlots
    from pluginhub.resolvers.transitions import Situation

    return Situation(version, None, PluginSlots())  # type: ignore[arg-type]


# ---------------------------------------------------------------- the property


class Rollback(Exception):
    """Raised to undo a tried mutation."""


@dataclass(frozen=True)
class Case:
    status: S
    features: bool  # the version under test has a feature package
    other_auditing: bool  # another version of the plugin is in review
    other_gray: bool  # another version is in gray release
    earlier_online: bool  # a version was online before (rollback has somewhere to go)
    experience: str  # "none", "self" or "other"

    def reachable(self) -> bool:
        if not self.features and self.status not in (S.DEVELOPMENT, S.REJECTED):
            return False  # a version reaches review only with features, and only then is edited no more
        if self.other_auditing and self.status == S.AUDITING:
            return False
        if self.other_gray and self.status == S.GRAY:
            return False
        return not (self.experience == "self" and self.status == S.OFFLINE)


CASES = [
    case
    for case in itertools.starmap(
        Case,
        itertools.product(S, (True, False), (False, True), (False, True), (False, True), ("none", "self", "other")),
    )
    if case.reachable()
]


class World:
    """Builds one plugin per case through the resolvers, as the API would."""

    def __init__(self, owner: Viewer, reviewer: Viewer, store: Any, max_bytes: int) -> None:
        self.owner, self.reviewer, self.store, self.max_bytes = owner, reviewer, store, max_bytes

    async def upload(self, plugin_id: str, number: str, features: bool = True) -> int:
        row = await upload.upload_version(
            self.owner,
            self.store,
            self.max_bytes,
            plugin_id=plugin_id,
            version=number,
            description="",
            features=["payment"] if features else [],
            package=InMemoryPackage(build_package(plugin_id, number), "p.zip"),
        )
        return row.id

    async def approved(self, plugin_id: str, number: str) -> int:
        vid = await self.upload(plugin_id, number)
        await review.submit_version(self.owner, vid, self_check_confirmed=True)
        await review.approve_version(self.reviewer, vid)
        return vid

    async def build(self, case: Case) -> tuple[str, int]:
        """The plugin and the id of the version under test, in `case`."""
        plugin_id = (await plugins.create_plugin(self.owner, name="P", description="")).plugin_id
        if case.earlier_online:
            await release.go_online(self.owner, await self.approved(plugin_id, "1.0.0"))
        if case.other_gray:
            gray = await self.approved(plugin_id, "4.0.0")
            await release.gray_release(self.owner, gray, percentage=10, app_ids=None)
        vid = await self.subject(plugin_id, case)
        if case.other_auditing:
            other = await self.upload(plugin_id, "5.0.0")
            await review.submit_version(self.owner, other, self_check_confirmed=True)
        if case.experience == "self":
            await experience.set_experience_version(self.owner, vid)
        elif case.experience == "other":
            await experience.set_experience_version(self.owner, await self.upload(plugin_id, "6.0.0"))
        return plugin_id, vid

    async def subject(self, plugin_id: str, case: Case) -> int:
        status = case.status
        if status == S.OFFLINE:
            vid = await self.approved(plugin_id, "2.0.0")
            await release.go_online(self.owner, vid)
            await release.go_online(self.owner, await self.approved(plugin_id, "2.1.0"))
            return vid
        if status in (S.DEVELOPMENT, S.REJECTED):
            vid = await self.upload(plugin_id, "2.0.0", features=True)
            if status == S.REJECTED:
                await review.submit_version(self.owner, vid, self_check_confirmed=True)
                await review.reject_version(self.reviewer, vid, reason="no")
            if not case.features:
                await upload.update_version(self.owner, vid, description=None, features=[])
            return vid
        vid = await self.upload(plugin_id, "2.0.0")
        await review.submit_version(self.owner, vid, self_check_confirmed=True)
        if status == S.AUDITING:
            return vid
        await review.approve_version(self.reviewer, vid)
        if status == S.GRAY:
            await release.gray_release(self.owner, vid, percentage=10, app_ids=None)
        elif status == S.ONLINE:
            await release.go_online(self.owner, vid)
        return vid


def spec(case: Case, action: A) -> bool:  # noqa: PLR0911 - one answer per guarded action
    """SPEC's answer, written out independently of the table: the guards by name."""
    if case.status not in TABLE[action][0]:
        return False
    if action == A.SUBMIT:
        return case.features and not case.other_auditing
    if action == A.GRAY_RELEASE:
        return not case.other_gray
    if action == A.ROLLBACK:
        return not case.other_gray and case.earlier_online
    if action == A.SET_EXPERIENCE:
        return case.experience != "self"
    if action == A.CLEAR_EXPERIENCE:
        return case.experience == "self"
    return True


def attempts(world: World, plugin_id: str, vid: int) -> dict[A, Callable[[], Awaitable[Any]]]:
    """Each action's mutation with valid input, as the party the table names."""
    owner, reviewer = world.owner, world.reviewer
    return {
        A.UPDATE: lambda: upload.update_version(owner, vid, description="changed", features=None),
        A.SUBMIT: lambda: review.submit_version(owner, vid, self_check_confirmed=True),
        A.WITHDRAW: lambda: review.withdraw_version(owner, vid),
        A.APPROVE: lambda: review.approve_version(reviewer, vid),
        A.REJECT: lambda: review.reject_version(reviewer, vid, reason="not yet"),
        A.GRAY_RELEASE: lambda: release.gray_release(owner, vid, percentage=50, app_ids=None),
        A.GO_ONLINE: lambda: release.go_online(owner, vid),
        A.RETURN_TO_DEVELOPMENT: lambda: release.return_to_development(owner, vid),
        A.SET_EXPERIENCE: lambda: experience.set_experience_version(owner, vid),
        A.CLEAR_EXPERIENCE: lambda: experience.clear_experience_version(owner, plugin_id),
        A.DELETE: lambda: experience.delete_version(owner, vid),
        A.ROLLBACK: lambda: release.rollback_online_version(owner, plugin_id),
    }


async def accepted(attempt: Callable[[], Awaitable[Any]], action: A, vid: int) -> bool:
    """Whether the mutation accepts it (undone either way). A plugin-level
    action counts for this version only when this version holds the place it
    acts on: the ONLINE one for rollback, the experience one for clearing."""
    from pluginhub.models import PluginVersion

    before = await PluginVersion.get(id=vid)
    if action == A.ROLLBACK and before.status != S.ONLINE:
        return False
    if action == A.CLEAR_EXPERIENCE and not before.is_experience:
        return False
    try:
        async with in_transaction():
            await attempt()
            raise Rollback
    except UserError:
        return False
    except Rollback:
        return True


@pytest.mark.slow
async def test_available_actions_are_exactly_what_the_mutations_accept(app, console, settings):
    from pluginhub.packages import from_settings

    entity = await accounts.create_entity("Acme")
    owner_account, owner_token = await accounts.create_account(entity.id, "alice", Role.DEVELOPER)
    platform = await accounts.create_entity("Platform")
    reviewer_account, reviewer_token = await accounts.create_account(platform.id, "rita", Role.REVIEWER)
    owner = Viewer(owner_account.id, entity.id, Role.DEVELOPER, "alice")
    reviewer = Viewer(reviewer_account.id, platform.id, Role.REVIEWER, "rita")
    world = World(owner, reviewer, from_settings(settings), settings.max_package_bytes)
    headers = {
        "owner": {"authorization": f"Bearer {owner_token}"},
        "reviewer": {"authorization": f"Bearer {reviewer_token}"},
    }

    mismatches = []
    for case in CASES:
        plugin_id, vid = await world.build(case)
        listed: set[A] = set()
        for who in ("owner", "reviewer"):
            response = await console.client.post(
                "/graphql",
                json={"query": AVAILABLE_ACTIONS, "variables": {"id": global_id("PluginVersion", vid)}},
                headers=headers[who],
            )
            node = response.json()["data"]["node"]
            assert node["status"] == case.status.value, case
            listed |= {A(a) for a in node["availableActions"]}
        for action, attempt in attempts(world, plugin_id, vid).items():
            answers = (action in listed, await accepted(attempt, action, vid), spec(case, action))
            if len(set(answers)) > 1:
                mismatches.append(f"{case}: {action} listed, accepted, spec = {answers}")
    assert not mismatches, "\n".join(mismatches)
