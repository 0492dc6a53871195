"""The progress line on stderr (issue 12 item 20): on a terminal the command says how far it is and
why it waits (retrying, the rate limit), never on stdout, and `--quiet` or a stderr that is
not a terminal gets nothing. Real processes against the fake API on 127.0.0.1."""

from __future__ import annotations

import csv
import io
import os
import pty
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kb4tui.cli.progress_line import ProgressLine
from kb4tui.demo import FakeAPIConfig, FakeKnowBe4API, LoopbackServer, generate_org

KEY = "kb4tui-progress-key-6b6b6b"
REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.timeout(90)


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    org = generate_org(seed=7, users=300)
    api = FakeKnowBe4API({KEY: org}, FakeAPIConfig(rate_limit=False, latency=0.2))
    with LoopbackServer(api) as running:
        yield running


def env_for(server: LoopbackServer) -> dict[str, str]:
    return {
        **os.environ,
        "KNOWBE4_API_KEY": KEY,
        "KNOWBE4_BASE_URL": server.base_url,
        "PYTHONPATH": str(REPO),
        "COLUMNS": "200",
    }


def run_with_stderr_on_a_terminal(argv: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """stdout to a pipe, stderr to a pseudo-terminal: exit code, stdout, what the terminal got."""
    master, slave = pty.openpty()
    child = subprocess.Popen(
        [sys.executable, "-m", "kb4tui", *argv],
        stdout=subprocess.PIPE,
        stderr=slave,
        stdin=subprocess.DEVNULL,
        env=env,
    )
    os.close(slave)
    assert child.stdout is not None
    out_fd = child.stdout.fileno()
    received = {master: b"", out_fd: b""}
    open_fds = [master, out_fd]
    deadline = time.monotonic() + 60
    while open_fds and time.monotonic() < deadline:
        ready, _, _ = select.select(open_fds, [], [], 0.2)
        for fd in ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # EIO: the child closed the terminal
                chunk = b""
            if chunk:
                received[fd] += chunk
            else:
                open_fds.remove(fd)
    terminal, stdout = received[master], received[out_fd]
    code = child.wait(timeout=10)
    os.close(master)
    return code, stdout.decode(), terminal.decode("utf-8", "replace")


def test_progress_goes_to_the_terminal_on_stderr_and_never_to_stdout(
    server: LoopbackServer,
) -> None:
    server.api.config.fault_rate = 0.3
    server.api.config.fault_kinds = ("503",)
    server.api.config.fault_seed = 4
    try:
        code, out, terminal = run_with_stderr_on_a_terminal(
            ["export", "enrollments"], env_for(server)
        )
    finally:
        server.api.config.fault_rate = 0.0
    assert code == 0, terminal
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == len(server.api.org(KEY).enrollments())
    assert "kb4tui" not in out and "\r" not in out
    assert "kb4tui: enrollments: 500 records, page 1" in terminal
    assert "retrying after: The KnowBe4 API failed with HTTP 503" in terminal
    assert "\x1b" not in terminal  # drawn with \r and spaces only
    # The line is cleared at the end; the summary starts on a clean line.
    last = terminal.replace("\r\n", "\n").rsplit("\r", 1)[-1]
    assert last.startswith(f"kb4tui: Exported {len(rows):,} records (enrollments).")


def test_quiet_silences_the_progress(server: LoopbackServer) -> None:
    code, out, terminal = run_with_stderr_on_a_terminal(
        ["export", "campaigns", "--quiet"], env_for(server)
    )
    assert code == 0 and out.startswith("campaign_id,")
    assert terminal == ""


def test_no_progress_when_stderr_is_not_a_terminal(server: LoopbackServer) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kb4tui", "export", "campaigns"],
        capture_output=True,
        env=env_for(server),
        timeout=60,
        check=False,
    )
    assert done.returncode == 0
    assert done.stderr == b""


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_line_says_when_the_rate_limit_holds_the_next_request() -> None:
    stream = io.StringIO()
    progress = ProgressLine(stream, clock=Clock())
    progress._rate_wait = lambda now: 7.2
    progress.listing("enrollments", 49, 24_500)
    assert progress.text() == (
        "kb4tui: enrollments: 24,500 records, page 49 · waiting for the rate limit (8 s)"
    )
    drawn = len(progress.text())
    progress._rate_wait = lambda now: 0.25  # the normal pace is not worth a word
    assert progress.text() == "kb4tui: enrollments: 24,500 records, page 49"
    progress.clear()
    assert stream.getvalue().endswith("\r" + " " * drawn + "\r")
