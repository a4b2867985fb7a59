"""Paragraph and sentence spans: offsets are code points, rules hold on the seeds, no blow-up on huge lines."""

from __future__ import annotations


from hypothesis import given, settings
from hypothesis import strategies as st

from index.structure import lines, paragraphs, sentences

from conftest import SEEDS
from waiting import finishes


def texts(text, spans):
    return [text[s.start : s.end] for s in spans]


# --- paragraphs ----------------------------------------------------------------------------


def test_blank_lines_separate_paragraphs_and_spans_exclude_whitespace():
    text = "  First para.  \n\n\n\tSecond para.\n  \n Third.\n"
    assert texts(text, paragraphs(text)) == ["First para.", "Second para.", "Third."]


def test_seed_003_has_one_paragraph_per_line():
    text = (SEEDS / "003_c50da1745df50ef1.txt").read_text(encoding="utf-8")
    expected = [line.strip() for line in text.split("\n") if line.strip()]
    assert len(expected) == 13
    assert texts(text, paragraphs(text)) == expected


def test_hard_wrapped_block_is_one_paragraph():
    text = (
        "This paragraph was wrapped at a fixed column by an editor, so its\n"
        "lines are all about the same length and end in the middle of a\n"
        "sentence.\n\nNext paragraph."
    )
    paras = paragraphs(text)
    assert len(paras) == 2
    assert texts(text, paras)[0].startswith("This paragraph") and texts(text, paras)[0].endswith("sentence.")


def test_heading_line_followed_by_long_line_are_two_paragraphs():
    text = (SEEDS / "004_e50d8a5f429aba39.txt").read_text(encoding="utf-8")
    found = texts(text, paragraphs(text))
    assert found[:2] == ["close", "close"]
    i = found.index("US, Iraqi troops conduct artillery drills")
    assert found[i + 1].startswith("U.S. soldiers conduct a live-fire exercise")


def test_markdown_list_items_are_separate_paragraphs():
    text = "# Heading\n- one item that is long enough to look like wrapped prose here\n- two\n"
    assert texts(text, paragraphs(text)) == [
        "# Heading",
        "- one item that is long enough to look like wrapped prose here",
        "- two",
    ]


def test_crlf_text_offsets_exclude_carriage_returns():
    text = "First paragraph.\r\n\r\nSecond one. Another.\r\n"
    assert texts(text, paragraphs(text)) == ["First paragraph.", "Second one. Another."]
    assert texts(text, sentences(text)) == ["First paragraph.", "Second one.", "Another."]
    assert texts(text, lines(text))[:3] == ["First paragraph.", "", "Second one. Another."]


def test_empty_and_blank_text():
    assert paragraphs("") == () and sentences("") == ()
    assert paragraphs(" \n\n\t\n") == () and sentences("  \n ") == ()


# --- sentences -----------------------------------------------------------------------------


def test_abbreviations_numbers_and_initials_do_not_split():
    text = (
        "Al-Lami accused the U.S. of stalling. Mr. Smith paid 2.5 million to Dr. Jones. "
        "Joe B. Smith agreed, e.g. on Monday. U.S. forces left."
    )
    assert texts(text, sentences(text)) == [
        "Al-Lami accused the U.S. of stalling.",
        "Mr. Smith paid 2.5 million to Dr. Jones.",
        "Joe B. Smith agreed, e.g. on Monday.",
        "U.S. forces left.",
    ]


def test_initialism_then_sentence_starter_splits():
    text = "They flew to the U.S. The talks began."
    assert texts(text, sentences(text)) == ["They flew to the U.S.", "The talks began."]


def test_quotes_after_period_ellipsis_and_interrobang():
    text = "He said, “We are done.” Then he left… Nobody knew why?! “Really?” she asked. Yes."
    assert texts(text, sentences(text)) == [
        "He said, “We are done.”",
        "Then he left…",
        "Nobody knew why?!",
        "“Really?” she asked.",
        "Yes.",
    ]


def test_sentences_stay_inside_paragraphs():
    text = "A heading without a stop\n\nFirst sentence. Second sentence."
    assert texts(text, sentences(text)) == [
        "A heading without a stop",
        "First sentence.",
        "Second sentence.",
    ]


def test_seed_003_first_paragraph_has_two_sentences_and_us_is_kept_whole():
    text = (SEEDS / "003_c50da1745df50ef1.txt").read_text(encoding="utf-8")
    found = texts(text, sentences(text))
    assert found[0].endswith("withdrawal of U.S. forces from the country, has ended.")
    assert found[1] == "As a result, the option to target U.S. bases in Iraq is now on the table."
    assert not any(s.endswith("U.S.") for s in found)


def test_offsets_are_code_points_with_quotes_arabic_and_emoji():
    arabic = "قالَ الرَّجُلُ شيئاً."  # combining harakat
    emoji = "The family 👨‍👩‍👧‍👦 arrived!"  # a ZWJ sequence of several code points
    text = f"“Curly” quotes are fine. {arabic} {emoji} Last one."
    assert texts(text, sentences(text)) == [
        "“Curly” quotes are fine.",
        arabic,
        emoji,
        "Last one.",
    ]


def test_cjk_full_stops_split_without_spaces():
    text = "这是第一句。这是第二句！好吗？"
    assert texts(text, sentences(text)) == ["这是第一句。", "这是第二句！", "好吗？"]


def test_five_megabyte_single_line_does_not_blow_up():
    text = "The quick brown fox jumps over the U.S. lazy dog. " * 100_000  # 5 MB, one line
    paras, sents = finishes(lambda: (paragraphs(text), sentences(text)), "splitting a 5 MB line")
    assert len(paras) == 1 and len(sents) == 100_000


def test_pathological_punctuation_runs_do_not_blow_up():
    for text in ["." * 300_000 + "x", '."' * 150_000 + "x", "-" * 300_000 + " a", "!" * 300_000]:
        found = finishes(lambda: sentences(text), f"sentences of {text[:2]!r} * 300,000")
        assert sum(s.end - s.start for s in found) <= len(text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab .?!\n\r“”U.S\t é👍")), max_size=200))
def test_spans_are_ordered_stripped_and_nested(text):
    paras = paragraphs(text)
    sents = sentences(text)
    for group in (paras, sents):
        for a, b in zip(group, group[1:]):
            assert a.end <= b.start
        for s in group:
            piece = text[s.start : s.end]
            assert piece and piece == piece.strip()
    for s in sents:
        assert any(p.start <= s.start and s.end <= p.end for p in paras)
