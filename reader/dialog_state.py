"""What the export dialog remembers between visits: the last choice, per corpus.

Kept in the user's data folder (`<user data dir>/reader/state/export-dialog.json`,
READER_DATA_DIR overrides it), one entry per corpus (keyed like the per-corpus folders, see
`reader.paths.corpus_key`), never in the corpus or the annotations. A missing, unreadable or
malformed file is the same as no memory: the dialog starts from the whole store. Written with a
temp file and an atomic rename; a write that fails loses only the memory, never an export.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from index.atomic import write_atomic
from reader.paths import corpus_key, user_data_dir

FORMAT_VERSION = 1
DEFAULT_NAME = re.compile(r"^reader-export-\d{4}-\d{2}-\d{2}(\.[A-Za-z0-9.]+)$")
"""The dialog's default file name, renewed with today's date when it was the one chosen."""


@dataclass
class ExportChoice:
    format: str = "md"
    by: str = "tag"
    tags: list[str] = field(default_factory=list)
    docs: list[str] = field(default_factory=list)
    query: str = ""
    output: str = ""


def state_file() -> Path:
    return user_data_dir() / "state" / "export-dialog.json"


def _read() -> dict:
    try:
        data = json.loads(state_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) and isinstance(data.get("corpora"), dict) else {}


def load_export_choice(corpus: Path) -> ExportChoice | None:
    """The last choice made for `corpus`, or None."""
    entry = _read().get("corpora", {}).get(corpus_key(corpus))
    if not isinstance(entry, dict):
        return None
    choice = ExportChoice()
    for item in fields(ExportChoice):
        value = entry.get(item.name)
        default = getattr(choice, item.name)
        if isinstance(default, list):
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                setattr(choice, item.name, value)
        elif isinstance(value, str):
            setattr(choice, item.name, value)
    return choice


def save_export_choice(corpus: Path, choice: ExportChoice) -> None:
    """Remember `choice` for `corpus` (best effort: an unwritable folder is ignored)."""
    data = _read() or {"corpora": {}}
    data["format_version"] = FORMAT_VERSION
    data["corpora"][corpus_key(corpus)] = asdict(choice)
    path = state_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, (json.dumps(data, indent=2, sort_keys=True) + "\n").encode("utf-8"))
    except OSError:
        return
