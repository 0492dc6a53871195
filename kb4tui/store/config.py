"""The config file: named profiles (region, optional base URL) and which one is the default.

```toml
default_profile = "acme"

[profiles.acme]
region = "eu"

[profiles.lab]
region = "us"
base_url = "http://127.0.0.1:8765"

[keys]                      # binding id -> keys (comma-separated), see the help screen
"main.library" = "l"
```

The file never holds a key (keys live in the OS keyring, see kb4tui.credentials). It is
written atomically with mode 0600 all the same, since profile names can name customers.
Keys we do not know are kept on save, so a newer kb4tui's settings survive an older one.
"""

from __future__ import annotations

import os
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import tomli_w

from kb4tui.api import regions as api_regions
from kb4tui.store.paths import InvalidProfileNameError, config_path, validate_profile_name

__all__ = [
    "DEFAULT_CACHE_TTL_MINUTES",
    "DEFAULT_PROFILE",
    "DEFAULT_REGION",
    "REGIONS",
    "REGION_BASE_URLS",
    "Config",
    "ConfigError",
    "ConnectionSettings",
    "Profile",
    "cache_ttl",
    "load_config",
    "region_base_url",
    "resolve_settings",
    "save_config",
]

DEFAULT_PROFILE = "default"
DEFAULT_REGION = "us"
# One source of truth for region hosts: the client's.
REGION_BASE_URLS: Mapping[str, str] = api_regions.REGIONS
REGIONS: tuple[str, ...] = tuple(REGION_BASE_URLS)

DEFAULT_CACHE_TTL_MINUTES = 15.0

ENV_REGION = "KNOWBE4_REGION"
ENV_BASE_URL = "KNOWBE4_BASE_URL"


class ConfigError(ValueError):
    """The config file or a setting is unusable; the message is one sentence for the user."""


def region_base_url(region: str) -> str:
    try:
        return REGION_BASE_URLS[region]
    except KeyError:
        raise ConfigError(f"Unknown region {region!r}: use one of {', '.join(REGIONS)}.") from None


@dataclass(frozen=True, slots=True)
class Profile:
    """One account's connection settings. `base_url` overrides the region's host."""

    name: str
    region: str = DEFAULT_REGION
    base_url: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def to_toml(self) -> dict[str, Any]:
        data: dict[str, Any] = dict(self.extra)
        data["region"] = self.region
        if self.base_url:
            data["base_url"] = self.base_url
        else:
            data.pop("base_url", None)
        return data


@dataclass(frozen=True, slots=True)
class Config:
    default_profile: str = DEFAULT_PROFILE
    profiles: Mapping[str, Profile] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)
    # The [keys] table: binding id -> keys, e.g. {"main.library": "l"} (the app ignores,
    # with a notice, ids it does not know).
    keys: Mapping[str, str] = field(default_factory=dict)

    def get(self, name: str) -> Profile | None:
        return self.profiles.get(name)

    def with_profile(self, profile: Profile, *, make_default: bool = False) -> Config:
        profiles = dict(self.profiles)
        profiles[profile.name] = profile
        default = profile.name if make_default else self.default_profile
        return replace(self, profiles=profiles, default_profile=default)

    def to_toml(self) -> dict[str, Any]:
        data: dict[str, Any] = dict(self.extra)
        data["default_profile"] = self.default_profile
        data["profiles"] = {name: p.to_toml() for name, p in sorted(self.profiles.items())}
        if self.keys:
            data["keys"] = dict(self.keys)
        return data


