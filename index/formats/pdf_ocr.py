"""Text for PDF pages without a text layer (scans), read by Tesseract when it is installed.

Tesseract (Apache-2.0) is run as its own command, not linked: no Python binding to pin, and
a machine without it simply keeps the reason "scanned: no text layer". The page is rendered
by PDFium in grey at 300 dpi (Tesseract's documented sweet spot) and handed over as a PGM
file; Tesseract's plain-text output separates the blocks it finds by blank lines, which
become the page's paragraphs (lines joined, hyphenation undone, as for a text layer).

`READER_TESSERACT` names the command to use; set it empty to turn OCR off.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from index.formats.model import clean
from index.formats.pdf_layout import join

__all__ = ["tesseract", "ocr_page"]

DPI = 300
TIMEOUT = 120  # seconds for one page; a stuck OCR must not stop the index build


def tesseract() -> str | None:
    """The Tesseract command, or None when OCR is off or Tesseract is not installed."""
    chosen = os.environ.get("READER_TESSERACT")
    if chosen is not None:
        return shutil.which(chosen) if chosen.strip() else None
    return shutil.which("tesseract")


def ocr_page(page, command: str) -> list[str]:
    """The paragraphs Tesseract reads on one pypdfium2 page (none when it reads nothing)."""
    bitmap = page.render(scale=DPI / 72, grayscale=True)
    try:
        width, height, stride = bitmap.width, bitmap.height, bitmap.stride
        if getattr(bitmap, "n_channels", 1) != 1:
            return []  # not the one-byte grey asked for: nothing to hand over
        pixels = bytes(bitmap.buffer)
        rows = b"".join(pixels[y * stride : y * stride + width] for y in range(height))
    finally:
        bitmap.close()
    with tempfile.TemporaryDirectory(prefix="reader-ocr-") as folder:
        image = Path(folder) / "page.pgm"
        image.write_bytes(b"P5\n%d %d\n255\n" % (width, height) + rows)
        try:
            done = subprocess.run(
                [command, str(image), "stdout", "--dpi", str(DPI)], capture_output=True, timeout=TIMEOUT, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            return []
    if done.returncode != 0:
        return []
    text = done.stdout.decode("utf-8", errors="replace").replace("\f", "\n")
    paragraphs = []
    for block in text.split("\n\n"):
        lines = [clean(line) for line in block.splitlines()]
        lines = [line for line in lines if line]
        if lines:
            paragraphs.append(join(lines))
    return paragraphs
