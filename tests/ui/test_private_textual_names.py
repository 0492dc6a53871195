"""Textual's private names are used in kb4tui/ui/compat.py only (and its test), so a Textual
upgrade is checked in one place. This scans kb4tui/ and tests/ for:

- imports of Textual's private modules or names (`from textual.widgets._footer import
  FooterKey`, `import textual._x`, `from textual.app import _y`);
- attribute access to a private name that Textual defines and kb4tui does not
  (`app._filters`, `strip._segments`), on anything but `self`/`cls` or a plain module;
- in kb4tui's subclasses of Textual classes, `self._x` or `def _x` where a Textual class
  of the MRO defines `_x` (a copy of `_bindings_ready`, an override of `_fatal_error`):
  both reach into Textual's internals, and the second may silently replace one.

A finding names the file, the line and the name; the fix is a function in compat.py.
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import pkgutil
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import textual

import kb4tui

ROOT = Path(__file__).resolve().parents[2]
SCANNED = (ROOT / "kb4tui", ROOT / "tests")
ALLOWED_FILES = {"kb4tui/ui/compat.py", "tests/ui/test_compat.py"}
# Known uses still outside compat.py, each with where it is going. Keep this short.
KNOWN: set[tuple[str, str]] = set()


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _defined_private_names(tree: ast.AST) -> set[str]:
    """Private names a source file defines: functions, classes, class attributes,
    `self._x = ...` and module-level `_x = ...`."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return {name for name in names if _private(name)}


def _python_files(*roots: Path) -> Iterator[Path]:
    for root in roots:
        yield from sorted(root.rglob("*.py"))


@functools.cache
def textual_private_names() -> frozenset[str]:
    names: set[str] = set()
    for path in _python_files(Path(textual.__file__).parent):
        names |= _defined_private_names(ast.parse(path.read_text(encoding="utf-8")))
    return frozenset(names)


@functools.cache
def our_private_names() -> frozenset[str]:
    names: set[str] = set()
    for path in _python_files(*SCANNED):
        if _relative(path) not in ALLOWED_FILES:
            names |= _defined_private_names(ast.parse(path.read_text(encoding="utf-8")))
    return frozenset(names)


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    name: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.name}"


def _is_private_textual_module(module: str) -> bool:
    parts = module.split(".")
    return parts[0] == "textual" and any(_private(part) for part in parts[1:])


def scan_source(source: str, path: str, textual_names: frozenset[str]) -> list[Finding]:
    """Private-Textual imports and attribute uses in one file (not the subclass rule)."""
    tree = ast.parse(source)
    findings: list[Finding] = []
    modules: set[str] = set()  # names bound to modules that are not Textual's
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _is_private_textual_module(alias.name):
                    findings.append(Finding(path, node.lineno, f"import {alias.name}"))
                elif not alias.name.startswith("textual"):
                    modules.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.module:
            if _is_private_textual_module(node.module):
                findings.append(Finding(path, node.lineno, f"from {node.module} import"))
            elif node.module.split(".")[0] == "textual":
                for alias in node.names:
                    if _private(alias.name):
                        findings.append(
                            Finding(path, node.lineno, f"from {node.module} import {alias.name}")
                        )
    reported: set[int] = set()  # the inner parts of a dotted name already reported
    for node in ast.walk(tree):  # breadth first: a whole dotted name before its parts
        if isinstance(node, ast.Attribute) and id(node) not in reported:
            dotted = ast.unparse(node)
            if dotted.split(".")[0] == "textual" and _is_private_textual_module(dotted):
                findings.append(Finding(path, node.lineno, dotted))
                reported.update(id(inner) for inner in ast.walk(node))
                continue
            receiver = node.value
            if not _private(node.attr) or node.attr not in textual_names:
                continue
            if isinstance(receiver, ast.Name) and receiver.id in {"self", "cls", *modules}:
                continue
            findings.append(Finding(path, node.lineno, dotted))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"getattr", "setattr", "hasattr", "delattr"}
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and node.args[1].value in textual_names
        ):
            findings.append(Finding(path, node.lineno, ast.unparse(node)))
    return sorted(findings)


