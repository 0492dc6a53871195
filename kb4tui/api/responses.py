"""Turning a response body into rows or one object, or into the error it really is.

The API answers lists with a bare JSON array; newer cursor-paginated responses may wrap
it as `{"data": [...]}`; and a bad key has been seen to come back as HTTP 200 with
`{"message": "Invalid Token"}` (knowbe4-api.md §2.2, §2.4). Anything else is a format
error, never a silently empty result.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import httpx

from kb4tui.api.errors import APIError, AuthError, ResponseFormatError, ResponseTooLargeError
from kb4tui.sanitize import clean_text

__all__ = [
    "MAX_JSON_ITEMS",
    "decode_json",
    "next_cursor",
    "object_from_body",
    "redirect_target",
    "rows_from_body",
]

# Parsed JSON costs far more than its text: 64 MB of `[{},{},...]` is 21 million dicts,
# 1.6 GB. A page may hold at most this many items (values and key-value pairs: commas,
# objects and arrays), 8 times the largest real page (500 campaigns with 50 content items
# each), so parsing one response stays within a few hundred MB whatever it holds.
MAX_JSON_ITEMS = 2_000_000
# A JSON string, escapes included: what to leave out when counting items precisely.
_JSON_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"')

# Keys an error-only body may carry; a data object always has more than these.
_ERROR_KEYS = frozenset({"message", "error", "errors", "code", "status", "status_code"})
_AUTH_WORDS = re.compile(r"token|unauthori[sz]|api.?key|credential|authenticat", re.I)
_WRAPPER_CURSOR_KEYS = ("next_cursor", "nextCursor", "cursor")


# A `\uD800`-`\uDFFF` escape in the raw body: the only way JSON can carry a surrogate.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_number(_constant: str) -> None:
    """`NaN`, `Infinity` and `-Infinity` are not JSON; read as missing values."""
    return None


def _finite_or_none(text: str) -> float | None:
    """`1e400` parses to infinity, which no field can mean: missing, like NaN."""
    value = float(text)
    return value if math.isfinite(value) else None


def decode_json(response: httpx.Response) -> Any:
    """The parsed body; ResponseFormatError (with the request id) when it is not JSON.

    Repaired at parse time, so every later step (models, cache, JSON and CSV exports) has
    valid values: NaN and infinite numbers become null, and a lone surrogate (`"\\ud800"`,
    which no UTF-8 output can encode) becomes U+FFFD. Everything else stays as sent.
    """
    content = response.content
    if _too_many_items(content):
        raise ResponseTooLargeError(
            f"The KnowBe4 API sent a response of more than {MAX_JSON_ITEMS:,} JSON values",
            status=response.status_code,
            request_id=response.headers.get("x-request-id"),
            path=response.request.url.path,
        )
    try:
        body = json.loads(content, parse_constant=_no_number, parse_float=_finite_or_none)
        if _SURROGATE_ESCAPE.search(content):
            body = _replace_lone_surrogates(body)
        return body
    except (ValueError, RecursionError):
        raise ResponseFormatError(
            "The KnowBe4 API sent a response that is not JSON",
            status=response.status_code,
            request_id=response.headers.get("x-request-id"),
            path=response.request.url.path,
        ) from None


def _items(content: bytes) -> int:
    return content.count(b",") + content.count(b"{") + content.count(b"[")


def _too_many_items(content: bytes) -> bool:
    """Counted on the raw text before parsing: quickly (commas and brackets in strings
    count too, so this can only overestimate), then, only when that says too many,
    without the strings."""
    if _items(content) <= MAX_JSON_ITEMS:
        return False
    return _items(_JSON_STRING.sub(b'""', content)) > MAX_JSON_ITEMS


def _fixed(text: str) -> str:
    return _LONE_SURROGATE.sub("\ufffd", text)


def _replace_lone_surrogates(body: Any) -> Any:
    """`body` with lone surrogates in keys and strings replaced, walked without recursion
    (valid pairs were joined by the parser, so any surrogate left is a lone one)."""
    if isinstance(body, str):
        return _fixed(body)
    pending = [body] if isinstance(body, dict | list) else []
    while pending:
        node = pending.pop()
        if isinstance(node, list):
            for index, item in enumerate(node):
                if isinstance(item, str):
                    node[index] = _fixed(item)
                elif isinstance(item, dict | list):
                    pending.append(item)
            continue
        for key in list(node):
            item = node[key]
            if isinstance(item, str):
                item = _fixed(item)
            elif isinstance(item, dict | list):
                pending.append(item)
            fixed_key = _fixed(key)
            if fixed_key != key:
                del node[key]
            node[fixed_key] = item
    return body


_MAX_TARGET = 120


def redirect_target(response: httpx.Response) -> str:
    """Where a 3xx points, as `host/path`: never its query, fragment or user info (a
    hostile server could echo the key there), cleaned and cut short for one line."""
    location = response.headers.get("location", "").strip()
    if not location:
        return "somewhere it did not say (no Location header)"
    try:
        url = response.request.url.join(location)
    except (httpx.InvalidURL, ValueError):
        return "an address that is not a valid URL"
    target = clean_text(f"{url.host}{url.path}")
    return target if len(target) <= _MAX_TARGET else target[: _MAX_TARGET - 1] + "…"


def _error_from_message(body: dict[str, Any], request_id: str | None, path: str) -> APIError:
    raw = body.get("message") or body.get("error") or body.get("errors") or ""
    text = str(raw)[:200]
    if _AUTH_WORDS.search(text):
        return AuthError(
            "The API key was rejected (the API answered: Invalid Token)"
            if "invalid token" in text.lower()
            else "The API key was rejected",
            status=200,
            request_id=request_id,
            path=path,
        )
    return ResponseFormatError(
        "The KnowBe4 API sent a message instead of data", request_id=request_id, path=path
    )


def _is_error_body(body: dict[str, Any]) -> bool:
    return bool(body) and set(body) <= _ERROR_KEYS and bool(set(body) & {"message", "error"})


def rows_from_body(body: Any, *, request_id: str | None, path: str) -> list[dict[str, Any]]:
    """The rows of one list page. Every row must be a JSON object."""
    if isinstance(body, dict):
        if _is_error_body(body):
            raise _error_from_message(body, request_id, path)
        data = body.get("data")
        if not isinstance(data, list):
            raise ResponseFormatError(
                "The KnowBe4 API sent an object where a list was expected",
                request_id=request_id,
                path=path,
            )
        body = data
    if not isinstance(body, list):
        raise ResponseFormatError(
            "The KnowBe4 API sent a value where a list was expected",
            request_id=request_id,
            path=path,
        )
    if not all(isinstance(row, dict) for row in body):
        raise ResponseFormatError(
            "The KnowBe4 API sent a list with entries that are not objects",
            request_id=request_id,
            path=path,
        )
    return body


def next_cursor(body: Any, headers: httpx.Headers) -> str | None:
    """The cursor for the next page: the X-Next-Cursor header, else a wrapper field."""
    header = headers.get("x-next-cursor")
    if header is not None:
        return header.strip() or None
    if isinstance(body, dict):
        for key in _WRAPPER_CURSOR_KEYS:
            value = body.get(key)
            if isinstance(value, str | int) and not isinstance(value, bool) and str(value):
                return str(value)
    return None


def object_from_body(body: Any, *, request_id: str | None, path: str) -> dict[str, Any]:
    """One object (GET by id, account). A `{"data": {...}}` wrapper is unwrapped."""
    if isinstance(body, dict):
        if _is_error_body(body):
            raise _error_from_message(body, request_id, path)
        if set(body) == {"data"} and isinstance(body["data"], dict):
            return body["data"]
        return body
    raise ResponseFormatError(
        "The KnowBe4 API sent a value where an object was expected",
        request_id=request_id,
        path=path,
    )
