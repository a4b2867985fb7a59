"""Changes to the codebook: create or update a tag, rename, merge and delete tags.

A mixin of `AnnotationStore` (it uses the store's `_mutate` and fresh reads under the lock);
its own module because renaming, merging and deleting rewrite every document that carries the
tag and the codebook in one change (all or nothing: reader/store/journal.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Iterable, Literal

from reader.model import Tag, normalise_color, palette_color, tag_matches, utc_now, validate_tag_name
from reader.store.changes import Change, refuse_existing
from reader.store.errors import TagInUse
from reader.store.renames import Rename, RenameMap, dropped_by

if TYPE_CHECKING:
    from reader.model import Annotation
    from reader.store.records import DocFile


class CodebookChanges:
    """The codebook operations of `AnnotationStore`."""

    if TYPE_CHECKING:  # what the store provides (reader/store/folder.py, AnnotationStore)
        _codebook: dict[str, Tag]
        _codebook_problem: str | None
        _docs: dict[str, DocFile]
        _renames: tuple[Rename, ...]
        _rename_map: RenameMap
        creator: str

        def _fresh_all(self) -> None: ...
        def _fresh_codebook(self) -> None: ...
        def _fresh_codebook_writable(self) -> None: ...
        def _writable(self, f: DocFile) -> DocFile: ...
        def _all_annotations(self) -> list[Annotation]: ...
        def _mutate(self, build: Callable[[], Change | None]) -> Change | None: ...

    def set_tag(self, name: str, color: str | None = None, description: str | None = None) -> Tag:
        """Create or update a codebook tag."""
        validate_tag_name(name)
        color = normalise_color(color) if color is not None else None
        result: list[Tag] = []

        def build() -> Change | None:
            self._fresh_codebook_writable()
            self._refuse_renamed(name)
            old = self._codebook.get(name)
            new = Tag(
                name,
                color or (old.color if old else palette_color(name)),
                description if description is not None else (old.description if old else ""),
            )
            result.append(new)
            if new == old:
                return None
            return Change(f"{'update' if old else 'create'} tag {name}", tags=((name, old, new),))

        self._mutate(build)
        return result[0]

    def rename_tag(self, old: str, new: str) -> int:
        """Rename a tag and its descendants (`old/x` -> `new/x`) everywhere. Returns how many
        annotations changed. Documents whose file is unreadable are skipped (read-only)."""
        validate_tag_name(new)
        if old == new:
            return 0

        def mapping(t: str) -> str:
            return new + t[len(old) :] if tag_matches(t, old) else t

        return self._retag(
            f"rename tag {old} to {new}",
            lambda t: tag_matches(t, old),
            mapping,
            check=lambda names: refuse_existing(names, old, new),
            recorded=lambda names, when: [Rename(when, old, new, "rename", self.creator)],
        )

    def merge_tags(self, sources: Iterable[str], target: str) -> int:
        """Replace each of `sources` (exact names) by `target` on every annotation and remove
        them from the codebook. Returns how many annotations changed."""
        validate_tag_name(target)
        srcs = {s for s in sources if s != target}
        if not srcs:
            return 0
        return self._retag(
            f"merge {', '.join(sorted(srcs))} into {target}",
            lambda t: t in srcs,
            lambda t: target if t in srcs else t,
            recorded=lambda names, when: [Rename(when, s, target, "merge", self.creator) for s in sorted(srcs & names)],
        )

    def _refuse_renamed(self, name: str) -> None:
        """A name the record maps is no tag of its own (reader/store/renames.py)."""
        to = self._rename_map.tag(name)
        if to != name:
            raise ValueError(
                f"tag {name!r} was renamed to {to!r} (the codebook keeps the rename so that other "
                f"branches' annotations read renamed); use {to!r}, or rename {to!r} back to {name!r}"
            )

    def delete_tag(self, name: str, on_use: Literal["refuse", "remove", "delete_annotations"] = "refuse") -> int:
        """Delete a tag and its descendants from the codebook.

        on_use: 'refuse' raises TagInUse (with counts) if annotations carry it; 'remove' takes
        the tag off them (an annotation left with no tag is deleted: see TagInUse.sole);
        'delete_annotations' deletes every annotation carrying it. Returns annotations changed.
        """
        if on_use not in ("refuse", "remove", "delete_annotations"):
            raise ValueError(f"on_use must be refuse, remove or delete_annotations, not {on_use!r}")
        doomed = lambda t: tag_matches(t, name)  # noqa: E731
        result = [0]

        def build() -> Change | None:
            self._fresh_all()
            self._fresh_codebook_writable()
            using = [a for a in self._all_annotations() if any(doomed(t) for t in a.tags)]
            sole = sum(1 for a in using if all(doomed(t) for t in a.tags))
            if using and on_use == "refuse":
                raise TagInUse(name, len(using), sole)
            now = utc_now()
            anns = []
            for a in using:
                self._writable(self._docs[a.doc])
                kept = tuple(t for t in a.tags if not doomed(t))
                after = None if on_use == "delete_annotations" or not kept else replace(a, tags=kept, modified=now)
                anns.append((a.doc, a.id, a, after))
            tags = tuple((n, t, None) for n, t in self._codebook.items() if doomed(n))
            result[0] = len(anns)
            change = Change(f"delete tag {name}", tuple(anns), tags=tags)
            return None if change.is_empty() else change

        self._mutate(build)
        return result[0]

    def _new_tags(self, names: Iterable[str]) -> tuple[tuple[str, Tag | None, Tag | None], ...]:
        """Codebook entries for tags not in it yet (skipped if the codebook is unreadable: a
        broken codebook must not stop anyone tagging)."""
        self._fresh_codebook()
        if self._codebook_problem:
            return ()
        out, seen = [], set()
        for name in names:
            if name not in self._codebook and name not in seen:
                seen.add(name)
                out.append((name, None, Tag(name, palette_color(name))))
        return tuple(out)

    def _retag(self, description: str, hit, mapping, check=None, recorded=None) -> int:
        """Retag every annotation and codebook tag `hit` names through `mapping`, as one change
        that also records the rename (`recorded(names in use, now)`: the record's new entries)
        and drops the entries from the names it makes live again."""
        result = [0]

        def build() -> Change | None:
            self._fresh_all()
            self._fresh_codebook_writable()
            names = set(self._codebook) | {t for a in self._all_annotations() for t in a.tags}
            if check is not None:
                check(names)
            now = utc_now()
            anns = []
            for a in self._all_annotations():
                if any(hit(t) for t in a.tags):
                    self._writable(self._docs[a.doc])
                    new_tags = tuple(dict.fromkeys(mapping(t) for t in a.tags))
                    anns.append((a.doc, a.id, a, replace(a, tags=new_tags, modified=now)))
            tags: list[tuple[str, Tag | None, Tag | None]] = []
            targets: dict[str, Tag] = {}
            for name, tag in self._codebook.items():
                if hit(name):
                    tags.append((name, tag, None))
                    to = mapping(name)
                    targets.setdefault(to, replace(tag, name=to))
            for to, tag in targets.items():
                existing = self._codebook.get(to)
                if existing is None:
                    tags.append((to, None, tag))
            for entry in anns:
                for t in entry[3].tags:
                    if t not in self._codebook and t not in targets:
                        targets[t] = Tag(t, palette_color(t))
                        tags.append((t, None, targets[t]))
            result[0] = len(anns)
            added = recorded(names, now) if recorded is not None else []
            live = {e.new for e in added} | {mapping(n) for n in names if hit(n)}
            gone = [e for e in dropped_by(self._renames, live) if e not in added]
            renames = tuple((e, None) for e in gone) + tuple((None, e) for e in added if e not in self._renames)
            change = Change(description, tuple(anns), tags=tuple(tags), renames=renames)
            return None if change.is_empty() else change

        self._mutate(build)
        return result[0]
