"""The domain's enums as GraphQL enums, each value described for GraphiQL users."""

from __future__ import annotations

from enum import Enum, StrEnum
from typing import TYPE_CHECKING

import strawberry

from ..models import enums as domain
from ..resolvers import resolution
from ..resolvers.errors import ErrorCode as DomainErrorCode


def graphql_enum(
    source: type[StrEnum], description: str, values: dict[str, str], name: str | None = None
) -> type[Enum]:
    """Mirror `source` with a description on every value; a missing one fails at import."""
    if set(values) != set(source.__members__):
        raise ValueError(f"{source.__name__}: describe exactly {sorted(source.__members__)}")
    members = {
        name: strawberry.enum_value(member.value, description=values[name])
        for name, member in source.__members__.items()
    }
    mirror = Enum(name or source.__name__, members)  # type: ignore[misc]
    return strawberry.enum(mirror, description=description)


# mypy sees the domain enums these mirror (their values are what resolvers
# return); at run time they are strawberry enums with every value described.
if TYPE_CHECKING:
    Role = domain.Role
    VersionStatus = domain.VersionStatus
    VersionAction = domain.VersionAction
    DebugBindingStatus = domain.DebugBindingStatus
    OrderStatus = domain.OrderStatus
    Scene = domain.Scene
    PluginEventKind = domain.PluginEventKind
    ErrorCode = DomainErrorCode
    ResolutionSource = resolution.Source
    UnavailableReason = resolution.Unavailable
    HostRelation = domain.HostRelation
    WebhookDeliveryStatus = domain.WebhookDeliveryStatus
