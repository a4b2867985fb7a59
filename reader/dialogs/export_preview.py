"""The export dialog's preview line: what a count of the selected annotations says.

A pure function of the count, the filters and the view, so the dialog (reader/dialogs/export.py)
only decides when to show it. Tag names, queries and view names are user text: each goes
through `sanitize` and into `Content`, never markup.
"""

from __future__ import annotations

from textual.content import Content

from reader.export import Filters
from reader.safe_text import sanitize
from reader.widgets.labels import plural


def preview_content(filters: Filters, result: int | str, total: int, view: str | None) -> Content:
    """ "N of M annotations will be exported (the filters)", or the whole store; with a view
    ("only mine (blind coding)") it says so, for only that is exported; a count that failed (a
    str: an invalid query, an unreadable store) is shown as the error, with which field to fix."""
    if isinstance(result, str):
        where = " (fix or clear the Query field)" if filters.query else ""
        return Content(sanitize(result + where)).stylize("$text-error")
    if filters == Filters():
        whole = f": {sanitize(view)}, as shown" if view else ": the whole store"
        return Content.assemble(Content(plural(result)).stylize("bold"), " will be exported", whole)
    verb = "will be exported" if result else "match these filters"
    return Content.assemble(
        Content(f"{result:,} of {plural(total)}").stylize("bold"),
        f" {verb}",
        f", {sanitize(view)}" if view else "",
        Content(f" ({sanitize(filters.describe())})").stylize("dim"),
    )
