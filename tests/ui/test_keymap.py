"""The [keys] table of the config remaps bindings by id."""

from __future__ import annotations

from pathlib import Path

import pytest
from ui_support import demo_app, settle

from kb4tui.store.config import ConfigError, load_settings
from kb4tui.store.paths import config_path
from kb4tui.ui.compat import notifications
from kb4tui.ui.panes.campaigns import CampaignsPane
from kb4tui.ui.panes.library import LibraryPane
from kb4tui.ui.screens.main import MainScreen


async def test_the_keys_table_of_the_config_remaps_a_binding_by_its_id() -> None:
    config_path().parent.mkdir(parents=True)
    config_path().write_text('[keys]\n"main.library" = "l"\n"no.such.binding" = "x"\n')
    keymap = load_settings().keys
    assert keymap == {"main.library": "l", "no.such.binding": "x"}
    app = demo_app(users=20, keymap=keymap)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen) and isinstance(screen.active_pane, CampaignsPane)
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(screen.active_pane, LibraryPane)
        await pilot.press("1", "2")  # remapped: the old key no longer shows the library
        await settle(pilot)
        assert isinstance(screen.active_pane, CampaignsPane)
        messages = [n.message for n in notifications(app)]
    assert any("no.such.binding" in m and "ignored" in m for m in messages)
    assert not any("main.library" in m for m in messages)


def test_a_keys_value_that_is_not_a_string_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[keys]\n"main.library" = 3\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"main\.library"):
        load_settings(path)
