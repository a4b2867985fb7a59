"""What the auto-code flow tells the user when there is nothing to tag."""

from __future__ import annotations

from reader.safe_text import sanitize
from reader.services import AutoCodePlan
from reader.wording import plural

__all__ = ["autocode_nothing"]


def autocode_nothing(plan: AutoCodePlan) -> str:
    """Why auto-code has nothing to tag: no match at all, or (a `title:` or `source:` search)
    documents found by their details, with no passage of their text to tag."""
    query = sanitize(plan.query)
    if not plan.found:
        return f"No match of {query} to tag."
    found = plural(plan.found, "document")
    return (
        f"{query} found {found} by title or source, but auto-code tags passages of the text "
        "and none matches there: search the words without title: or source: to tag them."
    )
