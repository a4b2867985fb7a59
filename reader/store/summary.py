"""What a first screen needs from the annotations folder, without reading the files: a cache.

A store of 100,000 annotations is about 100 MB of JSON in 10,000 files; reading and checking
all of it takes seconds, so the store reads a document's file when something asks for it
(reader/store/folder.py). The document list still wants every document's count and
overrides, and the codebook every tag in use; this file keeps, per annotation file, exactly
that: the annotations per coder and per tag, each tag's latest use, the document's
attributes and how many merge conflicts it records (the list's ⚠ column), with the file's
(mtime_ns, size, inode) when it was summarised.

An entry is used only while the file on disk has the same key (a file the store replaces gets
a new inode, so its own writes always miss); anything else is read from the file itself. The
cache is disposable: kept beside the corpus index (the app passes its path), written after
the whole folder was read, never needed for correctness. A cache file that is missing,
damaged or for another folder is ignored. Annotation files are never written from it.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from reader.coders import coder_of
from reader.model import DocumentAttributes
from reader.store.records import DocFile

VERSION = 2
"""2: the conflicts' count was added (a version-1 entry would say a conflicted file has none)."""

FileKey = tuple[int, int, int]  # mtime_ns, size, inode


def file_key(st: os.stat_result) -> FileKey:
    return (st.st_mtime_ns, st.st_size, st.st_ino)


@dataclass(frozen=True)
class DocSummary:
    """One annotation file, summarised: what the list and the codebook show of it."""

    doc: str
    key: FileKey
    coders: dict[str, int] = field(default_factory=dict)  # annotations per coder
    tags: dict[str, int] = field(default_factory=dict)  # annotations per exact tag
    latest: dict[str, str] = field(default_factory=dict)  # each tag's latest `modified`
    attributes: DocumentAttributes | None = None
    conflicts: int = 0  # merge conflicts recorded in the file (reader/store/conflicts.py)

    @property
    def count(self) -> int:
        return sum(self.coders.values())


def summarise(f: DocFile, key: FileKey) -> DocSummary | None:
    """The summary of a file read without a problem (a problem file is always read again)."""
    if f.problem:
        return None
    coders: Counter[str] = Counter()
    tags: Counter[str] = Counter()
    latest: dict[str, str] = {}
    for a in f.annotations.values():
        coders[coder_of(a)] += 1
        for t in a.tags:
            tags[t] += 1
            if a.modified > latest.get(t, ""):
                latest[t] = a.modified
    # no overrides (nearly every document): kept as null, read back as None (the store gives
    # DocumentAttributes(doc) for None), so what `load` reads equals what this made
    attributes = f.attributes if f.attributes is not None and not f.attributes.is_empty() else None
    return DocSummary(f.doc, key, dict(coders), dict(tags), latest, attributes, len(f.conflicts))


def _attributes_json(attrs: DocumentAttributes | None):
    if attrs is None:
        return None
    return {"title": attrs.title, "date": attrs.date, "source": attrs.source, "attributes": attrs.attributes}


def _attributes(doc: str, obj) -> DocumentAttributes | None:
    if obj is None:
        return None
    return DocumentAttributes(
        doc, title=obj["title"], date=obj["date"], source=obj["source"], attributes=dict(obj["attributes"])
    )


def load(path: Path | None, folder: Path, renames: str = "") -> dict[str, DocSummary]:
    """The summaries of `folder`'s files kept at `path`, by document id ({} when unusable).
    `renames`: the fingerprint of the codebook's record of renames the files are read through
    (reader/store/renames.py); summaries made under another record are not used."""
    if path is None:
        return {}
    try:
        obj = json.loads(path.read_bytes())
        if obj.get("version") != VERSION or obj.get("folder") != str(folder):
            return {}
        if obj.get("renames", "") != renames:
            return {}
        return {
            doc: DocSummary(
                doc,
                tuple(e["key"]),
                e["coders"],
                e["tags"],
                e["latest"],
                _attributes(doc, e["attributes"]),
                int(e["conflicts"]),
            )
            for doc, e in obj["docs"].items()
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def save(path: Path | None, folder: Path, summaries: dict[str, DocSummary], renames: str = "") -> None:
    """Write the cache (temp file and rename: a reader sees the old or the new one). A failure
    is ignored: the next open reads the files instead. `renames`: as for `load` (written only
    when there is a record, so the cache of a project without one is as before)."""
    if path is None:
        return
    obj: dict = {
        "version": VERSION,
        "folder": str(folder),
        "docs": {
            doc: {
                "key": list(s.key),
                "coders": s.coders,
                "tags": s.tags,
                "latest": s.latest,
                "attributes": _attributes_json(s.attributes),
                "conflicts": s.conflicts,
            }
            for doc, s in sorted(summaries.items())
        },
    }
    if renames:
        obj["renames"] = renames
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(obj, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        try:
            tmp.unlink()
        except OSError:
            pass