else:
    Role = graphql_enum(
        domain.Role,
        "What an account does on the platform.",
        {
            "DEVELOPER": "Manages its entity's plugins and mini-programs.",
            "REVIEWER": "A platform reviewer: approves or rejects submitted versions.",
        },
    )

    VersionStatus = graphql_enum(
        domain.VersionStatus,
        "Where a plugin version stands in its lifecycle.",
        {
            "DEVELOPMENT": "Uploaded and editable; not visible outside the owning entity.",
            "AUDITING": "Submitted and waiting for a reviewer. At most one per plugin.",
            "REJECTED": "Turned down by a reviewer; see `rejectReason`. Can be edited and submitted again.",
            "APPROVED": "Passed review; can be gray-released or taken online.",
            "GRAY": "Rolled out to part of the hosts (`grayRelease`). At most one per plugin.",
            "ONLINE": "The published version every ordering host loads. At most one per plugin.",
            "OFFLINE": "Was online and has been replaced or rolled back.",
        },
    )

    VersionAction = graphql_enum(
        domain.VersionAction,
        "Something that can be done to a version: what `availableActions` lists.",
        {
            "UPDATE": "Edit description and features (`updateVersion`).",
            "SUBMIT": "Send for review (`submitVersion`).",
            "WITHDRAW": "Take back from review (`withdrawVersion`).",
            "APPROVE": "Pass review (`approveVersion`, reviewers).",
            "REJECT": "Turn down with a reason (`rejectVersion`, reviewers).",
            "GRAY_RELEASE": "Start or widen a gray rollout (`grayRelease`).",
            "GO_ONLINE": "Publish (`goOnline`).",
            "RETURN_TO_DEVELOPMENT": "Back to development, clearing any rollout (`returnToDevelopment`).",
            "SET_EXPERIENCE": "Make this the experience version (`setExperienceVersion`).",
            "CLEAR_EXPERIENCE": "Remove the experience flag (`clearExperienceVersion`).",
            "DELETE": "Delete the version (`deleteVersion`).",
            "ROLLBACK": "Put the previous online version back online (`rollbackOnlineVersion`).",
        },
    )

    DebugBindingStatus = graphql_enum(
        domain.DebugBindingStatus,
        "Where a joint-debugging invitation stands.",
        {
            "PENDING": "Invited; waiting for the host's owner.",
            "AUTHORIZED": "The host authorized it; the authorization token works.",
            "CANCELLED": "The plugin side withdrew the invitation.",
            "REJECTED": "The host turned the invitation down.",
            "UNBOUND": "Ended by either side after authorization; the token no longer works.",
        },
    )

    OrderStatus = graphql_enum(
        domain.OrderStatus,
        "Whether a host's order of a plugin is in force.",
        {"ACTIVE": "The host may load the plugin in production.", "CANCELLED": "Cancelled by the host's owner."},
    )

    Scene = graphql_enum(
        domain.Scene,
        "Where a host runs the plugin; decides whether the experience version applies.",
        {
            "DEVELOP": "In the IDE while developing.",
            "PREVIEW": "A preview build on a device.",
            "RELEASE": "The published mini-program.",
        },
    )

    PluginEventKind = graphql_enum(
        domain.PluginEventKind,
        "What happened in a plugin event.",
        {
            "PLUGIN_CREATED": "The plugin was created.",
            "PLUGIN_UPDATED": "The plugin's name or description changed.",
            "VERSION_UPLOADED": "A version was uploaded.",
            "VERSION_UPDATED": "A version's description or features changed.",
            "SUBMITTED": "A version was submitted for review.",
            "WITHDRAWN": "A version was withdrawn from review.",
            "APPROVED": "A reviewer approved a version.",
            "REJECTED": "A reviewer rejected a version; `reason` says why.",
            "GRAY_STARTED": "A gray rollout started.",
            "GRAY_UPDATED": "A gray rollout was widened.",
            "WENT_ONLINE": "A version went online.",
            "WENT_OFFLINE": "A version went offline because another went online.",
            "RETURNED_TO_DEVELOPMENT": "A version went back to development.",
            "EXPERIENCE_SET": "A version became the experience version.",
            "EXPERIENCE_CLEARED": "A version stopped being the experience version.",
            "VERSION_DELETED": "A version was deleted.",
            "ROLLED_BACK": "The online version was rolled back (it went offline).",
            "DEBUG_HOST_ADDED": "A host was invited to joint debugging.",
            "DEBUG_HOST_CANCELLED": "An invitation was withdrawn.",
            "DEBUG_BINDING_AUTHORIZED": "A host authorized joint debugging.",
            "DEBUG_BINDING_REJECTED": "A host rejected joint debugging.",
            "DEBUG_HOST_UNBOUND": "A joint-debugging binding was ended.",
            "PLUGIN_ORDERED": "A host ordered the plugin.",
            "ORDER_CANCELLED": "A host cancelled its order.",
            "GRAY_PAUSED": "A gray rollout was paused: its hosts load the ONLINE version again.",
            "GRAY_RESUMED": "A paused gray rollout was resumed for the same hosts.",
            "RELEASE_SCHEDULED": "A release was scheduled, or its schedule moved.",
            "SCHEDULED_RELEASE_CANCELLED": "A scheduled release was cancelled.",
            "SCHEDULED_RELEASE_FAILED": "A scheduled or automatic release could not go ahead; `reason` says why.",
            "REVIEW_CLAIMED": "A reviewer claimed the version's review.",
            "REVIEW_UNCLAIMED": "A reviewer gave up the claim on the version's review.",
            "PLUGIN_DELISTED": "The plugin was taken off the market; `reason` says why.",
            "PLUGIN_RELISTED": "The plugin was listed in the market again.",
            "WEBHOOK_CREATED": "A webhook was created.",
            "WEBHOOK_UPDATED": "A webhook was changed, or turned inactive after repeated failures.",
            "WEBHOOK_DELETED": "A webhook was deleted.",
        },
    )

    ErrorCode = graphql_enum(
        DomainErrorCode,
        "Why a mutation refused its input.",
        {
            "VALIDATION": "An input is malformed or out of range; `field` names it.",
            "NOT_FOUND": "The object does not exist or is not visible to you.",
            "FORBIDDEN": "You can see the object but may not do this to it.",
            "INVALID_TRANSITION": (
                "The object's current state does not allow this; the message names the allowed actions."
            ),
            "VERSION_EXISTS": "That version number already exists with another package.",
            "VERSION_NOT_GREATER": "The version must be greater than every version that has been online.",
            "SELF_CHECK_REQUIRED": "Submitting needs `selfCheckConfirmed: true`.",
            "FEATURES_REQUIRED": "Submitting needs at least one feature.",
            "ALREADY_IN_REVIEW": "Another version of the plugin is already in review.",
            "BINDING_LIMIT_REACHED": "The plugin already has 20 active debug bindings.",
            "BINDING_EXISTS": "That host already has an active binding with the plugin.",
            "NOT_LISTED": "The plugin is not listed in the market.",
            "ORDER_EXISTS": "That host already has an active order of the plugin.",
            "PACKAGE_INVALID": "The package is not a zip with a JSON-object `plugin.json` at its root.",
            "PACKAGE_TOO_LARGE": "The package is over the size limit.",
            "QUOTA_EXCEEDED": "A per-plugin daily quota is used up; the message says when the next one is allowed.",
            "REVIEW_CLAIMED_BY_OTHER": "Another reviewer has claimed this review; the message names them.",
            "WEBHOOK_URL_REFUSED": "The webhook URL is not http(s) or points at a non-public address.",
        },
    )

    ResolutionSource = graphql_enum(
        resolution.Source,
        "Why a host loads the version it loads.",
        {
            "EXPERIENCE": "Developing or previewing with an authorized debug binding: the experience version.",
            "GRAY": "The host is in the gray rollout.",
            "ONLINE": "The published version.",
        },
        name="ResolutionSource",
    )

    UnavailableReason = graphql_enum(
        resolution.Unavailable,
        "Why a host has no version of the plugin to load.",
        {
            "NOT_ORDERED": "The host has no active order (and no experience version applies).",
            "NO_ONLINE_VERSION": "The host ordered the plugin but nothing is online or in its rollout.",
        },
        name="UnavailableReason",
    )

    HostRelation = graphql_enum(
        domain.HostRelation,
        "How a host uses a plugin.",
        {
            "BOUND": "An AUTHORIZED joint-debugging binding, no active order.",
            "ORDERED": "An ACTIVE order, no authorized binding.",
            "BOUND_AND_ORDERED": "Both an AUTHORIZED binding and an ACTIVE order.",
        },
    )

    WebhookDeliveryStatus = graphql_enum(
        domain.WebhookDeliveryStatus,
        "Where a webhook delivery stands.",
        {
            "PENDING": "Waiting to be sent, being retried, or queued behind an earlier delivery of the webhook.",
            "SUCCEEDED": "The receiver answered 2xx.",
            "FAILED": "Given up: the webhook turned inactive with it unsent. `redeliverWebhook` sends it again.",
        },
    )
