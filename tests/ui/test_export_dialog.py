"""`e` in the TUI: the file holds exactly the rows on screen (filter, sort, choice applied)."""

from __future__ import annotations

import csv
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Footer, Input, Select, Static
from ui_support import demo_app, main, settle

from kb4tui.api.models import Campaign, Enrollment
from kb4tui.core.compliance import DeadlineRow
from kb4tui.exporting.views import default_filename
from kb4tui.ui.app import KB4App
from kb4tui.ui.compat import footer_keys, notifications
from kb4tui.ui.panes.campaigns import CampaignsPane
from kb4tui.ui.panes.compliance import CompliancePane
from kb4tui.ui.screens.enrollments import EnrollmentsScreen
from kb4tui.ui.screens.export import ExportScreen
from kb4tui.ui.screens.help import help_text
from kb4tui.ui.screens.main import MainScreen

SIZE = (120, 40)


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the dialog's default path is in the current directory


def dialog(app: KB4App) -> ExportScreen:
    screen = app.screen
    assert isinstance(screen, ExportScreen), screen
    return screen


def notes(app: KB4App) -> list[str]:
    return [str(n.message) for n in notifications(app)]


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def listing(directory: Path) -> list[Path]:
    return sorted(directory.iterdir())


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def export_to(pilot: Any, path: str | None) -> ExportScreen:
    """Press e, optionally replace the path, press enter, wait for the write."""
    await pilot.press("e")
    await pilot.pause()
    screen = dialog(pilot.app)
    if path is not None:
        screen.query_one("#export-path", Input).value = path
    await pilot.press("enter")
    await settle(pilot)
    return screen


async def test_campaigns_export_is_the_filtered_sorted_rows(tmp_path: Path) -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        pane = main(app).pane(CampaignsPane)
        await pilot.press("slash", *"security", "enter", "s", "S")  # filter, name Z-A
        shown = [c.name or "" for c in pane.table.visible_items if isinstance(c, Campaign)]
        assert 1 < len(shown) < 25 and shown == sorted(shown, key=str.casefold, reverse=True)
        assert "campaigns.export" in help_text(app.screen).plain  # listed in help, remappable
        footer = main(app).query_one(Footer)
        assert any("Export" in str(key.render()) for key in footer_keys(footer))
        await pilot.press("e")
        await pilot.pause()
        path = dialog(app).query_one("#export-path", Input)
        assert path.value == "kb4tui-campaigns-2026-11-20.csv" and path.has_focus
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        target = tmp_path / "kb4tui-campaigns-2026-11-20.csv"
        assert f"Exported {len(shown)} rows to {target}" in notes(app)

    assert [row["name"] for row in read_csv(target)] == shown
    assert mode(target) == 0o600


async def test_enrollments_status_choice_as_json_and_an_error_keeps_the_path(
    tmp_path: Path,
) -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        pane = main(app).pane(CampaignsPane)
        campaign = next(c for c in pane.table.visible_items if c.name == "GDPR Essentials")
        pane.table.scroll_to_item(campaign)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, EnrollmentsScreen)
        await pilot.press("d")  # Past Due only
        shown = [e.enrollment_id for e in screen.pane.table.visible_items]
        assert isinstance(screen.pane.table.visible_items[0], Enrollment)
        assert 0 < len(shown) < screen.pane.table.total_count

        await pilot.press("e")
        await pilot.pause()
        export = dialog(app)
        export.query_one("#export-format", Select).value = "json"
        await pilot.pause()
        path = export.query_one("#export-path", Input)
        assert path.value == "kb4tui-enrollments-gdpr-essentials-2026-11-20.json"

        bad = str(tmp_path / "no-such-dir" / "out.json")
        path.value = bad
        await pilot.press("enter")
        await settle(pilot)
        assert dialog(app) is export and path.value == bad  # still open, typed text kept
        error = str(export.query_one("#export-error", Static).render())
        assert error.startswith(f"Could not write {bad}")

        path.value = "past-due.json"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen

    records = read_json(tmp_path / "past-due.json")
    assert [r["enrollment_id"] for r in records] == shown
    assert {r["status"] for r in records} <= {"Past Due", "past_due"}
    # The failed attempt left nothing behind (no temporary .part file).
    assert [p.name for p in listing(tmp_path)] == ["past-due.json"]


async def test_compliance_deadlines_export_and_escape_cancels(tmp_path: Path) -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        section = main(app).pane(CompliancePane).deadlines
        shown = [r.campaign.campaign_id for r in section.table.visible_items]
        assert shown and isinstance(section.table.visible_items[0], DeadlineRow)

        await pilot.press("e", "escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen) and not listing(tmp_path)

        await export_to(pilot, None)
    [written] = listing(tmp_path)
    assert written.name == "kb4tui-deadlines-2026-11-20.csv"
    rows = read_csv(written)
    assert [int(row["campaign_id"]) for row in rows] == shown
    assert {"days_left", "past_due", "not_started"} <= set(rows[0])


def test_default_filename_is_shell_safe() -> None:
    from datetime import date

    name = default_filename("enrollments", "[/Q3] Phish [bold]drill", date(2026, 1, 2), "csv")
    assert name == "kb4tui-enrollments-q3-phish-bold-drill-2026-01-02.csv"
    assert default_filename("library", None, date(2026, 1, 2), "json") == (
        "kb4tui-library-2026-01-02.json"
    )
