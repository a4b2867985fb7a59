"""What a folder store tidies the first time it takes the lock: temp files a killed writer left,
and files named by the earlier path scheme, moved to their own names (reader/store/paths.py).

Its own module because it is done once per store, from what the opening scan found, and never
touches the store's state: it changes files, and says which documents moved so that the store
reads them again from their new names (reader/store/folder.py, `_after_lock`)."""

from __future__ import annotations

import os
from pathlib import Path

from reader.store.errors import StoreWriteError
from reader.store.files import is_temp_name, write_files
from reader.store.paths import DOCS, Found, doc_path


def remove_stale_temp_files(folder: Path, temps: list[Path]) -> None:
    """Temp files left by a writer killed mid-write: those the latest scan of the docs folder
    met (opening the store scans it: no second walk of 10,000 files) and those beside the
    folder's own files. Every write happens under the lock, and the journal is completed first,
    so while the lock is held no temp file is in use, whenever it was seen; one a writer killed
    since that scan left is swept by the next store to take the lock."""
    try:
        with os.scandir(folder) as entries:
            beside = [folder / e.name for e in entries if is_temp_name(e.name)]
    except OSError:
        beside = []
    for path in temps + beside:
        try:
            os.unlink(path)
        except OSError:
            pass


def move_misplaced(folder: Path, misplaced: list[Found]) -> list[tuple[str, Path]]:
    """Files written under the earlier path scheme go to their own names (one journaled change
    each: the new file and the old one's removal), as the latest scan found them; returns the
    (document, new path) of each file moved. A file that cannot be moved stays where it is and
    is still read from there; when both names exist, both are left for a person to look at."""
    moved = []
    for found in misplaced:
        target = doc_path(folder, found.doc)
        if target.exists():
            continue
        path = found.path
        try:
            write_files([(target, path.read_bytes()), (path, None)], folder)
        except (OSError, StoreWriteError):
            continue
        remove_empty_folders(path.parent, folder / DOCS)
        moved.append((found.doc, target))
    return moved


def remove_empty_folders(folder: Path, stop: Path) -> None:
    """`folder` and its parents up to `stop` (not included), while they are empty."""
    while folder != stop and stop in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
