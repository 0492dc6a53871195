"""Config file and profiles: TOML round trip, atomic 0600 writes, precedence, paths."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from kb4tui.store.config import (
    Config,
    ConfigError,
    Profile,
    load_config,
    resolve_settings,
    save_config,
)
from kb4tui.store.paths import (
    InvalidProfileNameError,
    cache_namespace,
    config_path,
    profile_data_dir,
)


def test_config_lives_under_the_xdg_config_dir(_isolated_environment: Path) -> None:
    assert config_path() == _isolated_environment / "config" / "kb4tui" / "config.toml"


def test_missing_file_is_an_empty_config() -> None:
    config = load_config()
    assert config.profiles == {}
    assert config.default_profile == "default"


def test_round_trip_keeps_profiles_default_and_unknown_keys() -> None:
    config = Config(
        default_profile="acme",
        profiles={
            "acme": Profile("acme", region="eu", extra={"colour": "blue"}),
            "lab": Profile("lab", region="us", base_url="http://127.0.0.1:8765/"),
        },
        extra={"ui": {"theme": "ansi-dark"}},
    )
    path = save_config(config)
    loaded = load_config()
    assert loaded.default_profile == "acme"
    assert loaded.get("acme") == Profile("acme", region="eu")
    assert loaded.get("acme").extra == {"colour": "blue"}  # type: ignore[union-attr]
    assert loaded.get("lab") == Profile("lab", region="us", base_url="http://127.0.0.1:8765")
    assert loaded.extra == {"ui": {"theme": "ansi-dark"}}
    assert "[profiles.acme]" in path.read_text()


def test_written_file_is_private_and_replaced_atomically() -> None:
    path = save_config(Config().with_profile(Profile("one")))
    first_inode = path.stat().st_ino
    save_config(load_config().with_profile(Profile("two", region="de")))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    # A new file renamed over the old one, and no temporary files left behind.
    assert path.stat().st_ino != first_inode
    assert sorted(p.name for p in path.parent.iterdir()) == ["config.toml"]
    assert set(load_config().profiles) == {"one", "two"}


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("default_profile = [", "not valid TOML"),
        ('[profiles.acme]\nregion = "mars"\n', "region must be one of"),
        ('[profiles."../evil"]\nregion = "us"\n', "Invalid profile name"),
        ('[profiles.acme]\nbase_url = "ftp://x"\n', "base_url must be an http(s) URL"),
        ("profiles = 3\n", "must be a table"),
    ],
)
def test_broken_config_gives_one_clear_sentence(text: str, fragment: str) -> None:
    path = config_path()
    path.parent.mkdir(parents=True)
    path.write_text(text)
    with pytest.raises(ConfigError, match=r"config\.toml") as info:
        load_config()
    assert fragment in str(info.value)


def _two_profiles() -> Config:
    return Config(
        default_profile="acme",
        profiles={
            "acme": Profile("acme", region="eu"),
            "lab": Profile("lab", region="uk", base_url="http://127.0.0.1:9000"),
        },
    )


def test_default_profile_is_used_when_none_is_named() -> None:
    settings = resolve_settings(_two_profiles(), env={})
    assert (settings.profile, settings.region, settings.region_source) == ("acme", "eu", "profile")
    assert settings.api_base_url == "https://eu.api.knowbe4.com"
    assert settings.profile_exists


def test_unknown_profile_falls_back_to_defaults_and_says_so() -> None:
    settings = resolve_settings(Config(), profile="newco", env={})
    assert (settings.region, settings.region_source, settings.profile_exists) == (
        "us",
        "default",
        False,
    )


def test_environment_overrides_profile_and_options_override_environment() -> None:
    config = _two_profiles()
    env = {"KNOWBE4_REGION": "ca"}
    from_env = resolve_settings(config, profile="acme", env=env)
    assert (from_env.region, from_env.region_source) == ("ca", "environment")
    from_option = resolve_settings(config, profile="acme", region="de", env=env)
    assert (from_option.region, from_option.region_source) == ("de", "option")


def test_a_higher_region_drops_a_lower_base_url() -> None:
    config = _two_profiles()
    assert resolve_settings(config, profile="lab", env={}).base_url == "http://127.0.0.1:9000"
    # --region uk on a profile with a base URL means "the real uk host".
    assert resolve_settings(config, profile="lab", region="us", env={}).base_url is None
    # A base URL from the environment applies on top of the profile's region.
    env = {"KNOWBE4_BASE_URL": "https://proxy.example/"}
    settings = resolve_settings(config, profile="acme", env=env)
    assert (settings.region, settings.api_base_url) == ("eu", "https://proxy.example")


def test_bad_region_or_profile_name_from_outside_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="region must be one of"):
        resolve_settings(Config(), env={"KNOWBE4_REGION": "mars"})
    with pytest.raises(ConfigError, match="Invalid profile name"):
        resolve_settings(Config(), profile="a/b", env={})


def test_each_profile_has_its_own_data_dir_and_namespace(_isolated_environment: Path) -> None:
    acme, lab = profile_data_dir("acme"), profile_data_dir("lab")
    assert acme != lab
    assert acme.is_relative_to(_isolated_environment)
    assert acme.name == "acme"
    assert cache_namespace("acme") != cache_namespace("lab")
    for bad in ("..", "../x", "", ".hidden", "a b"):
        with pytest.raises(InvalidProfileNameError):
            profile_data_dir(bad)
