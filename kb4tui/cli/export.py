"""`kb4tui export KIND [filters] [--format csv|json] [-o FILE]` (and registers `get`).

KIND is campaigns, enrollments, modules (store purchases and policies together),
purchases, policies, users, overdue, progress (a campaign's daily series) or not-enrolled.
JSON is one array of the API's own records (computed kinds: of their CSV columns); CSV has
the stable columns documented in docs/export.md.
"""

from __future__ import annotations

import argparse
from typing import Any

from kb4tui.cli import common, get
from kb4tui.exitcodes import ExitCode, contract_summary
from kb4tui.exporting.filters import filter_problem
from kb4tui.exporting.kinds import (
    ALL_FILTERS,
    EXPORT_KIND_NAMES,
    EXPORT_KINDS,
    NOT_ENROLLED,
    NOT_ENROLLED_FILTERS,
    OVERDUE,
    OVERDUE_FILTERS,
    PROGRESS,
    PROGRESS_FILTERS,
)

_EPILOG = """\
filters by kind:
  campaigns     --status
  enrollments   --campaign, --user, --module (store purchase id), --status
  modules, purchases, policies
                --type (Training Module, Video, Game, Assessment, Policy, Newsletter, Poster)
  users         --status (active, archived); with each person's training counts
  overdue       --campaign, --user, --module, --status, --within DAYS
  progress      --campaign (required): one row a day of enrolled, started, passed,
                past_due, in the local time zone
  not-enrolled  --campaign ID (required): active users not enrolled in it, with the reason
--status takes the API's words in any case, `_` or `-` for spaces ("past_due" finds
"Past Due"; for enrollments "completed" finds Passed); an unknown word is a usage error
that lists the valid ones. --type takes the content types listed above.
Without -o (or with -o -) the export goes to standard output; -o FILE appears only
once the export is complete. CSV columns: docs/export.md. CSV text that a spreadsheet
would run as a formula (starting with = + - @, tab or CR) gets a leading ' unless
--csv-raw is given; numbers stay numbers. Control characters never reach the output.
--offline reads what kb4tui cached for the profile (enrollments of active users only).
""" + contract_summary()


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "export",
        help="export campaigns, enrollments, modules, users, overdue or not-enrolled people, "
        "or a campaign's progress, as CSV or JSON",
        description="Export every matching record as CSV or JSON.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("kind", choices=EXPORT_KIND_NAMES, metavar="KIND", help="what to export")
    filters = parser.add_argument_group("filters")
    filters.add_argument("--campaign", type=get.record_id, metavar="ID", help="campaign id")
    filters.add_argument("--user", type=get.record_id, metavar="ID", help="user id")
    filters.add_argument("--module", type=get.record_id, metavar="ID", help="store purchase id")
    filters.add_argument("--status", metavar="STATUS", help="status as the API sends it")
    filters.add_argument("--type", metavar="TYPE", help="content type of library items")
    filters.add_argument(
        "--within",
        type=_days,
        metavar="DAYS",
        help="overdue: also people whose deadline is within DAYS",
    )
    parser.add_argument("--format", choices=("csv", "json"), default="csv", help="default csv")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE ('-' = stdout)")
    parser.add_argument(
        "--csv-raw",
        action="store_true",
        help="CSV: keep text that starts with = + - @ as sent (no ' prefix against formulas)",
    )
    parser.add_argument(
        "--offline",
        action="store_true",
        help="export from the local cache (no key, no request); users are not cached",
    )
    common.add_run_options(parser)
    common.add_connection_options(parser)
    parser.set_defaults(handler=handle_export)
    get.register(subparsers)


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of days, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected zero or more days, got {text!r}")
    return value


def usage_problem(args: argparse.Namespace) -> str | None:
    """A sentence saying which given filter does not apply to this KIND (or which required
    one is missing), or None."""
    if args.kind == PROGRESS and args.campaign is None:
        return "`export progress` needs --campaign ID: the campaign whose series to export."
    if args.kind == NOT_ENROLLED and args.campaign is None:
        return (
            "`export not-enrolled` needs --campaign ID (the campaign's id, "
            "from `kb4tui export campaigns`)."
        )
    allowed = _filters_of(args.kind)
    for name in ALL_FILTERS:
        if getattr(args, name, None) is not None and name not in allowed:
            takers = [k for k in EXPORT_KIND_NAMES if name in _filters_of(k)]
            return (
                f"--{name} does not apply to `export {args.kind}`; "
                f"it filters {', '.join(takers)}. See `kb4tui export --help`."
            )
    return None


def _filters_of(kind: str) -> frozenset[str]:
    if kind == OVERDUE:
        return OVERDUE_FILTERS
    if kind == PROGRESS:
        return PROGRESS_FILTERS
    if kind == NOT_ENROLLED:
        return NOT_ENROLLED_FILTERS
    return EXPORT_KINDS[kind].filters


def handle_export(args: argparse.Namespace) -> int:
    problem = usage_problem(args) or filter_problem(args.kind, args.status, args.type)
    if problem:
        return common.fail(problem, ExitCode.USAGE)
    # Heavy imports (httpx, pydantic models) only when a command runs.
    from kb4tui.cli.export_job import export_job
    from kb4tui.cli.export_run import run_to_output
    from kb4tui.exporting.output import open_output

    try:
        output = open_output(args.output)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return common.fail(
            f"Cannot write {args.output}: {reason}. Choose a writable path for -o.", ExitCode.USAGE
        )
    return run_to_output(output, lambda: export_job(args, output), deadline_minutes=args.deadline)
