"""HTML (and the XHTML chapters of an EPUB): the visible text, one paragraph per block element.

Library: lxml (libxml2's HTML parser; BSD-3): it parses the broken markup of saved web pages
the way browsers recover from it, is fast (native code), and is already needed by python-docx,
so HTML costs no extra dependency. selectolax is faster still but would be a second parser
for the same job; trafilatura strips news boilerplate but is heavy and guesses, and a corpus
reader must not guess which paragraphs a user wanted. What is never visible goes: scripts,
styles, templates, <head>, hidden elements, and navigation (<nav>, and <header>/<footer>/
<aside> of the page), so menus do not drown the text in search.
"""

from __future__ import annotations

from index.formats.model import Block, assemble

VERSION = 2  # 2: <meta name="created"> as the date (LibreOffice's HTML)
FORMAT = "HTML"

_INVISIBLE = {
    "script",
    "style",
    "template",
    "noscript",
    "head",
    "nav",
    "svg",
    "math",
    "iframe",
    "object",
    "button",
    "select",
    "form",
}
_PAGE_CHROME = {"header", "footer", "aside"}  # navigation when a direct part of the page
_BLOCKS = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "body",
    "blockquote",
    "pre",
    "li",
    "dd",
    "dt",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "ul",
    "ol",
    "dl",
    "figure",
    "figcaption",
    "caption",
    "address",
    "hr",
    "br",
    "td",
    "th",
    "header",
    "footer",
    "aside",
    "center",
    "details",
    "summary",
    "fieldset",
    "legend",
}


def extract(data: bytes):
    root = parse(data)
    return assemble(blocks(root), **metadata(root))


def parse(data: bytes):
    import lxml.html

    parser = lxml.html.HTMLParser(recover=True, remove_comments=True, remove_pis=True)
    root = lxml.html.document_fromstring(data, parser=parser)
    return root


def blocks(root) -> list[Block]:
    """The visible text under root as paragraphs, in document order."""
    out: list[Block] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            out.append(Block("".join(current)))
            current.clear()

    def walk(element, depth: int) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        tag = tag.rsplit("}", 1)[-1].lower()
        if tag in _INVISIBLE or _hidden(element):
            if element.tail:
                current.append(element.tail)
            return
        if tag in _PAGE_CHROME and depth <= 3 and _is_page_chrome(element):
            if element.tail:
                current.append(element.tail)
            return
        block = tag in _BLOCKS
        if block:
            flush()
        if element.text and tag:
            current.append(element.text)
        for child in element:
            walk(child, depth + 1)
        if block:
            flush()
        elif tag in ("td", "th"):
            current.append(" ")
        if element.tail:
            current.append(element.tail)

    body = root.find("body")
    walk(body if body is not None else root, 0)
    flush()
    return out


def _hidden(element) -> bool:
    get = getattr(element, "get", None)
    if get is None:
        return False
    if get("hidden") is not None or get("aria-hidden") == "true":
        return True
    style = (get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def _is_page_chrome(element) -> bool:
    """A header/footer/aside outside any <article>/<main>: the site's, not the text's."""
    parent = element.getparent()
    while parent is not None:
        tag = parent.tag.rsplit("}", 1)[-1].lower() if isinstance(parent.tag, str) else ""
        if tag in ("article", "main"):
            return False
        parent = parent.getparent()
    return True


def metadata(root) -> dict:
    from index.formats.dates import iso_date

    def meta(*names: str) -> str | None:
        for name in names:
            for element in root.iter("meta"):
                key = (element.get("name") or element.get("property") or "").strip().lower()
                if key == name and (element.get("content") or "").strip():
                    return " ".join(element.get("content").split())
        return None

    title = None
    for element in root.iter("title"):
        title = " ".join((element.text_content() or "").split()) or None
        break
    title = title or meta("og:title", "dc.title")
    return {
        "title": title,
        "author": meta("author", "dc.creator", "article:author"),
        "date": iso_date(meta("date", "dc.date", "article:published_time", "dcterms.created", "created")),
        "source": meta("og:site_name"),
    }
