"""Documents in formats other than plain text: one extractor module per format.

Each extractor turns a file's bytes into an `Extracted`: the text a reader of the original sees,
in reading order, one paragraph per block separated by a blank line (so `index.structure`
finds the format's paragraphs), the positions a reader of the original can find (PDF pages,
transcript cue times) as offsets into that text, and the metadata the format states.
Offsets, and so annotations, point into this extracted text, which `index.formats.cache`
keeps beside the index, keyed by the file's hash and the extractor's `VERSION`: bump the
version whenever an extractor's output changes, and every document it made is extracted
again and its annotations re-anchored as for a changed text file.

Every way a file cannot be read (encrypted, no text layer, a corrupt container, DRM) raises
`ExtractionError` with a short reason for the index report, never another exception.
This package never imports textual or rich.
"""

from __future__ import annotations

import functools
import importlib
from pathlib import PurePosixPath

from index.formats import progress
from index.formats.model import ExtractionError, Extracted, Position, assemble

__all__ = ["ExtractionError", "Extracted", "Position", "assemble", "SUFFIXES", "extract", "is_extracted", "version"]

# suffix -> the module (in this package) that reads it; each has VERSION and extract(data).
_MODULES = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".odt": "odt",
    ".rtf": "rtf",
    ".epub": "epub",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".srt": "srt",
    ".vtt": "vtt",
}
SUFFIXES = tuple(_MODULES)


def _module(name: str):
    suffix = PurePosixPath(name.lower()).suffix
    module = _MODULES.get(suffix)
    if module is None:
        raise KeyError(suffix)
    # Imported on first use: opening a corpus of text files never loads PDFium or lxml.
    return importlib.import_module(f"index.formats.{module}")


def is_extracted(name: str) -> bool:
    """Whether a file of this name is read by an extractor (not decoded as text)."""
    return PurePosixPath(name.lower()).suffix in _MODULES


def version(name: str) -> str:
    """The extractor's name and version for a file name, e.g. "pdf/1": part of the cache key."""
    module = _module(name)
    return f"{module.__name__.rsplit('.', 1)[1]}/{module.VERSION}"


def extract(name: str, data: bytes) -> Extracted:
    """The extracted document; raises ExtractionError with a reason, never anything else."""
    module = _module(name)
    try:
        if getattr(module, "PAGED", False):  # reports each page to whoever listens
            result = module.extract(data, progress=functools.partial(progress.report, name))
        else:
            result = module.extract(data)
    except ExtractionError:
        raise
    except MemoryError:
        raise ExtractionError("too large to extract in memory") from None
    except Exception as exc:  # a library's own failure on a damaged file: a reason, not a crash
        raise ExtractionError(f"cannot be read as {module.FORMAT}: {_short(exc)}") from None
    if not result.text.strip():
        raise ExtractionError(result.empty_reason or "no text in the document")
    return result


def _short(exc: BaseException) -> str:
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return message[:120]
