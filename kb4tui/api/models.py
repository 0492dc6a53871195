"""Pydantic models for the KnowBe4 Reporting API, tolerant of what the real API sends.

The API sends nulls, omits keys, renames fields across versions (`store_purchased_id`,
`adi_*`), nests `content` one array deep in one doc sample, and types `employee_number`
as int in one place and string in another. Parsing never raises on such data: a field
whose value cannot be understood becomes None (see `_parse`), and statuses are kept
exactly as sent so that unknown values survive. Numbers that cannot be meant (NaN,
infinities) and dates given as numbers count as not understood.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Annotated, Any, ClassVar, Self, TypeVar

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
)

__all__ = [
    "Account",
    "AccountAdmin",
    "Campaign",
    "ContentItem",
    "Enrollment",
    "EnrollmentUser",
    "Group",
    "GroupRef",
    "KBModel",
    "Policy",
    "StorePurchase",
    "User",
    "parse_content_item",
]


def _as_utc(value: datetime | None) -> datetime | None:
    """The API promises UTC ('Z'); a naive timestamp is read as UTC too."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    if value is not None and value.utcoffset() != UTC.utcoffset(None):
        try:
            return value.astimezone(UTC)
        except OverflowError:  # 0001-01-01T00:00+05:00 is before the calendar in UTC
            return None
    return value


def _list_or_empty(value: Any) -> Any:
    """Null or a non-list where a list belongs reads as an empty list."""
    if value is None or not isinstance(value, list):
        return []
    return value


def _dicts_only(value: Any) -> Any:
    return [item for item in _list_or_empty(value) if isinstance(item, dict)]


def _not_a_number(value: Any) -> Any:
    """A date given as a number is missing, not Unix time.

    Pydantic reads 12345 (or "12345") as seconds since 1970, and a deadline in 1970 made
    someone "20790 d overdue". The API sends dates as ISO text only.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return value
        return None
    return value


Timestamp = Annotated[datetime | None, BeforeValidator(_not_a_number), AfterValidator(_as_utc)]
Day = Annotated[date | None, BeforeValidator(_not_a_number)]
DictList = BeforeValidator(_dicts_only)


class KBModel(BaseModel):
    """Base for every API model: unknown keys ignored, numbers accepted where text belongs."""

    model_config = ConfigDict(
        extra="ignore",
        populate_by_name=True,
        coerce_numbers_to_str=True,
        # NaN or Infinity (from a hostile or broken server) fails validation, so the
        # repair loop below makes the field None, like any other wrong type.
        allow_inf_nan=False,
        frozen=False,
        ser_json_timedelta="float",
    )

    # How many times `from_api` may drop unparseable fields before giving up on a record.
    _MAX_REPAIRS: ClassVar[int] = 64

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Parse one API object. Fields that fail validation become None; never raises
        except `TypeError` when `data` is not an object at all."""
        if not isinstance(data, dict):
            raise TypeError(f"expected a JSON object for {cls.__name__}, got {type(data).__name__}")
        return _parse(cls, data)

    @classmethod
    def from_api_list(cls, items: Iterable[Any]) -> list[Self]:
        """Parse a page of objects, skipping entries that are not objects at all."""
        shared: dict[tuple[type, int], set[str]] = {}
        return [_slim(_parse(cls, item), shared) for item in items if isinstance(item, dict)]


M = TypeVar("M", bound=BaseModel)


def _slim(model: M, shared: dict[tuple[type, int], set[str]]) -> M:
    """Share what the rows of a list have in common: 100,000 enrollments must fit in memory.

    Pydantic keeps a set of the field names given (~730 bytes) on every instance, and rows
    of one list nearly always have the same one; repeated text (status, module, campaign,
    a user's name on each of their rows) is interned. Measured on enrollments: ~3.2 KB a
    row before, ~1.1 KB after, for ~4 us a row. Assigning a field later adds its name to
    the shared set, which only matters to `exclude_unset`, unused here.
    """
    given = model.__pydantic_fields_set__
    key = (type(model), len(given))
    same = shared.get(key)
    if same != given:  # the last set of this size, if equal; else this one from now on
        shared[key] = same = given
    object.__setattr__(model, "__pydantic_fields_set__", same)
    values = model.__dict__
    for name, value in values.items():
        if type(value) is str:
            values[name] = sys.intern(value)  # same key: the dict does not resize
        elif isinstance(value, BaseModel):
            _slim(value, shared)
    return model


