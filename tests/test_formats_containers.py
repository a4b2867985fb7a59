"""Issue 16 points the fixtures did not cover: an EPUB's chapters in spine order (not the
manifest's or the zip's) with its Dublin Core metadata, corrupt ODT and EPUB containers, and
`.htm` files found beside `.html`."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from index.corpus import Corpus, UnreadableDocument

CONTAINER = """<?xml version="1.0"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles><rootfile full-path="OEBPS/book.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>"""
OPF = """<?xml version="1.0"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:title>Two Chapters</dc:title><dc:creator>Amal Haddad</dc:creator>
    <dc:date>2021-03-04</dc:date><dc:publisher>River Press</dc:publisher>
  </metadata>
  <manifest>
    <item id="a" href="a.xhtml" media-type="application/xhtml+xml"/>
    <item id="b" href="b.xhtml" media-type="application/xhtml+xml"/>
  </manifest>
  <spine><itemref idref="b"/><itemref idref="a"/></spine>
</package>"""


def _chapter(text: str) -> str:
    return f'<html xmlns="http://www.w3.org/1999/xhtml"><body><p>{text}</p></body></html>'


def test_an_epub_reads_its_chapters_in_spine_order_with_its_dublin_core(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "book.epub", "w") as book:
        book.writestr("mimetype", "application/epub+zip")
        book.writestr("META-INF/container.xml", CONTAINER)
        book.writestr("OEBPS/book.opf", OPF)
        book.writestr("OEBPS/a.xhtml", _chapter("The second chapter, first in the zip."))
        book.writestr("OEBPS/b.xhtml", _chapter("The first chapter in reading order."))
    document = Corpus(tmp_path).load("book.epub")
    assert document.text == "The first chapter in reading order.\n\nThe second chapter, first in the zip.\n"
    meta = document.meta
    assert (meta.title, meta.source, meta.date) == ("Two Chapters", "River Press", "2021-03-04")


@pytest.mark.parametrize(
    "name,kind",
    [("draft.odt", "OpenDocument"), ("book.epub", "EPUB"), ("report.docx", "Word")],
)
def test_a_corrupt_zip_container_gives_its_reason(tmp_path: Path, name: str, kind: str) -> None:
    (tmp_path / name).write_bytes(b"PK\x03\x04" + b"\x00garbage, not a zip" * 20)
    (tmp_path / "note.txt").write_text("A note.\n", encoding="utf-8")
    with pytest.raises(UnreadableDocument) as caught:
        Corpus(tmp_path).load(name)
    assert caught.value.reason.startswith("corrupt ") and "zip" in caught.value.reason


def test_htm_files_are_found_and_read_as_html(tmp_path: Path) -> None:
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "page.htm").write_text(
        "<html><head><title>Saved</title><script>var x = 1;</script></head>"
        "<body><nav>Home</nav><p>The visible text.</p></body></html>",
        encoding="utf-8",
    )
    files, skipped = Corpus(tmp_path).scan()
    assert [f.id for f in files] == ["old/page.htm"] and not skipped
    document = Corpus(tmp_path).load("old/page.htm")
    assert (document.text, document.meta.title) == ("The visible text.\n", "Saved")
