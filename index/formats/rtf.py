"""Rich Text Format (.rtf): the text, one paragraph per \\par.

Library: striprtf (BSD-3; a small pure-Python RTF-to-text converter that handles the control
words, Unicode escapes and destinations Word and LibreOffice write), driven by our own
tokenizer (`rtf_text`: the same output, several times faster on real files). RTF has no standard
place for metadata that survives editors, except {\\info{\\title ...}{\\author ...}}: read here.
"""

from __future__ import annotations

import re

from index.formats.decoding_text import text_of
from index.formats.model import Block, ExtractionError, assemble

VERSION = 1
FORMAT = "RTF"

_INFO = re.compile(r"\{\\(title|author|creatim)\s*([^{}]*)\}")


def extract(data: bytes):
    from index.formats.rtf_text import rtf_to_text

    source = text_of(data)
    if not source.lstrip().startswith("{\\rtf"):
        raise ExtractionError("not an RTF file (no {\\rtf header)")
    text = rtf_to_text(source, errors="ignore")
    blocks = [Block(line) for line in text.splitlines()]
    info = {m.group(1): m.group(2).strip() for m in _INFO.finditer(source)}
    date = None
    year = re.search(r"\\yr(\d{4})\\mo(\d+)\\dy(\d+)", info.get("creatim", ""))
    if year:
        date = f"{year.group(1)}-{int(year.group(2)):02d}-{int(year.group(3)):02d}"
    return assemble(blocks, title=info.get("title") or None, author=info.get("author") or None, date=date)
