"""Whether the index found in an index folder can be trusted, and if not, why.

CorpusIndex (index/indexer.py) rebuilds an index that is missing, built by another
`SCHEMA_VERSION`, disagreeing with its manifest, or damaged; these are the checks, each
raising `Rebuild` with the reason the user is shown, never a traceback. They cost stat calls,
one parse of the manifest, and a sample of ids looked up in the index, not a read of the
lexicon: opening an unchanged corpus must stay cheap.

Its own module because this is one question (can the cache be used?) with its own failure
vocabulary, asked before any writing starts; the indexer keeps the updating.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import FileIndex

from index.manifest import _changed_files, _Manifest, whoosh_files
from index.schema import SCHEMA_VERSION

__all__ = ["FIRST_BUILD", "Rebuild", "check_whoosh", "describe", "parse_manifest", "sample", "stamp"]

FIRST_BUILD = "no index yet"  # the rebuild reason of a corpus never indexed here


class Rebuild(Exception):
    """The existing index cannot be trusted; the message is the user-facing reason."""


def parse_manifest(path: Path) -> _Manifest:
    """The manifest at `path`, or Rebuild: unreadable, or written by another schema version."""
    try:
        data = json.loads(path.read_bytes())  # bytes: text mode's decoding cost as much again
        version = data.get("schema_version")
    except (OSError, ValueError, AttributeError) as exc:
        raise Rebuild(f"manifest unreadable ({describe(exc)})") from None
    if version != SCHEMA_VERSION:
        raise Rebuild(f"index built by schema version {version}, now {SCHEMA_VERSION}")
    try:
        return _Manifest.from_json(data)
    except (KeyError, TypeError, AttributeError) as exc:
        raise Rebuild(f"manifest unreadable ({describe(exc)})") from None


def check_whoosh(whoosh_dir: Path, manifest: _Manifest) -> FileIndex:
    """The Whoosh index in `whoosh_dir`, opened, if it holds what `manifest` says; else Rebuild."""
    if not whoosh_dir.is_dir():
        raise Rebuild("index files missing")
    try:
        ix = whoosh_index.open_dir(str(whoosh_dir))
        with ix.reader() as reader:
            count = reader.doc_count()
            # A sample of ids, not the whole lexicon: reading 10,000 ids cost 0.2 s per open.
            missing = [i for i in sample(manifest.documents) if not reader.doc_frequency("id", i)]
    except Exception as exc:  # Whoosh raises many kinds on damaged files
        raise Rebuild(f"index corrupt ({describe(exc)})") from None
    if count != len(manifest.documents) or missing:
        raise Rebuild("index and manifest disagree")
    if manifest.index_files is not None:
        changed = _changed_files(manifest.index_files, whoosh_files(whoosh_dir))
        if changed:
            raise Rebuild(f"index damaged ({changed} changed since it was written)")
    return ix


def stamp(path: Path) -> tuple[int, int, int]:
    """(inode, size, mtime_ns) of `path`: whether another process replaced the file."""
    st = os.stat(path)
    return st.st_ino, st.st_size, st.st_mtime_ns


def sample(ids, size: int = 32) -> list[str]:
    """Up to `size` ids spread evenly over the sorted ids (first and last included)."""
    ordered = sorted(ids)
    if len(ordered) <= size:
        return ordered
    step = (len(ordered) - 1) / (size - 1)
    return [ordered[round(k * step)] for k in range(size)]


def describe(exc: BaseException) -> str:
    """`exc` in one short line for a rebuild reason: its type and the first line of its text."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = text[:120]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
