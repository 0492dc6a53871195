"""Sorting campaigns by End: dates by date, relative durations ("+1 month") by their
length, each kind apart, never everything as text (issue 12, item 2)."""

from __future__ import annotations

from datetime import UTC, datetime

from ui_support import demo_app, main, plain, settle

from kb4tui.api.models import Campaign
from kb4tui.ui.panes.campaigns import CampaignsPane
from kb4tui.ui.table import TableModel

SIZE = (120, 40)
# The demo's relative durations, shortest first.
DURATIONS = ["+1 week", "+2 weeks", "+30 days", "+1 month", "+3 months"]


def end_column(pane: CampaignsPane) -> list[str]:
    """The End cells on screen, top to bottom."""
    table = pane.table
    lines = [table.render_line(y).text for y in range(table.size.height)]
    start = lines[0].index("End")
    width = next(c.width for c in CampaignsPane.COLUMNS if c.key == "end") or 0
    return [line[start : start + width].strip() for line in lines[1:] if line.strip()]


def in_order(values: list[str]) -> bool:
    return values == sorted(values, key=lambda v: DURATIONS.index(v) if v in DURATIONS else v)


async def test_s_sorts_end_dates_by_date_then_relative_durations_by_length() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        pane = main(app).pane(CampaignsPane)
        for _ in CampaignsPane.SORTS:
            if "sorted by end" in plain(pane.summary):
                break
            await pilot.press("s")
        assert "sorted by end ↑" in plain(pane.summary)
        ends = end_column(pane)
        assert len(ends) == pane.table.row_count == 25
        dates = [end for end in ends if not end.startswith("+")]
        assert ends[: len(dates)] == sorted(dates)  # every date first, oldest first
        assert in_order(ends[len(dates) :]) and set(ends[len(dates) :]) == set(DURATIONS)
        await pilot.press("S")
        assert "sorted by end ↓" in plain(pane.summary)
        assert end_column(pane) == ends[::-1]  # no ties among the demo's ends


def campaign(name: str, end: datetime | None = None, duration: str | None = None) -> Campaign:
    return Campaign(name=name, end_date=end, relative_duration=duration)


def test_the_end_order_ranks_odd_durations_after_known_ones_and_no_end_last() -> None:
    rows = [
        campaign("none"),
        campaign("fortnight", duration="2 weeks"),
        campaign("odd", duration="until done"),
        campaign("march", end=datetime(2027, 3, 3, tzinfo=UTC)),
        campaign("month", duration="1 month"),
        campaign("blank", duration="  "),
        campaign("november", end=datetime(2025, 11, 8, tzinfo=UTC)),
        campaign("days", duration="31 days"),
    ]
    end = next(spec for spec in CampaignsPane.SORTS if spec.column == "end")
    model: TableModel[Campaign] = TableModel()
    model.set_rows(rows, lambda c: (c.name or "",))
    model.sort_by("end", end.key)
    ascending = ["november", "march", "fortnight", "month", "days", "odd", "none", "blank"]
    assert [c.name for c in model.visible_items] == ascending
    model.sort_by("end", end.key, reverse=True)
    descending = ["odd", "days", "month", "fortnight", "march", "november", "none", "blank"]
    assert [c.name for c in model.visible_items] == descending
