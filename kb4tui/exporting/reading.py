"""Read a whole API list as models, for the exports computed from it (overdue, progress,
users with their training, not-enrolled)."""

from __future__ import annotations

from contextlib import aclosing
from typing import Any, TypeVar

from kb4tui.api.models import KBModel
from kb4tui.exporting.runner import RawSource

M = TypeVar("M", bound=KBModel)


async def read_models(source: RawSource, kind: str, model: type[M], **params: Any) -> list[M]:
    """Every record of `kind` parsed as `model`; the raw pages are dropped as they are parsed.
    An APIError propagates: a computed export never works from part of the data."""
    parsed: list[M] = []
    async with aclosing(source.iter_raw_pages(kind, **params)) as pages:
        async for page in pages:
            parsed.extend(model.from_api_list(page))
    return parsed
