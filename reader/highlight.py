"""What the reader draws over a document's text: a headless value the services hand the app.

It lived in the widget module, which made `reader.services` import textual and rich; the
services are the headless road every front end takes, so the value lives here and the widget
imports it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Highlight:
    """An annotated span to draw: [start, end) offsets, its tag colour ('#rrggbb'), and for the
    app's own use a key (e.g. the annotation id) and a label (e.g. the tag names). `mark`, one
    cell, names its coder in the margin when several coders' annotations are shown (empty:
    the plain colour marker)."""

    start: int
    end: int
    color: str
    key: str = ""
    label: str = ""
    mark: str = ""
