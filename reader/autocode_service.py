"""Auto-coding, without Textual: every match of a search collected into a plan to preview,
then tagged in one change.

`Library.plan_autocode` and `Library.autocode` (reader/services.py) call `make_plan` and
`apply_plan` here; the plan's shapes are in reader/autocode_plan.py, and the screen that
previews and applies it is reader/screens/autocode_part.py. Its own module because it is one
flow with rules of its own (every page of hits, the documents left out and why, the matches
this coder has already coded), which the facade only exposes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from reader.autocode_plan import AutoCodePlan, MatchPreview
from reader.model import Annotation
from reader.snippets import match_context
from reader.store import NewAnnotation

if TYPE_CHECKING:
    from reader.services import Library

__all__ = ["AUTOCODE_PAGE", "apply_plan", "make_plan"]

AUTOCODE_PAGE = 200
"""Hits fetched per page while collecting every match of a search for auto-coding."""


def make_plan(
    library: Library,
    query: str,
    doc_ids: list[str] | None = None,
    is_cancelled: Callable[[], bool] = lambda: False,
    variants: bool = True,
) -> AutoCodePlan:
    """Every match unit of `query` in the corpus (or in `doc_ids`), read from the current
    files; without `variants` only the spellings typed.

    Raises `index.search.QueryError` for a query that cannot run.
    """
    from index.search import matches_in, search

    found: list[str] = []
    page = 1
    while True:
        results = search(library.index, query, page=page, pagelen=AUTOCODE_PAGE, doc_ids=doc_ids, variants=variants)
        found.extend(hit.doc_id for hit in results.hits)
        if len(found) >= results.total or not results.hits or is_cancelled():
            break
        page += 1
    matches: list[MatchPreview] = []
    spans: list[tuple[str, str, str, int, int]] = []
    skipped: list[str] = []
    titles: dict[str, str] = {}
    for doc_id in sorted(set(found)):
        if is_cancelled():
            break
        reason = library.store.read_only_reason(doc_id)
        if reason:
            skipped.append(f"{doc_id}: annotations are read-only")
            continue
        document = library.index.load(doc_id)
        if library.index.sha256(doc_id) != document.sha256:
            skipped.append(f"{doc_id}: changed since it was indexed")
            continue
        title = titles.setdefault(doc_id, library.store.attributes(doc_id).title or document.meta.title)
        text = document.text
        for span in matches_in(library.index, doc_id, query, variants):
            if not 0 <= span.start < span.end <= len(text):
                continue
            context, in_context = match_context(text, span.start, span.end)
            matches.append(MatchPreview(doc_id, title, span.start, span.end, context, in_context, span.variant_of))
            spans.append((doc_id, text, document.sha256, span.start, span.end))
    return AutoCodePlan(query, matches, spans, skipped, found=len(set(found)))


def apply_plan(library: Library, plan: AutoCodePlan, tags: list[str], note: str = "") -> list[Annotation]:
    """Tag every match of `plan` as one change (one undo step). Matches that already carry
    an annotation of this coder with these tags on exactly that span are left alone
    (another coder's is no reason to skip: each coder codes independently)."""
    from reader.coders import coder_of

    wanted = tuple(tags)
    existing = {
        (a.doc, a.start, a.end)
        for a in library.store.annotations()
        if set(wanted) <= set(a.tags) and coder_of(a) == library.coder
    }
    items = [
        NewAnnotation(doc, text, sha, start, end, wanted, note)
        for doc, text, sha, start, end in plan.spans
        if (doc, start, end) not in existing
    ]
    description = f"auto-code {len(items)} match(es) of {plan.query!r} with {', '.join(tags)}"
    return library.store.add_many(items, description=description)
