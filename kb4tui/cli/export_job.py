"""The async body of `kb4tui export`: open the client, stream the kind into the output."""

from __future__ import annotations

import argparse
from typing import Any

from kb4tui.cli import common
from kb4tui.exporting.filters import RecordFilter
from kb4tui.exporting.kinds import EXPORT_KINDS, OVERDUE, PROGRESS, enrollment_params
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
    async with common.open_client(args) as client:
        return await _export(args, output, client, id_filters, record_filter)


def _needed(kind: str, enrollment_query: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The API lists an export reads, with the enrollment filters (for --offline checks)."""
    if kind in (OVERDUE, PROGRESS):
        return [("campaigns", {}), ("enrollments", enrollment_query)]
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
    kind = EXPORT_KINDS[args.kind]
    server_params = enrollment_params(id_filters) if kind.server_filters else {}
    writer = make_writer(args.format, output, kind.columns, neutralise=not args.csv_raw)
    return await run_export(
        client, kind, writer, record_filter=record_filter, server_params=server_params
    )
