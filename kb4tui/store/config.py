"""The settings: one typed object read from the config file once per run and passed down.

```toml
default_profile = "acme"
cache_ttl_minutes = 15        # how long cached data is fresh (a profile may override it)
escape_delay_ms = 250         # how long Escape waits for the rest of a key sequence

[profiles.acme]
region = "eu"

[profiles.lab]
region = "us"
base_url = "http://127.0.0.1:8765"
cache_ttl_minutes = 5

[keys]                        # binding id -> keys (comma-separated), see the help screen
"main.library" = "l"
```

The file never holds a key (keys live in the OS keyring, see kb4tui.credentials): an
entry that looks like one draws a warning, and is dropped when kb4tui rewrites the file
(kb4tui.store.config_file, which keeps comments and order). Keys we do not know are kept,
so a newer kb4tui's settings survive an older one. Errors are one sentence naming the file
and the key, never the value: a key pasted into the wrong line must not reach a terminal.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from kb4tui.api.region_hosts import DEFAULT_REGION, REGION_NAMES, REGIONS, Region
from kb4tui.store.paths import InvalidProfileNameError, config_path, validate_profile_name

__all__ = [
    "DEFAULT_CACHE_TTL_MINUTES",
    "DEFAULT_PROFILE",
    "MAX_CACHE_TTL_MINUTES",
    "ConfigError",
    "ConnectionSettings",
    "Profile",
    "ProfileSettings",
    "Settings",
    "has_user_info",
    "is_secret_name",
    "load_settings",
    "region_base_url",
    "resolve_settings",
    "settings_from_data",
]

DEFAULT_PROFILE = "default"
DEFAULT_CACHE_TTL_MINUTES = 15.0
# A year: longer is "never refetch", and timedelta overflows long before float does.
MAX_CACHE_TTL_MINUTES = 525_600
MAX_ESCAPE_DELAY_MS = 5_000

ENV_REGION = "KNOWBE4_REGION"
ENV_BASE_URL = "KNOWBE4_BASE_URL"

_PROFILE_NAME_RULE = "up to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"
_REGION_RULE = f"one of {', '.join(REGION_NAMES)}"

# Names under which people paste an API key into a config file. Matched on the whole name
# or as its last word, so `sort_key` or `keys` are not mistaken for one.
_SECRET_NAMES = frozenset(
    {"key", "apikey", "api_key", "token", "api_token", "access_token", "secret", "password"}
)
_SECRET_SUFFIXES = ("_api_key", "_apikey", "_token", "_secret", "_password", "_passwd")


class ConfigError(ValueError):
    """The config file or a setting is unusable; the message is one sentence for the user."""


def is_secret_name(name: str) -> bool:
    """True for entry names that would hold an API key (`api_key`, `token`, `password`...)."""
    normal = name.strip().lower().replace("-", "_")
    return normal in _SECRET_NAMES or normal.endswith(_SECRET_SUFFIXES) or normal == "passwd"


def region_base_url(region: str) -> str:
    try:
        return REGIONS[region]
    except KeyError:
        raise ConfigError(f"The region must be {_REGION_RULE}.") from None


# ---- the model ------------------------------------------------------------------------------


def _profile_name(value: str) -> str:
    return validate_profile_name(value)


def _lower_region(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


def has_user_info(url: str) -> bool:
    """`scheme://user:password@host`, judged without a full parse (which may fail first)."""
    authority = url.partition("://")[2].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    return "@" in authority


# The pydantic error type of a base URL with `user:password@`, told apart from a bad scheme.
_USER_INFO_ERROR = "base_url_user_info"
_USER_INFO_RULE = (
    "must not contain a user name or password (the API key is the only credential kb4tui sends)"
)


def _base_url(value: str | None) -> str | None:
    """An http(s) URL without user info (httpx would send it as Basic credentials instead
    of the key, and the palette and `auth status` show a profile's base URL)."""
    if value is None or value == "":
        return None
    if not value.startswith(("https://", "http://")):
        raise ValueError("not an http(s) URL")
    if has_user_info(value):
        raise PydanticCustomError(_USER_INFO_ERROR, "the URL holds user info")
    return value.rstrip("/")


def _key_spec(value: str) -> str:
    if not value.strip():
        raise ValueError("empty")
    return value.strip()


ProfileName = Annotated[str, AfterValidator(_profile_name)]
RegionName = Annotated[Region, BeforeValidator(_lower_region)]
BaseURL = Annotated[str | None, AfterValidator(_base_url)]
CacheMinutes = Annotated[float, Field(ge=0, le=MAX_CACHE_TTL_MINUTES, allow_inf_nan=False)]
EscapeDelay = Annotated[int, Field(ge=1, le=MAX_ESCAPE_DELAY_MS)]
KeySpec = Annotated[str, AfterValidator(_key_spec)]


class ProfileSettings(BaseModel):
    """One `[profiles.NAME]` table. Unknown keys are kept (`model_extra`)."""

    model_config = ConfigDict(extra="allow", frozen=True, strict=True)

    region: RegionName = DEFAULT_REGION
    base_url: BaseURL = None
    cache_ttl_minutes: CacheMinutes | None = None


class Settings(BaseModel):
    """The whole config file, validated. Build it with `load_settings`; never mutate it."""

    model_config = ConfigDict(extra="allow", frozen=True, strict=True)

    default_profile: ProfileName = DEFAULT_PROFILE
    cache_ttl_minutes: CacheMinutes | None = None
    escape_delay_ms: EscapeDelay | None = None
    profiles: dict[ProfileName, ProfileSettings] = Field(default_factory=dict)
    # The [keys] table: binding id -> keys, e.g. {"main.library": "l"} (the app ignores,
    # with a notice, ids it does not know).
    keys: dict[str, KeySpec] = Field(default_factory=dict)

    _source: Path | None = PrivateAttr(default=None)

    @property
    def source(self) -> Path | None:
        """The file these settings were read from (None: built in code)."""
        return self._source

    def get(self, name: str) -> Profile | None:
        stored = self.profiles.get(name)
        if stored is None:
            return None
        return Profile(name, stored.region, stored.base_url)

    def profile_list(self) -> list[Profile]:
        """Every profile, the default one first, then by name."""
        names = sorted(self.profiles, key=lambda n: (n != self.default_profile, n.casefold()))
        return [profile for name in names if (profile := self.get(name)) is not None]

    def cache_ttl(self, profile: str | None) -> timedelta:
        """How long cached data is served without a refetch: `cache_ttl_minutes` of the
        profile, else of the whole file, else 15 minutes."""
        stored = self.profiles.get(profile) if profile else None
        for minutes in (stored.cache_ttl_minutes if stored else None, self.cache_ttl_minutes):
            if minutes is not None:
                return timedelta(minutes=minutes)
        return timedelta(minutes=DEFAULT_CACHE_TTL_MINUTES)

    def secret_entries(self) -> list[str]:
        """Dotted names of entries that look like an API key (`profiles.acme.api_key`)."""
        found = list(_secret_paths(self.model_extra or {}, ()))
        for name, profile in self.profiles.items():
            found.extend(_secret_paths(profile.model_extra or {}, ("profiles", name)))
        found.extend(_secret_paths(self.keys, ("keys",)))
        return found

    def secret_warning(self) -> str | None:
        """One sentence about key-like entries in the file, or None when there are none."""
        entries = self.secret_entries()
        if not entries:
            return None
        where = self.source or "The config file"
        return (
            f"{where} holds what looks like an API key ({', '.join(entries)}); kb4tui never "
            "reads keys from it: delete the line and store the key with `kb4tui auth login`."
        )


def _secret_paths(table: Mapping[str, Any], prefix: tuple[str, ...]) -> Iterator[str]:
    for name, value in table.items():
        path = (*prefix, str(name))
        if is_secret_name(str(name)):
            yield ".".join(path)
        elif isinstance(value, Mapping):
            yield from _secret_paths(value, path)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, Mapping):
                    yield from _secret_paths(item, path)


