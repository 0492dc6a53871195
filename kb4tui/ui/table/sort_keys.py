"""What a column's sort key may return: one comparable type, or None for a missing value.

A key that returns a date for some rows and a string for others cannot be ordered, and
ordering everything by its text instead silently puts "+1 month" before "2025-11-08". The
table refuses such a key with `SortKeyError`, naming the column and the types, so the
mistake shows the first time the column is sorted (in a test) rather than as a strange
order on a user's screen.

Pure Python, no Textual.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

__all__ = ["SortKeyError", "key_kind", "without_nan"]

# Types whose subclasses order like them. datetime comes before date: it is a subclass of
# date, but the two do not compare with each other.
_FAMILIES: tuple[type, ...] = (bool, int, float, str, bytes, datetime, date, timedelta, tuple)
# int and float compare exactly with each other: one kind, "number".
_NUMBER = float


class SortKeyError(TypeError):
    """A column's sort key returned values that cannot be ordered together."""


def _family(kind: type) -> type:
    for family in _FAMILIES:
        if issubclass(kind, family):
            return _NUMBER if family is int and kind is not bool else family
    return kind


def key_kind(column: str | None, kinds: Iterable[type], known: type | None = None) -> type | None:
    """One of the types ``kinds`` of the sort keys of ``column`` (None excluded), or the
    ``known`` type of the keys seen before; None when there are none.

    Raises `SortKeyError` when the keys (with those seen before) are of more than one kind."""
    kinds = set(kinds)
    if known is not None:
        kinds.add(known)
    if len({_family(kind) for kind in kinds}) > 1:
        seen = " and ".join(sorted(kind.__name__ for kind in kinds))
        raise SortKeyError(
            f"The sort key of column {column!r} returned {seen} values; a column's sort key"
            " must return one type (None for a missing value)."
        )
    return known if known is not None else next(iter(kinds), None)


def without_nan(keys: list[Any]) -> list[Any]:
    """``keys`` with NaN (which is neither less nor greater than any number, so would leave
    the order undefined) replaced by None: a missing value."""
    if any(isinstance(key, float) and math.isnan(key) for key in keys):
        return [None if isinstance(key, float) and math.isnan(key) else key for key in keys]
    return keys
