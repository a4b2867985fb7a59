"""Metadata: the five seeds exactly, and the patterns real clippings use."""

from __future__ import annotations


import pytest

from index.document import DocumentMeta
from index.metadata import extract_metadata, parse_date, word_count

from conftest import SEEDS
from waiting import finishes


SEED_META = {
    "000_5f0b56e8f3292fd3.txt": DocumentMeta(
        title="Iraq.. Al-Nujaba Movement threatens to target American bases",
        word_count=1076,
    ),
    "001_f1d61bf84ce1f504.txt": DocumentMeta(
        title="7 attacks within 72 hours… Who is behind targeting US forces in Iraq? And why?",
        word_count=1344,
    ),
    "002_aa247d70c2f24e11.txt": DocumentMeta(
        title="Iraqi military forces threaten new attacks on US amid rising tensions",
        source="Shafaq News",
        date="2024-08-02",
        word_count=602,
    ),
    # One paragraph per line: the 270-character first line, whose first sentence is still too
    # long for a title (186 characters), is cut at a word near 80 characters.
    "003_c50da1745df50ef1.txt": DocumentMeta(
        title="The Iraqi Nujaba Movement announced on Tuesday that the ceasefire, which was…",
        word_count=394,
    ),
    # The stray "close" lines are skipped; "July 31, 2024" in a photo caption is not a date.
    "004_e50d8a5f429aba39.txt": DocumentMeta(
        title="Iraqi militias fighting US troops are not convinced Biden is ready to step down",
        word_count=1200,
    ),
}


@pytest.mark.parametrize("name", sorted(SEED_META))
def test_seed_metadata(name):
    text = (SEEDS / name).read_text(encoding="utf-8")
    assert extract_metadata(text) == SEED_META[name]


def test_seed_word_counts_agree_with_a_plain_token_count():
    for name, meta in SEED_META.items():
        tokens = (SEEDS / name).read_text(encoding="utf-8").split()
        assert meta.word_count == sum(1 for t in tokens if any(c.isalnum() for c in t))


def test_labelled_fields_are_found_near_the_top():
    text = "# Big news #\n\nPublished: July 30, 2024\nSource: Reuters | World\n\nBody text here."
    assert extract_metadata(text) == DocumentMeta(title="Big news", source="Reuters", date="2024-07-30", word_count=12)


def test_dateline_on_its_own_line_counts_but_prose_dates_do_not():
    assert extract_metadata("Title\nTuesday, 30 July 2024\n\nText.").date == "2024-07-30"
    assert extract_metadata("Title\nBy Jane Doe | 2024-07-30\n\nText.").date == "2024-07-30"
    prose = "Title\n\nOn July 30, 2024, a strike hit a base south of Baghdad, officials said."
    assert extract_metadata(prose).date is None


def test_fields_below_the_top_are_ignored():
    text = "Title\n\n" + "Paragraph.\n\n" * 30 + "Source: Somewhere\nDate: 2020-01-01\n"
    meta = extract_metadata(text)
    assert meta.source is None and meta.date is None


def test_the_top_is_the_first_twenty_lines_whatever_ends_them():
    # \r\n, \r, \n, U+2028 and U+2029 each end a line; blank lines do not count towards the 20
    breaks = ["\r\n", "\r", "\n", "\u2028", "\u2029"]
    lines = "".join(f"Line {i}{breaks[i % 5]}\n" for i in range(19))
    assert extract_metadata("Title\n" + lines + "2024-07-30\n").date is None  # the 21st line
    assert extract_metadata("Title\n" + lines[: lines.rindex("Line 18")] + "2024-07-30").date == "2024-07-30"
    assert extract_metadata("Title\u2028Published: 30 July 2024").date == "2024-07-30"  # no final break
    assert extract_metadata("Title\u2028\u2029Ÿear ٢٠٢٤-٠٧-٣٠").date == "2024-07-30"  # Arabic-Indic digits


def test_source_in_prose_is_not_a_source():
    text = "Title\n\nSource: a senior official who spoke on condition of anonymity, he said"
    assert extract_metadata(text).source is None


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("2024-08-02 17:00:05", "2024-08-02"),
        ("2024/8/2", "2024-08-02"),
        ("July 30, 2024", "2024-07-30"),
        ("Sept. 3, 2021", "2021-09-03"),
        ("3rd March 2020", "2020-03-03"),
        ("2024-02-30", None),
        ("no date here", None),
    ],
)
def test_parse_date(written, iso):
    assert parse_date(written) == iso


def test_junk_lines_and_markdown_marks_are_skipped_for_the_title():
    text = "close\nMenu\n***\n\n## **The Real Title** ##\n"
    assert extract_metadata(text).title == "The Real Title"


