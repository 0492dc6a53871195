"""The fake KnowBe4 API on a real 127.0.0.1 socket, and the CLI run against it.

For the end-to-end tests (export, get, faults, secret hygiene): the fake's own rate limit is
off unless a test turns it on, and the client's limiter and backoff are shrunk so a file
runs in seconds. Everything else is the real stack.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kb4tui.api import client as client_module
from kb4tui.api.ratelimit import RateLimiter
from kb4tui.api.retry import RetryPolicy
from kb4tui.cli import main
from kb4tui.demo import DemoOrg, FakeAPIConfig, FakeKnowBe4API, LoopbackServer


def serve_org(key: str, org: DemoOrg) -> Iterator[LoopbackServer]:
    """The body of a module-scoped fixture: `yield from serve_org(KEY, org)`."""
    api = FakeKnowBe4API({key: org}, FakeAPIConfig(rate_limit=False))
    with LoopbackServer(api) as running:
        yield running


def reset_fake(server: LoopbackServer) -> FakeKnowBe4API:
    """The server's fake as new: default config, empty log, no 429 burst left running."""
    server.api.config = FakeAPIConfig(rate_limit=False)
    server.api.log.clear()
    server.api.reset_rate_limits()
    return server.api


def quicken_clients(
    monkeypatch: pytest.MonkeyPatch, *, retry_budget: float, base_delay: float, max_delay: float
) -> None:
    """Every KnowBe4Client built from now on (by the CLI too) paces loosely and backs off
    briefly, retrying for at most `retry_budget` seconds; its retry logic stays real."""
    monkeypatch.setattr(client_module, "shared_limiter", lambda _key: RateLimiter([(500, 1.0)]))

    def quick_retries(budget: float, **_client_backoff: float) -> RetryPolicy:
        return RetryPolicy(
            budget=min(budget, retry_budget), base_delay=base_delay, max_delay=max_delay
        )

    monkeypatch.setattr(client_module, "RetryPolicy", quick_retries)


def run_cli(
    server: LoopbackServer, capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, str, str]:
    """`kb4tui *argv --base-url <server>` in-process: exit code, stdout, stderr."""
    code = main([*argv, "--base-url", server.base_url])
    captured = capsys.readouterr()
    return code, captured.out, captured.err
