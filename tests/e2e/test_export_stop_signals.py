"""SIGTERM or SIGHUP during `kb4tui export -o FILE` removes the temporary `.FILE.*.part`
(owner-only, but full of names and emails) as Ctrl-C does, and exits 128 + the signal."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kb4tui.demo import FakeAPIConfig, FakeKnowBe4API, LoopbackServer, generate_org

KEY = "kb4tui-stop-signal-key-6d6d6d6d"
REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def slow_server() -> Iterator[LoopbackServer]:
    # Each page takes a while: the export is surely still running when the signal comes.
    api = FakeKnowBe4API(
        {KEY: generate_org(seed=9, users=60)}, FakeAPIConfig(rate_limit=False, latency=0.4)
    )
    with LoopbackServer(api) as running:
        yield running


def wait_for(condition: object, limit: float = 20.0) -> None:
    assert callable(condition)
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGHUP])
def test_a_stop_signal_removes_the_partial_file(
    stop: signal.Signals, slow_server: LoopbackServer, tmp_path: Path
) -> None:
    target = tmp_path / "enrollments.csv"
    env = {
        **os.environ,
        "KNOWBE4_API_KEY": KEY,
        "KNOWBE4_BASE_URL": slow_server.base_url,
        "PYTHONPATH": str(REPO),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "kb4tui", "export", "enrollments", "-o", str(target)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # Whatever the test runner ignores, the export starts with the default handlers.
        preexec_fn=lambda: [signal.signal(s, signal.SIG_DFL) for s in (stop, signal.SIGINT)],
    )
    try:
        wait_for(lambda: list(tmp_path.glob(".enrollments.csv.*.part")))
        process.send_signal(stop)
        _, err = process.communicate(timeout=20)
    finally:
        process.kill()
    assert process.returncode == 128 + stop
    assert list(tmp_path.iterdir()) == []  # no .part, and no half-written FILE
    assert err.strip() == f"Stopped by {stop.name}."