def test_front_matter_title_and_date():
    text = "---\nauthor: Someone\ntitle: \"Front Title\"\ndate: 2023-01-05\n---\n\nBody."
    meta = extract_metadata(text)
    assert (meta.title, meta.date) == ("Front Title", "2023-01-05")


def test_long_line_without_sentence_end_is_cut_on_a_word_boundary():
    title = extract_metadata("word " * 100).title
    assert title.endswith("…") and len(title) <= 81
    assert title[:-1].split() == ["word"] * len(title[:-1].split())


def test_unbroken_long_line_is_cut_hard():
    title = extract_metadata("x" * 500).title
    assert title == "x" * 80 + "…"


def test_a_long_first_sentence_is_no_title_of_several_lines():
    """Issue 14: without a title line the whole first sentence (4 to 8 lines per hit at 80x24)
    was the title; it is cut at a word boundary near 80 characters, with an ellipsis."""
    text = (
        "We hold these truths to be self-evident, that all men are created equal, that they "
        "are endowed by their Creator with certain unalienable Rights. That to secure these "
        "rights, Governments are instituted among Men.\n"
    )
    title = extract_metadata(text).title
    assert title == ("We hold these truths to be self-evident, that all men are created equal, that…")
    assert len(title) <= 81
    assert extract_metadata("A short first sentence. Then more text follows here.").title == (
        "A short first sentence. Then more text follows here."
    )


def test_fallback_title_when_nothing_is_meaningful():
    assert extract_metadata("---\n***\n", fallback_title="notes").title == "notes"
    assert extract_metadata("").title == ""


def test_word_count_ignores_punctuation_only_tokens():
    assert word_count("Al-Lami said – “yes” … U.S. 2,500 _x_ — ") == 6


def test_five_megabyte_line_does_not_blow_up():
    text = "word " * 1_000_000  # 5 MB, one line
    meta = finishes(lambda: extract_metadata(text), "metadata of a 5 MB line")
    assert meta.word_count == 1_000_000


# --- reStructuredText ------------------------------------------------------------------------


def test_rest_comments_and_directives_are_never_the_title():
    text = (
        ".. SPDX-License-Identifier: GPL-2.0\n"
        ".. include:: <isonum.txt>\n\n"
        ".. _label_name:\n\n"
        ".. note::\n   This is a note, not a title.\n\n"
        ":Author: Someone\n:orphan:\n\n"
        "The first real line of text.\n"
    )
    assert extract_metadata(text).title == "The first real line of text."
    assert extract_metadata("..\n   a comment block\n\nBody line").title == "Body line"


def test_an_underlined_rest_heading_is_the_title():
    text = (
        ".. SPDX-License-Identifier: GPL-2.0\n\n"
        "===========================================\n"
        "The PCI Express Port Bus Driver Guide HOWTO\n"
        "===========================================\n\n"
        ":Author: Tom\n"
    )
    assert extract_metadata(text).title == "The PCI Express Port Bus Driver Guide HOWTO"
    for mark in "=-~*+":
        text = f".. _label:\n\nSome introduction first.\n\nEmbargoed issues\n{mark * 16}\n\nBody."
        assert extract_metadata(text).title == "Embargoed issues", mark


def test_what_is_not_an_underlined_heading():
    # A short rule under a long line, a rule after a blank line, page furniture above a rule.
    assert extract_metadata("A long first line of prose here.\n---\nMore.").title == (
        "A long first line of prose here."
    )
    assert extract_metadata("First line\n\nSecond\n\n======\n").title == "First line"
    assert extract_metadata("close\n-----\nReal title\n").title == "Real title"
    # YAML front matter closes with ---: its last key is no heading.
    text = "---\ntitle: Front Title\nauthor: A. Writer\n---\nBody text.\n"
    assert extract_metadata(text).title == "Front Title"


# --- issue 12, item 9: a numbered label is not a whole title --------------------------------


@pytest.mark.parametrize(
    "first_line, title",
    [
        ("فصل\u00a06.\u00a0الصيانة والتحديث: أدوات APT. ", "فصل\u00a06.\u00a0الصيانة والتحديث: أدوات APT."),
        ("Chapter 6. Maintenance and Updates: The APT Tools. ", "Chapter 6. Maintenance and Updates: The APT Tools."),
        ("ملحق A. توزيعات مشتقة. ", "ملحق A. توزيعات مشتقة."),
        ("6.1. Filling in the sources.list File. ", "6.1. Filling in the sources.list File."),
    ],
)
def test_a_long_first_line_is_not_cut_after_a_chapter_number(first_line, title):
    text = first_line + "Then a long paragraph of ordinary prose follows on the same line. " * 8
    assert extract_metadata(text).title == title


def test_a_long_first_line_still_gives_its_first_sentence():
    text = "The Nujaba Movement said the U.S. truce has ended, officials said. " * 8
    assert extract_metadata(text).title == "The Nujaba Movement said the U.S. truce has ended, officials said."
