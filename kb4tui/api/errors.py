"""Typed errors from the KnowBe4 client, each with the resolution a user needs.

Each error reads as one plain sentence (`sentence`): what happened, then what to do next,
then the `X-Request-Id` that KnowBe4 support asks for. They are safe to show on screen or
stderr: they never contain the API key (the client never passes it here) nor a URL's
query or user info. Exit codes follow the command-line contract in design.md.
"""

from __future__ import annotations

import re

from kb4tui.exitcodes import ExitCode

__all__ = [
    "APIError",
    "AuthError",
    "CommandDeadlineError",
    "CredentialsInURLError",
    "EndlessListingError",
    "InsecureURLError",
    "InvalidURLError",
    "NetworkError",
    "NotFoundError",
    "PermissionDeniedError",
    "ProxySettingError",
    "QuotaSpentError",
    "RateLimitedError",
    "RedirectedError",
    "ResponseFormatError",
    "ResponseTooLargeError",
    "ServerError",
    "one_sentence",
]


def _lower_first(text: str) -> str:
    """ "Try again" -> "try again" after a semicolon; "KNOWBE4_API_KEY ..." stays."""
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def one_sentence(what: str, advice: str = "", *, request_id: str | None = None) -> str:
    """`what` and `advice` joined into one sentence, with a final period."""
    text = what.strip().rstrip(".")
    advice = advice.strip().rstrip(".")
    if advice:
        text = f"{text}; {_lower_first(advice)}"
    if request_id:
        text += f" (X-Request-Id {request_id})"
    return text + "."


class APIError(Exception):
    """Base class. `exit_code` is what the CLI exits with for this error."""

    exit_code: int = ExitCode.API
    default_message: str = "The KnowBe4 API request failed"
    resolution: str = "try again later"

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = None,
        request_id: str | None = None,
        path: str | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.status = status
        self.request_id = request_id
        self.path = path
        super().__init__(self.message)

    @property
    def advice(self) -> str:
        """What to do next; subclasses tailor it to what they know (status, path)."""
        return self.resolution

    @property
    def sentence(self) -> str:
        """The one line a user reads: what happened, what to do, the request id."""
        return one_sentence(self.message, self.advice, request_id=self.request_id)

    def __str__(self) -> str:
        return self.sentence

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, request_id={self.request_id!r})"


_TOKEN_KIND = "a Reporting API token (not a User Event API key) for this account's region"


class AuthError(APIError):
    """401, or a 200 whose body is `{"message": "Invalid Token"}` where data was expected.

    `key_source` names where the rejected key came from ("the key in KNOWBE4_API_KEY"),
    set by whoever knows it (the command line), so the advice points at the right place.
    """

    exit_code = ExitCode.AUTH
    default_message = "The API key was rejected (401 Invalid API token)"
    resolution = f"check that the API key is {_TOKEN_KIND}"
    key_source: str | None = None

    @property
    def advice(self) -> str:
        if self.key_source is None:
            return self.resolution
        return f"check {self.key_source}: it must be {_TOKEN_KIND}"


class PermissionDeniedError(APIError):
    exit_code = ExitCode.AUTH
    default_message = "The API key is not allowed to read this (403 Insufficient permissions)"
    resolution = (
        "the token needs Training permissions, and the account Reporting API access "
        "(Platinum or Diamond)"
    )


# API list path -> the export that lists that kind's ids.
_LISTED_BY = {
    "/v1/training/campaigns": "campaigns",
    "/v1/training/enrollments": "enrollments",
    "/v1/training/store_purchases": "purchases",
    "/v1/training/policies": "policies",
    "/v1/users": "users",
}
_ITEM_PATH = re.compile(r"(?P<list>/v1/.+)/\d+/?$")


class NotFoundError(APIError):
    """404: one record by id (say where its ids are listed), or a whole list (the URL)."""

    exit_code = ExitCode.NOT_FOUND
    default_message = "Not found (404)"
    resolution = "check the id"

    @property
    def advice(self) -> str:
        item = _ITEM_PATH.match(self.path or "")
        if item is None and self.path:
            return "check the base URL: it must be the API's root, like https://us.api.knowbe4.com"
        listed = _LISTED_BY.get(item.group("list")) if item else None
        if listed:
            return f"check the id (`kb4tui export {listed}` lists them)"
        return self.resolution


