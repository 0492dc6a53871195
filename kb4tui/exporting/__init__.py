"""Export records as CSV or JSON: columns, filters, streaming writers, atomic output.

No textual here: the CLI (`kb4tui export`/`kb4tui get`) and the TUI's export action share
these pieces. JSON keeps the API's own records; CSV flattens typed models into the stable
columns documented in `columns.py`.
"""

from kb4tui.exporting.cells import cell
from kb4tui.exporting.columns import Column
from kb4tui.exporting.filters import RecordFilter, normalize_label
from kb4tui.exporting.kinds import EXPORT_KINDS, GET_KINDS, ExportKind, Source
from kb4tui.exporting.output import Output, open_output
from kb4tui.exporting.runner import RawSource, run_export
from kb4tui.exporting.writers import CsvWriter, JsonArrayWriter, RecordWriter, make_writer

__all__ = [
    "EXPORT_KINDS",
    "GET_KINDS",
    "Column",
    "CsvWriter",
    "ExportKind",
    "JsonArrayWriter",
    "Output",
    "RawSource",
    "RecordFilter",
    "RecordWriter",
    "Source",
    "cell",
    "make_writer",
    "normalize_label",
    "open_output",
    "run_export",
]
