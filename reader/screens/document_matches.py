"""The sidebar's list when searching inside the open document: one line per match, in context.

Without it the sidebar kept whatever it showed before (the document list, or hits of an older
corpus search) under "2 matches in this document". Enter on a line makes that match the current
one in the reader. Context comes from `reader.snippets.match_context` and is sanitized here.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.widgets.option_list import Option

from index.document import Span
from reader.safe_text import sanitize
from reader.snippets import match_context

__all__ = ["LISTED", "match_index", "match_options"]

MATCH_PREFIX = "match:"
LISTED = 500
"""Matches listed (n / N in the reader go through all of them)."""
CONTEXT = 30


def match_options(text: str, spans: Sequence[Span]) -> list[Option]:
    """An option per match (ids `match:<index>`), its context on one line, the match in bold."""
    options = []
    for index, span in enumerate(spans[:LISTED]):
        context, (a, b) = match_context(text, span.start, span.end, CONTEXT)
        prompt = Content.assemble(
            Content(f"{index + 1}. ").stylize("dim"),
            Content(sanitize(context[:a])),
            Content(sanitize(context[a:b])).stylize("bold reverse"),
            Content(sanitize(context[b:])),
        )
        options.append(Option(prompt, id=f"{MATCH_PREFIX}{index}"))
    if len(spans) > LISTED:
        more = f"…and {len(spans) - LISTED:,} more: n / N in the reader go through them all"
        options.append(Option(Content(more).stylize("italic dim"), disabled=True))
    return options


def match_index(option_id: str) -> int | None:
    """The match an option of `match_options` stands for, or None for any other option."""
    if option_id.startswith(MATCH_PREFIX):
        return int(option_id[len(MATCH_PREFIX) :])
    return None
