"""The async body of `kb4tui export`: open the client, stream the kind into the output,
with a progress line on a terminal and a summary of what the listings set aside."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from kb4tui.api.listing_guard import ListingTally
from kb4tui.api.resources import resource
from kb4tui.cli import common
from kb4tui.cli.progress_line import ProgressLine, WatchedSource
from kb4tui.exporting.filters import RecordFilter
from kb4tui.exporting.kinds import (
    ENROLLMENT_INCLUDES,
    EXPORT_KINDS,
    NOT_ENROLLED,
    OVERDUE,
    PROGRESS,
    USERS,
    enrollment_params,
)
from kb4tui.exporting.output import Output
from kb4tui.exporting.runner import RawSource, run_export
from kb4tui.exporting.writers import make_writer


async def export_job(args: argparse.Namespace, output: Output) -> int:
    """Write the export; return the number of records. Raises APIError on failure."""
    id_filters = {"campaign": args.campaign, "user": args.user, "module": args.module}
    record_filter = RecordFilter(status=args.status, content_type=args.type)
    if getattr(args, "offline", False):
        from kb4tui.exporting.offline import open_cached_source

        connection = common.resolve_connection(args)
        cached = open_cached_source(
            connection.profile,
            connection.region,
            connection.base_url,
            store_name=connection.store_name,
        )
        try:
            for api_kind, params in _needed(args.kind, enrollment_params(id_filters)):
                cached.require(api_kind, params)
            return await _export(args, output, cached, id_filters, record_filter)
        finally:
            cached.close()
    line = ProgressLine.for_run(quiet=getattr(args, "quiet", False))
    if output.target is None and _stdout_is_terminal():
        output.before_write = line.clear  # rows and the progress line share the terminal
    async with common.open_client(args) as client:
        watched = WatchedSource(client, line)
        async with line.running(client):
            written = await _export(args, output, watched, id_filters, record_filter)
        summary = export_summary(written, args.kind, watched.shared, client.tally)
    if summary and (line.enabled or summary.notes) and not getattr(args, "quiet", False):
        print(f"kb4tui: {summary.sentence}", file=sys.stderr)
    return written


def _stdout_is_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


class Summary:
    """The export's last line on stderr: how many records, and notes on them."""

    def __init__(self, written: int, kind: str, notes: list[str]) -> None:
        self.written = written
        self.kind = kind
        self.notes = notes

    @property
    def sentence(self) -> str:
        what = "record" if self.written == 1 else "records"
        text = f"Exported {self.written:,} {what} ({self.kind})"
        if self.notes:
            text += "; " + "; ".join(self.notes)
        return text + "."


def export_summary(written: int, kind: str, shared: dict[str, int], tally: ListingTally) -> Summary:
    """What the export's stderr summary says: the count, and what is worth knowing about
    the records (distinct ones sharing an id, all kept; ones without an id, skipped;
    repeats at page boundaries, dropped)."""
    notes: list[str] = []
    for api_kind, count in shared.items():
        res = resource(api_kind)
        notes.append(
            f"{count:,} {res.plural} share an {res.id_field} with another one and were kept, "
            "as they differ"
        )
    if tally.without_id:
        notes.append(f"{tally.without_id:,} records without their id were skipped")
    if tally.repeats:
        notes.append(
            f"{tally.repeats:,} records sent twice across a page boundary were written once"
        )
    return Summary(written, kind, notes)


def _needed(kind: str, enrollment_query: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The API lists an export reads, with the enrollment filters (for --offline checks)."""
    if kind in (OVERDUE, PROGRESS):
        return [("campaigns", {}), ("enrollments", enrollment_query)]
    if kind in (USERS, NOT_ENROLLED):
        lists = [("users", {}), ("campaigns", {}), ("enrollments", dict(ENROLLMENT_INCLUDES))]
        return [*lists, ("groups", {})] if kind == NOT_ENROLLED else lists
    export = EXPORT_KINDS[kind]
    query = enrollment_query if export.server_filters else {}
    return [(source.api_kind, query) for source in export.sources]


async def _export(
    args: argparse.Namespace,
    output: Output,
    client: RawSource,
    id_filters: dict[str, int | None],
    record_filter: RecordFilter,
) -> int:
    if args.kind == OVERDUE:
        from kb4tui.exporting.overdue import OVERDUE_CSV_COLUMNS, export_overdue

        return await export_overdue(
            client,
            make_writer(args.format, output, OVERDUE_CSV_COLUMNS, neutralise=not args.csv_raw),
            enrollment_params=enrollment_params(id_filters),
            status=args.status,
            within_days=args.within,
        )
    if args.kind == PROGRESS:
        from kb4tui.exporting.progress import PROGRESS_CSV_COLUMNS, export_progress

        return await export_progress(
            client,
            lambda: make_writer(
                args.format, output, PROGRESS_CSV_COLUMNS, neutralise=not args.csv_raw
            ),
            campaign_id=args.campaign,
        )
    if args.kind == NOT_ENROLLED:
        from kb4tui.exporting.not_enrolled import NOT_ENROLLED_CSV_COLUMNS, export_not_enrolled

        return await export_not_enrolled(
            client,
            lambda: make_writer(
                args.format, output, NOT_ENROLLED_CSV_COLUMNS, neutralise=not args.csv_raw
            ),
            campaign_id=args.campaign,
        )
    if args.kind == USERS:
        from kb4tui.exporting.users import USERS_EXPORT_COLUMNS, export_users

        return await export_users(
            client,
            make_writer(args.format, output, USERS_EXPORT_COLUMNS, neutralise=not args.csv_raw),
            record_filter=record_filter,
            enrollment_params=ENROLLMENT_INCLUDES,
        )
    kind = EXPORT_KINDS[args.kind]
    server_params = enrollment_params(id_filters) if kind.server_filters else {}
    writer = make_writer(args.format, output, kind.columns, neutralise=not args.csv_raw)
    return await run_export(
        client, kind, writer, record_filter=record_filter, server_params=server_params
    )