@dataclass(frozen=True, slots=True)
class Profile:
    """One account's connection settings. `base_url` overrides the region's host."""

    name: str
    region: str = DEFAULT_REGION
    base_url: str | None = None


# ---- reading --------------------------------------------------------------------------------


def load_settings(path: Path | None = None) -> Settings:
    """Read and validate the config; a missing file is the defaults, a broken one a
    ConfigError whose message names the file and the key (never the value)."""
    path = path or config_path()
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        settings = Settings()
        settings._source = path
        return settings
    except OSError as exc:
        raise ConfigError(f"Cannot read {path}: {exc.strerror}.") from None
    try:
        data = tomllib.loads(text.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not UTF-8 text; fix or delete it.") from None
    except tomllib.TOMLDecodeError as exc:
        # tomllib's messages give a position, never the text found there.
        raise ConfigError(f"{path} is not valid TOML ({exc}); fix or delete it.") from None
    return settings_from_data(data, path)


def settings_from_data(data: Mapping[str, Any], source: Path | None = None) -> Settings:
    """Validate parsed TOML (a dict) into Settings; raises ConfigError."""
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc.errors(include_input=False), source)) from None
    settings._source = source
    return settings


def _describe(errors: list[ErrorDetails], source: Path | None) -> str:
    """The first problem as one sentence: file, key, rule. Pydantic's own messages are not
    used: they quote the input, which may be a key pasted into the wrong line."""
    where = f"{source}: " if source is not None else "The config file: "
    problem = _problem(errors[0]["loc"], errors[0]["type"])
    more = len(errors) - 1
    tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return f"{where}{problem}{tail}."


