"""Options and helpers shared by the subcommands: connection settings, error output."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kb4tui.api.client import KnowBe4Client

REGIONS = ("us", "eu", "ca", "uk", "de")


def add_connection_options(parser: argparse.ArgumentParser, *, top_level: bool = False) -> None:
    """--profile/--region/--base-url/--demo, accepted before or after the subcommand.

    Subcommand copies use SUPPRESS defaults so they do not overwrite a value given at the
    top level.
    """
    default = None if top_level else argparse.SUPPRESS
    group = parser.add_argument_group("connection")
    group.add_argument("--profile", default=default, help="named profile (region + key)")
    group.add_argument("--region", choices=REGIONS, default=default, help="KnowBe4 region")
    group.add_argument("--base-url", default=default, help="override the API host")
    group.add_argument(
        "--demo",
        action="store_true",
        default=False if top_level else argparse.SUPPRESS,
        help="use the built-in demo organisation (no key needed)",
    )
    group.add_argument(
        "--demo-users",
        type=int,
        default=default,
        metavar="N",
        help="size of the demo organisation (default about 1,500 users)",
    )
    group.add_argument(
        "--demo-latency",
        type=float,
        default=default,
        metavar="SECONDS",
        help="simulated latency per demo API request",
    )


def fail(message: str, code: int) -> int:
    """Print one plain sentence to stderr and return the exit code."""
    print(f"kb4tui: {message}", file=sys.stderr)
    return code


def env_region() -> str | None:
    return os.environ.get("KNOWBE4_REGION") or None


def env_base_url() -> str | None:
    return os.environ.get("KNOWBE4_BASE_URL") or None


def open_client(args: argparse.Namespace) -> KnowBe4Client:
    """Build the client for the CLI's options: demo, or region/base URL + resolved key.

    Raises `kb4tui.api.errors.APIError` subclasses (AuthError when there is no key).
    """
    raise NotImplementedError  # filled in by the client/credentials work