def _parse(cls: type[M], data: dict[str, Any]) -> M:
    """Validate; on failure drop the offending keys (by error location) and retry.

    The fast path is a single pydantic-core validation. Only records with bad values pay
    for the repair loop, which converges because every round removes at least one key.
    """
    try:
        return cls.model_validate(data)
    except ValidationError as first_error:
        error: ValidationError = first_error
    repaired: Any = _deep_copy_json(data)
    for _ in range(KBModel._MAX_REPAIRS):
        removed = False
        for problem in error.errors():
            removed |= _remove_at(repaired, problem["loc"])
        if not removed:
            break
        try:
            return cls.model_validate(repaired)
        except ValidationError as again:
            error = again
    # Last resort: an empty record rather than an exception.
    return cls.model_validate({})


def _deep_copy_json(value: Any) -> Any:
    """Copy nested dicts and lists without recursion: a hostile body can nest deeper
    than Python's stack (a recursive copy raised RecursionError at ~500 levels)."""
    if not isinstance(value, dict | list):
        return value
    root: Any = {} if isinstance(value, dict) else []
    pending: list[tuple[Any, Any]] = [(value, root)]
    while pending:
        source, target = pending.pop()
        items = source.items() if isinstance(source, dict) else enumerate(source)
        for key, item in items:
            copied: Any = item
            if isinstance(item, dict | list):
                copied = {} if isinstance(item, dict) else []
                pending.append((item, copied))
            if isinstance(target, dict):
                target[key] = copied
            else:
                target.append(copied)
    return root


def _remove_at(data: Any, loc: tuple[int | str, ...]) -> bool:
    """Remove the value at `loc` (a pydantic error location) from nested dicts/lists."""
    node = data
    for depth, key in enumerate(loc):
        last = depth == len(loc) - 1
        if isinstance(node, dict) and isinstance(key, str) and key in node:
            if last:
                del node[key]
                return True
            node = node[key]
        elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            if last:
                node.pop(key)
                return True
            node = node[key]
        else:
            # The location names something pydantic built (a union tag, a model wrapper):
            # remove the deepest real container key we reached instead.
            return _remove_prefix(data, loc[:depth])
    return False


def _remove_prefix(data: Any, loc: tuple[int | str, ...]) -> bool:
    if not loc:
        return False
    return _remove_at(data, loc)


class EnrollmentUser(KBModel):
    """The `user` object inside an enrollment (id, name, email, employee number)."""

    id: int | None = Field(default=None, validation_alias=AliasChoices("id", "user_id"))
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    employee_number: str | None = None

    @property
    def full_name(self) -> str:
        parts = [p for p in (self.first_name, self.last_name) if p]
        return " ".join(parts) if parts else (self.email or "")


class AccountAdmin(KBModel):
    id: int | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None


class Account(KBModel):
    """`GET /v1/account`. A trial account omits the subscription fields entirely."""

    name: str | None = None
    type: str | None = None
    domains: Annotated[list[str], BeforeValidator(_list_or_empty)] = Field(default_factory=list)
    admins: Annotated[list[AccountAdmin], DictList] = Field(default_factory=list)
    subscription_level: str | None = None
    subscription_end_date: Day = None
    number_of_seats: int | None = None
    current_risk_score: float | None = None

    @property
    def daily_quota(self) -> int:
        """2,000 requests a day plus one per licensed seat (knowbe4-api.md §2.3)."""
        return 2000 + (self.number_of_seats or 0)


