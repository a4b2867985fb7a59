"""One change to the store as data (an undo step), and the checks every change shares."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from reader.model import Annotation, DocumentAttributes, Tag, tag_matches, validate_tag_name
from reader.store.renames import Rename
from reader.wording import ellipsize

if TYPE_CHECKING:
    from reader.store.conflicts import Conflict


@dataclass(frozen=True)
class Change:
    """One undo step: records before and after. `None` means absent.

    `conflicts` are a document's merge-conflict records (reader/store/conflicts.py): resolving
    one removes its record in the same step that sets the annotation to the chosen version, so
    its undo puts the record, and every version in it, back."""

    description: str
    anns: tuple[tuple[str, str, Annotation | None, Annotation | None], ...] = ()  # doc, id, old, new
    attrs: tuple[tuple[str, DocumentAttributes, DocumentAttributes], ...] = ()  # doc, old, new
    tags: tuple[tuple[str, Tag | None, Tag | None], ...] = ()  # name, old, new
    conflicts: tuple[tuple[str, str, Conflict | None, Conflict | None], ...] = ()  # doc, id, old, new
    # the codebook's record of renames (reader/store/renames.py): (entry, None) removes one,
    # (None, entry) adds one
    renames: tuple[tuple[Rename | None, Rename | None], ...] = ()

    def inverse(self) -> "Change":
        return Change(
            self.description,
            tuple((d, i, new, old) for d, i, old, new in self.anns),
            tuple((d, new, old) for d, old, new in self.attrs),
            tuple((n, new, old) for n, old, new in self.tags),
            tuple((d, i, new, old) for d, i, old, new in self.conflicts),
            tuple((new, old) for old, new in self.renames),
        )

    def is_empty(self) -> bool:
        return not (self.anns or self.attrs or self.tags or self.conflicts or self.renames)

    def touches_codebook(self) -> bool:
        return bool(self.tags or self.renames)

    def docs(self) -> set[str]:
        return {d for d, *_ in self.anns} | {d for d, *_ in self.attrs} | {d for d, *_ in self.conflicts}


def default_creator() -> str:
    """The coder of this run (reader.coders: READER_CODER, the config, the user name).

    A coder setting that cannot be used falls back to the user name here; the command line
    refuses it with a message before it opens a store (`coder_option`)."""
    from reader.coders import CoderError, os_user, resolve_coder

    try:
        return resolve_coder().name
    except CoderError:
        return os_user()


def clean_tags(tags: Iterable[str]) -> tuple[str, ...]:
    if isinstance(tags, str):
        tags = (tags,)
    cleaned = tuple(dict.fromkeys(validate_tag_name(t) for t in tags))
    if not cleaned:
        raise ValueError("an annotation needs at least one tag")
    return cleaned


def check_span(text: str, start: int, end: int) -> None:
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
        raise TypeError("start and end must be integers")
    if not 0 <= start < end <= len(text):
        raise ValueError(f"span {start}:{end} is not within the document (0:{len(text)}) or is empty")


def short(a: Annotation) -> str:
    quote = ellipsize(a.quote.exact, 30)
    return f"“{quote}” ({', '.join(a.tags)})"


def refuse_existing(names: set[str], old: str, new: str) -> None:
    if not any(tag_matches(n, old) for n in names):
        raise ValueError(f"there is no tag {old!r}")
    clash = sorted(n for n in names if tag_matches(n, new) and not tag_matches(n, old))
    if clash:
        raise ValueError(f"tag {clash[0]!r} already exists; merge the tags instead")
