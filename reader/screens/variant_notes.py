"""What the app says about variant spellings (index/variants.py), in one place.

A search adds spellings the user did not type (`Babil` also finds "Babel"); the user must see
which and how many, and be able to turn them off (ctrl+g, `reader.search.exact`): the line
under the search box says "also: Babel 2 (ctrl+g: exact spelling only)", and auto-code's
confirmation counts the variant matches apart (they are listed first in its preview).
"""

from __future__ import annotations

from textual.content import Content

from reader.safe_text import sanitize

__all__ = ["added_spellings_message", "autocode_variants_message"]

SHOWN_SPELLINGS = 3


def added_spellings_message(results, exact_spelling: bool) -> Content | None:
    """ "also: Babel 2, …" for the spellings a search added, or the exact-only reminder."""
    if exact_spelling:
        return Content("exact spelling only (ctrl+g: with variants)").stylize("dim")
    added = getattr(results, "added", ())
    if not added:
        return None
    shown = ", ".join(f"{sanitize(a.spelling)} {a.occurrences:,}" for a in added[:SHOWN_SPELLINGS])
    more = f" +{len(added) - SHOWN_SPELLINGS}" if len(added) > SHOWN_SPELLINGS else ""
    return Content(f"also: {shown}{more} (ctrl+g: exact spelling only)").stylize("dim")


def autocode_variants_message(plan) -> str:
    """The sentence of auto-code's confirmation about variant matches ("" when none)."""
    variants = plan.variant_matches
    if not variants:
        return ""
    spellings: list[str] = []
    for match in variants:
        written = match.context[match.context_span[0] : match.context_span[1]]
        if written not in spellings:
            spellings.append(written)
    listed = ", ".join(sanitize(" ".join(w.split())) for w in spellings[:SHOWN_SPELLINGS])
    more = ", …" if len(spellings) > SHOWN_SPELLINGS else ""
    return (
        f"{len(variants)} of them by a variant spelling ({listed}{more}; listed first; "
        "ctrl+g searches the exact spelling only). "
    )
