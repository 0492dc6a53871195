"""`kb4tui demo-server`: options, loopback-only, and a real run stopped with Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import sys

import httpx
import pytest

from kb4tui.cli import build_parser, main
from kb4tui.demo import DEMO_API_KEY


def test_options_parse_into_the_handler() -> None:
    argv = "demo-server --port 0 --users 50 --seed 3 --latency 0.1 --faults 0.2"
    args = build_parser().parse_args([*argv.split(), "--no-rate-limit", "--cursor"])
    assert args.handler is not None
    assert (args.port, args.users, args.seed, args.latency) == (0, 50, 3, 0.1)
    assert (args.faults, args.no_rate_limit, args.cursor) == (0.2, True, True)


@pytest.mark.parametrize(
    "argv",
    [
        ["demo-server", "--host", "0.0.0.0"],
        ["demo-server", "--host", "192.168.1.10"],
        ["demo-server", "--faults", "2"],
        ["demo-server", "--users", "3"],
    ],
)
def test_refuses_non_loopback_hosts_and_bad_values(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 1
    assert capsys.readouterr().err.startswith("kb4tui: ")


def test_serves_until_interrupted() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "kb4tui", "demo-server", "--port", "0", "--users", "40"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # Background shells ignore SIGINT; give the child the default so Ctrl-C works.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert process.stdout is not None
        first, second = process.stdout.readline(), process.stdout.readline()
        base_url = first.strip().rsplit(" ", 1)[-1]
        assert base_url.startswith("http://127.0.0.1:")
        assert DEMO_API_KEY in second
        response = httpx.get(
            f"{base_url}/v1/users",
            params={"per_page": 500},
            headers={"Authorization": f"Bearer {DEMO_API_KEY}"},
        )
        assert len(response.json()) == 40
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_the_readme_gives_the_demo_servers_key_next_to_it() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    line = readme.index("kb4tui demo-server --port N")
    assert DEMO_API_KEY in readme[line : line + 200]
    assert "kb4tui --demo" in readme
