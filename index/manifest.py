"""The manifest of an index folder: what the index holds, so that an unchanged corpus opens
with a scan and a compare (index/indexer.py says why).

`manifest.json` holds the schema version, the corpus root, per document its size, mtime_ns,
sha256 and metadata, per skipped file its size, mtime_ns and reason, and the size and mtime of
each Whoosh file when it was written (a damaged segment is then found at open by a few stat
calls). These dataclasses are its contents; CorpusIndex reads and writes it atomically.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
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


@dataclass
class _Manifest:
    corpus_root: str
    documents: dict[str, _Entry]
    skipped: dict[str, _SkipEntry]
    # name -> [size, mtime_ns] of each Whoosh file when the manifest was written: a file
    # changed since (a damaged segment) is found at open by a few stat calls. None: not known.
    index_files: dict[str, list[int]] | None = None

    @classmethod
    def empty(cls, corpus_root: Path) -> _Manifest:
        return cls(str(corpus_root), {}, {})

    def to_json(self) -> dict:
        return {
            "schema_version": SCHEMA_VERSION,
            "corpus_root": self.corpus_root,
            "documents": {k: asdict(v) for k, v in sorted(self.documents.items())},
            "skipped": {k: asdict(v) for k, v in sorted(self.skipped.items())},
            "index_files": self.index_files,
        }

    @classmethod
    def from_json(cls, data: dict) -> _Manifest:
        return cls(
            data["corpus_root"],
            {k: _Entry(**v) for k, v in data["documents"].items()},
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
