"""Extracted text kept beside the index, so a PDF is read by PDFium once, not on every open.

Keyed by `document_hash`: the hash of the file's bytes and the extractor's version together,
which is also the document's `sha256` everywhere (index manifest, annotations). A file edited,
or an extractor whose output changed (its VERSION bumped), gives a new key, a fresh extraction
and a new document hash, so annotations re-anchor exactly as for a changed text file; the
old entry is simply never read again. Entries are JSON, written atomically (a temporary file
renamed into place), so worker processes extracting at once, or a crash, never leave half an
entry; an unreadable entry counts as missing. The cache is disposable like the index: deleting
it costs only the time to extract again.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from index.atomic import write_atomic
from index.document import Position
from index.formats.model import Extracted

_FIELDS = ("title", "author", "date", "source")
EXTRACTED_DIR = "extracted"
"""The cache's folder in an index folder (here, so that opening a corpus needs no indexer)."""


def document_hash(file_sha256: str, extractor: str) -> str:
    """The document's hash: its bytes' hash and the extractor ("pdf/1") that made its text."""
    return hashlib.sha256(f"{file_sha256}|{extractor}".encode()).hexdigest()


class ExtractCache:
    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> Extracted | None:
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
            return Extracted(
                text=data["text"],
                positions=tuple(Position(int(s), str(k), str(lb)) for s, k, lb in data["positions"]),
                extra=dict(data.get("extra") or {}),
                **{name: data.get(name) for name in _FIELDS},
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, extracted: Extracted) -> None:
        """Best effort: a cache that cannot be written (read-only, full) only costs time."""
        data = {
            "text": extracted.text,
            "positions": [[p.start, p.kind, p.label] for p in extracted.positions],
            "extra": extracted.extra,
            **{name: getattr(extracted, name) for name in _FIELDS},
        }
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, json.dumps(data, ensure_ascii=False).encode("utf-8"), durable=False)
        except OSError:
            pass
