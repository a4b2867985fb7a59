"""The codebook an export carries: every tag, not only those with passages.

A codebook planned in reader (tags created before any passage is tagged) must reach the QDA
tool, so the REFI-QDA project lists every tag of the store that the tag filter selects (all of
them without a filter), every tag the exported annotations carry, and the ancestors of all of
these (the hierarchy). Tags that are not in the store's codebook itself (implicit parents,
tags only annotations carry) are marked, so our own import does not add them to the codebook.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from reader.model import Tag, palette_color

if TYPE_CHECKING:  # pragma: no cover
    from reader.export import Filters
    from reader.store import AnnotationStore


@dataclass(frozen=True)
class Codebook:
    tags: dict[str, Tag]  # by name, sorted
    implicit: frozenset[str]  # names not in the store's codebook itself


def _with_ancestors(names: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for name in names:
        parts = name.split("/")
        out.update("/".join(parts[:i]) for i in range(1, len(parts) + 1))
    return out


def export_codebook(store: "AnnotationStore", filters: "Filters", carried: Iterable[str]) -> Codebook:
    """The codebook for an export of annotations carrying the tags `carried`."""
    known = {t.name: t for t in store.tags()}
    own = {t.name for t in store.codebook()}
    wanted = {n for n in known if not filters.tags or filters.selects_tag(n)} | set(carried)
    names = sorted(_with_ancestors(wanted))
    tags = {n: known.get(n) or Tag(n, palette_color(n)) for n in names}
    return Codebook(tags, frozenset(n for n in names if n not in own))
