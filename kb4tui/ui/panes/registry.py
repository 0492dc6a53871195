"""The main screen's panes: a digit key, a title and how to build each, in tab order.

Adding a pane is one line here (its binding id is `main.<pane id>`, and it is mounted the
first time it is shown), one pane class and the dataset(s) it declares.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kb4tui.session.session import Session
from kb4tui.ui.panes.base import MainPane
from kb4tui.ui.panes.campaigns import CampaignsPane
from kb4tui.ui.panes.compliance import CompliancePane
from kb4tui.ui.panes.library import LibraryPane
from kb4tui.ui.panes.people import PeoplePane

__all__ = ["PANES", "PaneEntry"]


@dataclass(frozen=True, slots=True)
class PaneEntry:
    pane_id: str
    digit: str
    title: str
    build: Callable[[Session], MainPane]


PANES: tuple[PaneEntry, ...] = (
    PaneEntry("campaigns", "1", "Campaigns", CampaignsPane),
    PaneEntry("library", "2", "Library", LibraryPane),
    PaneEntry("compliance", "3", "Compliance", CompliancePane),
    PaneEntry("people", "4", "People", PeoplePane),
)
