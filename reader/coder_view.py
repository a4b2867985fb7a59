"""The store as one or more coders see it: only their annotations, everything else shared.

`reader annotations`, `tags`, `matrix`, `cooccur` and `export` with `--coder` (and later the
app's blind coding) read through this view, so the filter is one rule in one place: an
annotation belongs to `coder_of(annotation)` (its creator; `unknown` when it has none). The
codebook, attributes and everything else are delegated to the store unchanged. Read-only by
intent: writes go to the store itself, stamped with the coder who makes them.
"""

from __future__ import annotations

from collections.abc import Iterable

from reader.coders import coder_of


class CoderView:
    def __init__(self, store, coders: Iterable[str]) -> None:
        self.store = store
        self.coders = frozenset(coders)

    def __getattr__(self, name: str):
        return getattr(self.store, name)

    def mine(self, annotation) -> bool:
        return coder_of(annotation) in self.coders

    def annotations(self, *args, **kwargs) -> list:
        return [a for a in self.store.annotations(*args, **kwargs) if self.mine(a)]

    def resolve(self, *args, **kwargs) -> list:
        return [r for r in self.store.resolve(*args, **kwargs) if self.mine(r.annotation)]

    def recent_tags(self, n: int = 9) -> list[str]:
        from reader.model import recent_tags_of

        return recent_tags_of(self.annotations(), n)

    def counts(self) -> dict[str, int]:
        return self.store.counts(self.coders)

    def tag_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(self.store.tag_counts(), 0)
        for a in self.annotations():
            for t in a.tags:
                counts[t] = counts.get(t, 0) + 1
        return dict(sorted(counts.items()))


def for_coders(store, coders: Iterable[str]):
    """The store itself when no coder is named, else the view of those coders."""
    coders = tuple(coders)
    return CoderView(store, coders) if coders else store
