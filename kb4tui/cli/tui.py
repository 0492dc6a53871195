"""Run the Textual app."""

from __future__ import annotations

import argparse


def run_tui(args: argparse.Namespace) -> int:
    raise NotImplementedError
