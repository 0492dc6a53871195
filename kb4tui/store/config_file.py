"""Writing the config file: edit it in place, as a person would, and replace it atomically.

`kb4tui auth login` and the sign-in screen add or update one profile. The file is edited
through tomlkit, so the user's comments, key order and formatting survive (a rewrite from
the parsed data would drop them). Entries that look like an API key are dropped on the
way (keys belong in the OS keyring) and reported, so the caller can say so. The result is
validated before anything is written; the file is replaced atomically with mode 0600
(profile names can name customers).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.container import Container
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import AoT, Comment, InlineTable, Table, Whitespace
from tomlkit.toml_document import TOMLDocument

from kb4tui.store.config import (
    ConfigError,
    Profile,
    Settings,
    is_secret_name,
    settings_from_data,
)
from kb4tui.store.paths import config_path

__all__ = ["SavedConfig", "save_profile"]

_TRIVIA = (Comment, Whitespace)


@dataclass(frozen=True, slots=True)
class SavedConfig:
    """What `save_profile` wrote: where, the settings now in the file, and the dotted
    names of key-like entries it removed."""

    path: Path
    settings: Settings
    removed: tuple[str, ...]

    def removal_notice(self) -> str | None:
        """One sentence for the user when key-like entries were removed, else None."""
        if not self.removed:
            return None
        return (
            f"Removed what looked like an API key from {self.path} "
            f"({', '.join(self.removed)}): kb4tui keeps keys in the OS keyring only, "
            "see `kb4tui auth login`."
        )


def save_profile(
    profile: Profile, *, make_default: bool | None = None, path: Path | None = None
) -> SavedConfig:
    """Add `profile` to the config or update its region and base URL, keeping everything
    else. `make_default=None` makes it the default only when it is the first profile.

    Raises ConfigError when the file cannot be parsed or would not be valid, and OSError
    when it cannot be written; in both cases the file is left as it was.
    """
    path = path or config_path()
    document = _read(path)
    removed = tuple(_drop_secrets(document, ()))
    profiles = document.get("profiles")
    if profiles is None:
        # `[profiles.NAME]` headers, without an empty `[profiles]` above them.
        profiles = tomlkit.table(is_super_table=True)
        profiles.append(profile.name, _filled(tomlkit.table(), profile))
        _append_table(document, "profiles", profiles)
        first = True
    elif isinstance(profiles, Table | InlineTable):
        first = not any(isinstance(v, Table | InlineTable) for v in profiles.values())
        _set_profile(profiles, profile)
    else:
        raise ConfigError(f"{path}: [profiles] must be a table of profiles.")
    if make_default or (make_default is None and first):
        document["default_profile"] = profile.name
    settings = settings_from_data(document.unwrap(), path)
    _write_atomically(path, tomlkit.dumps(document))
    return SavedConfig(path, settings, removed)


def _read(path: Path) -> TOMLDocument:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return tomlkit.document()
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not UTF-8 text; fix or delete it.") from None
    except OSError as exc:
        raise ConfigError(f"Cannot read {path}: {exc.strerror}.") from None
    try:
        return tomlkit.parse(text)
    except TOMLKitError as exc:
        # tomlkit's messages give a position, never the text found there.
        raise ConfigError(f"{path} is not valid TOML ({exc}); fix or delete it.") from None


def _drop_secrets(table: Container | Table | InlineTable, prefix: tuple[str, ...]) -> list[str]:
    """Remove key-like entries at any depth; return their dotted names."""
    removed: list[str] = []
    for name in list(table.keys()):
        value = table[name]
        path = (*prefix, str(name))
        if is_secret_name(str(name)):
            del table[name]
            removed.append(".".join(path))
        elif isinstance(value, Table | InlineTable):
            removed.extend(_drop_secrets(value, path))
        elif isinstance(value, AoT):
            for item in value:
                removed.extend(_drop_secrets(item, path))
    return removed


def _filled(entry: Table | InlineTable, profile: Profile) -> Table | InlineTable:
    entry["region"] = profile.region
    if profile.base_url:
        entry["base_url"] = profile.base_url
    elif "base_url" in entry:
        del entry["base_url"]
    return entry


def _set_profile(profiles: Table | InlineTable, profile: Profile) -> None:
    existing = profiles.get(profile.name)
    if isinstance(existing, Table | InlineTable):
        _filled(existing, profile)  # in place: its other keys and comments stay
    elif isinstance(profiles, InlineTable):
        profiles[profile.name] = _filled(tomlkit.inline_table(), profile)
    else:
        _append_table(profiles, profile.name, _filled(tomlkit.table(), profile))


def _append_table(parent: TOMLDocument | Table, name: str, table: Table | InlineTable) -> None:
    """Add `table` after the last one in `parent`. A comment block that ends the last
    table after a blank line moves below the new one: in the file it introduces what
    follows (`# remapped keys` above `[keys]`), not the table it is parsed into."""
    moved = _take_closing_comments(parent)
    parent.append(name, table)
    leaf = table
    while isinstance(leaf, Table) and isinstance(last := _last_keyed(leaf.value.body), Table):
        leaf = last
    for item in moved:
        leaf.append(None, item)


def _last_keyed(body: list[tuple[Any, Any]]) -> Any:
    return next((item for key, item in reversed(body) if key is not None), None)


def _take_closing_comments(parent: TOMLDocument | Table) -> list[Any]:
    body = (parent if isinstance(parent, TOMLDocument) else parent.value).body
    last = _last_keyed(body)
    if not isinstance(last, Table):
        return []
    if isinstance(_last_keyed(last.value.body), Table):
        return _take_closing_comments(last)  # the comments end its last sub-table
    own = last.value.body
    start = len(own)
    while start and own[start - 1][0] is None and isinstance(own[start - 1][1], _TRIVIA):
        start -= 1
    # Comments right under the last entry (a commented-out key) stay where they are.
    blank = next((i for i in range(start, len(own)) if isinstance(own[i][1], Whitespace)), None)
    if blank is None or not any(isinstance(item, Comment) for _, item in own[blank:]):
        return []
    moved = [item for _, item in own[blank:]]
    del own[blank:]
    return moved


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # mkstemp creates the file 0600 from the start, so it is never readable by others.
    fd, tmp_name = tempfile.mkstemp(prefix=".config-", suffix=".toml", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o600)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
