"""`kb4tui demo-server`: serve the fake KnowBe4 API on a loopback port, in the foreground."""

from __future__ import annotations

import argparse
from typing import Any

from kb4tui.cli import common
from kb4tui.exitcodes import ExitCode


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "demo-server",
        help="serve the fake KnowBe4 API (demo organisation) on 127.0.0.1",
        description=(
            "Serve a fake KnowBe4 Reporting API over a generated organisation, with the real "
            "API's shapes, pagination, rate limits and quirks. Loopback only. Point kb4tui at "
            "it with --base-url and the printed demo key."
        ),
    )
    parser.add_argument("--port", type=int, default=8765, help="port (0 picks a free one)")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    parser.add_argument("--users", type=int, default=1500, metavar="N", help="organisation size")
    parser.add_argument("--seed", type=int, default=7, metavar="S", help="data seed")
    parser.add_argument(
        "--latency", type=float, default=0.0, metavar="S", help="seconds of latency per request"
    )
    parser.add_argument(
        "--faults",
        type=float,
        default=0.0,
        metavar="P",
        help="probability of an injected fault (500, 503, drop, timeout, 429 burst)",
    )
    parser.add_argument(
        "--no-rate-limit", action="store_true", help="disable the 4/s, 50/min, daily limits"
    )
    parser.add_argument(
        "--cursor", action="store_true", help="support cursor pagination (cursor=true)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from kb4tui.api.regions import is_loopback_host
    from kb4tui.demo import (
        DEMO_API_KEY,
        FakeAPIConfig,
        FakeKnowBe4API,
        LoopbackServer,
        generate_org,
    )

    if not is_loopback_host(args.host):
        return common.fail(
            f"The demo server only listens on loopback, not {args.host}; "
            "use --host 127.0.0.1 or ::1.",
            ExitCode.USAGE,
        )
    if args.users < 20 or not 0.0 <= args.faults <= 1.0 or args.latency < 0:
        return common.fail(
            "--users must be at least 20, --faults between 0 and 1, --latency >= 0.", ExitCode.USAGE
        )
    config = FakeAPIConfig(
        latency=args.latency,
        rate_limit=not args.no_rate_limit,
        fault_rate=args.faults,
        cursor_pagination=args.cursor,
    )
    seed, users = args.seed, args.users
    api = FakeKnowBe4API({DEMO_API_KEY: lambda: generate_org(seed=seed, users=users)}, config)
    server = LoopbackServer(api, host=args.host, port=args.port)
    try:
        server.start()
    except OSError as exc:
        return common.fail(
            f"Cannot listen on {args.host}:{args.port} ({exc.strerror}); "
            "choose another --port (0 picks a free one).",
            ExitCode.USAGE,
        )
    print(f"Fake KnowBe4 API on {server.base_url}", flush=True)
    print(f"API key: {DEMO_API_KEY}", flush=True)
    print(
        f"Try: kb4tui --base-url {server.base_url}  (with KNOWBE4_API_KEY set to the key). "
        "Ctrl-C stops.",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        server.stop()
    return ExitCode.OK
