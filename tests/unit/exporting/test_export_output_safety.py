"""What an export may contain, whatever the API sent: no control character in CSV (tab and
newline only inside quotes), no formula a spreadsheet would run, JSON that is valid and
escapes what a terminal would act on. The same bytes for a terminal, a pipe and a file."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kb4tui.api.models import Campaign, Enrollment, User
from kb4tui.api.responses import decode_json
from kb4tui.core.compliance import OverdueRow
from kb4tui.exporting.cells import csv_cell
from kb4tui.exporting.columns import CAMPAIGN_COLUMNS, USER_COLUMNS, Column
from kb4tui.exporting.json_text import json_text
from kb4tui.exporting.output import Output
from kb4tui.exporting.overdue import OVERDUE_CSV_COLUMNS
from kb4tui.exporting.writers import CsvWriter, JsonArrayWriter

# Every C0 control but tab and newline, DEL, every C1 control.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_UNSAFE_IN_JSON = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

HOSTILE = [
    "\x1b]52;c;cm0gLXJmIH4gI1BXTkVE\x07Clipboard",
    "\x1b]0;pwned title\x1b\\Title",
    "\x1b[2J\x1b[HClear",
    "\x1b[6nReport",
    "\x1b]8;;https://evil.example\x07link\x1b]8;;\x07",
    "\x9b31mC1",
    "\u202eRLO",
    "ok\rEVIL",
    "bell\x07",
    "nul\x00",
    "lone\ud800surrogate",
]


def csv_of(columns: tuple[Column[Any], ...], models: list[Any], **options: Any) -> str:
    sink = io.BytesIO()
    writer = CsvWriter(Output(sink), columns, **options)
    writer.write([], models)
    writer.finish()
    return sink.getvalue().decode("utf-8")


def users(*rows: dict[str, Any]) -> list[User]:
    return [User.from_api({"id": i + 1, **row}) for i, row in enumerate(rows)]


# ---- control characters -------------------------------------------------------------------


def test_csv_never_carries_escape_sequences_or_controls() -> None:
    text = csv_of(USER_COLUMNS, users(*({"first_name": h, "comment": h} for h in HOSTILE)))
    assert not _CONTROL.search(text)
    assert "\u202e" not in text and "\ufffd" in text  # the lone surrogate, replaced
    # Whole sequences go: no `]52;c;` or `[2J` fragment is left as text.
    assert "52;c" not in text and "[2J" not in text and "]8;;" not in text
    names = [row["first_name"] for row in csv.DictReader(io.StringIO(text))]
    assert names[:4] == ["Clipboard", "Title", "Clear", "Report"]
    assert "ok\nEVIL" in names  # a CR becomes a newline inside a quoted cell


@given(st.text(max_size=30))
def test_any_text_gives_a_csv_without_controls_outside_quotes(value: str) -> None:
    text = csv_of(USER_COLUMNS, users({"first_name": value, "last_name": "\t" + value}))
    assert not _CONTROL.search(text)
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 2 and len(rows[1]) == len(USER_COLUMNS)
    for line in text.splitlines():
        if "\t" in line and "\n" not in value and "\r" not in value:
            assert line.startswith('"'), "a tab appears only inside quotes"


def test_json_escapes_controls_and_keeps_the_values() -> None:
    record = {"name": "".join(HOSTILE), "ok": "训练 👩🏽‍💻"}
    text = json_text(record)
    assert not _UNSAFE_IN_JSON.search(text)
    assert "\\u001b]52;c;" in text and "\\u009b" in text and "\\u202e" in text
    assert "训练 👩🏽‍💻" in text  # printable text stays readable, not \u-escaped
    assert json.loads(text) == record


def test_the_json_writer_is_terminal_safe_and_valid() -> None:
    sink = io.BytesIO()
    writer = JsonArrayWriter(Output(sink))
    writer.write([{"name": h} for h in HOSTILE], [])
    writer.finish()
    text = sink.getvalue().decode("utf-8")
    assert not _UNSAFE_IN_JSON.search(text.replace("\n", ""))  # one record per line
    assert [row["name"] for row in json.loads(text)][:3] == HOSTILE[:3]


# ---- formula injection --------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        '=HYPERLINK("http://evil.example","x")',
        "=cmd|'/C calc'!A0",
        "+1+cmd|'/C calc'!A0",
        "-2+3+cmd|'/C calc'!A0",
        "@SUM(1+1)*cmd|'/C calc'!A0",
        "\t=1+1",
        "\r=1+1",
        "+44 20 7946 0000",  # a phone number looks like a formula too
    ],
)
def test_text_that_starts_a_formula_gets_a_quote(value: str) -> None:
    text = csv_of(USER_COLUMNS, users({"first_name": value}))
    cell = next(csv.DictReader(io.StringIO(text)))["first_name"]
    assert cell.startswith("'")
    assert cell[1:] == value.replace("\r", "\n")


def test_csv_raw_keeps_formula_text_as_sent() -> None:
    text = csv_of(USER_COLUMNS, users({"first_name": "=1+1"}), neutralise=False)
    assert next(csv.DictReader(io.StringIO(text)))["first_name"] == "=1+1"


def test_numbers_kb4tui_writes_stay_numbers() -> None:
    # A negative number from a numeric field is a value, not a formula.
    assert csv_cell(-3) == "-3"
    assert csv_cell(-12.5) == "-12.5"
    assert csv_cell("-3") == "'-3"  # text from the API that merely looks like one is not
    assert csv_cell([-1, -2]) == "'-1; -2"
    row = OverdueRow(
        user_id=1,
        name="=evil()",
        email="a@example.com",
        employee_number="-7",
        campaign_id=2,
        campaign="c",
        module="m",
        status="In Progress",
        deadline="2026-01-01",
        days_overdue=-4,
        enrollment_id=3,
    )
    cells = next(csv.DictReader(io.StringIO(csv_of(OVERDUE_CSV_COLUMNS, [row]))))
    assert cells["days_overdue"] == "-4"
    assert cells["name"] == "'=evil()" and cells["employee_number"] == "'-7"


def test_the_tui_export_neutralises_formulas(tmp_path: Any) -> None:
    from kb4tui.exporting.views import CAMPAIGNS_EXPORT, write_view

    campaign = Campaign.from_api({"campaign_id": 1, "name": '=HYPERLINK("x")'})
    path = write_view(CAMPAIGNS_EXPORT, [campaign], "csv", str(tmp_path / "c.csv"))
    row = next(csv.DictReader(io.StringIO(path.read_text())))
    assert row["name"] == '\'=HYPERLINK("x")'


# ---- what the server cannot mean: NaN, infinities, lone surrogates, numeric dates ----------


def response(body: bytes) -> httpx.Response:
    return httpx.Response(200, content=body, request=httpx.Request("GET", "http://x/v1/x"))


def test_non_finite_numbers_and_lone_surrogates_are_repaired_at_parse_time() -> None:
    body = b'[{"a": NaN, "b": Infinity, "c": -Infinity, "d": 1e400, "e": 2.5,' + (
        b' "name": "x\\ud800y", "ok": "\\ud83d\\ude00", "\\udc00k": [NaN, "\\udfff"]}]'
    )
    assert decode_json(response(body)) == [
        {
            "a": None,
            "b": None,
            "c": None,
            "d": None,
            "e": 2.5,
            "name": "x\ufffdy",
            "ok": "\U0001f600",
            "\ufffdk": [None, "\ufffd"],
        }
    ]


def test_json_export_is_valid_json_even_from_non_finite_values() -> None:
    # Values cached before this fix, or computed ones, may still hold NaN.
    text = json_text({"a": math.nan, "b": [math.inf, {"c": -math.inf}], "d": 1.5})
    assert "NaN" not in text and "Infinity" not in text
    assert json.loads(text) == {"a": None, "b": [None, {"c": None}], "d": 1.5}


def test_exports_of_a_record_with_a_lone_surrogate_succeed() -> None:
    raw = decode_json(response(b'[{"campaign_id": 1, "name": "Q3 \\ud800 drill"}]'))
    models = [Campaign.from_api(row) for row in raw]
    assert "Q3 \ufffd drill" in csv_of(CAMPAIGN_COLUMNS, models)
    sink = io.BytesIO()
    writer = JsonArrayWriter(Output(sink))
    writer.write([{"name": "cached \ud800"}], [])  # a lone surrogate that got past parsing
    writer.finish()
    assert json.loads(sink.getvalue()) == [{"name": "cached \ud800"}]


def test_non_finite_numbers_are_missing_in_models_and_csv() -> None:
    campaign = Campaign.from_api({"campaign_id": 1, "completion_percentage": math.nan})
    user = User.from_api({"id": 1, "phish_prone_percentage": math.inf, "current_risk_score": 1e308})
    assert campaign.completion_percentage is None and user.phish_prone_percentage is None
    row = next(csv.DictReader(io.StringIO(csv_of(USER_COLUMNS, [user]))))
    assert row["phish_prone_percentage"] == ""
    assert row["current_risk_score"] == "1e+308"  # not a 309-digit number


@pytest.mark.parametrize("value", [12345, 0, 1.7e9, "12345", "-1", "1.5e9"])
def test_dates_given_as_numbers_are_missing_not_unix_time(value: object) -> None:
    enrollment = Enrollment.from_api({"enrollment_id": 1, "enrollment_date": value})
    campaign = Campaign.from_api({"campaign_id": 1, "end_date": value, "start_date": value})
    user = User.from_api({"id": 1, "custom_date_1": value, "joined_on": value})
    assert enrollment.enrollment_date is None
    assert campaign.end_date is None and campaign.start_date is None
    assert user.custom_date_1 is None and user.joined_on is None
    # Real dates still parse.
    ok = Campaign.from_api({"campaign_id": 1, "end_date": "2026-02-27T04:59:00.000Z"})
    assert ok.end_date is not None and ok.end_date.year == 2026
