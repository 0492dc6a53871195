"""`kb4tui export`/`get` with hostile API text: whether stdout is a terminal, a pipe or a
file, no escape sequence reaches it (nobody's clipboard gets written by a campaign name,
`export ... | head` included); JSON keeps the values exactly, escaped as JSON does."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kb4tui.demo import FakeAPIConfig, FakeKnowBe4API, LoopbackServer, generate_org

KEY = "kb4tui-hostile-cli-key-4d4d4d"
OSC52 = "\x1b]52;c;cm0gLXJmIH4=\x07"
NAMES = [f"{OSC52}Clipboard", "\x1b[2JClear", "\x9b31mC1", "\u202eRLO\u202c", "ok\rEVIL"]
REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    org = generate_org(seed=7, users=60)
    for i, info in enumerate(org._campaigns):
        info.json["name"] = NAMES[i % len(NAMES)]
    api = FakeKnowBe4API({KEY: org}, FakeAPIConfig(rate_limit=False))
    with LoopbackServer(api) as running:
        yield running


def cli_env(server: LoopbackServer) -> dict[str, str]:
    return {
        **os.environ,
        "KNOWBE4_API_KEY": KEY,
        "KNOWBE4_BASE_URL": server.base_url,
        "PYTHONPATH": str(REPO),
    }


def run_on_pty(argv: list[str], env: dict[str, str]) -> tuple[int, bytes]:
    pid, master = pty.fork()
    if pid == 0:
        try:
            os.execve(sys.executable, [sys.executable, "-m", "kb4tui", *argv], env)
        finally:
            os._exit(127)
    output = b""
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not chunk:
                    break
                output += chunk
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(master)
    return os.waitstatus_to_exitcode(status), output


def test_export_to_a_terminal_carries_no_escape_sequence(server: LoopbackServer) -> None:
    code, output = run_on_pty(["export", "campaigns"], cli_env(server))
    assert code == 0, output[-500:]
    text = output.decode("utf-8", "replace")
    assert "Clipboard" in text and "Clear" in text and "RLO" in text
    assert "\x1b" not in text and "\x9b" not in text and "\u202e" not in text
    assert "\x07" not in text


def test_get_json_to_a_terminal_carries_no_escape_sequence(server: LoopbackServer) -> None:
    campaign_id = server.api.org(KEY).campaign_ids[2]  # the 8-bit CSI one
    code, output = run_on_pty(["get", "campaign", str(campaign_id)], cli_env(server))
    assert code == 0, output[-500:]
    text = output.decode("utf-8", "replace")
    assert "C1" in text and "\x9b" not in text and "\x1b" not in text


UNSAFE_BYTES = (b"\x1b", b"\x07", b"\xc2\x9b", "\u202e".encode())


def test_export_into_a_pipe_carries_no_escape_sequence(server: LoopbackServer) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kb4tui", "export", "campaigns", "--format", "json"],
        capture_output=True,
        env=cli_env(server),
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert not [b for b in UNSAFE_BYTES if b in done.stdout]
    assert b"\\u001b]52;c;" in done.stdout  # escaped as JSON escapes it
    names = {row["name"] for row in json.loads(done.stdout)}
    assert names == set(NAMES)  # the values themselves are exactly as sent
    done = subprocess.run(
        [sys.executable, "-m", "kb4tui", "export", "campaigns"],
        capture_output=True,
        env=cli_env(server),
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert not [b for b in UNSAFE_BYTES if b in done.stdout]
    assert b",Clipboard," in done.stdout and b",Clear," in done.stdout
