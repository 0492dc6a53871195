"""The `e` dialog: format and file for the rows on screen, written off the event loop.

The dialog stays open until the file is written, so a bad path shows its error in place
and keeps what the user typed. On success it dismisses with the file's path and the row
count; the caller says "Exported N rows to <path>".
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from kb4tui.exporting.views import FORMATS, ExportSpec, default_filename, write_view

__all__ = ["ExportDone", "ExportScreen"]


@dataclass(frozen=True, slots=True)
class ExportDone:
    path: Path
    rows: int


class ExportScreen(ModalScreen[ExportDone | None]):
    """Ask for csv/json and a path; write `items` with `spec`; escape cancels."""

    DEFAULT_CSS = """
    ExportScreen {
        align: center middle;
    }
    ExportScreen #export-dialog {
        width: 76;
        max-width: 100%;
        height: auto;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    ExportScreen .export-title {
        text-style: bold;
    }
    ExportScreen Label {
        margin: 1 0 0 0;
    }
    ExportScreen Input {
        background: $boost;
    }
    ExportScreen #export-error {
        color: $error;
        margin: 1 0 0 0;
    }
    ExportScreen Horizontal {
        height: auto;
        margin: 1 0 0 0;
    }
    ExportScreen Button {
        margin-right: 2;
    }
    """

    AUTO_FOCUS = "#export-path"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="export.cancel"),
    ]

    def __init__(
        self,
        spec: ExportSpec,
        items: Sequence[Any],
        *,
        context: str | None,
        today: date,
        fmt: str = "csv",
    ) -> None:
        super().__init__()
        self.spec = spec
        self.items = list(items)  # a snapshot: rows streaming in later are not included
        self.context = context
        self.today = today
        self.fmt = fmt if fmt in FORMATS else FORMATS[0]
        self._default = default_filename(spec.kind, context, today, self.fmt)
        self.writing = False

    def compose(self) -> ComposeResult:
        many = "row" if len(self.items) == 1 else "rows"
        title = f"Export the {len(self.items):,} {many} shown ({self.spec.kind})"
        with Vertical(id="export-dialog"):
            yield Static(Text(title), classes="export-title", markup=False)
            yield Label("Format")
            yield Select(
                [(f.upper(), f) for f in FORMATS],
                value=self.fmt,
                allow_blank=False,
                id="export-format",
                compact=True,
            )
            yield Label("File (enter writes it; replaced if it exists)")
            yield Input(self._default, id="export-path", compact=True, select_on_focus=False)
            yield Static("", id="export-error", markup=False)
            with Horizontal():
                yield Button("Export", id="export-go", variant="primary", compact=True)
                yield Button("Cancel", id="export-cancel", compact=True)

    @property
    def path_input(self) -> Input:
        return self.query_one("#export-path", Input)

    @on(Select.Changed, "#export-format")
    def _format_changed(self, event: Select.Changed) -> None:
        fmt = str(event.value)
        if fmt == self.fmt:
            return
        self.fmt = fmt
        # Follow the format only while the path is still ours; what the user typed stays.
        path = self.path_input
        if path.value == self._default:
            self._default = default_filename(self.spec.kind, self.context, self.today, fmt)
            path.value = self._default
        elif path.value.endswith(tuple(f".{f}" for f in FORMATS)):
            path.value = path.value.rsplit(".", 1)[0] + f".{fmt}"

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export-go")
    def _go(self) -> None:
        value = self.path_input.value.strip()
        if not value:
            self._say("Type a file name.")
            return
        if not self.writing:
            self.write(value)

    @on(Button.Pressed, "#export-cancel")
    def action_cancel(self) -> None:
        if not self.writing:
            self.dismiss(None)

    def _say(self, message: str) -> None:
        self.query_one("#export-error", Static).update(Text(message))

    @work(group="export", exclusive=True, exit_on_error=False)
    async def write(self, path: str) -> None:
        """Write in a thread (fsync can take a while); an error keeps the dialog open."""
        self.writing = True
        self._say("writing…")
        try:
            written = await asyncio.to_thread(write_view, self.spec, self.items, self.fmt, path)
        except (OSError, ValueError) as error:
            reason = error.strerror if isinstance(error, OSError) and error.strerror else error
            self._say(f"Could not write {path}: {reason}")
            self.path_input.focus()
            return
        finally:
            self.writing = False
        self.dismiss(ExportDone(written, len(self.items)))