def _check_base_url(value: Any, where: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not value.startswith(("https://", "http://")):
        raise ConfigError(f"{where}: base_url must be an http(s) URL, not {value!r}.")
    return value.rstrip("/")


def _check_region(value: Any, where: str) -> str:
    if not isinstance(value, str) or value not in REGION_BASE_URLS:
        raise ConfigError(f"{where}: region must be one of {', '.join(REGIONS)}, not {value!r}.")
    return value


def _parse_keys(raw: Any, source: Path) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise ConfigError(f'{source}: [keys] must be a table of binding id = "keys".')
    for binding_id, keys in raw.items():
        if not isinstance(keys, str) or not keys.strip():
            raise ConfigError(
                f'{source}: [keys] {binding_id!r} must be a string of keys, e.g. "l" or '
                f'"ctrl+l,l", not {keys!r}.'
            )
    return {binding_id: keys.strip() for binding_id, keys in raw.items()}


def _parse(data: Mapping[str, Any], source: Path) -> Config:
    raw_profiles = data.get("profiles", {})
    if not isinstance(raw_profiles, dict):
        raise ConfigError(f"{source}: [profiles] must be a table.")
    profiles: dict[str, Profile] = {}
    for name, raw in raw_profiles.items():
        where = f"{source}, profile {name!r}"
        try:
            validate_profile_name(name)
        except InvalidProfileNameError as exc:
            raise ConfigError(f"{source}: {exc}") from None
        if not isinstance(raw, dict):
            raise ConfigError(f"{where} must be a table.")
        extra = {k: v for k, v in raw.items() if k not in {"region", "base_url"}}
        profiles[name] = Profile(
            name=name,
            region=_check_region(raw.get("region", DEFAULT_REGION), where),
            base_url=_check_base_url(raw.get("base_url"), where),
            extra=extra,
        )
    default = data.get("default_profile", DEFAULT_PROFILE)
    if not isinstance(default, str):
        raise ConfigError(f"{source}: default_profile must be a string.")
    try:
        validate_profile_name(default)
    except InvalidProfileNameError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    keys = _parse_keys(data.get("keys", {}), source)
    extra = {k: v for k, v in data.items() if k not in {"profiles", "default_profile", "keys"}}
    return Config(default_profile=default, profiles=profiles, extra=extra, keys=keys)


def load_config(path: Path | None = None) -> Config:
    """Read the config; a missing file is an empty config, a broken one a ConfigError."""
    path = path or config_path()
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        return Config()
    except OSError as exc:
        raise ConfigError(f"Cannot read {path}: {exc.strerror}.") from None
    try:
        data = tomllib.loads(text.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not valid TOML ({exc}); fix or delete it.") from None
    return _parse(data, path)


def save_config(config: Config, path: Path | None = None) -> Path:
    """Write the config atomically (temp file + rename) with mode 0600; return its path."""
    path = path or config_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    payload = tomli_w.dumps(config.to_toml()).encode("utf-8")
    # mkstemp creates the file 0600 from the start, so it is never readable by others.
    fd, tmp_name = tempfile.mkstemp(prefix=".config-", suffix=".toml", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o600)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return path


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


def resolve_settings(
    config: Config,
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
    try:
        name = validate_profile_name(profile or config.default_profile)
    except InvalidProfileNameError as exc:
        raise ConfigError(str(exc)) from None
    stored = config.get(name)
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
        if chosen_base is None and layer_base:
            chosen_base = _check_base_url(layer_base, f"{source} base URL")
        if layer_region:
            chosen_region = _check_region(layer_region, f"{source} region")
            chosen_source = source
            break
    return ConnectionSettings(
        profile=name,
        region=chosen_region or DEFAULT_REGION,
        base_url=chosen_base,
        region_source=chosen_source,
        profile_exists=stored is not None,
    )


def cache_ttl(config: Config, profile: str | None) -> timedelta:
    """How long cached data is served without a refetch: `cache_ttl_minutes` of the
    profile, else of the whole file, else 15 minutes. A bad value is a ConfigError."""
    stored = config.get(profile) if profile else None
    for where, table in (("profile", stored.extra if stored else {}), ("file", config.extra)):
        value = table.get("cache_ttl_minutes")
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ConfigError(
                f"cache_ttl_minutes ({where}) must be a number of minutes, 0 or more."
            )
        return timedelta(minutes=float(value))
    return timedelta(minutes=DEFAULT_CACHE_TTL_MINUTES)
