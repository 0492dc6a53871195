"""Streaming writers: records go out page by page, never all held twice.

JSON is one array, one record per line (greppable, and `jq` reads it as a whole). The
closing bracket is written only by `finish()`, so a stream cut short by a failure is
not valid JSON by accident. CSV is a header row plus one row per record; an empty export
is just the header. Nothing is written before the first page has arrived: a rejected key,
a redirect or any error of the first request leaves stdout empty (no header, no `[`).
Both formats are safe to print and to open: see `cells.py` and `json_text.py`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from kb4tui.exporting.cells import csv_cell
from kb4tui.exporting.columns import Column, header
from kb4tui.exporting.json_text import json_text
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
        parts = [json_text(record) for record in raw]
        lead = "[\n" if self.records_written == 0 else ",\n"
        self._out.write(lead + ",\n".join(parts))
        self.records_written += len(raw)

    def finish(self) -> None:
        self._out.write("[]\n" if self.records_written == 0 else "\n]\n")


class CsvWriter:
    """Writes one row per model through the kind's documented columns.

    `neutralise` (the default) prefixes text that a spreadsheet would run as a formula
    with `'`; `--csv-raw` turns it off for pipelines.
    """

    def __init__(
        self, out: Output, columns: Sequence[Column[Any]], *, neutralise: bool = True
    ) -> None:
        self._out = out
        self._columns = columns
        self._neutralise = neutralise
        self._started = False
        self.records_written = 0

    def write(self, raw: Sequence[Mapping[str, Any]], models: Sequence[object]) -> None:
        del raw
        self._start()
        neutralise = self._neutralise
        self._write_rows(
            [csv_cell(column.get(model), neutralise=neutralise) for column in self._columns]
            for model in models
        )
        self.records_written += len(models)

    def finish(self) -> None:
        """Every row is complete when written; an empty export is still its header."""
        self._start()

    def _start(self) -> None:
        if not self._started:
            self._started = True
            self._write_rows([header(self._columns)])

    def _write_rows(self, rows: Iterable[Sequence[str]]) -> None:
        buffer = io.StringIO()
        # "\n" line ends: these files are read by shell tools as often as by spreadsheets.
        plain = csv.writer(buffer, lineterminator="\n")
        # The csv module quotes cells holding a newline but not a tab: a row with a tab
        # is quoted whole, so a tab only ever appears inside quotes.
        quoted = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
        for row in rows:
            (quoted if any("\t" in text for text in row) else plain).writerow(row)
        self._out.write(buffer.getvalue())


def make_writer(
    fmt: str, out: Output, columns: Sequence[Column[Any]], *, neutralise: bool = True
) -> RecordWriter:
    """A writer for `fmt`; `neutralise` is the CSV formula guard (`--csv-raw` turns it off)."""
    if fmt == "json":
        return JsonArrayWriter(out)
    if fmt == "csv":
        return CsvWriter(out, columns, neutralise=neutralise)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
