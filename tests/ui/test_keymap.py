"""The [keys] table of the config remaps bindings by id."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from ui_support import (
    FROZEN_NOW,
    DemoSource,
    demo_repository_factory,
    frozen_clock,
    settle,
)

from kb4tui.demo import (
    generate_org,
)
from kb4tui.repository import EnrollmentQuery, Repository
from kb4tui.store.config import ConfigError, load_settings
from kb4tui.store.paths import config_path
from kb4tui.ui.app import KB4App
from kb4tui.ui.compat import notifications
from kb4tui.ui.screens.main import MainScreen
from kb4tui.ui.widgets.campaigns_pane import CampaignsPane
from kb4tui.ui.widgets.library_pane import LibraryPane


class Clock:
    def __init__(self) -> None:
        self.now = FROZEN_NOW

    def __call__(self) -> datetime:
        return self.now


def demo_source() -> DemoSource:
    return DemoSource(generate_org(users=60, now=FROZEN_NOW))


async def rows_of(repo: Repository, query: EnrollmentQuery, refresh: bool = False) -> list[Any]:
    return [
        row async for page in repo.enrollment_pages(query, refresh=refresh) for row in page.rows
    ]


def count_calls(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> list[int]:
    """Wrap `owner.name` (a function or classmethod) so each call is counted."""
    calls: list[int] = []
    original = getattr(owner, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(*args, **kwargs)

    wrapper: Any = (
        classmethod(lambda cls, *a, **k: counted(*a, **k)) if isinstance(owner, type) else counted
    )
    monkeypatch.setattr(owner, name, wrapper)
    return calls


async def test_the_keys_table_of_the_config_remaps_a_binding_by_its_id() -> None:
    config_path().parent.mkdir(parents=True)
    config_path().write_text('[keys]\n"main.library" = "l"\n"no.such.binding" = "x"\n')
    keymap = load_settings().keys
    assert keymap == {"main.library": "l", "no.such.binding": "x"}
    app = KB4App(
        repository_factory=demo_repository_factory(users=20),
        profile="demo",
        clock=frozen_clock,
        keymap=keymap,
    )
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
