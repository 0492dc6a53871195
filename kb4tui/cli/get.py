"""`kb4tui get KIND ID [--format json|csv]`: one campaign, enrollment, purchase, policy or
user. JSON (the default) is the API's own object, pretty-printed."""

from __future__ import annotations

import argparse
from typing import Any

from kb4tui.cli import common
from kb4tui.exitcodes import contract_summary
from kb4tui.exporting.kinds import GET_KIND_ALIASES, GET_KINDS


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "get",
        help="print one campaign, enrollment, purchase, policy or user",
        description="Print one record as the API sends it.",
        epilog=contract_summary(),
    )
    parser.add_argument(
        "kind",
        type=_kind,
        metavar="KIND",
        help=f"one of: {', '.join(GET_KINDS)}",
    )
    parser.add_argument("id", type=record_id, metavar="ID", help="the record's numeric id")
    parser.add_argument("--format", choices=("json", "csv"), default="json", help="default json")
    parser.add_argument(
        "--csv-raw",
        action="store_true",
        help="CSV: keep text that starts with = + - @ as sent (no ' prefix)",
    )
    common.add_run_options(parser)
    common.add_connection_options(parser)
    parser.set_defaults(handler=handle_get)


def _kind(text: str) -> str:
    name = GET_KIND_ALIASES.get(text.lower(), text.lower())
    if name not in GET_KINDS:
        raise argparse.ArgumentTypeError(
            f"unknown kind {text!r}; choose from {', '.join(GET_KINDS)}"
        )
    return name


def record_id(text: str) -> int:
    """An id as typed on the command line: ASCII digits only (`str.isdigit` alone would let
    "²" through to an `int()` that refuses it)."""
    if not (text.isascii() and text.isdigit()):
        raise argparse.ArgumentTypeError(f"expected a numeric id, got {text!r}")
    return int(text)


def handle_get(args: argparse.Namespace) -> int:
    from kb4tui.cli.export_run import run_to_output
    from kb4tui.exporting.json_text import json_text
    from kb4tui.exporting.output import open_output

    output = open_output(None)

    async def job() -> None:
        from kb4tui.cli.progress_line import ProgressLine

        kind = GET_KINDS[args.kind]
        source = kind.sources[0]
        line = ProgressLine.for_run(quiet=args.quiet)
        async with common.open_client(args) as client, line.running(client):
            record = await client.get_raw(source.api_kind, args.id)
        if args.format == "json":
            output.write(json_text(record, indent=2) + "\n")
            return
        from kb4tui.exporting.writers import CsvWriter

        writer = CsvWriter(output, kind.columns, neutralise=not args.csv_raw)
        writer.write([record], [source.parse(record)])
        writer.finish()

    return run_to_output(output, job, deadline_minutes=args.deadline)
