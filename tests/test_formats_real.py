"""Issue 16 on files we did not make: a documentation PDF Debian ships (libtasn1-doc, when it
is installed), and the user's overrides winning over a format's own metadata."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from index.corpus import Corpus
from index.document import position_at
from reader.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
LIBTASN1 = Path("/usr/share/doc/libtasn1-doc/libtasn1.pdf")


@pytest.mark.skipif(not LIBTASN1.exists(), reason="libtasn1-doc is not installed")
def test_a_debian_manual_pdf_reads_with_its_pages(tmp_path: Path) -> None:
    shutil.copy(LIBTASN1, tmp_path / "libtasn1.pdf")
    document = Corpus(tmp_path).load("libtasn1.pdf")
    pages = [p for p in document.positions if p.kind == "page"]
    assert len(pages) >= 30 and document.meta.title
    text = document.text
    assert "ASN.1" in text and "\ufffe" not in text and "\x02" not in text
    at = text.index("asn1_parser2tree")
    assert position_at(document.positions, at).cite() == "p. 8"  # the label printed on it (the 11th page)


@pytest.mark.skipif(not LIBTASN1.exists(), reason="libtasn1-doc is not installed")
def test_a_debian_manual_s_chapter_headers_and_page_numbers_are_dropped_and_its_headings_kept(tmp_path: Path) -> None:
    """Its running headers change with the chapter ("Chapter 4: Function reference 9" on 15
    of 36 pages, "Chapter 3: Utilities 6" on two), and a chapter's first page has only its
    number at the top: none of it is on most pages, all of it is a header."""
    shutil.copy(LIBTASN1, tmp_path / "libtasn1.pdf")
    paragraphs = Corpus(tmp_path).load("libtasn1.pdf").text.split("\n\n")
    for header in ("Chapter 2: ASN.1", "Chapter 3: Utilities", "Chapter 4: Function", "Appendix A: Copying"):
        assert not any(header in p for p in paragraphs), header
    assert not any(p.strip().isdigit() for p in paragraphs)  # no page number of its own
    for heading in ("1 Introduction", "3 Utilities", "4 Function reference", "Appendix A Copying Information"):
        assert heading in paragraphs  # the chapters' own headings stay
    assert "3.3 Invoking asn1Decoding" in paragraphs and "asn1 array2tree" in paragraphs  # first lines of pages


def test_the_user_s_title_and_source_win_over_the_format_s_metadata(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(FIXTURES / "interview.odt", corpus / "interview.odt")
    args = ["--corpus", str(corpus), "--annotations", str(tmp_path / "ann"), "--index", str(tmp_path / "ix")]

    def meta(*more: str) -> dict:
        result = CliRunner().invoke(main, ["meta", "interview.odt", *more, "--json", *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    own = meta()
    assert (own["title"], own["source"]) == ("The Market Interviews", "Amal Haddad")
    mine = meta("--title", "Market interviews, May", "--source", "Field notes")
    assert (mine["title"], mine["source"]) == ("Market interviews, May", "Field notes")
    assert sorted(mine["overridden"]) == ["source", "title"]
    assert meta()["title"] == "Market interviews, May"  # kept, not replaced by the file's own
