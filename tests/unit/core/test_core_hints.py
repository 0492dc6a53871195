"""Hints from the troubleshooting table, each only where the data supports it."""

from __future__ import annotations

from core_factories import NOW, campaign, enrollment, purchase, ts

from kb4tui.core.campaign_index import CampaignIndex
from kb4tui.core.hints import (
    Hint,
    HintKind,
    Severity,
    campaign_hints,
    enrollment_hints,
)

BASICS = {"store_purchase_id": 8123, "name": "Basics", "type": "Training Module", "duration": 20}


def kinds(hints: list[Hint]) -> list[HintKind]:
    return [h.kind for h in hints]


# --- zero completion --------------------------------------------------------------------


def test_zero_completion_in_a_campaign_started_days_ago() -> None:
    c = campaign(start_date=ts("2026-02-17T09:00"))
    rows = [enrollment(1, user_id=1), enrollment(2, user_id=2, status="In Progress")]
    hints = campaign_hints(c, rows, NOW)
    assert kinds(hints) == [HintKind.ZERO_COMPLETION]
    assert hints[0].title == "Zero completion rate"
    assert hints[0].resolution == "Allow time for users to complete"
    assert "3 days ago" in hints[0].explanation


def test_no_zero_completion_hint_when_someone_completed_or_campaign_is_old() -> None:
    recent = campaign(start_date=ts("2026-02-17T09:00"))
    rows = [enrollment(1, user_id=1), enrollment(2, user_id=2, status="Passed")]
    assert campaign_hints(recent, rows, NOW) == []
    old = campaign(start_date=ts("2026-01-02T09:00"))
    assert campaign_hints(old, [enrollment(1)], NOW) == []
    future = campaign(start_date=ts("2026-03-01T09:00"))
    assert campaign_hints(future, [enrollment(1)], NOW) == []
    undated = campaign(start_date=None)
    assert campaign_hints(undated, [enrollment(1)], NOW) == []


def test_zero_completion_from_the_api_percentage_without_enrollments() -> None:
    c = campaign(start_date=ts("2026-02-20T09:00"), completion_percentage=0)
    hints = campaign_hints(c, [], NOW)
    assert kinds(hints) == [HintKind.ZERO_COMPLETION]
    assert "today" in hints[0].explanation
    assert campaign_hints(campaign(start_date=ts("2026-02-20T09:00")), [], NOW) == []


def test_campaign_hints_ignore_other_campaigns_enrollments() -> None:
    c = campaign(1, start_date=ts("2026-02-17T09:00"))
    passed_elsewhere = enrollment(2, campaign_id=2, status="Passed")
    assert kinds(campaign_hints(c, [enrollment(1), passed_elsewhere], NOW)) == [
        HintKind.ZERO_COMPLETION
    ]


# --- duplicates -------------------------------------------------------------------------


def test_duplicates_in_campaign_without_multiple_enrollments_is_a_warning() -> None:
    c = campaign(allow_multiple_enrollments=False)
    rows = [enrollment(1, status="Passed"), enrollment(2, status="Passed")]
    (hint,) = campaign_hints(c, rows, NOW)
    assert hint.kind is HintKind.DUPLICATE_ENROLLMENTS
    assert hint.severity is Severity.WARNING
    assert "allow_multiple_enrollments is off" in hint.explanation
    assert hint.explanation.startswith("1 user holds the same module")
    assert hint.resolution == "Check allow_multiple_enrollments"


def test_duplicates_in_campaign_allowing_retakes_are_info() -> None:
    c = campaign(allow_multiple_enrollments=True)
    rows = [enrollment(1, status="Passed"), enrollment(2, status="Passed")]
    (hint,) = campaign_hints(c, rows, NOW)
    assert hint.severity is Severity.INFO
    assert "allow_multiple_enrollments is on" in hint.explanation


def test_enrollment_duplicate_across_campaigns_names_them() -> None:
    c = campaign(1, allow_multiple_enrollments=True)
    mine = enrollment(1, campaign_id=1, campaign_name="Annual")
    other = enrollment(2, campaign_id=2, campaign_name="Onboarding")
    unrelated = enrollment(3, campaign_id=2, store_purchase_id=999)
    (hint,) = enrollment_hints(mine, c, user_enrollments=[mine, other, unrelated])
    assert hint.kind is HintKind.DUPLICATE_ENROLLMENTS
    assert hint.severity is Severity.WARNING  # across campaigns, whatever the flag
    assert "2 times in 2 campaigns (Annual, Onboarding)" in hint.explanation
    assert enrollment_hints(mine, c, user_enrollments=[mine, unrelated]) == []