def _group_ids(value: Any) -> Any:
    """User `groups` is a list of ints; expanded forms carry objects with group_id/id.

    Null, a missing key or a non-list stays None: the API did not say which groups the user
    is in (JupiterOne saw null and absent `groups`), which is not the same as no groups.
    """
    if not isinstance(value, list):
        return None
    ids: list[Any] = []
    for item in value:
        if isinstance(item, dict):
            item = item.get("group_id", item.get("id"))
        if isinstance(item, bool):
            continue
        if isinstance(item, int) or (isinstance(item, str) and item.isascii() and item.isdigit()):
            ids.append(int(item))
    return ids


class User(KBModel):
    """`GET /v1/users` and group members."""

    id: int | None = Field(default=None, validation_alias=AliasChoices("id", "user_id"))
    employee_number: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    job_title: str | None = None
    email: str | None = None
    phish_prone_percentage: float | None = None
    phone_number: str | None = None
    extension: str | None = None
    mobile_phone_number: str | None = None
    location: str | None = None
    division: str | None = None
    manager_name: str | None = None
    manager_email: str | None = None
    provisioning_managed: bool | None = Field(
        default=None, validation_alias=AliasChoices("provisioning_managed", "adi_manageable")
    )
    provisioning_guid: str | None = Field(
        default=None, validation_alias=AliasChoices("provisioning_guid", "adi_guid")
    )
    # None: not reported (see `_group_ids`); [] means the user is in no group.
    groups: Annotated[list[int] | None, BeforeValidator(_group_ids)] = None
    current_risk_score: float | None = None
    aliases: Annotated[list[str], BeforeValidator(_list_or_empty)] = Field(default_factory=list)
    joined_on: Timestamp = None
    last_sign_in: Timestamp = None
    status: str | None = None
    organization: str | None = None
    department: str | None = None
    language: str | None = None
    comment: str | None = None
    employee_start_date: Timestamp = None
    archived_at: Timestamp = None
    custom_field_1: str | None = None
    custom_field_2: str | None = None
    custom_field_3: str | None = None
    custom_field_4: str | None = None
    custom_date_1: Day = None
    custom_date_2: Day = None

    @property
    def full_name(self) -> str:
        parts = [p for p in (self.first_name, self.last_name) if p]
        return " ".join(parts) if parts else (self.email or "")

    @property
    def is_archived(self) -> bool:
        return (self.status or "").lower() == "archived" or self.archived_at is not None


class Group(KBModel):
    """`GET /v1/groups`."""

    id: int | None = Field(default=None, validation_alias=AliasChoices("id", "group_id"))
    name: str | None = None
    group_type: str | None = None
    provisioning_guid: str | None = Field(
        default=None, validation_alias=AliasChoices("provisioning_guid", "adi_guid")
    )
    member_count: int | None = None
    current_risk_score: float | None = None
    status: str | None = None

    @property
    def label(self) -> str:
        """The name to show; a group the API sent without a name is named by its id."""
        return self.name or f"group {self.id}"


class GroupRef(KBModel):
    """A target group inside a campaign; `group_id` 0 is "All Users"."""

    group_id: int | None = Field(default=None, validation_alias=AliasChoices("group_id", "id"))
    name: str | None = None

    @property
    def is_all_users(self) -> bool:
        return self.group_id == 0


class StorePurchase(KBModel):
    """`GET /v1/training/store_purchases` and store-purchase items in campaign content."""

    store_purchase_id: int | None = Field(
        default=None,
        validation_alias=AliasChoices("store_purchase_id", "store_purchased_id", "id"),
    )
    content_id: int | None = None
    content_type: str | None = None
    name: str | None = Field(default=None, validation_alias=AliasChoices("name", "content_name"))
    description: str | None = None
    type: str | None = None
    duration: int | None = None
    retired: bool | None = None
    retirement_date: Timestamp = None
    publish_date: Timestamp = None
    publisher: str | None = None
    purchase_date: Timestamp = None
    expiration_date: Timestamp = None
    policy_url: str | None = None

    is_policy: ClassVar[bool] = False

    @property
    def item_id(self) -> int | None:
        return self.store_purchase_id

    @property
    def type_label(self) -> str:
        """The content type users filter by: Training Module, Video, Game, ..."""
        return self.type or self.content_type or "Store Purchase"

    @property
    def minutes(self) -> int | None:
        return self.duration


