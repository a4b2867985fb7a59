"""Turn a file's raw bytes into text, or say why it is not text.

Why this order: a byte-order mark is the only certain signal, so it wins; then strict UTF-8,
which almost never decodes non-UTF-8 text by accident; only then guessing. Guessing tries
cp1252 first when the result reads like Western text, because charset-normalizer alone picks
odd code pages (cp1125, cp1257) for short Western snippets such as `caf\\xe9 \\x93quoted\\x94`;
anything that does not read like Western text (Cyrillic, Greek, CJK...) goes to
charset-normalizer. The text is returned exactly as decoded: offsets into it are the product's
coordinates, so nothing here normalises Unicode or line endings.
"""

from __future__ import annotations

import codecs
import re

__all__ = ["DecodeError", "decode"]


class DecodeError(ValueError):
    """The bytes are not text we can read; `reason` is a short phrase for the index report."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_BOMS: tuple[tuple[bytes, str, str], ...] = (
    # UTF-32 first: its little-endian BOM starts with the UTF-16 one.
    (codecs.BOM_UTF32_LE, "utf-32", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16"),
)

# Control characters other than tab, newlines, vertical tab, form feed and the separators
# text files legitimately carry. Many of them mean the "text" is really binary.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
_MAX_CONTROL_RATIO = 0.02

# cp1252 plausibility: the letters cp1252 maps its high bytes to, and the typographic marks
# Western text uses. Runs of 3+ accented letters, or a stray symbol inside a word, are what
# Cyrillic/Greek/Hebrew/Central-European bytes look like when misread as cp1252.
_W_LETTER = "À-ÖØ-öø-ÿŠšŒœŽžŸƒ"
_W_LETTERS = re.compile(f"[{_W_LETTER}]")
_W_RUN = re.compile(f"[{_W_LETTER}]{{3,}}")
_W_SYMBOL_IN_WORD = re.compile(
    f"[A-Za-z{_W_LETTER}][^\\x00-\\x7f{_W_LETTER}’‘·–—][A-Za-z{_W_LETTER}]"
)
_MAX_RUN_RATIO = 0.3


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name) for `data`, or raise DecodeError.

    Encoding names: "utf-8", "utf-8-sig", "utf-16" / "utf-32" (with BOM), "utf-16-le" /
    "utf-16-be" (without BOM, recognised by their NUL pattern), "cp1252", or the Python codec
    name charset-normalizer chose.
    """
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            return _checked(_strict(data, codec), name)
    if b"\x00" in data:
        codec = _bomless_utf16(data)
        if codec is None:
            raise DecodeError("binary file (contains NUL bytes)")
        return _checked(_strict(data, codec), codec)
    try:
        return _checked(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = None
    if text is not None and _reads_as_western(text):
        return _checked(text, "cp1252")
    return _checked(*_detect(data))


def _strict(data: bytes, codec: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise DecodeError(f"invalid {codec} at byte {exc.start}") from None


def _checked(text: str, name: str) -> tuple[str, str]:
    """Reject decodings that are mostly control characters: binary that happened to decode."""
    sample = text[:65536]
    if sample and len(_CONTROL.findall(sample)) > _MAX_CONTROL_RATIO * len(sample):
        raise DecodeError("binary file (control characters)")
    return text, name


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: mostly-ASCII text has a NUL in every other byte."""
    sample = data[:4096]
    if len(data) % 2 or len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    even_nul = even.count(0) / len(even)
    odd_nul = odd.count(0) / len(odd)
    if odd_nul > 0.7 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.7 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def _reads_as_western(text: str) -> bool:
    """Whether a cp1252 decoding looks like English/Western-European text."""
    if _W_SYMBOL_IN_WORD.search(text):
        return False
    letters = len(_W_LETTERS.findall(text))
    if not letters:
        return True  # only ASCII plus typographic quotes/dashes: cp1252 is the right reading
    in_runs = sum(len(m) for m in _W_RUN.findall(text))
    return in_runs <= _MAX_RUN_RATIO * letters


def _detect(data: bytes) -> tuple[str, str]:
    from charset_normalizer import from_bytes  # imported lazily: only needed for rare files

    best = from_bytes(data).best()
    if best is None:
        raise DecodeError("unknown encoding or binary file")
    name = codecs.lookup(best.encoding).name
    return _strict(data, name), name
