"""Documents in other formats (index.formats): discovery, text, paragraphs, metadata,
positions, the extraction cache, and a clear reason for each file that cannot be read.

The fixtures in tests/fixtures/formats were made from one OpenDocument file (written with
odfpy) converted by LibreOffice headless to PDF, DOCX, EPUB and RTF; the transcripts and the
HTML page are hand-written; bad/ holds the unreadable cases.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from index.corpus import Corpus, UnreadableDocument
from index.document import position_at
from index.formats import pdf as pdf_format
from index.formats import pdf_layout
from index.indexer import CorpusIndex

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
PARAGRAPHS = [
    "Chapter One",
    "We walked to the market in the early morning, before the heat, and the stalls were still "
    "being set up by families who had come from the villages.",
    "The second paragraph speaks of the river crossing and the old bridge that the council repaired twice last year.",
    "A third paragraph ends the first page.",
    "On the second page the interview turns to the harvest and the rain.",
]
OFFICE = ["interview.pdf", "interview.docx", "interview.odt", "interview.epub", "interview.rtf"]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    shutil.copytree(FIXTURES, root / "deep" / "formats")
    (root / "notes.txt").write_text("A plain note.\n", encoding="utf-8")
    return root


def test_discovery_finds_every_format_recursively(corpus: Path) -> None:
    files, skipped = Corpus(corpus).scan()
    ids = {f.id for f in files}
    for name in OFFICE + ["interview.srt", "market.vtt", "page.html"]:
        assert f"deep/formats/{name}" in ids
    assert "notes.txt" in ids and not skipped


@pytest.mark.parametrize("name", OFFICE)
def test_office_formats_give_the_paragraphs_as_written(name: str) -> None:
    document = Corpus(FIXTURES).load(name)
    assert [document.text[p.start : p.end] for p in document.paragraphs] == PARAGRAPHS
    assert document.meta.title == "The Market Interviews"
    assert document.meta.word_count == 69


@pytest.mark.parametrize(
    "name,author,date",
    [
        ("interview.odt", "Amal Haddad", "2024-05-12"),
        ("interview.rtf", "Amal Haddad", "2024-05-12"),
        ("interview.docx", None, "2024-05-12"),
    ],
)
def test_metadata_from_the_format(name: str, author: str | None, date: str) -> None:
    meta = Corpus(FIXTURES).load(name).meta
    assert (meta.source, meta.date) == (author, date)


def test_pdf_pages_travel_with_the_text() -> None:
    document = Corpus(FIXTURES).load("interview.pdf")
    assert [(p.kind, p.label) for p in document.positions] == [("page", "1"), ("page", "2")]
    second = document.text.index("On the second page")
    assert position_at(document.positions, second).cite() == "p. 2"
    assert position_at(document.positions, document.text.index("third")).cite() == "p. 1"
    assert document.encoding == "pdf/5"


def test_html_keeps_the_visible_text_and_its_metadata() -> None:
    document = Corpus(FIXTURES).load("page.html")
    assert document.text == (
        "Headline here\n\nFirst paragraph with bold words across lines.\n\nSecond paragraph.\n"
    )  # no nav, header, footer, script, style
    meta = document.meta
    assert (meta.title, meta.source, meta.date) == ("A saved page", "Example News", "2024-05-12")


@pytest.mark.parametrize(
    "name,text,times,duration",
    [
        (
            "interview.srt",
            "Interviewer: How did it start?\n\nIt started in the spring of 2019.\n",
            ["00:00:01", "00:14:03"],
            "00:14:09",
        ),
        (
            "market.vtt",
            "Amal: We walked to the market.\n\nBassem: Then it rained.\n",
            ["00:00:02", "00:01:10"],
            "00:01:12",
        ),
    ],
)
def test_transcripts_are_one_paragraph_per_cue_with_time_and_speaker(name, text, times, duration) -> None:
    document = Corpus(FIXTURES).load(name)
    assert document.text == text
    assert document.meta.duration == duration  # the last cue's end
    assert len(document.paragraphs) == 2
    assert [p.label for p in document.positions] == times
    assert [p.start for p in document.positions] == [s.start for s in document.paragraphs]


@pytest.mark.parametrize(
    "name,reason",
    [
        ("bad/encrypted.pdf", "encrypted PDF (password-protected)"),
        ("bad/scanned.pdf", "scanned: no text layer"),
        ("bad/zero-pages.pdf", "PDF with zero pages"),
        ("bad/not-really.pdf", "not a readable PDF"),
        ("bad/corrupt.docx", "corrupt Word document"),
        ("bad/drm.epub", "DRM-protected e-book"),
    ],
)
def test_unreadable_documents_give_their_reason(name: str, reason: str) -> None:
    with pytest.raises(UnreadableDocument) as caught:
        Corpus(FIXTURES).load(name)
    assert caught.value.reason.startswith(reason)


def test_the_index_reports_each_unreadable_file_and_searches_the_rest(corpus: Path, tmp_path) -> None:
    index = CorpusIndex(corpus, tmp_path / "index")
    report = index.update()
    reasons = {s.id: s.reason for s in report.skipped}
    assert reasons["deep/formats/bad/scanned.pdf"] == "scanned: no text layer"
    assert reasons["deep/formats/bad/drm.epub"].startswith("DRM-protected")
    assert "deep/formats/interview.pdf" in report.added
    assert index.documents()["deep/formats/page.html"].title == "A saved page"


def test_extracted_text_is_cached_beside_the_index_by_hash_and_version(corpus, tmp_path, monkeypatch) -> None:
    index = CorpusIndex(corpus, tmp_path / "index")
    index.update()
    entries = list((tmp_path / "index" / "extracted").rglob("*.json"))
    assert len(entries) == 8  # the eight readable extracted documents
    cached = index.load("deep/formats/interview.pdf")
    calls = []
    monkeypatch.setattr(pdf_format, "extract", lambda data: calls.append(1))
    again = CorpusIndex(corpus, tmp_path / "index").load("deep/formats/interview.pdf")
    assert again.text == cached.text and again.positions == cached.positions and not calls
    # a new extractor version: a new key, a fresh extraction, a new document hash
    monkeypatch.undo()
    monkeypatch.setattr(pdf_format, "VERSION", pdf_format.VERSION + 1)
    fresh = CorpusIndex(corpus, tmp_path / "index").load("deep/formats/interview.pdf")
    assert fresh.sha256 != cached.sha256 and fresh.encoding == f"pdf/{pdf_format.VERSION}"


def test_a_damaged_cache_entry_is_extracted_again(corpus, tmp_path) -> None:
    index = CorpusIndex(corpus, tmp_path / "index")
    text = index.load("deep/formats/page.html").text
    for entry in (tmp_path / "index" / "extracted").rglob("*.json"):
        entry.write_text("{not json", encoding="utf-8")
    assert CorpusIndex(corpus, tmp_path / "index").load("deep/formats/page.html").text == text
    assert all(json.loads(e.read_text()) for e in (tmp_path / "index" / "extracted").rglob("*.json"))


def test_search_finds_words_of_a_pdf_with_a_snippet(corpus, tmp_path) -> None:
    from index.search import search

    index = CorpusIndex(corpus, tmp_path / "index")
    index.update()
    result = search(index, "harvest")
    ids = [hit.doc_id for hit in result.hits]
    assert "deep/formats/interview.pdf" in ids
    hit = result.hits[ids.index("deep/formats/interview.pdf")]
    assert "harvest" in hit.snippet


@pytest.mark.parametrize(
    "lines,joined",
    [
        (["the extrac-", "tion of text"], "the extraction of text"),
        (["the Franco-", "German border"], "the Franco-German border"),
        (["soft\u00ad", "hyphen"], "softhyphen"),
        (["two", "lines"], "two lines"),
    ],
)
def test_pdf_lines_join_and_hyphenation_at_line_ends_is_undone(lines, joined) -> None:
    assert pdf_layout.join(lines) == joined


def test_a_new_extractor_version_that_changes_the_text_re_anchors_annotations(corpus, tmp_path, monkeypatch) -> None:
    from index.formats import html as html_format
    from index.formats.model import Block, assemble
    from reader.store import AnnotationStore

    doc_id = "deep/formats/page.html"
    document = CorpusIndex(corpus, tmp_path / "index").load(doc_id)
    store = AnnotationStore(tmp_path / "ann", creator="tester")
    start = document.text.index("Second paragraph")
    store.add(doc_id, document.text, document.sha256, start, start + len("Second paragraph"), ("t",), "")
    original = html_format.extract
    monkeypatch.setattr(html_format, "VERSION", html_format.VERSION + 1)
    monkeypatch.setattr(
        html_format,
        "extract",
        lambda data: assemble(
            [Block("A line the new version finds.")] + [Block(p) for p in original(data).text.split("\n\n")]
        ),
    )
    changed = CorpusIndex(corpus, tmp_path / "index").load(doc_id)
    assert changed.sha256 != document.sha256 and changed.text.startswith("A line the new")
    [placed] = store.resolve(doc_id, changed.text, changed.sha256)
    assert placed.status == "moved"
    assert changed.text[placed.span.start : placed.span.end] == "Second paragraph"


def test_reader_meta_gives_a_transcript_s_duration(corpus, tmp_path) -> None:
    from click.testing import CliRunner

    from reader.cli import main

    args = [
        "--corpus",
        str(corpus),
        "--annotations",
        str(tmp_path / "ann"),
        "--index",
        str(tmp_path / "ix"),
        "meta",
        "deep/formats/interview.srt",
    ]
    shown = json.loads(CliRunner().invoke(main, args + ["--json"], catch_exceptions=False).stdout)
    assert shown["duration"] == "00:14:09"
    assert "duration: 00:14:09" in CliRunner().invoke(main, args, catch_exceptions=False).stdout
    text_file = CliRunner().invoke(main, args[:-1] + ["notes.txt", "--json"], catch_exceptions=False)
    assert "duration" not in json.loads(text_file.stdout)  # only where the format states one


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("  plain words  ", "plain words"),
        ("tab\there", "tab here"),
        ("no-break\u00a0space and  two", "no-break space and two"),
        ("line\r\nbreak\u2028and\x00control\x85", "line break and control"),
        ("em\u2003space\u3000ideographic\u200bzero", "em space ideographic zero"),
        ("caf\u00e9 e\u0301 \u00ad soft", "caf\u00e9 e\u0301 \u00ad soft"),
    ],
)
def test_clean_collapses_spaces_and_controls_on_the_fast_path_too(raw: str, expected: str) -> None:
    from index.formats.model import clean

    assert clean(raw) == expected
