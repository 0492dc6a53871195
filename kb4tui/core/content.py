"""Content types (Training Module, Video, Game, ...) and matching enrollments to content.

The API says little about type: store purchases carry `type` ("Training Module" in every
sample), policies are "Uploaded Policy", and enrollments carry only "Store Purchase" or
"Uploaded Policy" (the product spec has them carry the real type). We map whatever is sent
onto the canonical list when it fits and otherwise show the string as sent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kb4tui.api.models import Campaign, ContentItem, Enrollment, Policy, StorePurchase
from kb4tui.core.status import normalise_label

__all__ = [
    "ASSESSMENT",
    "CONTENT_TYPES",
    "POLICY",
    "TRAINING_MODULE",
    "ModuleKey",
    "campaigns_using",
    "canonical_content_type",
    "content_item_for",
    "content_type_of",
    "module_key",
]

TRAINING_MODULE = "Training Module"
ASSESSMENT = "Assessment"
POLICY = "Policy"

# The product's content types, in the order users see them in the Library filter.
CONTENT_TYPES: tuple[str, ...] = (
    TRAINING_MODULE,
    "Video",
    "Game",
    ASSESSMENT,
    POLICY,
    "Newsletter",
    "Poster",
)

_TYPE_ALIASES: dict[str, str] = {normalise_label(t): t for t in CONTENT_TYPES} | {
    "module": TRAINING_MODULE,
    "trainingmodules": TRAINING_MODULE,
    "course": TRAINING_MODULE,
    "videos": "Video",
    "videomodule": "Video",
    "games": "Game",
    "assessments": ASSESSMENT,
    "quiz": ASSESSMENT,
    "knowledgecheck": ASSESSMENT,
    "uploadedpolicy": POLICY,
    "policies": POLICY,
    "newsletters": "Newsletter",
    "posters": "Poster",
}


def canonical_content_type(text: str | None) -> str | None:
    """The canonical type for a string the API sent, or None when it is not one of them."""
    if not text:
        return None
    return _TYPE_ALIASES.get(normalise_label(text))


def content_type_of(
    item: StorePurchase | Policy | Enrollment, content: ContentItem | None = None
) -> str:
    """The content type to show for a purchase, a policy or an enrollment.

    For an enrollment whose own `content_type` is only "Store Purchase", pass the matching
    content item (see `content_item_for`) to learn the real type. Falls back to the string
    as sent, then "Unknown".
    """
    if isinstance(item, Policy):
        return POLICY
    if isinstance(item, StorePurchase):
        return (
            canonical_content_type(item.type)
            or canonical_content_type(item.content_type)
            or item.type
            or item.content_type
            or "Unknown"
        )
    own = canonical_content_type(item.content_type)
    if own is not None:
        return own
    if content is not None:
        return content_type_of(content)
    return item.content_type or "Unknown"


# ("store_purchase", id), ("policy", id) or ("name", casefolded module name).
ModuleKey = tuple[str, int | str]


def module_key(enrollment: Enrollment) -> ModuleKey | None:
    """Which module an enrollment is for: its store purchase or policy id when the API
    included one, else its module name. None when it names nothing at all."""
    if enrollment.store_purchase_id is not None:
        return ("store_purchase", enrollment.store_purchase_id)
    if enrollment.policy_id is not None:
        return ("policy", enrollment.policy_id)
    name = enrollment.module.strip().casefold()
    return ("name", name) if name else None


def content_item_for(
    enrollment: Enrollment,
    campaign: Campaign | None = None,
    purchases_by_id: Mapping[int, StorePurchase] | None = None,
) -> ContentItem | None:
    """The campaign content item (or library purchase) this enrollment is for.

    Matched by store purchase id, then policy id, then by module name: enrollments fetched
    without include_store_purchase_id carry only the name.
    """
    items = campaign.content_items if campaign is not None else []
    if enrollment.store_purchase_id is not None:
        for item in items:
            if isinstance(item, StorePurchase) and item.store_purchase_id == (
                enrollment.store_purchase_id
            ):
                return item
        if purchases_by_id and enrollment.store_purchase_id in purchases_by_id:
            return purchases_by_id[enrollment.store_purchase_id]
    if enrollment.policy_id is not None:
        for item in items:
            if isinstance(item, Policy) and item.policy_id == enrollment.policy_id:
                return item
    name = enrollment.module.strip().casefold()
    if name:
        for item in items:
            if (item.name or "").strip().casefold() == name:
                return item
        for purchase in (purchases_by_id or {}).values():
            if (purchase.name or "").strip().casefold() == name:
                return purchase
    return None


def campaigns_using(item: ContentItem, campaigns: Sequence[Campaign]) -> list[Campaign]:
    """Campaigns whose content includes `item` (by id, else by name)."""
    found: list[Campaign] = []
    for campaign in campaigns:
        for content in campaign.content_items:
            same_kind = isinstance(content, Policy) == isinstance(item, Policy)
            if same_kind and content.item_id is not None and item.item_id is not None:
                match = content.item_id == item.item_id
            else:
                match = bool(item.name) and content.name == item.name
            if match:
                found.append(campaign)
                break
    return found
