"""The RTF tokenizer (index.formats.rtf_text) gives striprtf's text, character for character.

Compared on the committed fixture, on hand-written documents with every construct the state
machine treats differently (Unicode escapes and their skipped fallbacks, \\ucN, hex bytes in
a font's charset, ignorable destinations, the font and colour tables, pictures, hyperlinks,
unbalanced braces, a lone backslash at the end), and on documents Hypothesis assembles from
those pieces.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from striprtf.striprtf import rtf_to_text as striprtf_text

from index.formats.decoding_text import text_of
from index.formats.rtf_text import rtf_to_text

FIXTURE = Path(__file__).parent / "fixtures" / "formats" / "interview.rtf"
HEADER = (
    r"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\froman\fcharset0 Times;}"
    r"{\f1\fswiss\fcharset204 Arial Cyr;}}{\colortbl;\red0\green0\blue0;}"
)

CASES = [
    r"Plain text\par second paragraph\par}",
    r"\u1044\'3f\u1072\'3f \u1085\'3f\u1077\'3f\par}",  # the run of escapes LibreOffice writes
    r"{\uc2\u1044\'3f\'3fa}\u-3913?b\par}",  # two fallback bytes; a negative code; a ? fallback
    r"\u1044 \'3f and \u1044? then\u1044",  # a space after the number; text ending in an escape
    r"{\f1\'c4\'e0} caf\'e9 \'e9\par}",  # hex bytes in the Cyrillic font's charset, then cp1252
    r"{\*\generator Writer;}{\info{\title T}{\author A}}Body\tab x\line y\par}",
    r"{\pict\pngblip 89504e47\par}After the picture\par}",
    r'{\field{\*\fldinst{HYPERLINK "http://example.org"}}{\fldrslt{the link}}}\par}',
    r"\ldblquote q\rdblquote \emdash \~\-\_\{\}\\ end\par}",
    r"\averyveryverylongcontrolwordthatgoesonforeverandever text\U1044 X\par}",
    "line\r\nbreaks\n\\\nescaped break\\par}} after the end",
    r"unbalanced}}} more",
    "ends in a backslash \\",
    r"{\*\unknown ignored {nested} group}shown\sect next\page last}",
]


def test_the_fixture_gives_striprtf_s_text() -> None:
    source = text_of(FIXTURE.read_bytes())
    assert rtf_to_text(source, errors="ignore") == striprtf_text(source, errors="ignore")


@pytest.mark.parametrize("body", CASES)
def test_each_construct_gives_striprtf_s_text(body: str) -> None:
    source = HEADER + body
    expected = striprtf_text(source, errors="ignore")
    assert rtf_to_text(source, errors="ignore") == expected
    assert expected.strip()  # the case says something


PIECES = st.sampled_from(
    [
        "a",
        "word ",
        "caf\u00e9",
        "\\par ",
        "\\line ",
        "\\tab ",
        "{",
        "}",
        "\\u1044",
        "\\u1044 ",
        "\\u-3913",
        "\\'3f",
        "\\'e9",
        "\\'c4",
        "?",
        "\\uc0",
        "\\uc2 ",
        "\\f1 ",
        "\\f0 ",
        "\\*",
        "\\pict ",
        "\\fonttbl ",
        "\\colortbl ",
        "\\info ",
        "\\{",
        "\\}",
        "\\\\",
        "\r\n",
        "\\\n",
        "\\emdash ",
        "\\b ",
        "\\b0 ",
        "\\sect ",
        "\\ansicpg1251 ",
        "\\deff1 ",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(PIECES, max_size=40))
def test_assembled_documents_give_striprtf_s_text(pieces: list[str]) -> None:
    source = HEADER + "".join(pieces) + "}"
    assert rtf_to_text(source, errors="ignore") == striprtf_text(source, errors="ignore")
