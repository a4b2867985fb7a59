"""Where coders differ: the worklist a team settles, one place of a document at a time.

A *place* is a stretch of a document where annotations of the compared coders overlap one
another (connected by overlap, whoever made them); an annotation that overlaps nobody's is a
place of its own. A place is a difference unless every coder has annotations there and they
pair up one to one with the same tags and boundaries within `tolerance` characters. The kind
says what to look at first:

* `missing`: some coders coded the place and others did not;
* `tags`: every coder coded it, with different tags;
* `bounds`: the same tags, with boundaries further apart than the tolerance.

Places come in document order, then by position, so "difference 12 of 47" is stable from one run
to the next while nothing changes. Headless: the command line and the app's worklist both list
`differences(...)`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from reader.agreement.study import CodedSpan

DEFAULT_TOLERANCE = 5
KINDS = ("missing", "tags", "bounds")
AGREED = "agreed"  # the kind of a place where the coders agree (not a difference)


@dataclass(frozen=True)
class Version:
    """One coder's annotations at a place (empty: the coder coded nothing there)."""

    coder: str
    spans: tuple[CodedSpan, ...]

    @property
    def tags(self) -> frozenset[str]:
        return frozenset(t for s in self.spans for t in s.tags)


@dataclass(frozen=True)
class Difference:
    doc: str
    start: int
    end: int
    kind: str
    versions: tuple[Version, ...]

    @property
    def key(self) -> str:
        """A name for this place that survives re-listing (for notes and 'discussed' marks)."""
        return f"{self.doc}:{self.start}:{self.end}"


def _places(spans: list[CodedSpan]) -> list[list[CodedSpan]]:
    """Spans of one document grouped into places: connected by overlap, in order."""
    out: list[list[CodedSpan]] = []
    end = -1
    for span in sorted(spans, key=lambda s: (s.start, s.end, s.coder)):
        if out and span.start < end:
            out[-1].append(span)
            end = max(end, span.end)
        else:
            out.append([span])
            end = span.end
    return out


def _paired(first: Sequence[CodedSpan], second: Sequence[CodedSpan], tolerance: int) -> bool:
    """Each span of one coder matches one of the other's: same tags, boundaries close."""
    if len(first) != len(second):
        return False
    left = list(second)
    for a in first:
        match = next(
            (
                b
                for b in left
                if b.tags == a.tags and abs(a.start - b.start) <= tolerance and abs(a.end - b.end) <= tolerance
            ),
            None,
        )
        if match is None:
            return False
        left.remove(match)
    return True


def _kind(versions: Sequence[Version], tolerance: int) -> str | None:
    if any(not v.spans for v in versions):
        return "missing"
    base = versions[0]
    if all(_paired(base.spans, v.spans, tolerance) for v in versions[1:]):
        return None
    if any(v.tags != base.tags for v in versions[1:]):
        return "tags"
    return "bounds"


def differences(
    spans: Iterable[CodedSpan], coders: Sequence[str], tolerance: int = DEFAULT_TOLERANCE
) -> list[Difference]:
    """Every place where the coders' annotations differ, in document order."""
    return [d for d in _every_place(spans, coders, tolerance) if d.kind != AGREED]


def agreements(
    spans: Iterable[CodedSpan], coders: Sequence[str], tolerance: int = DEFAULT_TOLERANCE
) -> list[Difference]:
    """Every place where the coders agree (kind `agreed`), in document order: what a consensus
    takes as it is, so that it is a whole coding and can be measured against each coder."""
    return [d for d in _every_place(spans, coders, tolerance) if d.kind == AGREED]


def _every_place(spans: Iterable[CodedSpan], coders: Sequence[str], tolerance: int):
    wanted = set(coders)
    by_doc: dict[str, list[CodedSpan]] = {}
    for span in spans:
        if span.coder in wanted:
            by_doc.setdefault(span.doc, []).append(span)
    for doc in sorted(by_doc):
        for place in _places(by_doc[doc]):
            versions = tuple(Version(c, tuple(s for s in place if s.coder == c)) for c in coders)
            kind = _kind(versions, tolerance) or AGREED
            yield Difference(doc, min(s.start for s in place), max(s.end for s in place), kind, versions)
