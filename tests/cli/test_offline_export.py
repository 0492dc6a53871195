"""`kb4tui export ... --offline`: the export read from the cache the TUI filled, with no
key and no request; nothing cached is one sentence and exit 3."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import Callable
from functools import partial

import pytest
from client_fakes import list_raw
from session_support import demo_session

from kb4tui.api.client import KnowBe4Client
from kb4tui.api.models import Enrollment
from kb4tui.cli import common, main
from kb4tui.demo import (
    DEMO_API_KEY,
    FakeAPIConfig,
    FakeKnowBe4API,
    FakeKnowBe4Transport,
    generate_org,
)
from kb4tui.session.datasets import ALL_ENROLLMENTS, CAMPAIGNS, LIBRARY, EnrollmentSubset
from kb4tui.session.enrollment_query import EnrollmentQuery
from kb4tui.store.paths import DEMO_STORE_NAME

pytestmark = pytest.mark.timeout(60)


def fake_api() -> FakeKnowBe4API:
    return FakeKnowBe4API(
        {DEMO_API_KEY: partial(generate_org, users=150)}, FakeAPIConfig(rate_limit=False)
    )


async def fill_cache(api: FakeKnowBe4API) -> int:
    """What the TUI caches for `--demo` (under DEMO_STORE_NAME): campaigns, the library, all
    enrollments and one campaign's. Returns that campaign's id."""
    async with demo_session(api=api, store_name=DEMO_STORE_NAME, start=False) as session:
        campaigns = (await session.get(CAMPAIGNS)).value
        await session.get(LIBRARY)
        await session.get(ALL_ENROLLMENTS)
        campaign_id = next(c.campaign_id for c in campaigns if c.campaign_id is not None)
        # The campaign's own list too (refresh: not answered from all enrollments).
        own = EnrollmentSubset(EnrollmentQuery(campaign_id=campaign_id))
        await session.get(own, refresh=True)
    return campaign_id


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("--offline opened a client")

    monkeypatch.setattr(common, "open_client", refuse)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["export", *argv, "--demo", "--offline"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


async def test_json_keeps_the_cached_records_exactly(
    capsys: pytest.CaptureFixture[str], no_network: None
) -> None:
    api = fake_api()
    await fill_cache(api)
    requests = len(api.log.entries())
    code, out, err = await _in_thread(run, capsys, "campaigns", "--format", "json")
    assert (code, err) == (0, "")
    code, modules, _ = await _in_thread(run, capsys, "modules", "--format", "json")
    assert code == 0
    assert len(api.log.entries()) == requests  # the API was not asked
    async with KnowBe4Client(DEMO_API_KEY, transport=FakeKnowBe4Transport(api)) as client:
        assert json.loads(out) == await list_raw(client, "campaigns")
        library = await list_raw(client, "store_purchases") + await list_raw(client, "policies")
    assert json.loads(modules) == library


async def test_enrollments_of_a_campaign_and_overdue_from_the_cache(
    capsys: pytest.CaptureFixture[str], no_network: None
) -> None:
    api = fake_api()
    campaign_id = await fill_cache(api)
    code, out, err = await _in_thread(run, capsys, "enrollments", "--campaign", str(campaign_id))
    assert (code, err) == (0, "")
    rows = list(csv.DictReader(io.StringIO(out)))
    async with KnowBe4Client(DEMO_API_KEY, transport=FakeKnowBe4Transport(api)) as client:
        online = await list_raw(
            client, "enrollments", campaign_id=campaign_id, exclude_archived_users=True
        )
    assert len(rows) == len(online) > 0
    # A user's enrollments are not cached on their own: filtered from all enrollments.
    some_user = Enrollment.from_api(online[0]).user_id
    code, out, _ = await _in_thread(run, capsys, "enrollments", "--user", str(some_user))
    assert code == 0
    users = {r["user_id"] for r in csv.DictReader(io.StringIO(out))}
    assert users == {str(some_user)}
    code, _, err = await _in_thread(run, capsys, "overdue")
    assert (code, err) == (0, "")


def test_nothing_cached_is_one_sentence_and_exit_3(
    capsys: pytest.CaptureFixture[str], no_network: None
) -> None:
    code, out, err = run(capsys, "campaigns")
    assert (code, out) == (3, "")
    assert err.count("\n") == 1 and "no cached data for profile demo" in err
    assert "Traceback" not in err


async def test_a_kind_that_is_not_cached_says_which(
    capsys: pytest.CaptureFixture[str], no_network: None
) -> None:
    await fill_cache(fake_api())
    for argv in (["users"], ["not-enrolled", "--campaign", "1"]):
        code, out, err = await _in_thread(run, capsys, *argv)
        assert (code, out) == (3, ""), argv
        assert "no cached users for profile demo" in err and err.count("\n") == 1


async def _in_thread(
    fn: Callable[..., tuple[int, str, str]], *args: object
) -> tuple[int, str, str]:
    """`main` runs its own event loop: call it off this test's loop."""
    return await asyncio.to_thread(fn, *args)


def test_an_unreadable_cache_directory_says_so(
    capsys: pytest.CaptureFixture[str], no_network: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pathlib

    def denied(self: pathlib.Path) -> bool:
        # What stat() says under a directory this user may not enter (root may enter all).
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(pathlib.Path, "is_file", denied)
    code, out, err = run(capsys, "campaigns")
    assert (code, out) == (1, "")
    assert "Cannot read the cache in" in err and "permission denied" in err
    assert "standard output" not in err and err.count("\n") == 1


async def test_a_damaged_cache_is_said_to_be_set_aside(
    capsys: pytest.CaptureFixture[str], no_network: None
) -> None:
    from kb4tui.store.cache import default_cache_dir

    await fill_cache(fake_api())
    (path,) = default_cache_dir().glob(f"{DEMO_STORE_NAME}-*.sqlite3")
    path.write_bytes(path.read_bytes()[:1000])  # truncated, as a full disk or a kill leaves it
    code, out, err = await _in_thread(run, capsys, "campaigns")
    assert (code, out) == (3, "")
    assert "was damaged and has been set aside as" in err and ".corrupt-" in err
    assert "no cached" not in err and err.count("\n") == 1
