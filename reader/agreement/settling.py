"""Settling the differences: the consensus coder, and the team's notes on each difference.

The worklist is `reader.agreement.differences` between every coder but the consensus, so
"difference 12 of 47" stays put while the team settles them. Accepting a version copies that
coder's annotations at the place (or every coder's, for "both") into annotations created by
the store with creator `consensus`, as one change that undoes like any other; the consensus can
then be exported and measured against each coder (`reader agree --coder consensus --coder ann`).

The team can also settle on boundaries of its own (reader/agreement/editing.py): the edited
span, with the tags of the version it started from, becomes one consensus annotation.

Notes, "discussed" marks and "neither" decisions are kept in `worklist.json` in the annotations
folder (beside codebook.json, outside docs/), keyed by `Difference.key`, written atomically with
the store's own file helper. A worklist file that cannot be read is never overwritten: its
notes are read-only until the user repairs it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from reader.agreement.differences import Difference
from reader.agreement.editing import Edit
from reader.analytics.texts import read_text
from reader.coders import coder_of
from reader.store import NewAnnotation
from reader.store.files import atomic_write, dumps

CONSENSUS = "consensus"
WORKLIST_FILE = "worklist.json"


class WorklistError(ValueError):
    """The worklist's notes cannot be read or written (said in one sentence)."""


@dataclass(frozen=True)
class PlaceNote:
    note: str = ""
    discussed: bool = False
    decision: str = ""  # "" undecided, "neither", or what was accepted ("ann", "both")


class WorklistNotes:
    """The notes file of one annotations folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.path = self.folder / WORKLIST_FILE
        self.problem: str | None = None
        self._notes: dict[str, PlaceNote] = {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            places = data["places"]
            self._notes = {
                str(k): PlaceNote(str(v.get("note", "")), bool(v.get("discussed")), str(v.get("decision", "")))
                for k, v in places.items()
            }
        except FileNotFoundError:
            pass
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            self.problem = f"{self.path} cannot be read ({exc}); notes are read-only"

    def get(self, key: str) -> PlaceNote:
        return self._notes.get(key, PlaceNote())

    def update(self, key: str, **changes) -> PlaceNote:
        if self.problem:
            raise WorklistError(self.problem)
        note = replace(self.get(key), **changes)
        notes = dict(self._notes)
        notes[key] = note
        data = {"version": 1, "places": {k: asdict(v) for k, v in sorted(notes.items())}}
        atomic_write(self.path, dumps(data), self.folder)
        self._notes = notes
        return note


def compared_coders(annotations) -> list[str]:
    """The coders the worklist compares: everyone who coded something, but the consensus."""
    return sorted({coder_of(a) for a in annotations} - {CONSENSUS})


def consensus_items(
    store, corpus, difference: Difference, coders: Sequence[str], read: tuple[str, str] | None = None
) -> list[NewAnnotation]:
    """The consensus annotations that accepting `coders`' versions at `difference` creates
    (the same span and tags once, however many coders have it; none already in the consensus).

    `read`: the document's (text, sha256) now, when the caller has it. Raises WorklistError
    when the document cannot be read now."""
    text, sha = read or _text_now(corpus, difference.doc)
    have = {(a.start, a.end, frozenset(a.tags)) for a in store.annotations(difference.doc) if coder_of(a) == CONSENSUS}
    items: list[NewAnnotation] = []
    for version in difference.versions:
        if version.coder not in coders:
            continue
        for span in version.spans:
            key = (span.start, span.end, span.tags)
            if key in have:
                continue
            have.add(key)
            items.append(
                NewAnnotation(
                    difference.doc, text, sha, span.start, span.end, tuple(sorted(span.tags)), creator=CONSENSUS
                )
            )
    return items


def agreed_items(store, corpus, places: Sequence[Difference]) -> list[NewAnnotation]:
    """The consensus annotations of the places where the coders agree: the first coder's
    version of each (the others' match it within the tolerance), none already in the consensus.

    Raises WorklistError when a document cannot be read now."""
    items: list[NewAnnotation] = []
    texts: dict[str, tuple[str, str]] = {}
    for place in places:
        first = next((v.coder for v in place.versions if v.spans), None)
        if first is None or consensus_at(store, place):
            continue
        if place.doc not in texts:
            texts[place.doc] = _text_now(corpus, place.doc)
        items.extend(consensus_items(store, corpus, place, [first], texts[place.doc]))
    return items


@dataclass(frozen=True)
class AgreedTaken:
    """What accepting the agreed places did: how many places agree, how many of them the
    consensus already had, and the consensus annotations created (one change)."""

    places: int
    settled_before: int
    created: tuple


def accept_agreed(store, corpus, places: Sequence[Difference]) -> AgreedTaken:
    """Every place where the coders agree into the consensus, as it is, as one change of the
    store (journalled, undone as one): the worklist's `A` and `reader disagreements
    --accept-agreed`. Raises WorklistError (a document cannot be read now) or StoreError."""
    items = agreed_items(store, corpus, places)
    before = sum(1 for place in places if consensus_at(store, place))
    created = store.add_many(items, description=f"consensus: accept {len(items)} passage(s) the coders agree on")
    return AgreedTaken(len(places), before, tuple(created))


def edited_item(corpus, difference: Difference, edit: Edit) -> NewAnnotation:
    """The consensus annotation of a proposal whose boundaries the team edited (`editing`).

    Raises WorklistError when the document cannot be read now or the proposal has no tag."""
    text, sha = _text_now(corpus, difference.doc)
    if not edit.tags:
        raise WorklistError("the version edited has no tag")
    if not 0 <= edit.start < edit.end <= len(text):
        raise WorklistError(f"{edit.start}:{edit.end} is outside {difference.doc} as it is now")
    return NewAnnotation(difference.doc, text, sha, edit.start, edit.end, tuple(sorted(edit.tags)), creator=CONSENSUS)


def _text_now(corpus, doc: str) -> tuple[str, str]:
    read = read_text(corpus, doc)
    if read is None:
        raise WorklistError(f"cannot read {doc}")
    return read


def consensus_at(store, difference: Difference) -> list:
    """The consensus annotations overlapping the place."""
    return [
        a
        for a in store.annotations(difference.doc)
        if coder_of(a) == CONSENSUS and a.start < difference.end and difference.start < a.end
    ]
