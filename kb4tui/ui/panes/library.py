"""Pane `2`: store purchases and uploaded policies in one table, with a detail pane."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.binding import Binding, BindingType

from kb4tui.api.models import ContentItem, Policy, StorePurchase
from kb4tui.core.content import CONTENT_TYPES, campaigns_using, content_type_of
from kb4tui.exporting.views import LIBRARY_EXPORT
from kb4tui.session.datasets import CAMPAIGNS, LIBRARY
from kb4tui.session.session import Session
from kb4tui.ui import formatting as fmt
from kb4tui.ui.data_view import failure_sentence
from kb4tui.ui.details import library_detail
from kb4tui.ui.messages import DataRefreshed, OpenModule
from kb4tui.ui.panes.base import MainPane
from kb4tui.ui.table import Column, VirtualTable
from kb4tui.ui.widgets.browse_pane import BrowsePane, SortSpec, browse_bindings, next_choice

__all__ = ["LibraryPane"]


def _retired(item: ContentItem) -> str:
    if isinstance(item, StorePurchase):
        if item.retired:
            return "yes"
        if item.retirement_date is not None:
            return f"on {fmt.day(item.retirement_date)}"
    return ""


class LibraryPane(BrowsePane[ContentItem], MainPane):
    """Library table; `t` cycles the content type filter; enter shows where it is used."""

    DATASETS = (LIBRARY,)

    BINDINGS: ClassVar[list[BindingType]] = [
        *browse_bindings("library"),
        Binding(
            "t",
            "cycle_type",
            "Type",
            tooltip="One content type at a time; cycles back to all",
            id="library.type_filter",
        ),
    ]
    COLUMNS = (
        Column("name", "Name", min_width=24, flex=3),
        Column("type", "Type", width=15),
        Column("duration", "Length", width=6, justify="right"),
        Column("publisher", "Publisher", min_width=10, flex=1),
        Column("published", "Published", width=10),
        Column("purchased", "Purchased", width=10),
        Column("retired", "Retired", width=13),
    )
    SORTS: ClassVar[Sequence[SortSpec[Any]]] = (
        SortSpec("name", "name", lambda i: (i.name or "").casefold()),
        SortSpec("type", "type", lambda i: content_type_of(i)),
        SortSpec("duration", "length", lambda i: i.minutes),
        SortSpec("publisher", "publisher", lambda i: getattr(i, "publisher", None)),
        SortSpec("published", "published", lambda i: getattr(i, "publish_date", None)),
        SortSpec("purchased", "purchased", lambda i: getattr(i, "purchase_date", None)),
        SortSpec("retired", "retirement", lambda i: getattr(i, "retirement_date", None)),
    )
    DROP_ORDER = ("published", "publisher", "purchased")
    HAS_DETAIL = True
    NOUN = "items"
    EMPTY_TEXT = "No store purchases or policies"
    EXPORT = LIBRARY_EXPORT

    def __init__(self, session: Session, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session = session
        self._type_choice: str | None = None
        self._started = False

    def cells(self, item: ContentItem) -> Sequence[str | Text]:
        if isinstance(item, StorePurchase):
            publisher = item.publisher or fmt.DASH
            dates = (fmt.day(item.publish_date), fmt.day(item.purchase_date))
        else:
            publisher, dates = "uploaded", (fmt.DASH, fmt.DASH)
        return (
            item.name or "",
            content_type_of(item),
            fmt.minutes(item.minutes),
            publisher,
            *dates,
            _retired(item),
        )

    def search_text(self, item: ContentItem) -> str:
        publisher = item.publisher or "" if isinstance(item, StorePurchase) else ""
        return f"{item.name or ''} {content_type_of(item)} {publisher}"

    def item_key(self, item: ContentItem) -> Hashable:
        return ("policy" if isinstance(item, Policy) else "purchase", item.item_id or id(item))

    def render_detail(self, item: ContentItem | None) -> Text:
        if item is None:
            return Text("Nothing selected." if self._loaded else "Loading the library…")
        campaigns = self.session.cached(CAMPAIGNS) or []
        used = campaigns_using(item, campaigns)
        return library_detail(item, [c.name or "(unnamed)" for c in used])

    def start(self) -> None:
        """Load on first show: the library costs two requests nobody may need."""
        if not self._started:
            self._started = True
            self.set_busy(True)
            self.load()

    def reload(self) -> None:
        self.load()

    def focus_table(self) -> None:
        self.table.focus()

    def refresh_detail(self) -> None:
        self.show_detail()

    def refresh_data(self) -> None:
        self.set_busy(True)
        self.load(refresh=True)

    def show_failure(self, error: BaseException) -> None:
        self.show_error(failure_sentence(error))

    @work(group="library", exclusive=True, exit_on_error=False)
    async def load(self, refresh: bool = False) -> None:
        try:
            result = await self.session.get(LIBRARY, refresh=refresh)
        finally:
            self.set_busy(False)
        self.failed_offline = False
        self.show_error(None)
        self.fetched_at = result.fetched_at
        self.set_items(result.value)
        self.post_message(DataRefreshed())

    def action_cycle_type(self) -> None:
        """All -> each content type (the product's list, then any other sent) -> all."""
        present = {content_type_of(i) for i in self.session.cached(LIBRARY) or []}
        choices: list[str | None] = [None, *CONTENT_TYPES, *sorted(present - set(CONTENT_TYPES))]
        self._type_choice = next_choice(choices, self._type_choice)
        choice = self._type_choice
        if choice is None:
            self.set_choice(None, None)
        else:
            self.set_choice(f"type {choice} (t: next)", lambda i: content_type_of(i) == choice)

    def clear_choice(self) -> None:
        self._type_choice = None
        super().clear_choice()

    @on(VirtualTable.Selected, ".pane-table")
    def _open(self, event: VirtualTable.Selected) -> None:
        event.stop()
        item = event.item
        if isinstance(item, StorePurchase | Policy):
            self.post_message(OpenModule(item))
