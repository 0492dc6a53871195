"""Run the Textual app (`kb4tui`, `kb4tui --demo`)."""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kb4tui.repository import Repository


def run_tui(args: argparse.Namespace) -> int:
    """Resolve the connection and key before the app starts (keyring calls block), then run.

    `--demo` uses the in-process demo API (no key, no network). Errors before the app starts
    are one sentence on stderr with the contract's exit code.
    """
    from kb4tui.api.errors import APIError
    from kb4tui.cli.common import fail, open_client, resolve_connection

    try:
        connection = resolve_connection(args)
        client = open_client(args)
    except APIError as error:
        return fail(error.sentence, error.exit_code)

    from kb4tui.repository import Repository
    from kb4tui.ui.app import KB4App

    @asynccontextmanager
    async def open_repository() -> AsyncIterator[Repository]:
        async with client:
            yield Repository(client)

    app = KB4App(
        repository_factory=open_repository,
        profile=connection.profile,
        region=connection.region,
    )
    result = app.run()
    return result if isinstance(result, int) else 0