class RateLimitedError(APIError):
    exit_code = ExitCode.API
    default_message = "KnowBe4 kept answering 429 Too Many Requests"
    resolution = (
        "the rate limit (4/s, 50/min, 2,000 + seats a day) was still hit after backing off: "
        "wait a few minutes, or until tomorrow if today's quota is used up"
    )


class QuotaSpentError(RateLimitedError):
    """429s that outlasted the per-minute window (or a Retry-After longer than it)."""

    default_message = "KnowBe4 kept answering 429 Too Many Requests for over a minute"
    resolution = (
        "the per-minute limit would have cleared by then, so today's quota (2,000 requests "
        "+ one per seat, over 24 hours) is likely used up: try again tomorrow, or see "
        "`kb4tui cache info` for the requests kb4tui counted"
    )


class ServerError(APIError):
    exit_code = ExitCode.API
    default_message = "The KnowBe4 API kept failing with a server error"
    resolution = "the server has a problem or is down for maintenance: try again later"


class NetworkError(APIError):
    """The server could not be reached. `base_url` is set by callers that know the user
    chose a host (`--base-url`): then the region is not what to check."""

    exit_code = ExitCode.API
    default_message = "Could not reach the KnowBe4 API"
    resolution = "check the network connection, the proxy settings and the region (--region)"
    base_url: str | None = None

    @property
    def advice(self) -> str:
        if self.base_url is None:
            return self.resolution
        return f"check that the server at {self.base_url} is running and reachable"


class ResponseFormatError(APIError):
    exit_code = ExitCode.API
    default_message = "The KnowBe4 API sent a response kb4tui cannot read"
    resolution = "try again later, and if it persists report it with the request id"

    @property
    def advice(self) -> str:
        if self.status == 406:
            # KnowBe4 defines 406 as a request for a format other than JSON, and kb4tui
            # always asks for JSON: something in between changed the request.
            return (
                "kb4tui asks for JSON, so the base URL is not the KnowBe4 API or a proxy "
                "changed the request: check --base-url and the proxy settings"
            )
        return self.resolution


class ResponseTooLargeError(ResponseFormatError):
    """A body past the limits of `kb4tui.api.bounded_body` (as sent, or decoded)."""

    resolution = (
        "no KnowBe4 page is that big, so the server or a proxy in between is broken: "
        "try again later, and if it persists report it with the request id"
    )


class EndlessListingError(ResponseFormatError):
    """A list that does not end: a page with nothing new, or past the page cap."""

    resolution = (
        "the server is repeating itself or is broken, and kb4tui stopped rather than spend "
        "the day's quota: try again later, and if it persists report it with the request id"
    )


class CommandDeadlineError(APIError):
    """A command ran past its overall deadline (`--deadline`)."""

    exit_code = ExitCode.API
    default_message = "The command did not finish in time"
    resolution = "try again later, or give it longer with --deadline MINUTES"


class RedirectedError(APIError):
    """3xx: kb4tui never follows a redirect (it would carry the key elsewhere)."""

    exit_code = ExitCode.API
    default_message = "The KnowBe4 API redirected the request"
    resolution = (
        "kb4tui does not follow redirects, since one could carry the API key elsewhere: "
        "check the base URL or region, and any proxy"
    )


class InsecureURLError(APIError):
    """Plain http:// to a non-loopback host would send the key in clear text."""

    exit_code = ExitCode.USAGE
    default_message = "Refusing to send the API key over plain http to a non-loopback host"
    resolution = (
        "use an https:// base URL (plain http is allowed only for localhost and loopback addresses)"
    )


class CredentialsInURLError(InsecureURLError):
    """`https://user:password@host`: httpx would send Basic credentials instead of the key."""

    default_message = "The base URL contains a user name or password, which kb4tui never sends"
    resolution = (
        "remove the `user:password@` part: the API key is the only credential, sent as a "
        "Bearer token"
    )


class InvalidURLError(APIError):
    """A base URL that cannot be connected to (malformed, port out of range)."""

    exit_code = ExitCode.USAGE
    default_message = "The base URL is not a valid URL"
    resolution = "give one like https://host or http://127.0.0.1:8765 (ports 1 to 65535)"


class ProxySettingError(APIError):
    """A proxy variable in the environment names a kind of proxy httpx cannot use."""

    exit_code = ExitCode.USAGE
    default_message = "A proxy variable in the environment cannot be used"
    resolution = "give it an http://, https://, socks5:// or socks5h:// proxy URL, or unset it"
