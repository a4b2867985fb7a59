"""RTF to plain text: striprtf's conversion, tokenized a run of text at a time.

striprtf (BSD-3) matches its token pattern once per character of ordinary text, and its
Python loop over those matches is nearly all of its time (about 3 MB/s of extracted text).
This is the same state machine over the same tables (striprtf's destinations, special
characters and font charsets, its hyperlink and picture pre-passes), with one difference:
a run of ordinary characters is one token, and the characters a `\\uN` escape says to skip
(`\\ucN`) are cut from the front of the run. The output is striprtf's, character for
character (tests/test_formats_rtf.py compares the two on the fixtures and on generated
documents); only the speed differs.
"""

from __future__ import annotations

import codecs
import re

__all__ = ["rtf_to_text"]

# striprtf's pattern with its last alternative, one ordinary character `(.)`, made a run of
# them (and a lone backslash at the very end, which `(.)` also took).
_TOKEN = re.compile(
    r"\\([a-z]{1,32})(-?\d{1,10})?[ ]?|\\'([0-9a-f]{2})|\\([^a-z])|([{}])|[\r\n]+"
    r"|([^\\{}\r\n]+|\\)",
    re.IGNORECASE,
)
# Text outside Latin-1 as editors write it: each character `\uN` and its one-byte fallback
# `\'xx`, which `\uc1` (the default) says to skip. One token for a whole run of them.
_UNICODE_RUN = re.compile(r"(?:\\u-?\d{1,10} ?\\'[0-9a-fA-F]{2})+")
_UNICODE = re.compile(r"\\u(-?\d{1,10})")


def rtf_to_text(text: str, encoding: str = "cp1252", errors: str = "strict") -> str:
    """The text of an RTF document, as `striprtf.striprtf.rtf_to_text` gives it."""
    from striprtf import striprtf as strip

    text = strip.remove_pict_groups(text)
    text = re.sub(strip.HYPERLINKS, "\\1(\\2)", text)
    destinations, specialchars, sectionchars = strip.destinations, strip.specialchars, strip.sectionchars
    fonttbl = {}
    for font_id, fcharset, font_name in strip.FONTTABLE.findall(strip.font_table_group(text)):
        fonttbl[font_id] = {
            "name": font_name.strip(),
            "charset": fcharset,
            "encoding": strip.charset_map.get(int(fcharset), encoding),
        }
    stack: list[tuple] = []
    default_font = current_font = None
    ignorable = suppress_output = False
    ucskip, curskip = 1, 0
    hexes: str | None = None
    out: list[str] = []
    depth = 0
    in_document = False
    position, end = 0, len(text)
    while position < end:
        if ucskip == 1 and not (ignorable or suppress_output) and text.startswith("\\u", position):
            found = _UNICODE_RUN.match(text, position)
            if found is not None:  # what the tokens one by one would give, at once
                if hexes:
                    out.append(_decode(hexes, fonttbl, current_font, encoding, errors))
                    hexes = None
                out.extend(chr(c + 0x10000 if c < 0 else c) for c in map(int, _UNICODE.findall(found.group())))
                curskip = 0
                position = found.end()
                continue
        match = _TOKEN.match(text, position)
        assert match is not None  # every character starts a token
        position = match.end()  # every character starts a token
        word, arg, hex_, char, brace, run = match.groups()
        if hexes and not hex_:
            out.append(_decode(hexes, fonttbl, current_font, encoding, errors))
            hexes = None
        if run:
            if curskip > 0:
                skipped = min(curskip, len(run))
                curskip -= skipped
                run = run[skipped:]
            if run and not ignorable and not suppress_output:
                out.append(run)
        elif brace:
            curskip = 0
            if brace == "{":
                depth += 1
                in_document = True
                stack.append((ucskip, ignorable, suppress_output, current_font))
            else:
                depth -= 1
                if stack:
                    ucskip, ignorable, suppress_output, current_font = stack.pop()
                else:  # more closing braces than opening ones: striprtf ignores the rest
                    ucskip = 0
                    ignorable = True
                if in_document and depth <= 0:
                    break  # after the document's group: out of band, as Word reads it
        elif char:
            curskip = 0
            if char in specialchars:
                if char in sectionchars:
                    current_font = default_font
                if not ignorable:
                    out.append(specialchars[char])
            elif char == "*":
                ignorable = True
        elif word:
            curskip = 0
            if word in destinations:
                ignorable = True
            elif word == "ansicpg":
                encoding = f"cp{arg}"
                try:
                    codecs.lookup(encoding)
                except LookupError:
                    encoding = "utf8"
            if ignorable or suppress_output:
                pass
            elif word in specialchars:
                out.append(specialchars[word])
            elif word == "uc":
                ucskip = int(arg)
            elif word == "u":
                if arg is None:
                    curskip = ucskip
                else:
                    code = int(arg)
                    out.append(chr(code + 0x10000 if code < 0 else code))
                    curskip = ucskip
            elif word == "f":
                current_font = arg
            elif word == "deff":
                default_font = arg
            elif word in ("fonttbl", "colortbl"):
                suppress_output = True
        elif hex_:
            if curskip > 0:
                curskip -= 1
            elif not ignorable:
                hexes = hex_ if not hexes else hexes + hex_
    return "".join(out)


def _decode(hexes: str, fonttbl: dict, font: str | None, encoding: str, errors: str) -> str:
    """Bytes written `\\'xx`, in the current font's charset (the document's by default)."""
    charset = fonttbl.get(font, {"encoding": encoding}).get("encoding", encoding)
    return bytes.fromhex(hexes).decode(encoding=charset, errors=errors)
