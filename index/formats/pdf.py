"""PDF: the text layer, page by page, rebuilt into the paragraphs of the original.

Library: pypdfium2 (PDFium, the engine of Chrome's PDF viewer; BSD-3/Apache-2.0). It is the
fastest permissively licensed text extractor (native code; pdfminer.six and pypdf are pure
Python and several times slower) and its reading order is PDFium's, which is what browsers
show. PyMuPDF is faster still but AGPL, which an MIT project cannot ship.

Pages are read one at a time and closed before the next, so a 1,000-page PDF never sits in
memory as a whole (only its lines do). Each page's lines and their geometry come from
`pdf_lines`; `pdf_layout` drops running headers and footers and joins lines into paragraphs
(gaps, font sizes, short last lines, indents, list items; across page breaks too), undoing
hyphenation at line ends. Every page's start is kept as a position, inside a paragraph
when a paragraph runs over a page break. A page without any text is read by Tesseract
when it is installed (`pdf_ocr`), and the result lists those pages (`ocr_pages`).
"""

from __future__ import annotations

import re

from index.formats.model import Block, ExtractionError, assemble
from index.formats.pdf_layout import drop_running_lines, paragraphs
from index.formats.pdf_lines import Line, page_lines
from index.formats.pdf_ocr import ocr_page, tesseract

VERSION = 5  # 3: compound hyphens, "v."; 4: chapter headers; 5: boxes, rules, hyphens in compounds
FORMAT = "PDF"
PAGED = True  # extract() takes progress(done, total), called after each page

_ZERO_PAGES = re.compile(rb"/Type\s*/Pages\b[^>]*/Count\s+0\b")


def extract(data: bytes, progress=None):
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        message = str(exc).lower()
        if "password" in message or "security" in message:
            raise ExtractionError("encrypted PDF (password-protected)") from None
        if _ZERO_PAGES.search(data[:65536]):  # PDFium refuses a page tree with no pages
            raise ExtractionError("PDF with zero pages") from None
        raise ExtractionError(f"not a readable PDF ({_short(exc)})") from None
    try:
        count = len(pdf)
        if count == 0:
            raise ExtractionError("PDF with zero pages")
        command = tesseract()
        pages = []
        read: dict[int, list[str]] = {}
        for number in range(count):
            lines, ocr = _read_page(pdf, number, command)
            pages.append(lines)
            if ocr:
                read[number] = ocr
            if progress is not None:
                progress(number + 1, count)
        meta = _metadata(pdf)
        labels = [_label(pdf, number) for number in range(count)]
    finally:
        pdf.close()
    extra: dict = {"pages": count}
    if read:  # the document says which pages are Tesseract's reading, not the PDF's text
        extra["ocr_pages"] = [labels[number] for number in sorted(read)]
    blocks = []
    for paragraph in paragraphs(drop_running_lines(pages), read):
        marks = [(at, ("page", labels[number])) for at, number in paragraph.pages]
        if marks and marks[0][0] == 0:
            blocks.append(Block(paragraph.text, marks[0][1], tuple(marks[1:])))
        else:
            blocks.append(Block(paragraph.text, None, tuple(marks)))
    return assemble(blocks, empty_reason="scanned: no text layer", extra=extra, **meta)


def _short(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0][:100] if str(exc).strip() else type(exc).__name__


def _label(pdf, number: int) -> str:
    try:
        label = pdf.get_page_label(number)
    except Exception:
        label = ""
    return label.strip() or str(number + 1)


def _read_page(pdf, number: int, command: str | None) -> tuple[list[Line], list[str]]:
    """A page's lines; for a page without any text, what Tesseract reads (with `command`)."""
    page = pdf[number]
    try:
        textpage = page.get_textpage()
        try:
            lines = page_lines(textpage, number)
            empty = textpage.count_chars() == 0
        finally:
            textpage.close()
        ocr = ocr_page(page, command) if empty and command is not None else []
        return lines, ocr
    finally:
        page.close()


def _metadata(pdf) -> dict:
    try:
        info = pdf.get_metadata_dict(skip_empty=True)
    except Exception:
        return {}
    from index.formats.dates import pdf_date

    return {
        "title": (info.get("Title") or "").strip() or None,
        "author": (info.get("Author") or "").strip() or None,
        "date": pdf_date(info.get("CreationDate") or ""),
    }