def _problem(loc: tuple[int | str, ...], kind: str) -> str:
    """What is wrong at `loc` (a pydantic error location) in the file's own terms."""
    head = str(loc[0]) if loc else ""
    if head == "profiles" and len(loc) >= 2:
        name = _shown_name(str(loc[1]))
        if len(loc) >= 3 and loc[2] == "[key]":
            return f"the profile name {name} in [profiles] is not valid: use {_PROFILE_NAME_RULE}"
        if len(loc) == 2:
            return f"[profiles.{name}] must be a table"
        return _field_problem(str(loc[2]), f"[profiles.{name}] ", kind)
    if head in ("profiles", "keys") and len(loc) == 1:
        return (
            "[profiles] must be a table of profiles"
            if head == "profiles"
            else '[keys] must be a table of binding id = "keys"'
        )
    if head == "keys" and len(loc) >= 2:
        binding = _shown_name(str(loc[1]))
        return f'[keys] "{binding}" must be a string of keys such as "l" or "ctrl+l,l"'
    if head == "" or kind == "model_type":
        return "the file must be a table of settings"
    return _field_problem(head, "", kind)


def _field_problem(field: str, table: str, kind: str = "") -> str:
    if field == "base_url" and kind == _USER_INFO_ERROR:
        return f"{table}base_url {_USER_INFO_RULE}"
    rules = {
        "default_profile": f"must be a profile name: {_PROFILE_NAME_RULE}",
        "region": f"must be {_REGION_RULE}",
        "base_url": "must be an http:// or https:// URL",
        "cache_ttl_minutes": (
            f"must be a number of minutes from 0 to {MAX_CACHE_TTL_MINUTES:,} (a year)"
        ),
        "escape_delay_ms": (
            f"must be a whole number of milliseconds from 1 to {MAX_ESCAPE_DELAY_MS:,}"
        ),
    }
    return f"{table}{field} {rules.get(field, 'is not valid')}"


def _shown_name(name: str) -> str:
    """A name from the file as it may be shown: whole when it is a valid profile name,
    else only its first characters (it may be a key put in the wrong place)."""
    try:
        return validate_profile_name(name)
    except InvalidProfileNameError:
        return repr(name[:4] + "…") if len(name) > 4 else repr(name)


# ---- where one run connects -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConnectionSettings:
    """Where one run connects: the profile, its region and an optional base URL override.

    `region_source` says which layer chose the region: "option", "environment",
    "profile" or "default".
    """

    profile: str
    region: str
    base_url: str | None
    region_source: str
    profile_exists: bool

    @property
    def api_base_url(self) -> str:
        """The URL requests go to: the override, or the region's host."""
        return self.base_url or region_base_url(self.region)


_LAYER_NAMES = {
    "option": ("--region", "--base-url"),
    "environment": (ENV_REGION, ENV_BASE_URL),
}


def resolve_settings(
    settings: Settings,
    *,
    profile: str | None = None,
    region: str | None = None,
    base_url: str | None = None,
    env: Mapping[str, str] | None = None,
) -> ConnectionSettings:
    """Combine command-line options, KNOWBE4_REGION/KNOWBE4_BASE_URL and the profile.

    Highest first: options, environment, profile, default. A base URL only counts if it
    comes from the same or a higher layer than the region, so `--region eu` is not
    silently overridden by a profile's base_url.
    """
    env = os.environ if env is None else env
    if profile is None:
        name = _default_profile(settings)
    else:
        try:
            name = validate_profile_name(profile)
        except InvalidProfileNameError as exc:
            raise ConfigError(str(exc)) from None
    stored = settings.get(name)
    layers: list[tuple[str, str | None, str | None]] = [
        ("option", region, base_url),
        ("environment", env.get(ENV_REGION) or None, env.get(ENV_BASE_URL) or None),
    ]
    if stored is not None:
        layers.append(("profile", stored.region, stored.base_url))
    chosen_region: str | None = None
    chosen_source = "default"
    chosen_base: str | None = None
    for source, layer_region, layer_base in layers:
        region_name, base_name = _LAYER_NAMES.get(source, ("region", "base_url"))
        if chosen_base is None and layer_base:
            try:
                chosen_base = _base_url(layer_base)
            except PydanticCustomError:
                raise ConfigError(f"{base_name} {_USER_INFO_RULE}.") from None
            except ValueError:
                raise ConfigError(f"{base_name} must be an http:// or https:// URL.") from None
        if layer_region:
            chosen_region = layer_region.strip().lower()
            if chosen_region not in REGIONS:
                raise ConfigError(f"{region_name} must be {_REGION_RULE}.")
            chosen_source = source
            break
    return ConnectionSettings(
        profile=name,
        region=chosen_region or DEFAULT_REGION,
        base_url=chosen_base,
        region_source=chosen_source,
        profile_exists=stored is not None,
    )


def _default_profile(settings: Settings) -> str:
    """`default_profile`, which must name a [profiles] table unless it is the built-in
    "default": otherwise a key pasted there would be echoed in every hint that names it."""
    name = settings.default_profile
    if name == DEFAULT_PROFILE or name in settings.profiles:
        return name
    where = settings.source or "The config file"
    known = ", ".join(p.name for p in settings.profile_list())
    fix = f"set it to one of: {known}" if known else "remove it"
    raise ConfigError(
        f"{where}: default_profile names no profile in [profiles]; {fix}, or add the "
        "profile with `kb4tui auth login --profile NAME`."
    )
