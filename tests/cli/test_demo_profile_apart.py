"""`kb4tui --demo` keeps its cache and quota meter apart from a real profile named "demo"
(an MSP's demo tenant is a real account): fake data never shows under the real profile,
and the demo's requests never count against the real account's quota."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from credentials_fakes import new_key

import kb4tui.session.wiring as wiring
from kb4tui.cli import build_parser, main
from kb4tui.cli.common import resolve_connection
from kb4tui.store.local import open_local_stores
from kb4tui.store.paths import DEMO_STORE_NAME, config_path
from kb4tui.ui.app import KB4App


@pytest.fixture
def stores_opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The store name each `kb4tui` run opens its session under (the app never runs)."""
    opened: list[str] = []
    original = wiring.session_factory

    def recording(make_client: Any, profile: str, ttl: timedelta, **options: Any) -> Any:
        opened.append(options.get("store_name") or profile)
        return original(make_client, profile, ttl, **options)

    monkeypatch.setattr(wiring, "session_factory", recording)
    monkeypatch.setattr(KB4App, "run", lambda self, *a, **k: 0)
    return opened


def test_the_demo_and_a_profile_named_demo_open_different_stores(
    stores_opened: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config_path().parent.mkdir(parents=True)
    config_path().write_text('[profiles.demo]\nregion = "us"\n', encoding="utf-8")
    monkeypatch.setenv("KNOWBE4_API_KEY", new_key())
    assert main(["--demo"]) == 0
    assert main(["--profile", "demo"]) == 0
    assert stores_opened == [DEMO_STORE_NAME, "demo"]


def test_their_cache_and_quota_files_differ_and_count_apart() -> None:
    demo = resolve_connection(build_parser().parse_args(["--demo"]))
    real = resolve_connection(
        build_parser().parse_args(["--profile", "demo"]), require_profile=False
    )
    assert (demo.profile, real.profile) == ("demo", "demo")  # both are "demo" on screen
    assert demo.api_base_url == real.api_base_url  # the same host: only the name tells
    assert demo.store_name != real.store_name and demo.data_dir != real.data_dir
    demo_stores = open_local_stores(demo.store_name, demo.api_base_url)
    real_stores = open_local_stores(real.store_name, real.api_base_url)
    try:
        assert demo_stores.cache.path != real_stores.cache.path
        assert demo_stores.quota.meter.path != real_stores.quota.meter.path
        demo_stores.quota.meter.record(40)
        assert real_stores.quota.meter.used() == 0
    finally:
        demo_stores.close()
        real_stores.close()


def test_cache_info_names_the_demos_files_as_the_demo(
    capsys: pytest.CaptureFixture[str],
) -> None:
    stores = open_local_stores(DEMO_STORE_NAME, "https://us.api.knowbe4.com")
    stores.quota.meter.record(3)
    stores.close()
    assert main(["cache", "info"]) == 0
    out = capsys.readouterr().out
    assert "(the demo, kb4tui --demo)" in out
    assert "Requests in the last 24 h (the demo): 3 of 2,000" in out
