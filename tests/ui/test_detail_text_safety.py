"""Detail panes clean whole escape sequences where the text is built, so no fragment of
one (`]52;c;...`, `[2J[H[31m`) is left on screen as text once the render guard has
dropped the control characters."""

from __future__ import annotations

import re

from rich.text import Text
from textual.widgets import Static
from ui_support import FROZEN_NOW, demo_app, settle

from kb4tui.api.models import Campaign, Enrollment, Policy, StorePurchase
from kb4tui.demo.org import generate_org
from kb4tui.ui.app import KB4App
from kb4tui.ui.details import (
    SafeText,
    campaign_detail,
    campaign_status_text,
    clean_detail,
    enrollment_detail,
    library_detail,
)

OSC52 = "\x1b]52;c;cm0gLXJmIH4gI1BXTkVE\x07"
CSI = "\x1b[2J\x1b[H\x1b[31m"
HOSTILE = f"A{OSC52}B{CSI}C\x9b1mD\x1b]8;;https://evil.example\x1b\\E"
# Printable leftovers of a sequence whose control characters were dropped.
FRAGMENT = re.compile(r"\]52;|\[2J|\[H|\[31m|\[1m|\]8;;|evil\.example|cm0g")
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def assert_clean(text: Text) -> None:
    assert not FRAGMENT.search(text.plain), text.plain
    assert not CONTROL.search(text.plain), text.plain
    assert "ABCDE" in text.plain


def test_campaign_detail_leaves_no_fragment() -> None:
    campaign = Campaign.from_api(
        {
            "campaign_id": 1,
            "name": HOSTILE,
            "status": HOSTILE,
            "duration_type": HOSTILE,
            "relative_duration": HOSTILE,
            "groups": [{"group_id": 1, "name": HOSTILE}],
            "content": [{"store_purchase_id": 2, "name": HOSTILE, "type": HOSTILE}],
        }
    )
    text = campaign_detail(campaign)
    assert_clean(text)
    assert "52;" not in text.plain and text.plain.count("ABCDE") >= 6
    assert_clean(campaign_status_text(HOSTILE))


def test_library_and_enrollment_details_leave_no_fragment() -> None:
    purchase = StorePurchase.from_api(
        {"store_purchase_id": 1, "name": HOSTILE, "type": HOSTILE, "publisher": HOSTILE}
    )
    assert_clean(library_detail(purchase, [HOSTILE]))
    policy = Policy.from_api({"policy_id": 1, "name": HOSTILE, "default_language": HOSTILE})
    assert_clean(library_detail(policy))
    enrollment = Enrollment.from_api(
        {
            "enrollment_id": 1,
            "module_name": HOSTILE,
            "status": HOSTILE,
            "content_type": HOSTILE,
            "campaign_name": HOSTILE,
            "current_module": HOSTILE,
            "user": {"id": 3, "first_name": HOSTILE, "email": HOSTILE, "employee_number": HOSTILE},
        }
    )
    assert_clean(enrollment_detail(enrollment))


def test_safe_text_keeps_what_follows_a_bel_terminated_sequence() -> None:
    # Rich's own append drops BEL; cleaning after it would not know where the OSC ended.
    text = SafeText()
    text.append(f"before {OSC52}after", style="bold")
    text.append(f"\nnext {CSI}line")
    assert text.plain == "before after\nnext line"
    assert text.spans[0].style == "bold"


def test_clean_detail_removes_whole_sequences_and_keeps_styles() -> None:
    text = Text()
    text.append(f"Name{CSI}", style="bold")
    text.append(" plain \x1b[6n text ")
    text.append("\x9b2Jdim", style="dim")
    cleaned = clean_detail(text)
    assert cleaned.plain == "Name plain  text dim"
    assert [(s.start, s.end, s.style) for s in cleaned.spans] == [(0, 4, "bold"), (17, 20, "dim")]
    clean = Text("nothing to do", style="italic")
    assert clean_detail(clean) is clean


def hostile_org_app() -> KB4App:
    org = generate_org(seed=5, users=80, now=FROZEN_NOW)
    for info in org._campaigns:
        info.json["name"] = f"{HOSTILE} {info.json.get('campaign_id')}"
        info.json["status"] = f"In Progress{CSI}"
    return demo_app(org=org)


async def test_every_detail_pane_on_screen_leaves_no_fragment() -> None:
    app = hostile_org_app()
    shown: list[str] = []

    def details() -> list[str]:
        return [
            str(static.render())
            for static in app.screen.query(".pane-detail-text").results(Static)
            if static.display
        ]

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        shown += details()
        await pilot.press("3")  # Compliance: the deadlines detail shows name and status
        await settle(pilot)
        for _ in range(3):
            shown += details()
            await pilot.press("j")
            await pilot.pause()
    text = "\n".join(shown)
    assert "ABCDE" in text  # the hostile campaigns are on screen
    assert not FRAGMENT.search(text), FRAGMENT.findall(text)
    assert not CONTROL.search(text.replace("\n", ""))
