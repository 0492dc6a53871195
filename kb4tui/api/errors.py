"""Typed errors from the KnowBe4 client, each with the resolution a user needs.

Messages are one plain sentence, safe to show on screen or stderr: they never contain the
API key (the client never passes it here) and carry the `X-Request-Id` that KnowBe4
support asks for. Exit codes follow the command-line contract in design.md.
"""

from __future__ import annotations

from kb4tui.exitcodes import ExitCode

__all__ = [
    "APIError",
    "AuthError",
    "CredentialsInURLError",
    "InsecureURLError",
    "InvalidURLError",
    "NetworkError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitedError",
    "ResponseFormatError",
    "ServerError",
]


class APIError(Exception):
    """Base class. `exit_code` is what the CLI exits with for this error."""

    exit_code: int = ExitCode.API
    default_message: str = "The KnowBe4 API request failed."
    resolution: str = "Try again later."

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
        super().__init__(self.sentence)

    @property
    def sentence(self) -> str:
        """The one line a user reads: what happened, what to do, the request id."""
        text = f"{self.message.rstrip('.')}. {self.resolution}"
        if self.request_id:
            text += f" (X-Request-Id {self.request_id})"
        return text

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, request_id={self.request_id!r})"


class AuthError(APIError):
    """401, or a 200 whose body is `{"message": "Invalid Token"}` where data was expected."""

    exit_code = ExitCode.AUTH
    default_message = "The API key was rejected (401 Invalid API token)"
    resolution = (
        "Verify KNOWBE4_API_KEY: it must be a Reporting API token (not a User Event API key) "
        "for this account's region."
    )


class PermissionDeniedError(APIError):
    exit_code = ExitCode.AUTH
    default_message = "The API key is not allowed to read this (403 Insufficient permissions)"
    resolution = (
        "The API token needs Training permissions, and the account needs Reporting API access "
        "(Platinum or Diamond)."
    )


class NotFoundError(APIError):
    exit_code = ExitCode.NOT_FOUND
    default_message = "Not found (404)"
    resolution = "Verify the id exists (for a campaign: verify campaign_id exists)."


class RateLimitedError(APIError):
    exit_code = ExitCode.API
    default_message = "KnowBe4 kept answering 429 Too Many Requests"
    resolution = (
        "The rate limit (4/s, 50/min, 2,000 + seats a day) was hit; the client backed off and "
        "retried; wait a few minutes, or until tomorrow if the daily quota is used up."
    )


class ServerError(APIError):
    exit_code = ExitCode.API
    default_message = "The KnowBe4 API kept failing with a server error"
    resolution = "The server is having problems or is down for maintenance; try again later."


class NetworkError(APIError):
    exit_code = ExitCode.API
    default_message = "Could not reach the KnowBe4 API"
    resolution = "Check the network connection, proxy settings and the region (--region)."


class ResponseFormatError(APIError):
    exit_code = ExitCode.API
    default_message = "The KnowBe4 API sent a response kb4tui cannot read"
    resolution = "Try again later; if it persists, report it with the request id."


class InsecureURLError(APIError):
    """Plain http:// to a non-loopback host would send the key in clear text."""

    exit_code = ExitCode.USAGE
    default_message = "Refusing to send the API key over plain http to a non-loopback host"
    resolution = "Use an https:// base URL (plain http is allowed only for 127.0.0.1/localhost)."


class CredentialsInURLError(InsecureURLError):
    """`https://user:password@host`: httpx would send Basic credentials instead of the key."""

    default_message = "The base URL contains a user name or password, which kb4tui never sends"
    resolution = (
        "Remove the `user:password@` part: the API key is the only credential, sent as a "
        "Bearer token."
    )


class InvalidURLError(APIError):
    """A base URL that cannot be connected to (malformed, port out of range)."""

    exit_code = ExitCode.USAGE
    default_message = "The base URL is not a valid URL"
    resolution = "Give one like https://host or http://127.0.0.1:8765 (ports 1 to 65535)."