class Policy(KBModel):
    """`GET /v1/training/policies` and uploaded-policy items in campaign content.

    `status` is an int (1 = published) on the policies endpoint; inside campaign content
    the same fact is a boolean `published`.
    """

    policy_id: int | None = Field(default=None, validation_alias=AliasChoices("policy_id", "id"))
    content_type: str | None = None
    name: str | None = Field(default=None, validation_alias=AliasChoices("name", "content_name"))
    minimum_time: int | None = None
    default_language: str | None = None
    status: int | None = None
    published: bool | None = None
    description: str | None = None

    is_policy: ClassVar[bool] = True

    @property
    def item_id(self) -> int | None:
        return self.policy_id

    @property
    def is_published(self) -> bool | None:
        if self.published is not None:
            return self.published
        if self.status is not None:
            return self.status == 1
        return None

    @property
    def type_label(self) -> str:
        return "Policy"

    @property
    def minutes(self) -> int | None:
        return self.minimum_time


ContentItem = StorePurchase | Policy


def parse_content_item(data: dict[str, Any]) -> ContentItem:
    """A content item is a policy when it says so or carries a policy id."""
    content_type = str(data.get("content_type") or "").lower()
    if "policy" in content_type or ("policy_id" in data and "store_purchase_id" not in data):
        return Policy.from_api(data)
    return StorePurchase.from_api(data)


def _content_items(value: Any) -> list[ContentItem]:
    """Flatten `content` one level (a doc sample nests it) and type each item."""
    items: list[ContentItem] = []
    for entry in _list_or_empty(value):
        if isinstance(entry, StorePurchase | Policy):
            items.append(entry)
            continue
        nested = entry if isinstance(entry, list) else [entry]
        items.extend(parse_content_item(obj) for obj in nested if isinstance(obj, dict))
    return items


class Campaign(KBModel):
    """`GET /v1/training/campaigns`."""

    campaign_id: int | None = Field(
        default=None, validation_alias=AliasChoices("campaign_id", "id")
    )
    name: str | None = None
    groups: Annotated[list[GroupRef], DictList] = Field(default_factory=list)
    status: str | None = None
    content: Annotated[list[ContentItem], BeforeValidator(_content_items)] = Field(
        default_factory=list
    )
    modules: Annotated[list[StorePurchase], DictList] = Field(default_factory=list)
    duration_type: str | None = None
    start_date: Timestamp = None
    end_date: Timestamp = None
    relative_duration: str | None = None
    auto_enroll: bool | None = None
    allow_multiple_enrollments: bool | None = None
    completion_percentage: float | None = None

    @property
    def content_items(self) -> list[ContentItem]:
        """`content`, or the legacy `modules` list when an old server sends only that."""
        return self.content if self.content else list(self.modules)

    @property
    def group_names(self) -> list[str]:
        return [g.name or f"group {g.group_id}" for g in self.groups]


class Enrollment(KBModel):
    """`GET /v1/training/enrollments`: one row per user x content item x campaign."""

    enrollment_id: int | None = Field(
        default=None, validation_alias=AliasChoices("enrollment_id", "id")
    )
    content_type: str | None = None
    module_name: str | None = Field(
        default=None, validation_alias=AliasChoices("module_name", "content_name")
    )
    user: EnrollmentUser | None = None
    employee_number: str | None = None
    campaign_name: str | None = None
    campaign_id: int | None = None
    store_purchase_id: int | None = Field(
        default=None, validation_alias=AliasChoices("store_purchase_id", "store_purchased_id")
    )
    policy_id: int | None = None
    enrollment_date: Timestamp = None
    start_date: Timestamp = None
    completion_date: Timestamp = None
    status: str | None = None
    time_spent: int | None = None
    policy_acknowledged: bool | None = None
    current_module: str | None = None
    score: float | None = None

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user else None

    @property
    def user_name(self) -> str:
        return self.user.full_name if self.user else ""

    @property
    def user_email(self) -> str:
        return (self.user.email or "") if self.user else ""

    @property
    def module(self) -> str:
        """The module's name; `current_module` where an older shape sends only that."""
        return self.module_name or self.current_module or ""
