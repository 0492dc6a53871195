"""What the session tells the UI: plain dataclasses, emitted by the supervisor.

The app turns them into header updates, notifications and view reloads; nothing here
knows about Textual.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from kb4tui.session.datasets import Dataset

__all__ = [
    "BackOnline",
    "CannotStart",
    "HeaderFacts",
    "Notice",
    "QuotaWarning",
    "Revalidated",
    "SessionEvent",
    "StatusChanged",
    "WentOffline",
]

Severity = Literal["information", "warning", "error"]


@dataclass(frozen=True, slots=True)
class HeaderFacts:
    """What the header line shows besides the age of the data on screen."""

    profile: str | None = None
    region: str = "us"
    account: str | None = None
    requests_today: int | None = None  # over the rolling day, this run's pending included
    daily_quota: int | None = None
    quota_warning: bool = False  # 80% of the day's requests used
    retrying: int = 0  # requests waiting to be retried right now
    last_failure: str | None = None
    offline_since: datetime | None = None  # API unreachable: the cached data is from then


@dataclass(frozen=True, slots=True)
class StatusChanged:
    facts: HeaderFacts


@dataclass(frozen=True, slots=True)
class WentOffline:
    """The API cannot be reached; the cached data (from `since`) stays browsable."""

    since: datetime


@dataclass(frozen=True, slots=True)
class BackOnline:
    """A request got through after the app was offline: views that failed meanwhile load
    again. `announce`: offline proper had been declared (a blip during retries is not)."""

    announce: bool


@dataclass(frozen=True, slots=True)
class QuotaWarning:
    """80% of the day's requests are used (said once per session)."""

    used: int
    limit: int


@dataclass(frozen=True, slots=True)
class Revalidated:
    """These datasets were fetched again in the background: redraw the views showing them."""

    datasets: frozenset[Dataset[Any]]


@dataclass(frozen=True, slots=True)
class Notice:
    """A sentence for the user (a cache rebuilt, an API error during a background fetch)."""

    text: str
    title: str
    severity: Severity = "warning"


@dataclass(frozen=True, slots=True)
class CannotStart:
    """The API cannot be reached and nothing is cached: there is nothing to show."""

    sentence: str
    exit_code: int


SessionEvent = (
    StatusChanged | WentOffline | BackOnline | QuotaWarning | Revalidated | Notice | CannotStart
)
