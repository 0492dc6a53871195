"""Stream an export kind from the API into a writer, page by page."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import aclosing
from typing import Any

from kb4tui.api.raw_source import RawSource
from kb4tui.exporting.filters import RecordFilter
from kb4tui.exporting.kinds import ExportKind
from kb4tui.exporting.writers import JsonArrayWriter, RecordWriter

__all__ = ["RawSource", "run_export"]


async def run_export(
    source: RawSource,
    kind: ExportKind,
    writer: RecordWriter,
    *,
    record_filter: RecordFilter | None = None,
    server_params: Mapping[str, Any] | None = None,
) -> int:
    """Write every record of `kind` that passes the filter; return how many were written.

    Pages are written as they arrive. An APIError from the client propagates unchanged:
    the caller aborts the output, so a failure is never mistaken for a complete export.
    """
    record_filter = record_filter or RecordFilter()
    # JSON without a filter never looks at the models: skip parsing them.
    needs_models = not (isinstance(writer, JsonArrayWriter) and record_filter.is_empty)
    for src in kind.sources:
        params = {**dict(src.params), **(server_params or {})}
        # aclosing: if writing fails, the client's look-ahead requests stop at once.
        async with aclosing(source.iter_raw_pages(src.api_kind, **params)) as pages:
            async for page in pages:
                raw = [record for record in page if isinstance(record, dict)]
                if not needs_models:
                    writer.write(raw, ())
                    continue
                models = [src.parse(record) for record in raw]
                if not record_filter.is_empty:
                    kept = [i for i, model in enumerate(models) if record_filter.matches(model)]
                    raw = [raw[i] for i in kept]
                    models = [models[i] for i in kept]
                writer.write(raw, models)
    writer.finish()
    return writer.records_written
