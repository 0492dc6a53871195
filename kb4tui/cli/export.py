"""`kb4tui export`."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    """Placeholder until this subcommand is built."""
    _ = subparsers, argparse
