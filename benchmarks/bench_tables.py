"""Benchmark: VirtualTable at 100,000 rows against the stock DataTable.

Run with ``.venv/bin/python benchmarks/bench_tables.py [--rows N] [--skip-datatable]``.
Prints figures next to the design targets; asserts nothing. Everything runs headless in
``App.run_test`` at 120x40, so the figures include Textual's own message handling and
compositing, not only the widget's code.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from rich.text import Text
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.strip import Strip
from textual.widgets import DataTable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kb4tui.ui.table import Column, VirtualTable

SIZE = (120, 40)
STATUSES = ["Passed", "Not Started", "In Progress", "Past Due", "Exempted", "Completed"]
MODULES = [
    "2026 Security Awareness Training",
    "Phishing Foundations [Q3]",
    "Social Engineering Red Flags",
    "Password Hygiene",
    "CEO Fraud",
    "Ransomware 101",
    "研修: 情報セキュリティ",
]
FIRST = ["Ada", "Grace", "Linus", "Margaret", "Ken", "Barbara", "Dennis", "Frances", "José"]
LAST = ["Lovelace", "Hopper", "Torvalds", "Hamilton", "Thompson", "Liskov", "Ritchie", "Allen"]
QUERIES = ["hopper", "phishi", "past d", "ada.lo", "ransom", "zzzzzz"]


@dataclass(slots=True)
class Enrollment:
    id: int
    user: str
    email: str
    module: str
    status: str
    enrolled: str
    started: str | None
    completed: str | None
    minutes: int | None
    acknowledged: bool


def make_enrollments(n: int, seed: int = 7) -> list[Enrollment]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        status = rng.choice(STATUSES)
        started = None if status == "Not Started" else f"2026-0{rng.randint(1, 9)}-1{i % 10}"
        done = status in ("Passed", "Completed")
        rows.append(
            Enrollment(
                id=i,
                user=f"{first} {last} {i}",
                email=f"{first.lower()}.{last.lower()}{i}@example.com",
                module=rng.choice(MODULES),
                status=status,
                enrolled=f"2026-0{rng.randint(1, 9)}-0{i % 10}",
                started=started,
                completed=f"2026-10-0{i % 10}" if done else None,
                minutes=rng.randint(1, 90) if done else None,
                acknowledged=rng.random() < 0.5,
            )
        )
    return rows


COLUMNS = [
    Column("user", "User", flex=1, min_width=12),
    Column("email", "Email", flex=1, min_width=12),
    Column("module", "Module", flex=1, min_width=12),
    Column("status", "Status", width=11),
    Column("enrolled", "Enrolled", width=10),
    Column("started", "Started", width=10),
    Column("completed", "Completed", width=10),
    Column("minutes", "Time", width=5, justify="right"),
    Column("ack", "Ack", width=3),
]
STATUS_STYLE = {"Past Due": "bold red", "Passed": "green", "Completed": "green"}


def cells(e: Enrollment) -> tuple[str | Text, ...]:
    return (
        e.user,
        e.email,
        e.module,
        Text(e.status, style=STATUS_STYLE.get(e.status, "")),
        e.enrolled,
        e.started or "",
        e.completed or "",
        "" if e.minutes is None else str(e.minutes),
        "yes" if e.acknowledged else "",
    )


def search_text(e: Enrollment) -> str:
    return f"{e.user} {e.email} {e.module} {e.status}"


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def pct(samples: Sequence[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def line(label: str, value: str, target: str = "") -> None:
    print(f"  {label:<44}{value:>14}   {target}")


class ProbeTable(VirtualTable[Enrollment]):
    """Records when the compositor asks for the last line on screen (the paint is done)."""

    painted_at: float | None = None

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        if y == self.size.height - 1 and self.painted_at is None:
            self.painted_at = time.perf_counter()
        return strip


class VirtualApp(App[None]):
    def compose(self) -> ComposeResult:
        table = ProbeTable()
        table.set_columns(COLUMNS)
        yield table


class StockApp(App[None]):
    def compose(self) -> ComposeResult:
        yield DataTable()


@dataclass
class Timing:
    """One interaction: the widget's own work, and wall time until Textual has painted."""

    widget: float
    painted: float


async def measure(action: Callable[[], object], table: ProbeTable, pilot: Pilot[None]) -> Timing:
    started = time.perf_counter()
    action()
    # The lines a repaint needs: what the compositor will ask for next.
    for y in range(table.size.height):
        table.render_line(y)
    widget = time.perf_counter() - started
    await pilot.pause()
    return Timing(widget, time.perf_counter() - started)


def report(label: str, timings: Sequence[Timing], target: str = "") -> None:
    widget = [t.widget for t in timings]
    painted = [t.painted for t in timings]
    count = f" ({len(timings)})" if len(timings) > 1 else ""
    line(f"{label}{count}: widget p50", ms(statistics.median(widget)))
    line(f"{label}{count}: widget p95", ms(pct(widget, 0.95)), target)
    line(f"{label}{count}: painted p95", ms(pct(painted, 0.95)))


