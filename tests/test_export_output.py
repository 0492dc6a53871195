"""Atomic -o output: the target appears only when the export finished."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from kb4tui.exporting.output import open_output


def test_commit_renames_into_place_with_owner_only_mode(tmp_path: Path) -> None:
    target = tmp_path / "campaigns.csv"
    with open_output(str(target)) as out:
        out.write("a,b\n")
        assert not target.exists()  # nothing visible until commit
        assert len(list(tmp_path.iterdir())) == 1
    assert target.read_text() == "a,b\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert list(tmp_path.iterdir()) == [target]


def test_failure_leaves_no_file_and_keeps_the_previous_one(tmp_path: Path) -> None:
    target = tmp_path / "old.json"
    target.write_text("previous export")
    with pytest.raises(RuntimeError), open_output(str(target)) as out:
        out.write("[\n{partial")
        raise RuntimeError("page 3 failed")
    assert target.read_text() == "previous export"
    assert list(tmp_path.iterdir()) == [target]


def test_unwritable_directory_fails_before_any_work(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        open_output(str(tmp_path / "missing" / "x.csv"))


def test_relative_path_in_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with open_output("plain.csv") as out:
        out.write("é\n")
    assert (tmp_path / "plain.csv").read_bytes() == "é\n".encode()


@pytest.mark.parametrize("path", [None, "-"])
def test_stdout_is_utf8_whatever_the_locale(
    path: str | None, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    with open_output(path) as out:
        out.write("Zoë [/Q3]\n")
    assert capsysbinary.readouterr().out == "Zoë [/Q3]\n".encode()
