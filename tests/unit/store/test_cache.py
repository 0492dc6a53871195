"""The SQLite data cache: round trip, freshness, file modes, no key, 100k records."""

from __future__ import annotations

import sqlite3
import stat
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb4tui.store.cache import (
    Cache,
    CachedSet,
    account_key,
    cache_path,
    list_cache_files,
)

T0 = datetime(2026, 11, 27, 12, 0, 0, 123456, tzinfo=UTC)
ACCOUNT = account_key("https://us.api.knowbe4.com")


def enrollment(i: int) -> dict[str, Any]:
    """One enrollment shaped like the API's (knowbe4-api.md §3), with nulls and markup."""
    return {
        "enrollment_id": 2_290_311 + i,
        "content_type": "Store Purchase",
        "module_name": f"2026 Security Awareness Training {i % 40}",
        "user": {
            "id": 100_000 + i % 5000,
            "first_name": "Zoë",
            "last_name": f"O'Brien [/Q3] {i % 997}",
            "email": f"user{i % 5000}@example.com",
            "employee_number": 19425,
        },
        "campaign_name": f"Q{i % 4} Compliance",
        "campaign_id": 1000 + i % 50,
        "store_purchase_id": 500 + i % 40,
        "enrollment_date": "2026-03-01T14:30:00.000Z",
        "start_date": None,
        "completion_date": None,
        "status": ("Passed", "In Progress", "Not Started", "Past Due")[i % 4],
        "time_spent": 2340,
        "policy_acknowledged": False,
    }


@pytest.fixture
def cache(tmp_path: Path) -> Any:
    opened = Cache.open(tmp_path, "acme", ACCOUNT)
    yield opened
    opened.close()


def test_round_trip_keeps_the_api_json_exactly(tmp_path: Path) -> None:
    records = [enrollment(i) for i in range(50)]
    with Cache.open(tmp_path, "acme", ACCOUNT) as cache:
        cache.put("enrollments:all", records, T0)
        assert cache.pop_notices() == []
    with Cache.open(tmp_path, "acme", ACCOUNT) as reopened:
        got = reopened.get("enrollments:all")
    assert got is not None
    assert got.records == records
    assert got.fetched_at == T0  # to the microsecond
    assert got.kind == "enrollments:all"


def test_get_of_an_unknown_kind_is_none(cache: Cache) -> None:
    assert cache.get("campaigns") is None
    assert cache.age("campaigns") is None
    assert cache.fetched_at("campaigns") is None


def test_put_replaces_the_whole_kind(cache: Cache) -> None:
    cache.put("campaigns", [{"campaign_id": 1}, {"campaign_id": 2}], T0)
    later = T0 + timedelta(minutes=5)
    cache.put("campaigns", [{"campaign_id": 3}], later)
    got = cache.get("campaigns")
    assert got is not None
    assert got.records == [{"campaign_id": 3}]
    assert got.fetched_at == later


def test_drop_forgets_one_kind(cache: Cache) -> None:
    cache.put("campaigns", [{"campaign_id": 1}], T0)
    cache.put("users", [{"id": 1}], T0)
    cache.drop("campaigns")
    cache.drop("never-cached")
    assert cache.get("campaigns") is None
    assert [info.kind for info in cache.kinds()] == ["users"]


def test_empty_list_is_cached_not_missing(cache: Cache) -> None:
    cache.put("policies", [], T0)
    got = cache.get("policies")
    assert got is not None and got.records == []


def test_naive_fetch_time_is_read_as_utc(cache: Cache) -> None:
    cache.put("users", [], datetime(2026, 11, 27, 12, 0))
    assert cache.fetched_at("users") == datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def test_other_time_zones_are_stored_as_the_same_instant(cache: Cache) -> None:
    from zoneinfo import ZoneInfo

    berlin = T0.astimezone(ZoneInfo("Europe/Berlin"))
    cache.put("users", [], berlin)
    assert cache.fetched_at("users") == T0