async def bench_virtual(n: int) -> None:
    print(f"VirtualTable, {n:,} enrollment rows, 9 columns, {SIZE[0]}x{SIZE[1]}")
    print("  (widget = the table's own work incl. rendering every visible line;")
    print("   painted = wall time until Pilot saw Textual idle, incl. compositing)")
    gc.collect()
    rss_start = rss_mb()
    rows = make_enrollments(n)
    rss_rows = rss_mb()
    app = VirtualApp()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(ProbeTable)
        table.focus()
        await pilot.pause()
        idle = [await measure(lambda: None, table, pilot) for _ in range(10)]
        line(
            "Pilot round trip with nothing to do p50",
            ms(statistics.median(t.painted for t in idle)),
        )

        table.painted_at = None
        started = time.perf_counter()
        table.set_rows(rows, cells, search_text=search_text, key=lambda e: e.id)
        set_rows = time.perf_counter() - started
        await pilot.pause()
        line("set_rows call", ms(set_rows))
        if table.painted_at is None:
            line("WARNING: the table was not painted", "")
        else:
            line("set_rows until painted on screen", ms(table.painted_at - started), "< 300 ms")

        # The search index is built in the background after the first paint.
        index_workers = [w for w in app.workers if w.group == "virtual-table-index"]
        if index_workers:  # an empty list would wait for every worker
            await app.workers.wait_for_complete(index_workers)
        line("background search index done after", ms(time.perf_counter() - started))

        keystrokes: list[Timing] = []
        clears: list[Timing] = []
        for query in QUERIES:
            for end in range(1, len(query) + 1):
                prefix = query[:end]
                keystrokes.append(await measure(partial(table.set_filter, prefix), table, pilot))
            clears.append(await measure(lambda: table.set_filter(""), table, pilot))
        report("filter keystroke", keystrokes, "target p95 < 50 ms")
        report("clear the filter (all rows back)", clears)

        pages = [await measure(table.action_page_down, table, pilot) for _ in range(60)]
        report("page-down", pages, "target p95 < 50 ms")
        pressed = []
        for key in ["pagedown", "x"] * 20:  # "x" is unbound: Pilot's own cost per key
            started = time.perf_counter()
            await pilot.press(key)
            pressed.append((key, time.perf_counter() - started))
        line(
            "pilot.press('pagedown') p50", ms(statistics.median(t for k, t in pressed if k != "x"))
        )
        line(
            "pilot.press(unbound key) p50", ms(statistics.median(t for k, t in pressed if k == "x"))
        )

        report(
            "sort by user (str)",
            [await measure(lambda: table.sort_by("user", lambda e: e.user), table, pilot)],
        )
        report(
            "sort by time, Nones last, reverse",
            [
                await measure(
                    lambda: table.sort_by("minutes", lambda e: e.minutes, reverse=True),
                    table,
                    pilot,
                )
            ],
        )
        sorted_keys = [
            await measure(partial(table.set_filter, "passed"[:end]), table, pilot)
            for end in range(1, 7)
        ]
        report("filter keystroke while sorted", sorted_keys, "target p95 < 50 ms")
        report(
            "status predicate",
            [
                await measure(
                    lambda: table.set_predicate(lambda e: e.status == "Past Due"), table, pilot
                )
            ],
        )
        extra = make_enrollments(500, seed=9)
        report(
            "append 500 rows to a sorted, filtered view",
            [await measure(lambda: table.append_rows(extra), table, pilot)],
        )

        # Cold start: a keystroke straight after set_rows, before the index exists.
        table.set_predicate(None)
        table.set_filter("")
        table.clear_sort()
        table.set_rows(rows, cells, search_text=search_text, keep_cursor=False)
        report(
            "first keystroke before the index (worst)",
            [await measure(lambda: table.set_filter("h"), table, pilot)],
        )

        gc.collect()
        rss_end = rss_mb()
        line("RSS before rows", f"{rss_start:8.1f} MB")
        line(f"RSS after building {n:,} row objects", f"{rss_rows:8.1f} MB")
        line("RSS with the table, index and views", f"{rss_end:8.1f} MB")


async def bench_stock(n: int) -> None:
    rows = make_enrollments(n)
    app = StockApp()
    async with app.run_test(size=SIZE) as pilot:
        table: DataTable[str | Text] = app.query_one(DataTable)
        for column in COLUMNS:
            table.add_column(column.label, key=column.key)
        await pilot.pause()
        started = time.perf_counter()
        # Text cells, as the stock table needs for literal API text.
        table.add_rows([Text(c) if isinstance(c, str) else c for c in cells(e)] for e in rows)
        await pilot.pause()  # DataTable measures the new rows on the first idle
        line(f"stock DataTable, {n:,} rows: add + first paint", ms(time.perf_counter() - started))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--skip-datatable", action="store_true")
    args = parser.parse_args()
    await bench_virtual(args.rows)
    if not args.skip_datatable:
        print("Stock DataTable, same rows, for comparison")
        for n in (10_000, 50_000):
            await bench_stock(n)


if __name__ == "__main__":
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load}")
    asyncio.run(main())
