"""`kb4tui cache info` and `kb4tui cache clear`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kb4tui.cli import main
from kb4tui.cli.cache import format_age
from kb4tui.store.cache import Cache, account_key, default_cache_dir
from kb4tui.store.quota import QuotaMeter

US = account_key("https://us.api.knowbe4.com")
EU = account_key("https://eu.api.knowbe4.com")


@pytest.fixture
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return tmp_path / "cache" / "kb4tui", tmp_path / "state" / "kb4tui"


def fill(profile: str, account: str, name: str, campaigns: int) -> None:
    now = datetime.now(UTC)
    with Cache.open(None, profile, account) as cache:
        cache.put("account", [{"name": name, "number_of_seats": 250}], now)
        rows = [{"campaign_id": i} for i in range(campaigns)]
        cache.put("campaigns", rows, now - timedelta(minutes=14))
    with QuotaMeter.open(None, profile) as meter:
        meter.set_seats(250)
        meter.record(42)


def test_info_without_any_cache(
    dirs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["cache", "info"]) == 0
    out = capsys.readouterr().out
    assert f"Cache directory: {dirs[0]}" in out
    assert "No cached data." in out
    assert not dirs[0].exists()  # looking does not create anything


def test_info_lists_files_kinds_ages_and_quota(
    dirs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert default_cache_dir() == dirs[0]
    fill("acme", US, "Acme [/Q3] Corp", 1234)
    fill("globex", EU, "Globex", 3)
    assert main(["cache", "info"]) == 0
    out = capsys.readouterr().out
    assert f"acme-{US}.sqlite3  (profile acme, account Acme [/Q3] Corp)" in out
    assert f"globex-{EU}.sqlite3  (profile globex, account Globex)" in out
    campaigns_line = next(line for line in out.splitlines() if "campaigns" in line)
    assert "1,234" in campaigns_line and "14 min" in campaigns_line
    assert "Requests in the last 24 h (acme): 42 of 2,250" in out
    assert "Requests in the last 24 h (globex): 42 of 2,250" in out


@pytest.mark.parametrize(
    "argv", [["cache", "info", "--profile", "acme"], ["--profile", "acme", "cache", "info"]]
)
def test_info_for_one_profile(
    argv: list[str], dirs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    fill("acme", US, "Acme", 1)
    fill("acme-eu", EU, "Acme Europe", 1)
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert f"acme-{US}.sqlite3" in out
    assert "acme-eu" not in out


def test_clear_one_profile_keeps_others_and_the_quota(
    dirs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    cache_dir, state_dir = dirs
    fill("acme", US, "Acme", 10)
    fill("globex", EU, "Globex", 10)
    leftover = cache_dir / f"acme-{US}.sqlite3.corrupt-20261127T120000000000Z"
    leftover.write_bytes(b"old personal data")
    assert main(["cache", "clear", "--profile", "acme"]) == 0
    assert "Cleared 2 cached data sets of profile acme" in capsys.readouterr().out
    assert not leftover.exists()
    with Cache.open(None, "acme", US) as acme:
        assert acme.kinds() == []
    with Cache.open(None, "globex", EU) as globex:
        assert len(globex.kinds()) == 2
    with QuotaMeter.open(None, "acme") as meter:
        assert meter.used() == 42
    assert (state_dir / "acme.quota.sqlite3").is_file()


def test_clear_everything(dirs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    fill("acme", US, "Acme", 10)
    fill("globex", EU, "Globex", 10)
    assert main(["cache", "clear"]) == 0
    assert "Cleared 4 cached data sets in" in capsys.readouterr().out
    for profile, account in (("acme", US), ("globex", EU)):
        with Cache.open(None, profile, account) as cache:
            assert cache.kinds() == []


def test_clear_with_nothing_cached(
    dirs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["cache", "clear", "--profile", "nobody"]) == 0
    assert "No cached data of profile nobody" in capsys.readouterr().out


def test_corrupt_file_is_reported_not_fatal(
    dirs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    dirs[0].mkdir(parents=True)
    (dirs[0] / f"acme-{US}.sqlite3").write_bytes(b"garbage" * 100)
    assert main(["cache", "info"]) == 0
    captured = capsys.readouterr()
    assert "moved to" in captured.err
    assert "(empty)" in captured.out


def test_cache_needs_an_action(dirs: tuple[Path, Path]) -> None:
    assert main(["cache"]) == 1


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (5, "5 s"),
        (14 * 60 + 59, "14 min"),
        (3 * 3600, "3 h"),
        (3 * 3600 + 5 * 60, "3 h 5 min"),
        (2 * 86400 + 4 * 3600, "2 d 4 h"),
        (-30, "in the future"),
    ],
)
def test_format_age(seconds: int, text: str) -> None:
    assert format_age(timedelta(seconds=seconds)) == text


@pytest.mark.parametrize("action", ["info", "clear"])
def test_an_unreadable_cache_directory_is_one_sentence(
    action: str,
    dirs: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fill("acme", US, "Acme", 2)

    def denied(self: Path) -> object:
        raise PermissionError(13, "Permission denied", str(self))  # root reads any mode

    monkeypatch.setattr(Path, "iterdir", denied)
    assert main(["cache", action]) == 1
    err = capsys.readouterr().err
    assert err.startswith("kb4tui: Cannot use the cache in") and "permission denied" in err
    assert err.count("\n") == 1 and "Traceback" not in err
