"""PDF paragraphs rebuilt from line geometry (index.formats.pdf_layout, pdf_lines).

layout.pdf (tests/fixtures/pdf/make_layout.py, LibreOffice) has no spacing between
paragraphs, ragged and justified text, a heading in a larger size, a paragraph running over
the page break and a bulleted item: only the lines' geometry says where paragraphs end.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from index.document import position_at
from index.formats import extract, pdf_layout
from index.formats.pdf_lines import Line

FIXTURE = Path(__file__).parent / "fixtures" / "pdf" / "layout.pdf"
sys.path.insert(0, str(FIXTURE.parent))
from make_layout import paragraph  # noqa: E402  (the fixture's own text: the reference)

EXPECTED = (
    ["Rivers and Roads"]
    + [paragraph(n, 2 + n % 3) for n in range(1, 20)]
    + ["\u2022 A list item that the speaker added at the end, about the ferry."]
)


@pytest.fixture(scope="module")
def layout():
    return extract("layout.pdf", FIXTURE.read_bytes())


def test_every_paragraph_of_the_original_is_one_paragraph(layout) -> None:
    assert layout.text.rstrip("\n").split("\n\n") == EXPECTED


def test_a_paragraph_over_a_page_break_stays_one_and_the_page_starts_inside_it(layout) -> None:
    pages = {p.label: p.start for p in layout.positions}
    assert sorted(pages) == ["1", "2"] and pages["1"] == 0
    start = layout.text.rfind("\n\n", 0, pages["2"]) + 2
    end = layout.text.find("\n\n", pages["2"])
    assert start < pages["2"] < end  # inside one paragraph, not at its start
    assert layout.text[start:end] in EXPECTED
    assert layout.text[pages["2"] - 1] == " " and layout.text[pages["2"]].isalnum()
    assert position_at(layout.positions, pages["2"] - 2).label == "1"


def _line(
    text: str, baseline: float, left: float = 57.0, right: float = 530.0, size: float = 10.0, page: int = 0
) -> Line:
    return Line(text, baseline, left, right, size, page)


def test_a_line_ending_short_a_larger_gap_a_new_size_and_an_indent_start_paragraphs() -> None:
    body = "words " * 14
    pages = [
        [
            _line("A Heading", 780, right=150, size=18),
            _line(body + "first", 756),
            _line("ends here.", 744, right=120),  # short: ends
            _line(body + "second", 732),
            _line(body + "goes on", 720),
            _line("after a gap.", 690),  # a step of 30 against the usual 12
            _line(body + "third.", 678),
            _line("Indented first line", 666, left=75),
            _line("\u2022 a bullet item", 654),
        ]
    ]
    texts = [p.text for p in pdf_layout.paragraphs(pages)]
    assert texts == [
        "A Heading",
        f"{body}first ends here.",
        f"{body}second {body}goes on",
        f"after a gap. {body}third.",
        "Indented first line",
        "\u2022 a bullet item",
    ]


def test_a_full_last_line_of_a_page_goes_on_a_short_one_does_not() -> None:
    body = "words " * 14
    pages = [
        [_line(body + "one", 100), _line(body + "full", 88)],
        [_line("goes on here.", 780, right=140), _line("New paragraph", 768, right=140)],
        [_line("ends", 780, right=90, page=2)],
    ]
    result = pdf_layout.paragraphs(pages)
    assert [p.text for p in result] == [f"{body}one {body}full goes on here.", "New paragraph", "ends"]
    assert result[0].pages == [(0, 0), (len(f"{body}one {body}full "), 1)]


@pytest.mark.parametrize(
    "lines,words,joined",
    [
        (["the extrac-", "tion of text"], None, "the extraction of text"),
        (["the Franco-", "German border"], None, "the Franco-German border"),
        (["soft\u00ad", "hyphen"], None, "softhyphen"),
        (["a side-", "by-side view"], {"side-by", "view"}, "a side-by-side view"),
        (["a non-", "free program"], {"nonfree", "non-free"}, "a nonfree program"),
        (["a rule ----", "1.1. next"], None, "a rule ---- 1.1. next"),
        (["the Library side-", "by-side in one"], set(), "the Library side-by-side in one"),  # a compound
        (["unlike paper-", "and-ink signatures"], None, "unlike paper-and-ink signatures"),
    ],
)
def test_hyphens_at_line_ends_follow_the_document_s_own_spelling(lines, words, joined) -> None:
    assert pdf_layout.join(lines, words) == joined


def test_a_number_after_an_abbreviation_goes_on_one_after_a_sentence_starts_an_item() -> None:
    body = "words " * 14
    pages = [
        [
            _line(body + "License, v.", 780),
            _line("2.0. If a copy of the MPL was not distributed", 768),
            _line(body + "ends here.", 756),
            _line("2.1. Grants", 744),
        ]
    ]
    texts = [p.text for p in pdf_layout.paragraphs(pages)]
    assert texts == [f"{body}License, v. 2.0. If a copy of the MPL was not distributed {body}ends here.", "2.1. Grants"]


def test_running_headers_and_page_numbers_are_dropped() -> None:
    pages = [
        [_line("The Report", 800), _line(f"the {word} page", 700), _line(number, 40)]
        for word, number in zip(["first", "second", "third", "fourth", "fifth"], ["iv", "v", "1", "2", "3"])
    ]
    kept = pdf_layout.drop_running_lines(pages)
    assert [[line.text for line in lines] for lines in kept] == [
        [f"the {word} page"] for word in ["first", "second", "third", "fourth", "fifth"]
    ]


def _book(headers: list[str], top: list[str], bottom: list[str] | None = None) -> list[list[Line]]:
    """Pages with a header line at the top (none where it is ""), a first and a last body line."""
    pages = []
    for number, (header, first) in enumerate(zip(headers, top)):
        word = _WORDS[number]
        lines = [_line(header, 790, page=number)] if header else []
        lines += [_line(first, 760, page=number), _line(f"a {word} line of the body", 700, page=number)]
        lines += [_line((bottom or [""] * len(top))[number] or f"the {word} page's last line", 60, page=number)]
        pages.append(lines)
    return pages


_WORDS = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike".split()


def test_chapter_headers_on_a_run_of_pages_and_lone_page_numbers_are_dropped() -> None:
    """Chapter 1 on pages 3-4 (too short a run: it goes by the page number and the height),
    chapter 2 on 5-9: neither on most of the 12 pages; chapters open with their number only."""
    headers = ["", "", "i", "3", "Chapter 1: Start 4", "Chapter 1: Start 5"]
    headers += ["6"] + [f"Chapter 2: The Long Middle {n}" for n in range(7, 11)] + ["11"]
    top = [f"body {word} begins" for word in _WORDS[:12]]
    kept = pdf_layout.drop_running_lines(_book(headers, top))
    assert [lines[0].text for lines in kept] == top


def test_lines_that_repeat_on_consecutive_pages_without_the_page_s_number_stay() -> None:
    """A table's heading row at the top of each page, numbered steps or exercises that do not
    follow the pages, an equation's number that happens to be the page's, just above the
    last line: body."""
    headers = ["Name | Age | Town"] * 3 + ["Step 2 of 5"] * 3 + [f"Exercise {2 * n}: Notes" for n in range(6, 9)]
    top = [f"body {word} begins" for word in _WORDS[:9]]
    pages = _book(headers, top)
    for number, lines in enumerate(pages):  # the pages' own numbers, above each last line
        equation = ["mod P.", "= 0.", "x + y"][number % 3]
        lines.insert(-1, _line(f"{equation} ({number + 1})", 80, page=number))
    kept = pdf_layout.drop_running_lines(pages)
    assert [[line.text for line in lines] for lines in kept] == [[line.text for line in lines] for lines in pages]


def test_the_indexer_reports_each_page_of_a_pdf_before_the_document(tmp_path) -> None:
    from index.formats.progress import page_progress
    from index.indexer import CorpusIndex

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "layout.pdf").write_bytes(FIXTURE.read_bytes())
    events: list[tuple] = []
    with page_progress(lambda doc_id, done, total: events.append(("page", doc_id, done, total))):
        CorpusIndex(corpus, tmp_path / "index").update(
            progress=lambda done, total, doc_id: events.append(("document", doc_id, done, total))
        )
    assert events == [
        ("document", "", 0, 1),  # the total, before anything is read
        ("page", "layout.pdf", 1, 2),
        ("page", "layout.pdf", 2, 2),
        ("document", "layout.pdf", 1, 1),
    ]


SCAN = FIXTURE.parent / "scan.pdf"
SCANNED_TEXT = (
    "Chapter One\n\nWe walked to the market in the early morning, before the heat, and "
    "the stalls were still being set up by families who had come from the villages.\n\n"
    "The second paragraph speaks of the river crossing and the old bridge that the "
    "council repaired twice last year.\n\nA third paragraph ends the first page.\n"
)


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")
def test_a_page_without_a_text_layer_is_read_by_tesseract_and_the_document_says_so(tmp_path, monkeypatch) -> None:
    from index.corpus import Corpus
    from reader.positions import position_of

    monkeypatch.delenv("READER_TESSERACT", raising=False)
    shutil.copy(SCAN, tmp_path / "scan.pdf")
    document = Corpus(tmp_path).load("scan.pdf")
    assert document.text == SCANNED_TEXT
    assert document.meta.ocr_pages == ("1",)
    opened = type("Opened", (), {"document": document})()
    assert position_of(opened, document.text.index("third")) == "p. 1, OCR"


def test_without_tesseract_a_scan_keeps_its_reason(tmp_path, monkeypatch) -> None:
    from index.corpus import Corpus, UnreadableDocument

    monkeypatch.setenv("READER_TESSERACT", "")  # OCR off, as on a machine without it
    shutil.copy(SCAN, tmp_path / "scan.pdf")
    with pytest.raises(UnreadableDocument) as raised:
        Corpus(tmp_path).load("scan.pdf")
    assert raised.value.reason == "scanned: no text layer"


def test_a_line_end_hyphen_in_a_hyphenated_word_or_an_address_stays() -> None:
    """Typesetters break such words only at their own hyphens (valgrind's manual:
    "round-to-" + "nearest", "--log-" + "file"; the GPL's ".../why-not-" + "lgpl.html")."""
    assert pdf_layout.join(["operations round-to-", "nearest and"]) == "operations round-to-nearest and"
    assert pdf_layout.join(["see --log-", "file."]) == "see --log-file."
    assert pdf_layout.join(["read <https://www.gnu.org/licenses/why-not-", "lgpl.html>."]) == (
        "read <https://www.gnu.org/licenses/why-not-lgpl.html>."
    )
    assert pdf_layout.join(["the extrac-", "tion of text"]) == "the extraction of text"  # still undone


def test_a_box_of_asterisks_after_a_sentence_is_a_paragraph_of_its_own() -> None:
    """The MPL's plain-text boxes, reflowed by LibreOffice: a rule opens the box after the end
    of a sentence and closes it at a line's end; its border's "* " is no bullet."""
    rule = "*" * 72
    pages = [
        [
            _line("validly granted by You or Your distributors under this License prior to", 780, right=483),
            _line("termination shall survive termination.", 768, right=283),
            _line(f"{rule} * * *", 756, right=525),
            _line("6. Disclaimer of Warranty * * ----------- * * * * Covered Software", 744, right=537),
            _line("is provided under this License on an as is * * basis, without of *", 732, right=531),
            _line("* * Should any Covered Software prove defective in any respect, You", 720, right=537),
            _line("License except under this disclaimer. * * *", 708, right=314),
            _line(rule, 696, right=489),
            _line(f"{rule} * * *", 684, right=525),
            _line("7. Limitation of Liability * * ----------- * * * * Under no", 672, right=501),
        ]
    ]
    texts = [p.text for p in pdf_layout.paragraphs(pages)]
    assert [t[:20] for t in texts] == ["validly granted by Y", f"{rule[:20]}", f"{rule[:20]}"]
    assert texts[1].endswith(f"disclaimer. * * * {rule}") and "Should any" in texts[1]


def test_a_rule_under_a_title_ends_its_paragraph() -> None:
    pages = [
        [
            _line("Mozilla Public License Version 2.0 " + "=" * 34, 780, right=400),
            _line("1. Definitions and the rest of a long line of words here", 768),
        ]
    ]
    assert [p.text for p in pdf_layout.paragraphs(pages)] == [
        "Mozilla Public License Version 2.0 " + "=" * 34,
        "1. Definitions and the rest of a long line of words here",
    ]
