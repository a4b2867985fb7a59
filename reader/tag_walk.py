"""A walk through every passage of one tag, across documents: the passages in reading order and
where the user is in them.

Started from a tag (the codebook), an annotation (the annotation panel, or the one under the
reader's cursor), it lists every annotation carrying the tag or a descendant (as the codebook
counts them), ordered by document (as the document list is) and then by position, and steps one
passage at a time. It holds ids, not positions: the screen opens each passage by annotation id,
so a passage is found where re-anchoring puts it now. Nothing here imports textual.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from reader.model import Annotation


@dataclass(frozen=True)
class WalkStart:
    """Start a walk through `tag`, at the passage `annotation_id` (else the first)."""

    tag: str
    annotation_id: str | None = None


@dataclass(frozen=True)
class Passage:
    doc: str
    annotation_id: str


@dataclass
class TagWalk:
    tag: str
    passages: list[Passage]
    index: int = 0

    @classmethod
    def through(cls, tag: str, annotations: Iterable[Annotation], start_at: str | None = None) -> TagWalk:
        """The walk through `annotations` (those of `tag`), at `start_at` when it is one."""
        ordered = sorted(annotations, key=lambda a: (a.doc, a.sort_key))
        passages = [Passage(a.doc, a.id) for a in ordered]
        index = next((i for i, p in enumerate(passages) if p.annotation_id == start_at), 0)
        return cls(tag, passages, index)

    @property
    def current(self) -> Passage | None:
        return self.passages[self.index] if self.passages else None

    def step(self, delta: int) -> Passage | None:
        """The next (delta 1) or previous (-1) passage, or None at either end (it stays)."""
        target = self.index + delta
        if not 0 <= target < len(self.passages):
            return None
        self.index = target
        return self.passages[target]

    def label(self) -> str:
        """`passage 3 of 6 · tag` for the status bar."""
        return f"passage {self.index + 1} of {len(self.passages)} · {self.tag}"
