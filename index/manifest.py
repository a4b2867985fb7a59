"""The manifest of an index folder: what the index holds, so that an unchanged corpus opens
with a scan and a compare (index/indexer.py says why).

`manifest.json` holds the schema version, the corpus root, per document its size, mtime_ns,
sha256 and metadata, per skipped file its size, mtime_ns and reason, and the size and mtime of
each Whoosh file when it was written (a damaged segment is then found at open by a few stat
calls). These dataclasses are its contents, and the functions at the end read and write it
(atomically); CorpusIndex decides when.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator, MutableMapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from index.document import DocumentMeta
from index.schema import SCHEMA_VERSION

MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True)
class _Entry:
    """One indexed document in the manifest."""

    size: int
    mtime_ns: int
    sha256: str
    title: str
    source: str | None = None
    date: str | None = None
    word_count: int = 0

    @property
    def meta(self) -> DocumentMeta:
        return DocumentMeta(self.title, self.source, self.date, self.word_count)


@dataclass(frozen=True)
class _SkipEntry:
    """A file that could not be loaded, remembered so an unchanged one is not read again."""

    size: int
    mtime_ns: int
    reason: str


_ENTRY_KEYS = tuple(f.name for f in fields(_Entry))  # as `asdict` writes them, in order


class _Documents(MutableMapping[str, _Entry]):
    """The manifest's documents by id, each parsed from its JSON object when it is asked for.

    Opening an unchanged corpus compares each file's size and mtime with its entry (`stat`)
    and carries the entry over as it was read (`carry`); making 30,000 `_Entry` objects for
    that was a third of a re-open at 300 MB. What is not parsed is written back as it was read.
    """

    __slots__ = ("_items", "parsed")

    def __init__(self, items: dict[str, _Entry | dict] | None = None) -> None:
        self._items: dict[str, _Entry | dict] = {} if items is None else items
        self.parsed = 0  # entries made from their JSON objects (a test counts them)

    @classmethod
    def from_json(cls, data: dict) -> _Documents:
        """The documents of a manifest's JSON; TypeError for an entry that is not one."""
        items: dict[str, _Entry | dict] = dict(data)
        for doc_id, value in items.items():
            if type(value) is not dict or tuple(value) != _ENTRY_KEYS:  # not as we write it
                items[doc_id] = _Entry(**value)  # type: ignore[arg-type] # parsed now: TypeError if it is no entry
        return cls(items)

    def __getitem__(self, doc_id: str) -> _Entry:
        value = self._items[doc_id]
        if type(value) is dict:
            value = self._items[doc_id] = _Entry(**value)
            self.parsed += 1
        return value  # type: ignore[return-value]

    def __setitem__(self, doc_id: str, entry: _Entry) -> None:
        self._items[doc_id] = entry

    def __delitem__(self, doc_id: str) -> None:
        del self._items[doc_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._items

    def stat(self, doc_id: str) -> tuple[int, int] | None:
        """(size, mtime_ns) of a document's entry, without parsing it; None if it has none."""
        value = self._items.get(doc_id)
        if value is None:
            return None
        if type(value) is dict:
            return value["size"], value["mtime_ns"]
        return value.size, value.mtime_ns  # type: ignore[union-attr]

    def metas(self) -> dict[str, DocumentMeta]:
        """Every document's metadata, by id, without making an `_Entry` of what is not parsed:
        the document list asks for all of them at start-up (issue 19: its first rows)."""
        out: dict[str, DocumentMeta] = {}
        for doc_id, value in self._items.items():
            if type(value) is dict:
                out[doc_id] = DocumentMeta(value["title"], value["source"], value["date"], value["word_count"])
            else:
                out[doc_id] = value.meta  # type: ignore[union-attr]
        return out

    def carry(self, other: _Documents, doc_id: str) -> None:
        """Take `other`'s entry for `doc_id` as it is (parsed or not)."""
        self._items[doc_id] = other._items[doc_id]

    def copy(self) -> _Documents:
        return _Documents(dict(self._items))

    def to_json(self) -> dict[str, dict]:
        return {k: v if type(v) is dict else asdict(v) for k, v in sorted(self._items.items())}  # type: ignore[arg-type]


@dataclass
class _Manifest:
    corpus_root: str
    documents: _Documents
    skipped: dict[str, _SkipEntry]
    # name -> [size, mtime_ns] of each Whoosh file when the manifest was written: a file
    # changed since (a damaged segment) is found at open by a few stat calls. None: not known.
    index_files: dict[str, list[int]] | None = None

    @classmethod
    def empty(cls, corpus_root: Path) -> _Manifest:
        return cls(str(corpus_root), _Documents(), {})

    def to_json(self) -> dict:
        return {
            "schema_version": SCHEMA_VERSION,
            "corpus_root": self.corpus_root,
            "documents": self.documents.to_json(),
            "skipped": {k: asdict(v) for k, v in sorted(self.skipped.items())},
            "index_files": self.index_files,
        }

    @classmethod
    def from_json(cls, data: dict) -> _Manifest:
        return cls(
            data["corpus_root"],
            _Documents.from_json(data["documents"]),
            {k: _SkipEntry(**v) for k, v in data.get("skipped", {}).items()},
            data.get("index_files"),
        )


def _changed_files(recorded: dict[str, list[int]], now: dict[str, list[int]]) -> str | None:
    """The first recorded Whoosh file that is gone or differs in size or mtime, or None.

    Only recorded files count: Whoosh adds files only while writing, under our lock."""
    for name, stat in sorted(recorded.items()):
        if now.get(name) != list(stat):
            return name if name in now else f"{name} (missing)"
    return None


def whoosh_files(whoosh_dir: Path) -> dict[str, list[int]]:
    """Size and mtime of each Whoosh file (not its lock, not temporary folders)."""
    files = {}
    with os.scandir(whoosh_dir) as entries:
        for entry in entries:
            if entry.is_file() and not entry.name.endswith("LOCK"):
                st = entry.stat()
                files[entry.name] = [st.st_size, st.st_mtime_ns]
    return files


def write_manifest(index_dir: Path, manifest: _Manifest) -> None:
    """Atomic: a crash leaves the old manifest or the new one, never half of one."""
    # Compact: with `indent` json writes through its pure-Python encoder, ten times
    # slower (1.4 s of a one-file update at 30,000 documents, profiled).
    data = json.dumps(manifest.to_json(), ensure_ascii=False, separators=(",", ":"))
    fd, tmp = tempfile.mkstemp(prefix=".manifest-", dir=index_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, index_dir / MANIFEST_NAME)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_manifest_quietly(index_dir: Path) -> _Manifest | None:
    """The manifest of this schema version, or None when it is missing, unreadable or older."""
    try:
        data = json.loads((index_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
        if data.get("schema_version") != SCHEMA_VERSION:
            return None
        return _Manifest.from_json(data)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