@functools.cache
def _textual_class_privates(cls: type) -> frozenset[str]:
    """Private names a Textual class defines: in its namespace, or set on `self`."""
    names = {name for name in vars(cls) if _private(name)}
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    except (OSError, TypeError):
        return frozenset(names)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.ctx, ast.Store)
            and isinstance(node.value, ast.Name)
            and node.value.id == "self"
            and _private(node.attr)
        ):
            names.add(node.attr)
    return frozenset(names)


def scan_subclasses() -> list[Finding]:
    """kb4tui's subclasses of Textual classes touching a private name of a Textual base."""
    findings: list[Finding] = []
    for info in pkgutil.walk_packages(kb4tui.__path__, "kb4tui."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        path = _relative(Path(str(module.__file__)))
        if path in ALLOWED_FILES:
            continue
        tree = ast.parse(Path(str(module.__file__)).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            cls = getattr(module, node.name, None) if isinstance(node, ast.ClassDef) else None
            if not isinstance(node, ast.ClassDef) or not isinstance(cls, type):
                continue
            inherited: set[str] = set()
            for base in cls.__mro__:
                if base.__module__.split(".")[0] == "textual":
                    inherited |= _textual_class_privates(base)
            for sub in ast.walk(node):
                name = None
                if isinstance(sub, ast.FunctionDef | ast.AsyncFunctionDef):
                    name = sub.name
                elif (
                    isinstance(sub, ast.Attribute)
                    and isinstance(sub.value, ast.Name)
                    and sub.value.id in ("self", "cls")
                ):
                    name = sub.attr
                if name is not None and name in inherited:
                    findings.append(Finding(path, sub.lineno, f"{node.name}.{name}"))
    return sorted(set(findings))


def test_no_private_textual_name_is_used_outside_compat() -> None:
    textual_names = textual_private_names() - our_private_names()
    findings: list[Finding] = []
    for path in _python_files(*SCANNED):
        relative = _relative(path)
        if relative not in ALLOWED_FILES:
            findings += scan_source(path.read_text(encoding="utf-8"), relative, textual_names)
    findings += [f for f in scan_subclasses() if (f.path, f.name) not in KNOWN]
    assert findings == [], "use or add a function in kb4tui/ui/compat.py:\n" + "\n".join(
        map(str, sorted(findings))
    )


def test_the_known_exceptions_are_still_there() -> None:
    """An entry of KNOWN that no longer matches (the table branch landed) must go."""
    found = {(f.path, f.name) for f in scan_subclasses()}
    assert found >= KNOWN, f"remove from KNOWN: {sorted(KNOWN - found)}"


def test_the_scan_finds_each_kind_of_use() -> None:
    names = frozenset({"_filters", "_segments", "_exit"})
    source = (
        "import os\n"
        "import textual._xterm_parser\n"
        "from textual.widgets._footer import FooterKey\n"
        "from textual.app import _thing\n"
        "app._filters.append(1)\n"
        "strip._segments\n"
        "getattr(app, '_filters')\n"
        "textual.widgets._footer.FooterKey\n"
        "self._filters\n"  # the rule for self is the subclass rule
        "os._exit(1)\n"  # a module's private name, not Textual's
        "thing._ours\n"  # not a Textual name
    )
    found = [(f.line, f.name) for f in scan_source(source, "x.py", names)]
    assert found == [
        (2, "import textual._xterm_parser"),
        (3, "from textual.widgets._footer import"),
        (4, "from textual.app import _thing"),
        (5, "app._filters"),
        (6, "strip._segments"),
        (7, "getattr(app, '_filters')"),
        (8, "textual.widgets._footer.FooterKey"),
    ]


def test_textual_private_names_include_the_ones_compat_uses() -> None:
    """The scan knows Textual's names: if these vanished, it would pass vacuously."""
    names = textual_private_names() - our_private_names()
    assert {"_filters", "_notifications", "_exit_renderables", "_compositor"} <= names
    assert {"_refresh_layout", "_fatal_error", "_bindings_ready", "_task"} <= names
