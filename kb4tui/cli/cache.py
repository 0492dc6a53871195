"""`kb4tui cache info` and `kb4tui cache clear [--profile P]`."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from kb4tui.exitcodes import ExitCode

__all__ = ["format_age", "register", "run_clear", "run_info"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "cache",
        help="show or clear the local data cache",
        description=(
            "The cache keeps the data last fetched from the API (one SQLite file per profile "
            "and account, readable only by you; never the API key), so kb4tui starts at once, "
            "works offline and spends less of the daily request quota."
        ),
    )
    actions = parser.add_subparsers(dest="cache_action", metavar="ACTION", required=True)
    info = actions.add_parser(
        "info", help="where the cache is, how big it is, and how old each kind of data is"
    )
    clear = actions.add_parser(
        "clear",
        help="forget the cached data (all profiles, or one with --profile)",
        description=(
            "Forget the cached data. The quota meter is kept: the server still counts "
            "today's requests."
        ),
    )
    for action, handler in ((info, run_info), (clear, run_clear)):
        # SUPPRESS keeps a --profile given before the subcommand.
        action.add_argument("--profile", default=argparse.SUPPRESS, help="only this profile")
        action.set_defaults(handler=handler)


def format_age(age: timedelta) -> str:
    """ "45 s", "14 min", "3 h 5 min", "2 d 4 h": short enough for a table column."""
    seconds = int(age.total_seconds())
    if seconds < 0:
        return "in the future"
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def _size(path: Path) -> int:
    total = 0
    for suffix in ("", "-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        if companion.is_file():
            total += companion.stat().st_size
    return total


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size / 1000:.0f} kB"


def _warn(notices: list[str]) -> None:
    for notice in notices:
        print(f"kb4tui: {notice}", file=sys.stderr)


def _whose(slug: str) -> str:
    """How `cache info` names a profile (the demo's files are not a profile's)."""
    from kb4tui.store.paths import DEMO_STORE_NAME

    return "the demo" if slug == DEMO_STORE_NAME else slug


def _account_name(cache: Any) -> str | None:
    cached = cache.get("account")
    if cached is None or not cached.records:
        return None
    name = cached.records[0].get("name")
    return name if isinstance(name, str) and name else None


def _unreadable(directory: Path, exc: OSError) -> int:
    """One sentence for a cache (or quota) directory this user cannot read or change."""
    reason = (exc.strerror or type(exc).__name__).lower()
    where = exc.filename or directory
    print(
        f"kb4tui: Cannot use the cache in {where} ({reason}); check that this user owns "
        "that directory and can read and write it.",
        file=sys.stderr,
    )
    return ExitCode.USAGE


def run_info(args: argparse.Namespace) -> int:
    from kb4tui.store.cache import default_cache_dir

    directory = default_cache_dir()
    try:
        return _info(args, directory)
    except OSError as exc:
        return _unreadable(directory, exc)


def _info(args: argparse.Namespace, directory: Path) -> int:
    from kb4tui.store.cache import Cache, list_cache_files
    from kb4tui.store.dbfile import file_slug
    from kb4tui.store.quota import QuotaMeter, quota_file_for

    profile: str | None = getattr(args, "profile", None)
    files = list_cache_files(directory, profile)
    print(f"Cache directory: {directory}")
    if not files:
        whose = f" for profile {profile}" if profile else ""
        print(f"No cached data{whose}.")
    now = datetime.now(UTC)
    seen_profiles: list[str] = []
    for entry in files:
        with Cache.open_path(entry.path) as cache:
            kinds = cache.kinds()
            account = _account_name(cache)
            _warn(cache.pop_notices())
        whose = _whose(entry.profile_slug)
        label = f"profile {profile or whose}"
        if whose != entry.profile_slug:
            label = f"{whose}, kb4tui --demo"
        if account:
            label += f", account {account}"
        print()
        print(f"{entry.path.name}  ({label})  {_megabytes(_size(entry.path))}")
        if not kinds:
            print("  (empty)")
        else:
            width = max(len("kind"), *(len(info.kind) for info in kinds))
            print(f"  {'kind':<{width}}  {'records':>8}  {'fetched (UTC)':<16}  age")
            for info in kinds:
                fetched = info.fetched_at.strftime("%Y-%m-%d %H:%M")
                age = format_age(now - info.fetched_at)
                print(f"  {info.kind:<{width}}  {info.record_count:>8,}  {fetched:<16}  {age}")
        if entry.profile_slug not in seen_profiles:
            seen_profiles.append(entry.profile_slug)
    # Meters of profiles with nothing cached too: `export` and `get` count, but cache nothing.
    wanted = file_slug(profile) if profile else None
    for slug in _metered_profiles():
        if slug not in seen_profiles and wanted in (None, slug):
            seen_profiles.append(slug)
    for slug in seen_profiles:
        path = quota_file_for(slug)
        if not path.is_file():
            continue
        with QuotaMeter.open_path(path) as meter:
            status = meter.status(now)
            _warn(meter.pop_notices())
        print()
        print(
            f"Requests in the last 24 h ({_whose(slug)}): {status.used:,} of {status.limit:,}"
            + ("  (over 80%)" if status.warning else "")
        )
    return ExitCode.OK


def _metered_profiles() -> list[str]:
    """The profile slugs with a quota meter file, by name."""
    from kb4tui.store.quota import QUOTA_SUFFIX, default_quota_dir

    directory = default_quota_dir()
    if not directory.is_dir():
        return []
    return sorted(
        path.name.removesuffix(QUOTA_SUFFIX)
        for path in directory.iterdir()
        if path.name.endswith(QUOTA_SUFFIX)
    )


def run_clear(args: argparse.Namespace) -> int:
    from kb4tui.store.cache import default_cache_dir

    directory = default_cache_dir()
    try:
        return _clear(args, directory)
    except OSError as exc:
        return _unreadable(directory, exc)


def _clear(args: argparse.Namespace, directory: Path) -> int:
    from kb4tui.store.cache import Cache, list_cache_files

    profile: str | None = getattr(args, "profile", None)
    files = list_cache_files(directory, profile)
    cleared = 0
    for entry in files:
        with Cache.open_path(entry.path) as cache:
            cleared += len(cache.kinds())
            cache.clear()
            _warn(cache.pop_notices())
        # Files moved aside after corruption hold the same personal data.
        for leftover in directory.glob(f"{entry.path.name}.corrupt-*"):
            leftover.unlink(missing_ok=True)
    whose = f" of profile {profile}" if profile else ""
    if not files:
        print(f"No cached data{whose} in {directory}.")
    else:
        print(
            f"Cleared {cleared} cached data set{'s' if cleared != 1 else ''}{whose} "
            f"in {directory}. The quota meter is kept."
        )
    return ExitCode.OK
