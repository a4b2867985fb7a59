"""Placed annotations per document, kept between runs of `reader agree`: a cache beside the index.

`reader agree` on 30,000 annotations in 2,501 documents spent most of its time before
measuring anything: parsing every annotation file, reading and decoding every coded document,
placing each annotation in it (docs/benchmarks.md, "Agreement"). What the `char` unit and
unitizing alpha need of all that is small: each document's length and, per annotation, its
coder, its span now and its tags. This file keeps exactly that per document, with the keys of
the two files it came from: the annotation file's (mtime_ns, size, inode), as the store's
summary keys it (the store replaces a file it writes, so a new file has a new inode), and the
document's (size, mtime_ns), as the index's manifest keys it. An entry is used only while both
files still have those keys; any other document is read, placed and kept again.

Only files the store read without a problem are kept, so a document whose entry is used is
known to be complete; every other file is read through the store, which says what is wrong
with it. The cache is disposable: missing, damaged, of another version or for another pair
of folders, it is ignored; it is written (temp file and rename) after a run that placed
something anew, and a failure to write it is ignored. Annotation files are never written from
it, and nothing but `reader agree` reads it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from reader.agreement.study import CodedSpan

VERSION = 2
FILE_NAME = "agreement-places.json"

Key = tuple[int, ...]  # the annotation file's (mtime_ns, size, inode), the document's (size, mtime_ns)


@dataclass(frozen=True)
class DocPlaces:
    """One document as the study needs it: its length, how many annotations each coder has in
    it (orphans included), how many of those are orphans, and the placed spans."""

    key: Key
    length: int
    coders: dict[str, int]
    orphans: dict[str, int]
    spans: tuple[CodedSpan, ...]


class PlacesCache:
    """The cache file of one annotations folder and corpus (module docstring).

    In the file, each document's spans are one flat list of numbers (coder, start, end, tag
    set: four per span, coders and tag sets numbered once for the whole file), which JSON
    reads several times faster than a list per span."""

    def __init__(self, path: Path, store_folder: Path, corpus_root: Path) -> None:
        self.path = path
        self._owner = [str(store_folder), str(corpus_root)]
        self._entries: dict[str, list] = {}
        self._coders: list[str] = []
        self._tagsets: list[frozenset[str]] = []
        self._changed = False
        self._coder_number: dict[str, int] = {}
        self._tagset_number: dict[frozenset[str], int] = {}
        try:
            obj = json.loads(path.read_bytes())
            if obj.get("version") == VERSION and obj.get("for") == self._owner and isinstance(obj["docs"], dict):
                self._coders = [str(c) for c in obj["coders"]]
                self._tagsets = [frozenset(str(t) for t in tags) for tags in obj["tagsets"]]
                self._entries = obj["docs"]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self._entries = {}

    def get(self, doc: str, key: Key) -> DocPlaces | None:
        """The entry of `doc`, if it was made from files with these keys (else None)."""
        entry = self._entries.get(doc)
        if entry is None:
            return None
        try:
            stored_key, length, coders, orphans, rows = entry
            if tuple(stored_key) != key:
                return None
            names, tagsets = self._coders, self._tagsets
            spans = tuple(
                CodedSpan(names[rows[k]], doc, rows[k + 1], rows[k + 2], tagsets[rows[k + 3]])
                for k in range(0, len(rows), 4)
            )
            return DocPlaces(key, int(length), dict(coders), dict(orphans), spans)
        except (ValueError, TypeError, IndexError):
            return None

    def put(self, doc: str, places: DocPlaces) -> None:
        if not self._changed:  # numbering the coders and tag sets anew as entries are added
            self._coder_number = {c: k for k, c in enumerate(self._coders)}
            self._tagset_number = {t: k for k, t in enumerate(self._tagsets)}
        coder_number, tagset_number = self._coder_number, self._tagset_number
        rows: list[int] = []
        for s in places.spans:  # in line: a first run puts every one of 30,000 spans
            c = coder_number.get(s.coder)
            if c is None:
                c = coder_number[s.coder] = len(self._coders)
                self._coders.append(s.coder)
            t = tagset_number.get(s.tags)
            if t is None:
                t = tagset_number[s.tags] = len(self._tagsets)
                self._tagsets.append(s.tags)
            rows += (c, s.start, s.end, t)
        self._entries[doc] = [list(places.key), places.length, places.coders, places.orphans, rows]
        self._changed = True

    def save(self) -> None:
        """Write the file if an entry was added or replaced; a failure is ignored (the next
        run reads the files instead)."""
        if not self._changed:
            return
        obj = {
            "version": VERSION,
            "for": self._owner,
            "coders": self._coders,
            "tagsets": [sorted(tags) for tags in self._tagsets],
            "docs": self._entries,
        }
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(obj, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
            os.replace(tmp, self.path)
            self._changed = False
        except (OSError, UnicodeError):
            try:
                tmp.unlink()
            except OSError:
                pass
