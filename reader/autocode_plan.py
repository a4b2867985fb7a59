"""What auto-coding shows before it tags: every match of a query, with its context
(`Library.plan_autocode` makes it, `Library.autocode` applies it, both through
reader/autocode_service.py; re-exported by reader/services.py)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class MatchPreview:
    """One match of an auto-code search: where, and a line of context to show."""

    doc_id: str
    title: str
    start: int
    end: int
    context: str
    context_span: tuple[int, int]  # the match inside `context`
    variant_of: tuple[str, ...] = ()  # typed words this match respells; () when spelled as typed


@dataclass(frozen=True)
class AutoCodePlan:
    """Every match of a query, ready to tag in one step (`Library.autocode`).

    `items` are the annotations to create (tags filled in by `autocode`); `skipped` says what
    was left out and why (read-only annotation files, documents changed since indexing).
    """

    query: str
    matches: list[MatchPreview]
    spans: list[tuple[str, str, str, int, int]]  # doc, text, sha256, start, end
    skipped: list[str] = field(default_factory=list)
    found: int = 0  # documents the search found (a title: search finds some, with no passage)

    @property
    def documents(self) -> int:
        return len({m.doc_id for m in self.matches})

    @property
    def variant_matches(self) -> list[MatchPreview]:
        """The matches found by a variant spelling, which the preview shows apart."""
        return [m for m in self.matches if m.variant_of]
