"""Streaming writers: records go out page by page, never all held twice.

JSON is one array, one record per line (greppable, and `jq` reads it as a whole). The
closing bracket is written only by `finish()`, so a stream cut short by a failure is
not valid JSON by accident. CSV is a header row plus one row per record; an empty export
is just the header.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from kb4tui.exporting.cells import cell
from kb4tui.exporting.columns import Column, header
from kb4tui.exporting.output import Output

FORMATS = ("csv", "json")


class RecordWriter(Protocol):
    records_written: int

    def write(self, raw: Sequence[Mapping[str, Any]], models: Sequence[object]) -> None:
        """One page: the API's records and their parsed models, same order and length."""

    def finish(self) -> None: ...


class JsonArrayWriter:
    """Writes the API's own records, untouched (field names and values as sent)."""

    def __init__(self, out: Output) -> None:
        self._out = out
        self.records_written = 0

    def write(self, raw: Sequence[Mapping[str, Any]], models: Sequence[object]) -> None:
        del models  # JSON keeps the raw record
        if not raw:
            return
        parts = [json.dumps(record, ensure_ascii=False) for record in raw]
        lead = "[\n" if self.records_written == 0 else ",\n"
        self._out.write(lead + ",\n".join(parts))
        self.records_written += len(raw)

    def finish(self) -> None:
        self._out.write("[]\n" if self.records_written == 0 else "\n]\n")


class CsvWriter:
    """Writes one row per model through the kind's documented columns."""

    def __init__(self, out: Output, columns: Sequence[Column[Any]]) -> None:
        self._out = out
        self._columns = columns
        self.records_written = 0
        self._write_rows([header(columns)])

    def write(self, raw: Sequence[Mapping[str, Any]], models: Sequence[object]) -> None:
        del raw
        self._write_rows([cell(column.get(model)) for column in self._columns] for model in models)
        self.records_written += len(models)

    def finish(self) -> None:
        """Nothing to close: every row is complete when written."""

    def _write_rows(self, rows: Iterable[Sequence[str]]) -> None:
        buffer = io.StringIO()
        # "\n" line ends: these files are read by shell tools as often as by spreadsheets.
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        self._out.write(buffer.getvalue())


def make_writer(fmt: str, out: Output, columns: Sequence[Column[Any]]) -> RecordWriter:
    if fmt == "json":
        return JsonArrayWriter(out)
    if fmt == "csv":
        return CsvWriter(out, columns)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
