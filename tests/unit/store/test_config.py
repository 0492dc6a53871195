"""The settings object: typed fields, validation with one sentence per problem (file and
key, never the value), precedence of options, environment and profile, and paths."""

from __future__ import annotations

import tomllib
from datetime import timedelta
from pathlib import Path

import pytest

from kb4tui.store.config import (
    ConfigError,
    Profile,
    Settings,
    load_settings,
    resolve_settings,
    settings_from_data,
)
from kb4tui.store.paths import (
    InvalidProfileNameError,
    cache_namespace,
    config_path,
    profile_data_dir,
)

SECRET = "KB4SECRET-0123456789abcdef"


def write_config(text: str) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def settings_of(text: str) -> Settings:
    return settings_from_data(tomllib.loads(text), Path("config.toml"))


def test_config_lives_under_the_xdg_config_dir(_isolated_environment: Path) -> None:
    assert config_path() == _isolated_environment / "config" / "kb4tui" / "config.toml"


def test_missing_file_is_the_defaults() -> None:
    settings = load_settings()
    assert settings.profiles == {}
    assert settings.default_profile == "default"
    assert settings.keys == {}
    assert settings.cache_ttl("default") == timedelta(minutes=15)
    assert settings.source == config_path()


def test_every_setting_is_a_typed_field_and_unknown_keys_are_kept() -> None:
    path = write_config(
        'default_profile = "acme"\n'
        "cache_ttl_minutes = 20\n"
        "escape_delay_ms = 100\n"
        '[ui]\ntheme = "ansi-dark"\n'
        '[profiles.acme]\nregion = "EU"\ncolour = "blue"\ncache_ttl_minutes = 30\n'
        '[profiles.lab]\nbase_url = "http://127.0.0.1:8765/"\n'
        '[keys]\n"main.library" = " l "\n'
    )
    settings = load_settings()
    assert settings.source == path
    assert settings.default_profile == "acme"
    assert settings.escape_delay_ms == 100
    assert settings.keys == {"main.library": "l"}
    acme, lab = settings.profiles["acme"], settings.profiles["lab"]
    assert (acme.region, acme.base_url, acme.cache_ttl_minutes) == ("eu", None, 30)
    assert acme.model_extra == {"colour": "blue"}
    assert (lab.region, lab.base_url) == ("us", "http://127.0.0.1:8765")
    assert settings.model_extra == {"ui": {"theme": "ansi-dark"}}
    assert settings.get("acme") == Profile("acme", "eu")
    assert [p.name for p in settings.profile_list()] == ["acme", "lab"]


def test_the_cache_lifetime_is_the_profiles_then_the_files_then_15_minutes() -> None:
    settings = settings_of(
        "cache_ttl_minutes = 20\n[profiles.acme]\ncache_ttl_minutes = 0\n[profiles.lab]\n"
    )
    assert settings.cache_ttl("acme") == timedelta(0)
    assert settings.cache_ttl("lab") == timedelta(minutes=20)
    assert settings.cache_ttl(None) == timedelta(minutes=20)
    assert Settings().cache_ttl("x") == timedelta(minutes=15)


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("default_profile = [", "is not valid TOML"),
        ('[profiles.acme]\nregion = "mars"\n', "[profiles.acme] region must be one of us, eu"),
        ('[profiles."../evil"]\nregion = "us"\n', "the profile name '../e…' in [profiles]"),
        ('[profiles.acme]\nbase_url = "ftp://x"\n', "[profiles.acme] base_url must be an http://"),
        (
            '[profiles.acme]\nbase_url = "https://admin:pw@x"\n',
            "[profiles.acme] base_url must not contain a user name or password",
        ),
        ("profiles = 3\n", "[profiles] must be a table of profiles"),
        ("[profiles]\nacme = 3\n", "[profiles.acme] must be a table"),
        ('[keys]\n"main.library" = 3\n', '[keys] "main.library" must be a string of keys'),
        ("keys = 3\n", "[keys] must be a table"),
        ("escape_delay_ms = 0\n", "escape_delay_ms must be a whole number of milliseconds"),
        ('cache_ttl_minutes = "15"\n', "cache_ttl_minutes must be a number of minutes"),
        ("cache_ttl_minutes = true\n", "cache_ttl_minutes must be a number of minutes"),
        ("cache_ttl_minutes = -1\n", "cache_ttl_minutes must be a number of minutes"),
    ],
)
def test_a_broken_config_is_one_sentence_naming_the_file_and_the_key(
    text: str, sentence: str
) -> None:
    path = write_config(text)
    with pytest.raises(ConfigError) as info:
        load_settings()
    message = str(info.value)
    assert message.startswith(f"{path}")
    assert sentence in message
    assert message.endswith(".") and message.count(". ") == 0  # one sentence


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "1e308", "525601"])
def test_a_cache_lifetime_beyond_a_year_or_not_a_number_is_refused(value: str) -> None:
    with pytest.raises(ConfigError, match=r"from 0 to 525,600 \(a year\)"):
        settings_of(f"cache_ttl_minutes = {value}\n")
    with pytest.raises(ConfigError, match=r"\[profiles\.acme\] cache_ttl_minutes"):
        settings_of(f"[profiles.acme]\ncache_ttl_minutes = {value}\n")


def test_several_problems_are_counted_in_the_one_sentence() -> None:
    with pytest.raises(ConfigError, match=r"\(and 2 more problems\)\.$"):
        settings_of('escape_delay_ms = 0\ncache_ttl_minutes = nan\n[profiles.a]\nregion = "x"\n')


