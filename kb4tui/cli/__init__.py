"""The command line: the TUI, `auth`, `export`, `get`, `demo-server`, `cache`.

Each subcommand lives in its own module with a `register(subparsers)` function that adds
its parser and sets `handler` (a callable taking the parsed namespace, returning an exit
code). Heavy imports (textual, httpx) happen inside handlers so that `--help` is fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from kb4tui import __version__
from kb4tui.cli import common
from kb4tui.exitcodes import ExitCode, contract_summary


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kb4tui",
        description="Keyboard-first terminal UI for KnowBe4 security-awareness training.",
        epilog=(
            "Environment: KNOWBE4_API_KEY (wins over the keyring), KNOWBE4_REGION, "
            "KNOWBE4_BASE_URL, NO_COLOR. " + contract_summary()
        ),
    )
    parser.add_argument("--version", action="version", version=f"kb4tui {__version__}")
    common.add_connection_options(parser, top_level=True)
    parser.set_defaults(handler=None)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    # Imported here so each module stays independent; order is the order in --help.
    from kb4tui.cli import auth, cache, demo_server, export

    for module in (auth, export, cache, demo_server):
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors; the contract says 1.
        code = exc.code if isinstance(exc.code, int) else 1
        return ExitCode.USAGE if code == 2 else code
    if args.handler is None:
        from kb4tui.cli.tui import run_tui

        return run_tui(args)
    from kb4tui.cli.stop_signals import StopSignal

    try:
        result: int = args.handler(args)
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except StopSignal as stop:
        print(f"Stopped by {stop.name}.", file=sys.stderr)
        return stop.exit_code
    return result
