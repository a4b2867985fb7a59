"""Zip containers (DOCX, ODT, EPUB): opened with a clear reason when they are not zips."""

from __future__ import annotations

import io
import zipfile

from index.formats.model import ExtractionError


def open_zip(data: bytes, kind: str) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        bad = archive.testzip()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError):
        raise ExtractionError(f"corrupt {kind} (not a readable zip container)") from None
    except Exception as exc:  # zlib errors and the like from a damaged member
        raise ExtractionError(f"corrupt {kind} (damaged zip: {type(exc).__name__})") from None
    if bad is not None:
        raise ExtractionError(f"corrupt {kind} (damaged member {bad})")
    return archive