@pytest.mark.parametrize(
    "text",
    [
        f'[profiles.acme]\nregion = "{SECRET}"\n',
        f'[profiles.acme]\nbase_url = "{SECRET}"\n',
        f'[profiles.acme]\nbase_url = "ftp://u:{SECRET}@x"\n',
        f'[profiles.acme]\nbase_url = "https://u:{SECRET}@x"\n',
        f'[profiles.acme]\nbase_url = "http://{SECRET}@127.0.0.1:8765/v1"\n',
        f'default_profile = "{SECRET} "\n',
        f'[profiles."{SECRET} x"]\nregion = "us"\n',
        f'cache_ttl_minutes = "{SECRET}"\n',
        f'[keys]\n"main.library" = ["{SECRET}"]\n',
    ],
)
def test_errors_never_echo_a_value_that_could_be_a_key(text: str) -> None:
    with pytest.raises(ConfigError) as info:
        settings_of(text)
    assert "SECRET" not in str(info.value)
    assert "0123" not in str(info.value)


def test_a_default_profile_that_names_no_profile_is_refused_without_echoing_it() -> None:
    """A key pasted as default_profile would otherwise appear in every hint."""
    settings = settings_of(f'default_profile = "{SECRET}"\n[profiles.acme]\n[profiles.lab]\n')
    with pytest.raises(ConfigError) as info:
        resolve_settings(settings, env={})
    assert "default_profile names no profile in [profiles]" in str(info.value)
    assert "set it to one of: acme, lab" in str(info.value)
    assert SECRET not in str(info.value)
    # Naming the profile explicitly (`auth login --profile x`) still works.
    assert resolve_settings(settings, profile="acme", env={}).profile == "acme"
    # The built-in name needs no table.
    assert resolve_settings(
        settings_of('default_profile = "default"\n'), env={}
    ).profile_exists is (False)


def test_key_like_entries_are_found_at_any_depth_and_warned_about() -> None:
    settings = settings_of(
        f'api_key = "{SECRET}"\n'
        f'[profiles.acme]\ntoken = "{SECRET}"\n'
        f'[profiles.acme.auth]\npassword = "{SECRET}"\n'
        f'[ui]\nsort_key = "name"\nkeys = 2\n'
        f'[[hooks]]\nclient_secret = "{SECRET}"\n'
    )
    assert settings.secret_entries() == [
        "api_key",
        "hooks.client_secret",
        "profiles.acme.token",
        "profiles.acme.auth.password",
    ]
    warning = settings.secret_warning()
    assert warning is not None
    assert "kb4tui auth login" in warning and SECRET not in warning
    assert settings_of("[profiles.acme]\n").secret_warning() is None


def _two_profiles() -> Settings:
    return settings_of(
        'default_profile = "acme"\n[profiles.acme]\nregion = "eu"\n'
        '[profiles.lab]\nregion = "uk"\nbase_url = "http://127.0.0.1:9000"\n'
    )


def test_default_profile_is_used_when_none_is_named() -> None:
    settings = resolve_settings(_two_profiles(), env={})
    assert (settings.profile, settings.region, settings.region_source) == ("acme", "eu", "profile")
    assert settings.api_base_url == "https://eu.api.knowbe4.com"
    assert settings.profile_exists


def test_unknown_profile_falls_back_to_defaults_and_says_so() -> None:
    settings = resolve_settings(Settings(), profile="newco", env={})
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
    with pytest.raises(ConfigError, match="KNOWBE4_REGION must be one of") as info:
        resolve_settings(Settings(), env={"KNOWBE4_REGION": SECRET})
    assert SECRET not in str(info.value)
    with pytest.raises(ConfigError, match="KNOWBE4_BASE_URL must be an http") as info:
        resolve_settings(Settings(), env={"KNOWBE4_BASE_URL": SECRET})
    assert SECRET not in str(info.value)
    with pytest.raises(ConfigError, match="Invalid profile name"):
        resolve_settings(Settings(), profile="a/b", env={})


@pytest.mark.parametrize(
    "url", [f"https://u:{SECRET}@proxy.example", f"http://{SECRET}@127.0.0.1:9", "ftp://u:pw@x"]
)
def test_a_base_url_with_user_info_or_another_scheme_is_refused_without_echoing_it(
    url: str,
) -> None:
    """A profile's base URL is shown by `auth status` and the palette: a password in it
    (or a key pasted there) must never get that far, whatever its scheme."""
    with pytest.raises(ConfigError) as info:
        settings_of(f'[profiles.lab]\nbase_url = "{url}"\n')
    message = str(info.value)
    assert message.startswith("config.toml: [profiles.lab] base_url must ")
    rule = "http:// or https://" if url.startswith("ftp") else "user name or password"
    assert rule in message
    with pytest.raises(ConfigError, match=f"KNOWBE4_BASE_URL must .*{rule}") as info:
        resolve_settings(Settings(), env={"KNOWBE4_BASE_URL": url})
    for shown in (message, str(info.value)):
        assert SECRET not in shown and "pw" not in shown and "u:" not in shown


def test_each_profile_has_its_own_data_dir_and_namespace(_isolated_environment: Path) -> None:
    acme, lab = profile_data_dir("acme"), profile_data_dir("lab")
    assert acme != lab
    assert acme.is_relative_to(_isolated_environment)
    assert acme.name == "acme"
    assert cache_namespace("acme") != cache_namespace("lab")
    for bad in ("..", "../x", "", ".hidden", "a b"):
        with pytest.raises(InvalidProfileNameError):
            profile_data_dir(bad)
