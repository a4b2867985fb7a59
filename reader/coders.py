"""Who codes: the one rule that names the coder of every change.

In order: `--coder NAME` on the command line, the `READER_CODER` environment variable, a
`coder = "NAME"` line in the user's `config.toml` (the per-user config folder, beside
keymap.toml), and last the operating system's user name. The store stamps every annotation it
creates with that name as its `creator`, so a team that codes the same corpus (one machine or
several) can tell its coders apart in `reader agree` and the exports. Headless.
"""

from __future__ import annotations

import getpass
import os
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from reader.paths import user_config_dir

CODER_ENV = "READER_CODER"
UNKNOWN_CODER = "unknown"
"""The coder of an annotation with no creator (made before coders existed)."""
CONFIG_FILE = "config.toml"


@dataclass(frozen=True)
class Coder:
    name: str
    source: str  # where the name came from, for `reader where` and the app's status line


class CoderError(ValueError):
    """A coder name that cannot be used (empty, or with control characters)."""


def coder_of(annotation) -> str:
    """Whose annotation this is: its creator, or `unknown` for one made before coders."""
    return annotation.creator or UNKNOWN_CODER


def validate_coder(name: str) -> str:
    name = name.strip()
    if not name:
        raise CoderError("a coder name must not be empty")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise CoderError(f"coder {name!r}: control characters are not allowed")
    return name


def config_path() -> Path:
    return user_config_dir() / CONFIG_FILE


def _from_config(path: Path) -> str | None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CoderError(f"cannot read the coder from {path}: {exc}") from exc
    value = data.get("coder")
    if value is None:
        return None
    if not isinstance(value, str):
        raise CoderError(f"{path}: `coder` must be a string")
    return value


def os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in this environment (some containers)
        return ""


def resolve_coder(given: str | None = None) -> Coder:
    """The coder of this run (see the module docstring for the order)."""
    if given is not None:
        return Coder(validate_coder(given), "--coder")
    env = os.environ.get(CODER_ENV)
    if env:
        return Coder(validate_coder(env), CODER_ENV)
    path = config_path()
    configured = _from_config(path)
    if configured is not None:
        return Coder(validate_coder(configured), str(path))
    user = os_user()
    return Coder(user, "the system user name") if user else Coder("", "nobody (no user name)")


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def save_coder(name: str) -> Path:
    """Write `coder = "NAME"` into config.toml (the rule's third place), keeping its other lines.

    The file is replaced atomically with the store's own helper; a config that cannot be read
    is left alone and reported (CoderError), never overwritten.
    """
    from reader.store.errors import StoreError
    from reader.store.files import atomic_write

    name = validate_coder(name)
    path = config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    except (OSError, UnicodeDecodeError) as exc:
        raise CoderError(f"cannot read {path}: {exc}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CoderError(f"{path} is not valid TOML, left as it is: {exc}") from exc
    line = f"coder = {_toml_string(name)}"
    lines = text.splitlines()
    top = next((i for i, ln in enumerate(lines) if ln.lstrip().startswith("[")), len(lines))
    at = next((i for i in range(top) if lines[i].split("=")[0].strip() == "coder"), None)
    if at is not None:
        lines[at] = line
    elif "coder" in data:
        raise CoderError(f"{path}: `coder` is not a plain line at the top, left as it is")
    else:
        lines.insert(top, line)
    new = "\n".join(lines) + "\n"
    if tomllib.loads(new).get("coder") != name:  # never write a file that reads back otherwise
        raise CoderError(f"{path}: cannot write the coder safely, left as it is")
    try:
        atomic_write(path, new.encode("utf-8"), path.parent)
    except StoreError as exc:
        raise CoderError(str(exc)) from exc
    return path


def coder_marks(coders: Iterable[str]) -> dict[str, str]:
    """A one-letter mark per coder, for the reader's margin when several coders' annotations
    are shown (the legend names them): the first letter or digit of the name not yet taken
    (ASCII, upper case, so one cell wide and readable without colour), else a digit, else `*`."""
    marks: dict[str, str] = {}
    taken: set[str] = set()
    for coder in sorted(set(coders)):
        letters = [c.upper() for c in coder if c.isascii() and c.isalnum()]
        mark = next((c for c in [*letters, *"123456789"] if c not in taken), "*")
        taken.add(mark)
        marks[coder] = mark
    return marks
