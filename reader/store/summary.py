"""What a first screen needs from the annotations folder, without reading the files: a cache.

A store of 100,000 annotations is about 100 MB of JSON in 10,000 files; reading and checking
all of it takes seconds, so the store reads a document's file when something asks for it
(reader/store/folder.py). The document list still wants every document's count and
overrides, and the codebook every tag in use; this file keeps, per annotation file, exactly
that: the annotations per coder and per tag, each tag's latest use, the document's
attributes and how many merge conflicts it records (the list's ⚠ column), with the file's
(mtime_ns, size, inode) when it was summarised.

The list needs only the counts, the attributes and the conflicts, while the tags and their
latest uses are most of the bytes (7.2 of 8.4 MB at 100,000 annotations): they are a second
file beside the first (`tags_path`), read when the codebook or the recent tags are first asked
for, so the first rows do not wait for its decoding. A summary read from the first file has
`tags` and `latest` None until the store adds them from the second (`load_tags`); an entry
of the second is used only with the same key as the first's, so two files from different
saves (a crash between their writes) never mix: that document's file is read instead.

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
from dataclasses import dataclass, field, replace
from pathlib import Path

from reader.coders import coder_of
from reader.model import DocumentAttributes
from reader.store.files import unchanged
from reader.store.records import DocFile

VERSION = 3
"""2: the conflicts' count was added (a version-1 entry would say a conflicted file has none);
3: the tags and their latest uses moved to a second file (`tags_path`)."""

FileKey = tuple[int, int, int]  # mtime_ns, size, inode


def file_key(st: os.stat_result) -> FileKey:
    return (st.st_mtime_ns, st.st_size, st.st_ino)


@dataclass(frozen=True)
class DocSummary:
    """One annotation file, summarised: what the list and the codebook show of it."""

    doc: str
    key: FileKey
    coders: dict[str, int] = field(default_factory=dict)  # annotations per coder
    # annotations per exact tag, and each tag's latest `modified`; None: not read yet (the
    # second file, `load_tags`)
    tags: dict[str, int] | None = field(default_factory=dict)
    latest: dict[str, str] | None = field(default_factory=dict)
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


def of_files(files: list[DocFile]) -> dict[str, DocSummary]:
    """The summaries of the files read whose file on disk is still as it was read, by id."""
    made = {}
    for f in files:
        if f.problem or f.stamp is None:
            continue
        try:
            st = os.stat(f.path)
        except OSError:
            continue
        if unchanged(st, f.stamp):
            done = summarise(f, file_key(st))
            if done is not None:
                made[f.doc] = done
    return made


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


def tags_path(path: Path) -> Path:
    """The second file of the summaries kept at `path`: their tags and latest uses."""
    return path.with_name(f"{path.stem}-tags{path.suffix}")


def _read(path: Path, folder: Path, renames: str) -> dict | None:
    """The JSON object kept at `path` when it is of this version, folder and record of renames."""
    obj = json.loads(path.read_bytes())
    if obj.get("version") != VERSION or obj.get("folder") != str(folder):
        return None
    if obj.get("renames", "") != renames:
        return None
    return obj


def load(path: Path | None, folder: Path, renames: str = "") -> dict[str, DocSummary]:
    """The summaries of `folder`'s files kept at `path`, by document id ({} when unusable),
    without their tags (None: `load_tags` has them).
    `renames`: the fingerprint of the codebook's record of renames the files are read through
    (reader/store/renames.py); summaries made under another record are not used."""
    if path is None:
        return {}
    try:
        obj = _read(path, folder, renames)
        if obj is None:
            return {}
        return {
            doc: DocSummary(
                doc,
                tuple(e["key"]),
                e["coders"],
                None,
                None,
                _attributes(doc, e["attributes"]),
                int(e["conflicts"]),
            )
            for doc, e in obj["docs"].items()
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


TagUse = tuple[FileKey, dict[str, int], dict[str, str]]  # a file's key, its tags, their latest uses


def load_tags(path: Path | None, folder: Path, renames: str = "") -> dict[str, TagUse]:
    """The tags of the summaries kept at `path` (in `tags_path(path)`), by document id, each
    with the key of the file it was made from ({} when unusable)."""
    if path is None:
        return {}
    try:
        obj = _read(tags_path(path), folder, renames)
        if obj is None:
            return {}
        return {
            doc: (tuple(e["key"]), e["tags"], e["latest"])
            for doc, e in obj["docs"].items()
            if type(e["tags"]) is dict and type(e["latest"]) is dict  # else: its file is read
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def complete(summaries: dict[str, DocSummary], uses: dict[str, TagUse]) -> dict[str, DocSummary]:
    """`summaries` with their tags from `uses` (read by `load_tags`); one without tags there
    for its key is left out (its file is read instead)."""
    out = {}
    for doc, s in summaries.items():
        if s.tags is not None:
            out[doc] = s
            continue
        use = uses.get(doc)
        if use is not None and use[0] == s.key:
            out[doc] = replace(s, tags=use[1], latest=use[2])
    return out


def incomplete(summaries: dict[str, DocSummary] | None) -> bool:
    return summaries is not None and any(s.tags is None for s in summaries.values())


def save(path: Path | None, folder: Path, summaries: dict[str, DocSummary], renames: str = "") -> None:
    """Write the cache, the tags' file first (each through a temp file and a rename: a reader
    sees the old or the new one). A failure is ignored: the next open reads the files instead.
    `renames`: as for `load` (written only when there is a record, so the cache of a project
    without one is as before). A summary without its tags (not read yet) is left out of both:
    that document's file is read at the next open."""
    if path is None:
        return
    head: dict = {"version": VERSION, "folder": str(folder)}
    if renames:
        head["renames"] = renames
    ordered = sorted((doc, s) for doc, s in summaries.items() if s.tags is not None and s.latest is not None)
    listed = {
        doc: {
            "key": list(s.key),
            "coders": s.coders,
            "attributes": _attributes_json(s.attributes),
            "conflicts": s.conflicts,
        }
        for doc, s in ordered
    }
    tagged = {doc: {"key": list(s.key), "tags": s.tags, "latest": s.latest} for doc, s in ordered}
    if _write(tags_path(path), {**head, "docs": tagged}):
        _write(path, {**head, "docs": listed})


def _write(path: Path, obj: dict) -> bool:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(obj, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, path)
        return True
    except OSError:
        try:
            tmp.unlink()
        except OSError:
            pass
        return False
