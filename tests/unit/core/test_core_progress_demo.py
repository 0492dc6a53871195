"""The demo organisation's series, checked against a plain count over the raw API records.

The count here is written independently of kb4tui.core.progress: day by day, from the JSON
dicts the fake API serves (dates cut to YYYY-MM-DD in UTC), with the demo's own idea of
each enrollment's deadline.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from kb4tui.api.models import Campaign, Enrollment
from kb4tui.core.forecast import Outlook, campaign_progress
from kb4tui.demo import DemoOrg, generate_org
from kb4tui.demo.campaigns import RELATIVE_DAYS

NOW = datetime(2026, 2, 20, 15, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def org() -> DemoOrg:
    return generate_org(seed=7, users=300, now=NOW)


def _stamp(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text.replace("Z", "+00:00"))


def _deadline(campaign: dict[str, Any], row: dict[str, Any]) -> datetime | None:
    """The end date, else enrollment + the relative duration; months are calendar months
    (the domain rule of kb4tui.core.deadlines), days and weeks fixed lengths."""
    if campaign["end_date"] is not None:
        return _stamp(campaign["end_date"])
    relative = campaign["relative_duration"]
    if relative is None:
        return None
    enrolled = _stamp(row["enrollment_date"])
    assert enrolled is not None
    amount, unit = relative.split()
    if unit.startswith("month"):
        month = enrolled.month - 1 + int(amount)
        year, month = enrolled.year + month // 12, month % 12 + 1
        return enrolled.replace(
            year=year, month=month, day=min(enrolled.day, monthrange(year, month)[1])
        )
    assert relative in RELATIVE_DAYS  # the demo's own list: days and weeks
    return enrolled + timedelta(days=RELATIVE_DAYS[relative])


def _count_on(campaign: dict[str, Any], rows: list[dict[str, Any]], day: date) -> tuple[int, ...]:
    """(enrolled, started, passed, past_due) at the end of `day` (for today: as of NOW)."""
    cut = NOW if day == NOW.date() else datetime(day.year, day.month, day.day, tzinfo=UTC)
    if day != NOW.date():
        cut += timedelta(days=1)

    def by(text: str | None) -> bool:
        stamp = _stamp(text)
        return stamp is not None and stamp < cut

    enrolled = sum(1 for r in rows if by(r["enrollment_date"]))
    started = sum(1 for r in rows if by(r["start_date"]) or by(r["completion_date"]))
    passed = sum(1 for r in rows if r["status"] == "Passed" and by(r["completion_date"]))
    past_due = 0
    if campaign["status"] not in ("Cancelled", "Archived"):
        for r in rows:
            due = _deadline(campaign, r)
            if r["status"] == "Exempted" or due is None or not due < cut:
                continue
            if not by(r["completion_date"]):
                past_due += 1
    return (enrolled, started, passed, past_due)


def test_every_days_counts_match_a_plain_count_of_the_raw_records(org: DemoOrg) -> None:
    checked = 0
    for raw in org.campaigns():
        rows = org.campaign_enrollments(raw["campaign_id"])
        campaign = Campaign.from_api(raw)
        series = campaign_progress(campaign, Enrollment.from_api_list(rows), NOW, tz=UTC).series
        if not rows:
            assert series.is_empty
            continue
        for point in series.points:
            expected = _count_on(raw, rows, point.day)
            got = (point.enrolled, point.started, point.passed, point.past_due)
            assert got == expected, (raw["name"], point.day)
            checked += 1
    assert checked > 1000


def test_every_demo_campaign_with_enrollments_has_a_chart_and_a_forecast(org: DemoOrg) -> None:
    outlooks = set()
    for raw in org.campaigns():
        rows = Enrollment.from_api_list(org.campaign_enrollments(raw["campaign_id"]))
        progress = campaign_progress(Campaign.from_api(raw), rows, NOW, tz=UTC)
        if rows:
            assert len(progress.series.points) >= 1
            assert progress.forecast.outlook is not Outlook.NO_ENROLLMENTS
            assert progress.forecast.sentence()
        else:
            assert progress.forecast.outlook is Outlook.NO_ENROLLMENTS
        outlooks.add(progress.forecast.outlook)
    # The demo shows the cases the UI must draw: stalled, missed, too early, not started.
    assert {
        Outlook.STALLING,
        Outlook.MISSED,
        Outlook.TOO_EARLY,
        Outlook.NO_ENROLLMENTS,
        Outlook.BEHIND,
    } <= outlooks