def test_age_and_freshness_against_the_ttl(cache: Cache) -> None:
    ttl = timedelta(minutes=15)
    cache.put("campaigns", [{"campaign_id": 1}], T0)
    assert cache.age("campaigns", now=T0 + timedelta(minutes=10)) == timedelta(minutes=10)
    assert cache.is_fresh("campaigns", ttl, now=T0 + timedelta(minutes=14, seconds=59))
    assert not cache.is_fresh("campaigns", ttl, now=T0 + ttl)
    assert not cache.is_fresh("campaigns", ttl, now=T0 + timedelta(hours=3))
    assert not cache.is_fresh("store_purchases", ttl, now=T0)
    # A clock turned back by an hour must not make old data look fresh for an hour more.
    assert not cache.is_fresh("campaigns", ttl, now=T0 - timedelta(hours=1))


def test_cached_set_age(cache: Cache) -> None:
    cache.put("account", [{"name": "Acme"}], T0)
    got = cache.get("account")
    assert isinstance(got, CachedSet)
    assert got.age_at(T0 + timedelta(seconds=90)) == timedelta(seconds=90)
    assert got.age > timedelta(0)  # T0 is in the past of the real clock's test run


def test_kinds_and_latest_fetch(cache: Cache) -> None:
    assert cache.kinds() == []
    assert cache.latest_fetch() is None
    cache.put("campaigns", [{"campaign_id": 1}, {"campaign_id": 2}], T0)
    cache.put("enrollments:campaign=42", [enrollment(1)], T0 + timedelta(minutes=3))
    cache.put("account", [{"name": "Acme"}], T0 - timedelta(minutes=1))
    assert [tuple(info) for info in cache.kinds()] == [
        ("account", 1, T0 - timedelta(minutes=1)),
        ("campaigns", 2, T0),
        ("enrollments:campaign=42", 1, T0 + timedelta(minutes=3)),
    ]
    assert cache.latest_fetch() == T0 + timedelta(minutes=3)


def _bytes_on_disk(directory: Path) -> int:
    return sum(p.stat().st_size for p in directory.iterdir() if p.is_file())


def test_clear_forgets_everything_and_shrinks_the_file(tmp_path: Path) -> None:
    with Cache.open(tmp_path, "acme", ACCOUNT) as cache:
        cache.put("enrollments:all", [enrollment(i) for i in range(20_000)], T0)
        cache.put("campaigns", [{"campaign_id": 1}], T0)
        assert _bytes_on_disk(tmp_path) > 300_000
        cache.clear()
        assert cache.kinds() == []
        assert cache.get("enrollments:all") is None
        # The personal data's pages are gone from the file and the WAL, not just unlinked.
        assert _bytes_on_disk(tmp_path) < 100_000  # what is left: empty pages, -shm index
    with Cache.open(tmp_path, "acme", ACCOUNT) as reopened:
        assert reopened.kinds() == []


def test_file_is_0600_in_a_0700_directory(tmp_path: Path) -> None:
    directory = tmp_path / "kb4tui"
    directory.mkdir(mode=0o755)
    directory.chmod(0o755)  # as a careless earlier run or umask 022 would leave it
    with Cache.open(directory, "acme", ACCOUNT) as cache:
        cache.put("campaigns", [{"campaign_id": 1}], T0)
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700
        # The WAL and shared-memory files exist while open; SQLite gives them the db's mode.
        for path in directory.iterdir():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
        assert {p.name for p in directory.iterdir()} >= {cache.path.name, cache.path.name + "-wal"}


def test_an_existing_world_readable_file_is_tightened(tmp_path: Path) -> None:
    path = cache_path("acme", ACCOUNT, tmp_path)
    with Cache.open(tmp_path, "acme", ACCOUNT):
        pass
    path.chmod(0o644)
    with Cache.open(tmp_path, "acme", ACCOUNT) as cache:
        assert stat.S_IMODE(cache.path.stat().st_mode) == 0o600


def test_the_schema_has_no_place_for_the_api_key(tmp_path: Path) -> None:
    """The key never reaches the cache because nothing in it can hold one: one table, whose
    columns are the kind name, the fetch time, the count and the API's records. The API's
    records never contain the key (it travels only in the Authorization header)."""
    with Cache.open(tmp_path, "acme", ACCOUNT) as cache:
        cache.put("campaigns", [{"campaign_id": 1}], T0)
        path = cache.path
    conn = sqlite3.connect(path)
    try:
        tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master")]
        columns = [row[1] for row in conn.execute("PRAGMA table_info(datasets)")]
    finally:
        conn.close()
    assert tables == ["datasets", "sqlite_autoindex_datasets_1"]
    assert columns == ["kind", "fetched_at", "record_count", "payload"]


