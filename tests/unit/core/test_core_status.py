"""Enrollment states, campaign lifecycle, content types, enrollment method."""

from __future__ import annotations

import pytest
from core_factories import campaign, enrollment, purchase

from kb4tui.api.models import Policy
from kb4tui.core.content import CONTENT_TYPES, content_item_for, content_type_of, module_key
from kb4tui.core.lifecycle import (
    AUTO_ENROLL_TEXT,
    MANUAL_ENROLL_TEXT,
    CampaignPhase,
    campaign_phase,
    how_enrolled,
)
from kb4tui.core.status import EnrollmentState, classify

S = EnrollmentState


@pytest.mark.parametrize(
    ("raw", "state"),
    [
        ("Not Started", S.NOT_STARTED),
        ("not_started", S.NOT_STARTED),
        ("NOT-STARTED", S.NOT_STARTED),
        ("In Progress", S.IN_PROGRESS),
        ("in_progress", S.IN_PROGRESS),
        ("Passed", S.COMPLETED),
        ("PASSED", S.COMPLETED),
        ("Completed", S.COMPLETED),
        ("completed", S.COMPLETED),
        ("Past Due", S.PAST_DUE),
        ("past_due", S.PAST_DUE),
        ("past-due", S.PAST_DUE),
        ("  Past  Due ", S.PAST_DUE),
        ("Exempted", S.EXEMPTED),
        ("Failed", S.UNKNOWN),
        ("", S.UNKNOWN),
        (None, S.UNKNOWN),
        ("[/Q3] bogus", S.UNKNOWN),
    ],
)
def test_classify_accepts_api_values_and_variants(raw: str | None, state: EnrollmentState) -> None:
    assert classify(raw) is state


def test_business_meanings_follow_the_product_table() -> None:
    assert S.NOT_STARTED.meaning == "Needs reminder"
    assert S.IN_PROGRESS.meaning == "Actively working"
    assert S.COMPLETED.meaning == "Compliant"
    assert S.PAST_DUE.meaning == "Non-compliant"
    assert S.EXEMPTED.meaning == "Compliant by exemption"
    assert S.UNKNOWN.meaning == "Unknown status"


def test_compliant_and_incomplete_partition_known_states() -> None:
    assert {s for s in S if s.is_compliant} == {S.COMPLETED, S.EXEMPTED}
    assert {s for s in S if s.is_incomplete} == {S.NOT_STARTED, S.IN_PROGRESS, S.PAST_DUE}
    assert not S.UNKNOWN.is_compliant and not S.UNKNOWN.is_incomplete


@pytest.mark.parametrize(
    ("raw", "phase"),
    [
        ("In Progress", CampaignPhase.ACTIVE),
        ("Active", CampaignPhase.ACTIVE),
        ("Completed", CampaignPhase.COMPLETED),
        ("Closed", CampaignPhase.CLOSED),
        ("Created", CampaignPhase.CREATED),
        ("scheduled", CampaignPhase.SCHEDULED),
        ("Canceled", CampaignPhase.CANCELLED),
        ("CANCELLED", CampaignPhase.CANCELLED),
        ("archived", CampaignPhase.ARCHIVED),
        ("Paused?", CampaignPhase.UNKNOWN),
        (None, CampaignPhase.UNKNOWN),
    ],
)
def test_campaign_phase(raw: str | None, phase: CampaignPhase) -> None:
    assert campaign_phase(raw) is phase
    assert campaign_phase(campaign(status=raw)) is phase


def test_phase_running_and_finished() -> None:
    assert {p for p in CampaignPhase if p.is_running} == {CampaignPhase.ACTIVE}
    assert {p for p in CampaignPhase if p.is_finished} == {
        CampaignPhase.COMPLETED,
        CampaignPhase.CLOSED,
        CampaignPhase.CANCELLED,
        CampaignPhase.ARCHIVED,
    }
    assert not CampaignPhase.UNKNOWN.is_running and not CampaignPhase.UNKNOWN.is_finished


def test_how_enrolled() -> None:
    assert how_enrolled(campaign(auto_enroll=True)) == AUTO_ENROLL_TEXT
    assert how_enrolled(campaign(auto_enroll=False)) == MANUAL_ENROLL_TEXT
    assert how_enrolled(campaign(auto_enroll=None)) not in (AUTO_ENROLL_TEXT, MANUAL_ENROLL_TEXT)


def test_content_types_canonical_list() -> None:
    assert CONTENT_TYPES == (
        "Training Module",
        "Video",
        "Game",
        "Assessment",
        "Policy",
        "Newsletter",
        "Poster",
    )


def test_content_type_of_purchases_policies_and_enrollments() -> None:
    assert content_type_of(purchase(type="training module")) == "Training Module"
    assert content_type_of(purchase(type="Video")) == "Video"
    assert content_type_of(purchase(type="Interactive Drama")) == "Interactive Drama"
    assert content_type_of(purchase(type=None)) == "Store Purchase"
    assert content_type_of(Policy.from_api({"policy_id": 1, "name": "AUP"})) == "Policy"
    assert content_type_of(enrollment(content_type="Uploaded Policy")) == "Policy"
    assert content_type_of(enrollment(content_type="Assessment")) == "Assessment"
    # "Store Purchase" says nothing; the matching content item does.
    assert content_type_of(enrollment(), purchase(type="Game")) == "Game"
    assert content_type_of(enrollment()) == "Store Purchase"


def test_module_key_prefers_ids_then_name() -> None:
    assert module_key(enrollment(store_purchase_id=5)) == ("store_purchase", 5)
    assert module_key(enrollment(store_purchase_id=None, policy_id=7)) == ("policy", 7)
    assert module_key(enrollment(store_purchase_id=None, module=" Basics ")) == ("name", "basics")
    assert module_key(enrollment(store_purchase_id=None, module="")) is None


def test_content_item_for_matches_by_id_then_name() -> None:
    c = campaign(
        content=[
            {"store_purchase_id": 8123, "name": "Basics", "type": "Video", "duration": 10},
            {"policy_id": 3051, "content_type": "Uploaded Policy", "name": "AUP"},
        ]
    )
    by_id = content_item_for(enrollment(store_purchase_id=8123, module="renamed"), c)
    assert by_id is not None and by_id.name == "Basics"
    by_name = content_item_for(enrollment(store_purchase_id=None, module="aup"), c)
    assert isinstance(by_name, Policy)
    assert content_item_for(enrollment(store_purchase_id=None, module="nothing"), c) is None
    library = {9: purchase(9, name="Elsewhere")}
    found = content_item_for(enrollment(store_purchase_id=9), c, library)
    assert found is library[9]
