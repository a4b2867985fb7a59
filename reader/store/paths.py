"""Where a document's annotations live: `docs/<document id>.json`, one name for one id.

A document id is the document's path relative to the corpus, so the file mirrors the corpus
(`news/2024/a.txt` -> `docs/news/2024/a.txt.json`): easy to find by hand. Three kinds of ids
need more than that, and are written with escapes so that every id has its own file:

- `%` and `\\` in a component are written `%25` and `%5C` (a backslash is an ordinary character
  of a file name on Linux; `%` so that escapes can be told from text).
- A folder component ending in `.json` is written `...%2Ejson`, so `a.txt.json/b.txt` (a folder)
  never meets `a.txt` (whose file is `a.txt.json`).
- A component too long for a file name once `.json` is added (folder entries are 255 bytes)
  is cut and ends with `~` and 16 hex digits of the sha256 of the whole component. Such a name
  cannot be read back, so the id is taken from the file's own `doc` field, checked against it.

Migration: ids written by the earlier scheme (which wrote `%` and folder names ending in
`.json` as they are) are still read: a file whose `doc` field names it is that document's,
wherever it is (`scan` reports it as misplaced), and the store moves it to its own name the next
time it takes the lock. Plain ids (nearly all, and every one in this repository's annotations/)
have the same file in both schemes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from reader.store.files import is_temp_name

DOCS = "docs"
SUFFIX = ".json"
NAME_MAX = 255
"""Bytes in one folder entry (ext4, xfs, btrfs, tmpfs)."""
_CUT_BYTES = 200
_HASH_MARK = re.compile(r"~[0-9a-f]{16}$")
_ESCAPE = {"%": "%25", "\\": "%5C"}
_UNESCAPE = re.compile(r"%(25|5C|2E)")


def check_id(doc_id: str) -> list[str]:
    """The id's components; ValueError for an id that could leave the docs folder."""
    if not isinstance(doc_id, str) or not doc_id:
        raise ValueError("a document id must be a non-empty string")
    parts = doc_id.split("/")
    if any(p in ("", ".", "..") for p in parts) or "\0" in doc_id:
        raise ValueError(f"document id {doc_id!r} is not a relative path of the corpus")
    return parts


def _component(part: str, folder: bool) -> str:
    name = "".join(_ESCAPE.get(c, c) for c in part)
    if folder and name.endswith(SUFFIX):
        name = name[: -len(SUFFIX)] + "%2E" + SUFFIX[1:]
    room = NAME_MAX - (0 if folder else len(SUFFIX))
    if len(name.encode("utf-8", "surrogateescape")) > room:
        digest = hashlib.sha256(part.encode("utf-8", "surrogateescape")).hexdigest()[:16]
        cut = name.encode("utf-8", "surrogateescape")[:_CUT_BYTES].decode("utf-8", "ignore")
        name = f"{cut}~{digest}"
    return name if folder else name + SUFFIX


def doc_path(folder: Path, doc_id: str) -> Path:
    """The file of `doc_id`'s annotations under the annotations `folder`."""
    parts = check_id(doc_id)
    names = [_component(p, folder=True) for p in parts[:-1]] + [_component(parts[-1], folder=False)]
    return folder.joinpath(DOCS, *names)


def _decode(rel: str) -> str | None:
    """The id a docs-relative path (without `.json`) names, None when it cannot be told from the
    name alone (a cut name)."""
    parts = rel.split("/")
    if any(_HASH_MARK.search(p) for p in parts):
        return None
    return "/".join(_UNESCAPE.sub(lambda m: {"25": "%", "5C": "\\", "2E": "."}[m.group(1)], p) for p in parts)


@dataclass(frozen=True)
class Found:
    """A document's file found by `scan`: its id, where it is, and whether that is not where
    the current scheme puts it (a file to move)."""

    doc: str
    where: str  # the file: a string, built as it is found (a Path per file slowed opening 10,000)
    misplaced: bool = False

    @property
    def path(self) -> Path:
        return Path(self.where)


def _doc_field(path: Path) -> str | None:
    try:
        obj = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, ValueError):
        return None
    doc = obj.get("doc") if isinstance(obj, dict) else None
    return doc if isinstance(doc, str) else None


def scan(folder: Path, temps: list[Path] | None = None) -> Iterator[Found]:
    """Every document file under `folder/docs`, in a stable order. Symbolic links to folders are
    not followed (os.walk's default). The temp files met on the way are added to `temps` when
    it is given (the store's first lock sweeps them without walking the folder again).

    A plain name (nothing escaped or cut, in plain folders: nearly every file) is its own
    document's without building its path again (`_plain`); the rest go through `identify`.
    At 10,000 files that check was most of opening the store."""
    root = folder / DOCS
    if not root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel_dir = Path(dirpath).relative_to(root).as_posix()
        plain_dir = rel_dir == "." or all(_plain(part) and not part.endswith(SUFFIX) for part in rel_dir.split("/"))
        for name in sorted(filenames):
            if not name.endswith(SUFFIX):  # temp files end in .tmp
                if temps is not None and is_temp_name(name):
                    temps.append(Path(dirpath, name))
                continue
            stem = name[: -len(SUFFIX)]
            raw = stem if rel_dir == "." else f"{rel_dir}/{stem}"
            where = f"{dirpath}/{name}"
            if plain_dir and _plain(stem):
                yield Found(raw, where)  # what `identify` finds for it, without its checks
                continue
            found = identify(folder, raw, Path(where))
            if found is not None:
                yield found


def _plain(part: str) -> bool:
    """A component `_component` writes as it is, and `_decode` reads as it is: no escape, no
    cut-name mark. (It fits: a name on disk is at most NAME_MAX bytes with its `.json`.)"""
    return (
        part not in ("", ".", "..")
        and "%" not in part
        and "\\" not in part
        and "\0" not in part
        and not _HASH_MARK.search(part)
    )


def identify(folder: Path, raw: str, path: Path) -> Found | None:
    """Which document the file at `path` (docs-relative `raw`, without `.json`) belongs to."""
    decoded = _decode(raw)
    if decoded is not None and decoded == raw and _is_own(folder, decoded, path):
        return Found(decoded, str(path))  # a plain name: nothing to read
    field = _doc_field(path)
    if field is not None:
        try:
            if doc_path(folder, field) == path:
                return Found(field, str(path))
            if field == raw:  # written by the earlier scheme
                return Found(field, str(path), misplaced=True)
        except ValueError:
            pass
    if decoded is None:
        return None  # a cut name whose file does not say whose it is: not ours to guess
    try:
        return Found(decoded, str(path), misplaced=not _is_own(folder, decoded, path))
    except ValueError:
        return None


def _is_own(folder: Path, doc_id: str, path: Path) -> bool:
    try:
        return doc_path(folder, doc_id) == path
    except ValueError:
        return False
