"""What the main screen and side by side both do with an opened document.

Show it in a DocumentView (text, highlights, paragraphs, sentences, page starts and the search
matches to step through), refuse to tag it, saying why, when its annotations are read-only,
and open the tag dialog on a selection of it: one rule each, so the two screens cannot drift
apart."""

from __future__ import annotations

from textual.screen import Screen

from reader.positions import page_starts
from reader.safe_text import sanitize
from reader.dialogs.tag import TagDialog
from reader.services import Library, OpenDocument
from reader.widgets.document_view import DocumentView


def refused_as_read_only(screen: Screen, opened: OpenDocument) -> bool:
    """True, after a warning that says why, when `opened`'s annotations are read-only.

    The reason comes from the store (a folder without write permission, a file from a newer
    version) and may carry a file name, so it is sanitized and never read as markup."""
    if not opened.read_only:
        return False
    screen.notify(
        sanitize(f"This document's annotations are read-only: {opened.read_only}"),
        title="Read-only",
        severity="warning",
        markup=False,
        timeout=8,
    )
    return True


def show_in_view(view: DocumentView, opened: OpenDocument, cursor: int | None, matches) -> None:
    """Load `opened` into `view` with the cursor at `cursor` (0 when None) and `matches`
    (spans with start and end) as the matches n/N step through, the first one current."""
    document = opened.document
    view.load(
        document.id,
        document.text,
        annotations=opened.highlights,
        cursor=cursor or 0,
        paragraphs=document.paragraphs,
        sentences=document.sentences,
        pages=page_starts(document),
    )
    if matches:
        view.set_matches([(s.start, s.end) for s in matches], current=0)


def tag_dialog(library: Library, opened: OpenDocument, start: int, end: int) -> TagDialog:
    """The tag dialog for `opened`'s text from `start` to `end`: the codebook with each tag's
    count, the recent tags, and the passage quoted."""
    return TagDialog(
        library.tags(),
        counts=library.tag_counts(),
        recent=library.recent_tags(),
        quote=opened.document.text[start:end],
    )
