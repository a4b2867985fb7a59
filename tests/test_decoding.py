"""Decoding: BOMs, strict UTF-8, Western guessing, binary rejection, no normalisation."""

from __future__ import annotations

import codecs
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.decoding import DecodeError, decode

SAMPLE = "Café “quoted” — naïve Ain al-Asad"


def test_plain_utf8():
    assert decode(SAMPLE.encode("utf-8")) == (SAMPLE, "utf-8")


def test_ascii_is_utf8():
    assert decode(b"plain text\n") == ("plain text\n", "utf-8")


def test_utf8_bom_is_stripped():
    text, encoding = decode(codecs.BOM_UTF8 + SAMPLE.encode("utf-8"))
    assert (text, encoding) == (SAMPLE, "utf-8-sig")
    assert not text.startswith("\ufeff")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom(codec):
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    assert decode(bom + SAMPLE.encode(codec)) == (SAMPLE, "utf-16")


def test_utf16_le_without_bom_is_recognised_by_its_nul_pattern():
    assert decode("hello world, ok".encode("utf-16-le")) == ("hello world, ok", "utf-16-le")


def test_cp1252_with_smart_quotes():
    assert decode(b"caf\xe9 \x93quoted\x94") == ("café “quoted”", "cp1252")


def test_latin1_bytes_read_as_cp1252():
    text = "Größere Übung für die Straße, schön."
    assert decode(text.encode("latin-1")) == (text, "cp1252")


def test_cyrillic_cp1251_is_not_misread_as_cp1252():
    text = "Привет, как дела? Это тест русского текста, довольно длинный."
    decoded, encoding = decode(text.encode("cp1251"))
    assert encoding != "cp1252"
    assert decoded == text


def test_nul_bytes_mean_binary():
    with pytest.raises(DecodeError) as err:
        decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert "binary" in err.value.reason


def test_random_bytes_are_rejected():
    rng = random.Random(7)
    data = bytes(rng.randrange(1, 256) for _ in range(4096))  # no NUL: detection must fail
    with pytest.raises(DecodeError):
        decode(data)


def test_control_characters_mean_binary():
    with pytest.raises(DecodeError, match="binary"):
        decode(bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15]) * 100)


def test_no_normalisation_crlf_and_nfd_kept():
    text = "Cafe\u0301 line one\r\nline two\r\n"  # decomposed é, Windows line endings
    decoded, _ = decode(text.encode("utf-8"))
    assert decoded == text
    assert "\r\n" in decoded and "\u0301" in decoded


def test_invalid_utf16_after_bom_is_a_decode_error():
    with pytest.raises(DecodeError):
        decode(codecs.BOM_UTF16_LE + b"\x00\xd8")  # a lone high surrogate


def test_decode_error_carries_reason():
    err = DecodeError("some reason")
    assert err.reason == "some reason" and str(err) == "some reason"


def test_empty_bytes_decode_to_empty_text():
    assert decode(b"") == ("", "utf-8")


def test_random_text_files_never_raise_anything_but_decode_error():
    rng = random.Random(1)
    for _ in range(50):
        data = bytes(rng.randrange(0, 256) for _ in range(rng.randrange(1, 300)))
        try:
            text, name = decode(data)
        except DecodeError:
            continue
        assert isinstance(text, str) and name


# --- issue 12, items 2 and 3: text with terminal decoration is text; UTF-16 of any script --


@pytest.mark.parametrize(
    "text",
    [
        # a Chinese fortune with ANSI colours (4,999 of 5,671 were skipped as binary)
        "\x1b[1;31m人生\x1b[0m\x1b[32m若只如初见\x1b[0m\n\x1b[33m何事秋风悲画扇\x1b[0m\n",
        # nroff bold and underline by backspace overstrikes (48-character English fortunes)
        "b\bbo\bol\bld\bd and _\bu_\bn_\bd_\be_\br_\bl_\bi_\bn_\be_\bd\n",
        "an OSC title \x1b]0;title\x07, a bell \x07 and a page break \x0c\n",
        # UTF-8 encoded twice (mojibake) is still text: C1 controls in valid UTF-8
        "a batter\u00e2\u0080\u0099s swing, \u00e2\u0080\u009cwrong\u00e2\u0080\u009d\n",
    ],
)
def test_terminal_decoration_is_text(text):
    assert decode(text.encode("utf-8")) == (text, "utf-8")


@pytest.mark.parametrize(
    "text",
    [
        "中文文本，这是一个测试。一个人，一条路。\n来自Debian社区的合作项目\n",
        "Русский текст для проверки, и ещё одна строка.\n",
        "نص عربي للاختبار، كَتَبَ الطَّالِبُ الدرس.\n",
        "日本語のテキスト。\n한국어 텍스트입니다.\n",
    ],
)
@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_of_any_script(text, codec):
    assert decode((text * 3).encode(codec)) == (text * 3, codec)


def test_binary_without_many_nuls_is_still_rejected():
    rng = random.Random(12)
    data = bytes(rng.randrange(0, 256) for _ in range(8192))  # NULs on both sides
    with pytest.raises(DecodeError, match="binary|invalid"):
        decode(data)
    sparse = bytearray(rng.randrange(1, 256) for _ in range(8192))
    for i in range(1, 8192, 97):
        sparse[i] = 0  # NULs on one side only, yet no UTF-16 reading is text
    with pytest.raises(DecodeError):
        decode(bytes(sparse))


@settings(max_examples=300)
@given(st.text(alphabet=st.characters(max_codepoint=0x2FFFF, exclude_categories=("Cs",)), max_size=200))
def test_counting_control_bytes_counts_the_control_characters(text):
    # the fast count (bytes of the text encoded) says what the regular expression says
    from index.decoding import _CONTROL, _controls

    assert _controls(text, utf=True) == len(_CONTROL.findall(text))


def test_the_share_of_control_characters_is_judged_on_characters_not_bytes():
    # 2 controls in 100 characters is text; in 99 it is binary; non-ASCII letters (two bytes
    # each in UTF-8) count once
    assert decode(("é" * 98 + "\x01\x02").encode("utf-8"))[1] == "utf-8"
    with pytest.raises(DecodeError, match="binary"):
        decode(("é" * 97 + "\x01\x02").encode("utf-8"))
