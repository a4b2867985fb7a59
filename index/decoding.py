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
import unicodedata

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

# What binary looks like once decoded: C0 control characters that no text uses. Not counted,
# because real text carries them: tab, newlines, vertical tab, form feed (page breaks of man
# pages and old documents), BEL, backspace (nroff bold `b\bb` and underline `_\bx`) and ESC
# (ANSI colours: 4,999 of the 5,671 Chinese fortunes have them). Random bytes are about 10%
# such controls; text has next to none, so 2% is a wide margin either way.
_CONTROL = re.compile(r"[\x00-\x06\x0e-\x1a\x1c-\x1f\x7f]")
# C1 controls (U+0080-U+009F) count only in a text that was not valid UTF-8: in UTF-8 they
# are the trace of text encoded twice ("â\x80\x9c" for a quote), which is still text.
_CONTROL_C1 = re.compile(r"[\x00-\x06\x0e-\x1a\x1c-\x1f\x7f-\x84\x86-\x9f]")
_NOT_CONTROL_BYTES = bytes(b for b in range(256) if not _CONTROL.match(chr(b)))
"""Every byte but the `_CONTROL` characters' own (see `_controls`)."""
_UTF_NAMES = frozenset({"utf-8", "utf-8-sig", "utf-16", "utf-32", "utf-16-le", "utf-16-be"})
_MAX_CONTROL_RATIO = 0.02

# cp1252 plausibility: the letters cp1252 maps its high bytes to, and the typographic marks
# Western text uses. Runs of 3+ accented letters, or a stray symbol inside a word, are what
# Cyrillic/Greek/Hebrew/Central-European bytes look like when misread as cp1252.
_W_LETTER = "À-ÖØ-öø-ÿŠšŒœŽžŸƒ"
_W_LETTERS = re.compile(f"[{_W_LETTER}]")
_W_RUN = re.compile(f"[{_W_LETTER}]{{3,}}")
_W_SYMBOL_IN_WORD = re.compile(f"[A-Za-z{_W_LETTER}][^\\x00-\\x7f{_W_LETTER}’‘·–—][A-Za-z{_W_LETTER}]")
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
        utf16 = _bomless_utf16(data)
        if utf16 is None:
            raise DecodeError("binary file (contains NUL bytes)")
        return _checked(_strict(data, utf16), utf16)
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
    """Reject decodings with many control characters: binary that happened to decode."""
    sample = text[:65536]
    if sample and _controls(sample, name in _UTF_NAMES) > _MAX_CONTROL_RATIO * len(sample):
        raise DecodeError("binary file (control characters)")
    return text, name


def _controls(sample: str, utf: bool) -> int:
    """How many characters of `sample` are `_CONTROL` ones (`_CONTROL_C1` ones unless `utf`).

    The `_CONTROL` characters are ASCII, and in UTF-8 an ASCII character is one byte that no
    other character's bytes contain: counting those bytes of the sample encoded (a lone
    surrogate, should one be there, is three bytes above 0x7F) gives the same number three
    times faster than the regular expression, which was a tenth of reading a document for
    `reader agree`."""
    if utf:
        return len(sample.encode("utf-8", "surrogatepass").translate(None, _NOT_CONTROL_BYTES))
    return len(_CONTROL_C1.findall(sample))


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM, told by where its NUL bytes fall, else by which reading is text.

    Every ASCII character (spaces, newlines, digits, Latin punctuation) is a NUL and a byte,
    so NULs fall on one side of each code unit: the high byte, odd offsets in little-endian.
    A Chinese, Arabic or Russian text has few ASCII characters, so few NULs, but mostly on
    that side; the opposite NULs are characters such as 一 (U+4E00), frequent in Chinese.
    When the sides do not settle it, each reading is tried: the one that decodes strictly
    and reads as text (`_odd_share`) wins. Binary fails both: random pairs of bytes make lone
    surrogates, unassigned and private-use characters.
    """
    sample = data[:65536]
    if len(data) % 2 or len(sample) < 4:
        return None
    even_nul = sample[0::2].count(0)
    odd_nul = sample[1::2].count(0)
    if odd_nul >= 2 and even_nul * 8 <= odd_nul:
        return "utf-16-le"
    if even_nul >= 2 and odd_nul * 8 <= even_nul:
        return "utf-16-be"
    if even_nul + odd_nul > len(sample) // 4:
        return None  # NULs on both sides, and many: binary
    best: tuple[float, str] | None = None
    for codec in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        share = _odd_share(text[:32768])
        if share <= _MAX_ODD_RATIO and (best is None or share < best[0]):
            best = (share, codec)
    return best[1] if best else None


# Unicode categories text does not consist of: controls, format characters, surrogates,
# private use, unassigned.
_ODD_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
_TEXT_CONTROLS = frozenset("\t\n\r\x0b\x0c\x07\x08\x1b")
_MAX_ODD_RATIO = 0.01


def _odd_share(text: str) -> float:
    """The share of characters in `text` that text is not made of."""
    if not text:
        return 1.0
    category = unicodedata.category
    odd = sum(1 for ch in text if ch not in _TEXT_CONTROLS and category(ch) in _ODD_CATEGORIES)
    return odd / len(text)


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
