"""The user's configuration: key remapping read from `keymap.toml` in the per-user config folder.

The file maps binding ids to keys, several keys separated by commas (Textual's keymap format):

    [keys]
    "reader.cursor.down" = "j,down"
    "reader.search.focus" = "slash,ctrl+s"

A missing file is not an error; an unreadable or invalid one is reported, never fatal: the app
starts with its default keys and tells the user what was wrong.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from reader.paths import user_config_dir

KEYMAP_FILE = "keymap.toml"


def default_keymap_path() -> Path:
    return user_config_dir() / KEYMAP_FILE


@dataclass
class Keymap:
    """Binding id -> comma-separated keys, and what was wrong with the file, if anything."""

    keys: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    path: Path | None = None


def load_keymap(path: Path | None) -> Keymap:
    """Read a keymap file. Never raises for a bad file: problems are returned for display."""
    keymap = Keymap(path=path)
    if path is None or not path.exists():
        return keymap
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        keymap.problems.append(f"Cannot read {path}: {error}")
        return keymap
    except tomllib.TOMLDecodeError as error:
        keymap.problems.append(f"Invalid TOML in {path}: {error}")
        return keymap
    section = data.get("keys", {})
    if not isinstance(section, dict):
        keymap.problems.append(f"{path}: [keys] must be a table of binding id = \"keys\"")
        return keymap
    for binding_id, value in section.items():
        if isinstance(value, list) and all(isinstance(key, str) for key in value):
            value = ",".join(value)
        if not isinstance(value, str) or not value.strip():
            keymap.problems.append(f"{path}: {binding_id!r} must be a string of keys such as \"j,down\"")
            continue
        keymap.keys[binding_id] = ",".join(key.strip() for key in value.split(",") if key.strip())
    other = sorted(set(data) - {"keys"})
    if other:
        keymap.problems.append(f"{path}: unknown section(s) ignored: {', '.join(other)}")
    return keymap
