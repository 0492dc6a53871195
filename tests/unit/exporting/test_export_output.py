"""Atomic -o output: the target appears only when the export finished."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest

from kb4tui.api.errors import ServerError
from kb4tui.cli.export_run import run_to_output
from kb4tui.exporting.output import Output, open_output


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


def test_failure_after_streaming_to_stdout_says_the_output_is_incomplete(
    capsys: pytest.CaptureFixture[str],
) -> None:
    sink = io.BytesIO()
    out = Output(sink)

    async def job() -> None:
        out.write('[\n{"enrollment_id": 1}')
        raise ServerError(status=503, request_id="abc")

    assert run_to_output(out, job) == 3
    err = capsys.readouterr().err
    assert err.startswith("kb4tui: The KnowBe4 API kept failing with a server error;")
    assert err.rstrip().endswith("(X-Request-Id abc); the output above is incomplete.")


def test_unexpected_errors_show_only_their_type(capsys: pytest.CaptureFixture[str]) -> None:
    async def job() -> None:
        raise RuntimeError("Authorization: Bearer secret-token-value")

    assert run_to_output(Output(io.BytesIO()), job) == 3
    err = capsys.readouterr().err
    assert "RuntimeError" in err
    assert "secret-token-value" not in err
    assert "Traceback" not in err


def test_stdout_failing_at_the_final_flush_names_standard_output(
    capsys: pytest.CaptureFixture[str],
) -> None:
    class FullDisk(io.BytesIO):
        def flush(self) -> None:
            raise OSError(28, "No space left on device")

    async def job() -> None:
        return None

    assert run_to_output(Output(FullDisk()), job) == 3
    err = capsys.readouterr().err
    assert err == (
        "kb4tui: Could not write standard output: No space left on device."
        " Check the path and free space.\n"
    )
