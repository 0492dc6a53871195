"""The async body of `kb4tui export`: open the client, stream the kind into the output."""

from __future__ import annotations

import argparse

from kb4tui.cli import common
from kb4tui.exporting.filters import RecordFilter
from kb4tui.exporting.kinds import EXPORT_KINDS, OVERDUE, enrollment_params
from kb4tui.exporting.output import Output
from kb4tui.exporting.runner import run_export
from kb4tui.exporting.writers import make_writer


async def export_job(args: argparse.Namespace, output: Output) -> int:
    """Write the export; return the number of records. Raises APIError on failure."""
    id_filters = {"campaign": args.campaign, "user": args.user, "module": args.module}
    record_filter = RecordFilter(status=args.status, content_type=args.type)
    async with common.open_client(args) as client:
        if args.kind == OVERDUE:
            from kb4tui.exporting.overdue import OVERDUE_CSV_COLUMNS, export_overdue

            return await export_overdue(
                client,
                make_writer(args.format, output, OVERDUE_CSV_COLUMNS),
                enrollment_params=enrollment_params(id_filters),
                status=args.status,
                within_days=args.within,
            )
        kind = EXPORT_KINDS[args.kind]
        server_params = enrollment_params(id_filters) if kind.server_filters else {}
        writer = make_writer(args.format, output, kind.columns)
        return await run_export(
            client, kind, writer, record_filter=record_filter, server_params=server_params
        )
