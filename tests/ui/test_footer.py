"""The footer is rebuilt once per change of the keys it shows, and always shows them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from ui_support import demo_app, main, open_campaign, settle

from kb4tui.ui import compat
from kb4tui.ui.widgets.footer import AppFooter

SIZE = (120, 40)


def footer_keys(footer: AppFooter) -> list[str]:
    return [f"{key.key_display} {key.description}".strip() for key in compat.footer_keys(footer)]


@pytest.fixture
def rebuilds(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[AppFooter]]:
    built: list[AppFooter] = []
    recompose = AppFooter.recompose

    async def counting(self: AppFooter) -> None:
        built.append(self)
        await recompose(self)

    monkeypatch.setattr(AppFooter, "recompose", counting)
    yield built


async def test_start_up_and_opening_a_campaign_build_each_footer_once(
    rebuilds: list[AppFooter],
) -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        footer = main(app).query_one(AppFooter)
        assert rebuilds == [footer]  # Textual's Footer: three times
        assert "⏎ Open" in footer_keys(footer)
        rebuilds.clear()
        screen = await open_campaign(pilot, "GDPR Essentials")
        footer = screen.query_one(AppFooter)
        assert rebuilds == [footer]  # Textual's Footer: four times
        shown = footer_keys(footer)
        assert "esc Back" in shown and "u User" in shown, shown


async def test_the_footer_follows_what_escape_does(rebuilds: list[AppFooter]) -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        footer = main(app).query_one(AppFooter)
        rebuilds.clear()
        await pilot.press("slash")
        await pilot.pause()
        assert "esc Clear filter" in footer_keys(footer)
        await pilot.press(*"gdpr")
        await pilot.pause()
        assert len(rebuilds) == 1  # typing changes nothing the footer shows
        await pilot.press("escape")
        await pilot.pause()
        assert "esc Clear filter" not in footer_keys(footer)
        assert len(rebuilds) == 2
