"""Metadata from the format must be the document's own: what LibreOffice's conversions
(`soffice --headless --convert-to`, Debian's LibreOffice 7.4) write where a document states
nothing is no title or author, and what they do state is found.

tests/fixtures/libreoffice: untitled.epub is a plain text file with no metadata converted to
EPUB (its package says "Unknown Title" and "Unknown Author"); titled.docx and titled.html
are an OpenDocument file with a title, author and creation date (written with odfpy)
converted to DOCX and HTML.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from index.corpus import Corpus
from index.formats import Extracted, extract

FIXTURES = Path(__file__).parent / "fixtures" / "libreoffice"


def test_libreoffice_s_placeholders_in_an_epub_are_no_title_or_author() -> None:
    data = (FIXTURES / "untitled.epub").read_bytes()
    assert b"<dc:creator>Unknown Author</dc:creator>" in _opf(data)
    extracted = extract("untitled.epub", data)
    assert (extracted.title, extracted.author) == (None, None)
    meta = Corpus(FIXTURES).load("untitled.epub").meta
    assert meta.source is None and meta.title == "untitled"  # the file's name, as for text


def _opf(data: bytes) -> bytes:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return b"".join(archive.read(n) for n in archive.namelist() if n.endswith(".opf"))


def test_a_libreoffice_docx_gives_its_real_title_author_and_date() -> None:
    """LibreOffice misspells the core properties' relationship type; python-docx then made
    up its own defaults (title "Word Document", no author, no date)."""
    extracted = extract("titled.docx", (FIXTURES / "titled.docx").read_bytes())
    assert (extracted.title, extracted.author, extracted.date) == ("The River Crossing", "Amina Haddad", "2024-03-05")


def test_libreoffice_s_html_gives_its_creation_date() -> None:
    extracted = extract("titled.html", (FIXTURES / "titled.html").read_bytes())
    assert (extracted.title, extracted.author, extracted.date) == ("The River Crossing", "Amina Haddad", "2024-03-05")


@pytest.mark.parametrize("value", ["Unknown Author", "unknown  title", "Word Document", "python-docx", " Untitled "])
def test_a_placeholder_is_never_a_title_author_or_source(value: str) -> None:
    """Also for an extraction cached before the filter (the cache rebuilds an Extracted)."""
    extracted = Extracted("Some text.\n", title=value, author=value, source=value)
    assert (extracted.title, extracted.author, extracted.source) == (None, None, None)
    assert Extracted("x\n", title="Unknown Pleasures", author="Ann Unknown").author == "Ann Unknown"
