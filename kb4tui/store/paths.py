"""Where kb4tui keeps its files: the config file, and one data directory per profile.

Everything goes through platformdirs, so tests (and users) can move it with the XDG
variables. Profile names become directory names, hence the strict check.
"""

from __future__ import annotations

import re
from pathlib import Path

import platformdirs

__all__ = [
    "APP_NAME",
    "DEMO_STORE_NAME",
    "InvalidProfileNameError",
    "cache_namespace",
    "config_path",
    "profile_data_dir",
    "validate_profile_name",
]

APP_NAME = "kb4tui"

# Safe as a directory name and as a keyring username on every platform.
_PROFILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")

# What `--demo` files its cache and quota meter under. A profile name starts with a letter
# or digit, so no profile can take this one: a real account's profile named "demo" (an
# MSP's demo tenant) keeps its own cache and quota count, apart from the fake data.
DEMO_STORE_NAME = "_demo"


class InvalidProfileNameError(ValueError):
    """A profile name that could not safely name a directory."""


def validate_profile_name(name: str) -> str:
    """Return `name` unchanged if it is usable as a profile name, else raise."""
    if not _PROFILE_NAME.fullmatch(name) or name in {".", ".."}:
        raise InvalidProfileNameError(
            f"Invalid profile name {name!r}: use up to 64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit."
        )
    return name


def config_path() -> Path:
    """The TOML config file (it may not exist yet)."""
    return platformdirs.user_config_path(APP_NAME) / "config.toml"


def profile_data_dir(profile: str) -> Path:
    """The directory for one profile's data (cache database, exports); not created here.

    Each profile gets its own directory so that two accounts' data can never mix (the
    demo's is DEMO_STORE_NAME).
    """
    name = profile if profile == DEMO_STORE_NAME else validate_profile_name(profile)
    return platformdirs.user_cache_path(APP_NAME) / "profiles" / name


def cache_namespace(profile: str) -> str:
    """A key prefix for caches shared between profiles (e.g. in-memory memos)."""
    return f"profile:{validate_profile_name(profile)}"
