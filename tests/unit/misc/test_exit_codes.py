"""Exit codes come from one table (kb4tui.exitcodes), with the contract's meanings."""

from __future__ import annotations

import ast
import signal
from pathlib import Path

import pytest

from kb4tui.api import errors
from kb4tui.cli import build_parser
from kb4tui.exitcodes import ExitCode, contract_summary

PACKAGE = Path(__file__).resolve().parents[3] / "kb4tui"


def test_the_codes_have_the_contracts_numbers_and_words() -> None:
    assert [(code.name, int(code)) for code in ExitCode] == [
        ("OK", 0),
        ("USAGE", 1),
        ("AUTH", 2),
        ("API", 3),
        ("NOT_FOUND", 4),
        ("TERMINAL_LOST", 129),
        ("INTERRUPTED", 130),
        ("QUIT", 131),
        ("TERMINATED", 143),
    ]
    assert contract_summary() == (
        "Exit codes: 0 ok, 1 usage, 2 auth, 3 API or network failure, 4 not found."
    )
    assert contract_summary() in build_parser().epilog.replace("\n", " ")  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("signum", "code"),
    [
        (signal.SIGHUP, ExitCode.TERMINAL_LOST),
        (signal.SIGINT, ExitCode.INTERRUPTED),
        (signal.SIGQUIT, ExitCode.QUIT),
        (signal.SIGTERM, ExitCode.TERMINATED),
    ],
)
def test_a_signal_exits_with_the_shells_status_for_it(signum: int, code: ExitCode) -> None:
    assert ExitCode.for_signal(signum) is code
    assert int(code) == 128 + signum


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (errors.APIError, ExitCode.API),
        (errors.AuthError, ExitCode.AUTH),
        (errors.PermissionDeniedError, ExitCode.AUTH),
        (errors.NotFoundError, ExitCode.NOT_FOUND),
        (errors.RateLimitedError, ExitCode.API),
        (errors.ServerError, ExitCode.API),
        (errors.NetworkError, ExitCode.API),
        (errors.ResponseFormatError, ExitCode.API),
        (errors.InsecureURLError, ExitCode.USAGE),
    ],
)
def test_each_error_class_exits_with_its_code(error: type[errors.APIError], code: ExitCode) -> None:
    assert error.exit_code is code


def _literal_exit_codes(tree: ast.AST) -> list[tuple[int, str]]:
    """Places that spell an exit code as a number: `exit_code = 3`, `return_code=2`,
    `fail("...", 1)`, and `return 0` in a function declared to return an int."""
    found: list[tuple[int, str]] = []

    def is_int(node: ast.AST | None) -> bool:
        return (
            isinstance(node, ast.Constant)
            and isinstance(node.value, int)
            and not isinstance(node.value, bool)
        )

    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign) and is_int(node.value):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id.lower() == "exit_code" for t in targets):
                found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg == "return_code" and is_int(keyword.value):
                    found.append((node.lineno, ast.unparse(node)))
            name = node.func.attr if isinstance(node.func, ast.Attribute) else None
            name = node.func.id if isinstance(node.func, ast.Name) else name
            if name == "fail" and len(node.args) == 2 and is_int(node.args[1]):
                found.append((node.lineno, ast.unparse(node)))
    return found


def _handler_returns(tree: ast.AST) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef) or not isinstance(function.returns, ast.Name):
            continue
        if function.returns.id != "int" or not function.name.startswith(("handle_", "run_")):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Return) and isinstance(node.value, ast.Constant):
                found.append((node.lineno, ast.unparse(node)))
    return found


def test_no_module_spells_an_exit_code_as_a_number() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "exitcodes.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for line, code in _literal_exit_codes(tree) + _handler_returns(tree):
            offenders.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {code}")
    assert offenders == [], "use kb4tui.exitcodes.ExitCode:\n" + "\n".join(offenders)


def test_the_scan_finds_literal_exit_codes() -> None:
    tree = ast.parse(
        "class E:\n    exit_code = 3\n"
        "def handle_x() -> int:\n    fail('x', 1)\n    app.exit(return_code=2)\n    return 0\n"
    )
    assert len(_literal_exit_codes(tree)) == 3
    assert len(_handler_returns(tree)) == 1
