"""JSON text for exports: always valid JSON, and inert on a terminal.

`json.dumps` escapes C0 controls (ESC becomes `\\u001b`) but writes C1 controls, DEL,
bidi overrides, line/paragraph separators and lone surrogates raw when `ensure_ascii` is
off; raw, the first ones act on a terminal (`kb4tui export ... | head`) and a lone
surrogate cannot even be encoded. They are written as `\\uXXXX` escapes instead, which
JSON reads back as the same value. NaN and infinities are not JSON at all (`allow_nan`
would write a bare `NaN` no parser accepts): they become null.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

__all__ = ["json_text"]

# Raw in a JSON string these are legal but unsafe to print; `\uXXXX` says the same thing.
_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def json_text(value: Any, *, indent: int | None = None) -> str:
    """`value` as JSON text (UTF-8-safe, no raw control or bidi characters, never NaN)."""
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False, indent=indent)
    except ValueError:  # a non-finite float somewhere (from an old cache, a computed row)
        text = json.dumps(_finite(value), ensure_ascii=False, allow_nan=False, indent=indent)
    return _UNSAFE.sub(_escape, text)


def _finite(value: Any) -> Any:
    """`value` with every NaN or infinity replaced by None (iteratively: hostile nesting)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if not isinstance(value, dict | list):
        return value
    root: Any = {} if isinstance(value, dict) else []
    pending: list[tuple[Any, Any]] = [(value, root)]
    while pending:
        source, target = pending.pop()
        items = source.items() if isinstance(source, dict) else enumerate(source)
        for key, item in items:
            copied: Any = item
            if isinstance(item, float) and not math.isfinite(item):
                copied = None
            elif isinstance(item, dict | list):
                copied = {} if isinstance(item, dict) else []
                pending.append((item, copied))
            if isinstance(target, dict):
                target[key] = copied
            else:
                target.append(copied)
    return root
