"""A file's extracted text through the cache: what `index.corpus` calls for non-text formats."""

from __future__ import annotations

import hashlib

from index.formats import extract, version
from index.formats.cache import ExtractCache, document_hash
from index.formats.model import Extracted


def extracted_text(name: str, data: bytes, cache: ExtractCache | None) -> tuple[Extracted, str, str]:
    """`(extracted, document hash, extractor)`; raises ExtractionError with the reason."""
    extractor = version(name)
    key = document_hash(hashlib.sha256(data).hexdigest(), extractor)
    found = cache.get(key) if cache is not None else None
    if found is None:
        found = extract(name, data)
        if cache is not None:
            cache.put(key, found)
    return found, key, extractor
