"""What an import did, for the user: each source's match, what was added, skipped, not placed,
and the conflicts (no Textual, no rich)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Conflict", "ImportReport", "SourceMatch"]


@dataclass(frozen=True)
class Conflict:
    doc: str
    start: int
    end: int
    quote: str
    tags: tuple[str, ...]
    note: str
    existing: tuple[tuple[tuple[str, ...], str], ...]  # (tags, note) of annotations already there

    def __str__(self) -> str:
        quote = re.sub(r"\s+", " ", self.quote)
        quote = quote if len(quote) <= 40 else quote[:39] + "…"
        have = "; ".join(", ".join(t) + (f" (note: {n})" if n else "") for t, n in self.existing)
        new = ", ".join(self.tags) + (f" (note: {self.note})" if self.note else "")
        return f"{self.doc} {self.start}:{self.end} “{quote}”: file has {new}; store has {have}"


@dataclass(frozen=True)
class SourceMatch:
    name: str
    doc: str | None  # None: unmatched
    method: str  # sha256 | text | similar | name | quote | unmatched
    annotations: int


@dataclass
class ImportReport:
    path: Path
    format: str
    sources: list[SourceMatch] = field(default_factory=list)
    added: int = 0
    duplicates: int = 0
    approximate: int = 0  # placed by a fuzzy match: check them
    unplaced: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    conflicts_skipped: int = 0
    tags_created: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    merged: int = 0  # selections of the same span merged into one annotation with several tags
    applied: bool = True  # False: refused because of conflicts (nothing written)

    @property
    def unmatched(self) -> list[SourceMatch]:
        return [s for s in self.sources if s.doc is None]

    def lines(self) -> list[str]:
        out = []
        for s in self.sources:
            if s.doc is None:
                out.append(
                    f"unmatched source “{s.name}” ({s.annotations} annotation(s)): "
                    "no corpus document has its text or name"
                )
            else:
                out.append(f"source “{s.name}” -> {s.doc} (by {s.method}, {s.annotations} annotation(s))")
        out += [f"not placed: {u}" for u in self.unplaced]
        out += [f"problem: {p}" for p in self.problems]
        if self.merged:
            out.append(
                f"{self.merged} selection(s) merged into annotations with several tags (the file "
                "has one selection per code where reader has one annotation per passage)"
            )
        if not self.applied:
            out.append(f"{len(self.conflicts)} conflict(s); nothing imported:")
            out += [f"  {c}" for c in self.conflicts]
            return out
        summary = f"{self.added} added, {self.duplicates} already present"
        if self.conflicts:
            summary += f", {len(self.conflicts)} conflicting ({self.conflicts_skipped} skipped)"
        if self.approximate:
            summary += f", {self.approximate} placed approximately (fuzzy: check them)"
        if self.tags_created:
            summary += f", {len(self.tags_created)} tag(s) created"
        out.append(summary)
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())
