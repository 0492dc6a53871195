"""Writing the config: a profile added or changed in place, the user's comments, order and
formatting kept, key-like entries dropped, atomic 0600 replacement, nothing written on error."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from kb4tui.store.config import ConfigError, Profile, load_settings
from kb4tui.store.config_file import save_profile
from kb4tui.store.paths import config_path

# The README's two examples ("Using your own account"), with the comments a user adds.
README_CONFIG = """\
# kb4tui: one profile per customer
default_profile = "acme"

[profiles.acme]
region = "eu"
cache_ttl_minutes = 30   # they refresh rarely

[profiles.globex]
region = "us"

# Keys remapped by binding id (? shows them)
[keys]
"main.library" = "l"          # library pane on l instead of 2
"main.refresh" = "ctrl+r,r"   # several keys: comma-separated
"""


def write_config(text: str) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_adding_a_profile_keeps_every_comment_and_the_order() -> None:
    path = write_config(README_CONFIG)
    saved = save_profile(Profile("lab", "us", "http://127.0.0.1:8765"))
    assert saved.path == path and saved.removed == ()
    assert path.read_text(encoding="utf-8") == README_CONFIG.replace(
        "# Keys remapped",
        '[profiles.lab]\nregion = "us"\nbase_url = "http://127.0.0.1:8765"\n\n# Keys remapped',
    )
    assert saved.settings == load_settings()
    assert saved.settings.default_profile == "acme"  # not the first profile: not the default


def test_changing_a_profile_edits_its_lines_in_place() -> None:
    path = write_config(README_CONFIG)
    save_profile(Profile("acme", "ca"))
    text = path.read_text(encoding="utf-8")
    assert text == README_CONFIG.replace('region = "eu"', 'region = "ca"')
    save_profile(Profile("globex", "us", "https://proxy.example"))
    save_profile(Profile("globex", "uk"))  # the base URL goes again
    assert path.read_text(encoding="utf-8") == text.replace(
        '[profiles.globex]\nregion = "us"', '[profiles.globex]\nregion = "uk"'
    )


def test_the_first_profile_becomes_the_default_in_a_new_file() -> None:
    saved = save_profile(Profile("acme", "eu"))
    assert saved.path.read_text(encoding="utf-8") == (
        'default_profile = "acme"\n\n[profiles.acme]\nregion = "eu"\n'
    )
    save_profile(Profile("lab", "de"), make_default=True)
    assert load_settings().default_profile == "lab"


def test_a_comment_under_the_last_entry_stays_with_its_table() -> None:
    """A commented-out key belongs to its table; a comment block after a blank line
    introduces what follows."""
    text = '[keys]\n"main.library" = "l"\n# "main.refresh" = "r"\n'
    path = write_config(text)
    save_profile(Profile("acme", "eu"))
    assert path.read_text(encoding="utf-8") == (
        'default_profile = "acme"\n\n' + text + '\n[profiles.acme]\nregion = "eu"\n'
    )


def test_key_like_entries_are_dropped_on_rewrite_and_reported() -> None:
    secret = "KB4SECRET-0123456789"
    path = write_config(
        f'api_key = "{secret}"  # pasted here by mistake\n'
        f'[profiles.acme]\nregion = "eu"\ntoken = "{secret}"\n'
        f'[profiles.acme.auth]\npassword = "{secret}"\n'
    )
    saved = save_profile(Profile("acme", "eu"))
    assert saved.removed == ("api_key", "profiles.acme.token", "profiles.acme.auth.password")
    assert secret not in path.read_text(encoding="utf-8")
    notice = saved.removal_notice()
    assert notice is not None and "kb4tui auth login" in notice and secret not in notice
    assert saved.settings.secret_entries() == []


def test_the_file_is_private_and_replaced_atomically() -> None:
    path = save_profile(Profile("one")).path
    first_inode = path.stat().st_ino
    save_profile(Profile("two", region="de"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    # A new file renamed over the old one, and no temporary files left behind.
    assert path.stat().st_ino != first_inode
    assert sorted(p.name for p in path.parent.iterdir()) == ["config.toml"]
    assert set(load_settings().profiles) == {"one", "two"}


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("default_profile = [", "is not valid TOML"),
        ("profiles = 3\n", "[profiles] must be a table"),
        ('[profiles.other]\nregion = "mars"\n', "[profiles.other] region must be one of"),
    ],
)
def test_nothing_is_written_when_the_file_is_broken(text: str, fragment: str) -> None:
    path = write_config(text)
    with pytest.raises(ConfigError, match=r"config\.toml") as info:
        save_profile(Profile("acme", "eu"))
    assert fragment in str(info.value)
    assert path.read_text(encoding="utf-8") == text
    assert sorted(p.name for p in path.parent.iterdir()) == ["config.toml"]


def test_inline_profile_tables_are_kept_inline() -> None:
    path = write_config('profiles = { acme = { region = "eu" } }\n')
    save_profile(Profile("lab", "us"))
    assert path.read_text(encoding="utf-8") == (
        'profiles = { acme = { region = "eu" }, lab = {region = "us"}}\n'
    )
