"""Usage errors of `kb4tui export` / `kb4tui get` exit 1 before any request is made."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb4tui.cli import main


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["export"], "KIND"),
        (["export", "groups"], "invalid choice"),
        (["export", "campaigns", "--format", "xml"], "invalid choice"),
        (["export", "enrollments", "--campaign", "abc"], "numeric id"),
        (["export", "enrollments", "--user", "-4"], "numeric id"),
        (["export", "overdue", "--within", "soon"], "number of days"),
        (["get", "campaign"], "ID"),
        (["get", "campaign", "12x"], "numeric id"),
        (["get", "campaign", "\u00b2"], "numeric id"),  # str.isdigit() says yes, int() no
        (["export", "enrollments", "--module", "\u00b2"], "numeric id"),
        (["get", "group", "12"], "unknown kind"),
        (["get", "user", "1", "--format", "yaml"], "invalid choice"),
    ],
)
def test_argument_errors_exit_1(
    argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert needle in captured.err
    assert captured.out == ""


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["export", "campaigns", "--type", "Video"], "--type does not apply to `export campaigns`"),
        (["export", "users", "--campaign", "3"], "--campaign does not apply to `export users`"),
        (["export", "modules", "--status", "Passed"], "it filters campaigns, enrollments, users"),
        (["export", "enrollments", "--within", "7"], "--within does not apply"),
    ],
)
def test_filters_that_do_not_apply_exit_1_with_one_sentence(
    argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert needle in err
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_unwritable_output_path_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "no-such-dir" / "campaigns.csv"
    assert main(["export", "campaigns", "-o", str(target)]) == 1
    err = capsys.readouterr().err
    assert f"Cannot write {target}" in err
    assert not target.parent.exists()


def test_help_lists_the_filters_per_kind(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--help"]) == 0
    out = capsys.readouterr().out
    for kind in (
        "campaigns",
        "enrollments",
        "modules",
        "purchases",
        "policies",
        "users",
        "overdue",
    ):
        assert kind in out