def test_account_key_is_a_short_stable_hash() -> None:
    key = account_key("https://EU.api.knowbe4.com/")
    assert key == account_key("https://eu.api.knowbe4.com")
    assert len(key) == 12 and all(c in "0123456789abcdef" for c in key)
    assert key != account_key("https://us.api.knowbe4.com")


def test_cache_path_per_profile_and_account(tmp_path: Path) -> None:
    assert cache_path("acme", ACCOUNT, tmp_path) == tmp_path / f"acme-{ACCOUNT}.sqlite3"
    with pytest.raises(ValueError):
        cache_path("acme", "sk-not-a-hash", tmp_path)
    odd = cache_path("../../etc/passwd", ACCOUNT, tmp_path)
    assert odd.parent == tmp_path and "/" not in odd.name.removesuffix(".sqlite3")


def test_profiles_and_accounts_do_not_share_data(tmp_path: Path) -> None:
    other_account = account_key("https://eu.api.knowbe4.com")
    with Cache.open(tmp_path, "acme", ACCOUNT) as first:
        first.put("campaigns", [{"campaign_id": 1}], T0)
    with Cache.open(tmp_path, "acme", other_account) as second:
        assert second.get("campaigns") is None
    with Cache.open(tmp_path, "globex", ACCOUNT) as third:
        assert third.get("campaigns") is None


def test_list_cache_files_matches_profiles_exactly(tmp_path: Path) -> None:
    for profile in ("acme", "acme-eu", "globex"):
        Cache.open(tmp_path, profile, ACCOUNT).close()
    (tmp_path / "notes.txt").write_text("not a cache")
    assert [f.profile_slug for f in list_cache_files(tmp_path)] == ["acme", "acme-eu", "globex"]
    assert [f.path.name for f in list_cache_files(tmp_path, "acme")] == [f"acme-{ACCOUNT}.sqlite3"]
    assert list_cache_files(tmp_path / "missing") == []


def test_puts_from_worker_threads(cache: Cache) -> None:
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for j in range(20):
                cache.put(f"kind{n}", [{"n": n, "j": j}], T0)
                assert cache.get(f"kind{n}") is not None
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert [info.record_count for info in cache.kinds()] == [1, 1, 1, 1]
    assert cache.pop_notices() == []


def test_two_processes_worth_of_connections_see_each_others_writes(tmp_path: Path) -> None:
    with (
        Cache.open(tmp_path, "acme", ACCOUNT) as first,
        Cache.open(tmp_path, "acme", ACCOUNT) as second,
    ):
        first.put("campaigns", [{"campaign_id": 1}], T0)
        got = second.get("campaigns")
        assert got is not None and got.records == [{"campaign_id": 1}]


def test_100k_enrollments_put_and_get(tmp_path: Path) -> None:
    records = [enrollment(i) for i in range(100_000)]
    with Cache.open(tmp_path, "acme", ACCOUNT) as cache:
        # Timings are benchmarks/bench_cache.py's job; this checks 100k rows round-trip.
        cache.put("enrollments:all", records, T0)
    with Cache.open(tmp_path, "acme", ACCOUNT) as cache:
        got = cache.get("enrollments:all")
        size = cache.path.stat().st_size
    assert got is not None and len(got.records) == 100_000
    assert got.records == records
    assert size < 10_000_000


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=10,
)


@settings(
    max_examples=25,
    deadline=None,
    # This list replaces conftest's profile list: keep its too_slow.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(records=st.lists(st.dictionaries(st.text(max_size=10), json_values, max_size=6), max_size=8))
def test_any_json_records_round_trip(cache: Cache, records: list[dict[str, Any]]) -> None:
    cache.put("anything", records, T0)
    got = cache.get("anything")
    assert got is not None and got.records == records


def test_lone_surrogates_and_markup_survive(cache: Cache) -> None:
    records = [{"name": "bad \ud800 half", "title": "[bold]x[/bold] [/Q3]", "n": 10**30}]
    cache.put("users", records, T0)
    got = cache.get("users")
    assert got is not None and got.records == records