def test_enrollment_duplicate_names_campaigns_known_only_by_id() -> None:
    index = CampaignIndex([campaign(1, name="Annual"), campaign(2, name="Refresher [/Q3]")])
    mine = enrollment(1, campaign_id=1, campaign_name="")
    other = enrollment(2, campaign_id=2, campaign_name="")
    (hint,) = enrollment_hints(mine, None, user_enrollments=[other], campaigns=index)
    assert "(Annual, Refresher [/Q3])" in hint.explanation
    assert "allow_multiple_enrollments is not reported" in hint.explanation


def test_enrollment_duplicate_null_user_gives_no_hint() -> None:
    a, b = enrollment(1, user_id=None), enrollment(2, user_id=None)
    assert enrollment_hints(a, campaign(), user_enrollments=[a, b]) == []


# --- completion not recording -----------------------------------------------------------


def test_in_progress_with_time_spent_over_module_duration() -> None:
    c = campaign(content=[BASICS])
    stuck = enrollment(status="In Progress", time_spent=25 * 60)
    (hint,) = enrollment_hints(stuck, c)
    assert hint.kind is HintKind.COMPLETION_NOT_RECORDING
    assert hint.resolution == "User may need to retake quiz"
    assert "25 min on a 20-min module" in hint.explanation
    assert enrollment_hints(enrollment(status="In Progress", time_spent=5 * 60), c) == []
    # Same time spent, but finished: nothing to explain.
    assert enrollment_hints(enrollment(status="Passed", time_spent=25 * 60), c) == []


def test_duration_from_the_library_when_campaign_content_lacks_it() -> None:
    stuck = enrollment(status="In Progress", time_spent=2000)  # 33 min
    library = {8123: purchase(8123, duration=45)}
    assert enrollment_hints(stuck, campaign(content=[]), purchases_by_id=library) == []
    library = {8123: purchase(8123, duration=30)}
    hints = enrollment_hints(stuck, campaign(content=[]), purchases_by_id=library)
    assert kinds(hints) == [HintKind.COMPLETION_NOT_RECORDING]


def test_assessment_in_progress() -> None:
    quiz = dict(BASICS, type="Assessment", duration=None)
    hints = enrollment_hints(
        enrollment(status="In Progress", time_spent=0), campaign(content=[quiz])
    )
    assert kinds(hints) == [HintKind.COMPLETION_NOT_RECORDING]
    assert "assessment" in hints[0].explanation


def test_policies_are_not_quizzes() -> None:
    policy = {
        "policy_id": 3051,
        "content_type": "Uploaded Policy",
        "name": "AUP",
        "minimum_time": 3,
    }
    row = enrollment(
        status="In Progress",
        time_spent=600,
        store_purchase_id=None,
        policy_id=3051,
        module="AUP",
        content_type="Uploaded Policy",
    )
    assert enrollment_hints(row, campaign(content=[policy])) == []


# --- past due but completed -------------------------------------------------------------


def test_completed_after_the_end_date() -> None:
    late = enrollment(status="Passed", completion_date=ts("2026-03-02T10:00"))
    (hint,) = enrollment_hints(late, campaign(end_date=ts("2026-02-27T04:59")))
    assert hint.kind is HintKind.PAST_DUE_COMPLETED
    assert hint.resolution == "Marked past_due at deadline, then completed"
    assert "2026-03-02, 3 days after the deadline 2026-02-27" in hint.explanation
    on_time = enrollment(status="Passed", completion_date=ts("2026-02-26T10:00"))
    assert enrollment_hints(on_time, campaign(end_date=ts("2026-02-27T04:59"))) == []


def test_completed_after_a_relative_deadline() -> None:
    c = campaign(end_date=None, relative_duration="1 week")
    late = enrollment(
        status="Passed",
        enrollment_date=ts("2026-02-01T10:00"),
        completion_date=ts("2026-02-08T11:00"),
    )
    (hint,) = enrollment_hints(late, c)
    assert "less than a day after" in hint.explanation


def test_past_due_status_with_a_completion_date_and_no_deadline_known() -> None:
    odd = enrollment(status="Past Due", completion_date=ts("2026-02-10T10:00"))
    (hint,) = enrollment_hints(odd, campaign(end_date=None))
    assert hint.kind is HintKind.PAST_DUE_COMPLETED
    assert "Status is Past Due" in hint.explanation
    assert enrollment_hints(enrollment(status="Past Due"), campaign(end_date=None)) == []
