"""What a REFI-QDA import keeps from the file besides spans and codes (used by `reader.importer`).

- Identity: a `PlainTextSelection`'s GUID becomes the annotation's id (our export writes the
  annotation id there), its `creatingUser` the creator (the `User`'s name; our placeholder user
  means no creator), its `creationDateTime`/`modifiedDateTime` the times (as UTC in the store's
  one format). So importing our own project into an empty store gives back the same annotations.
  What the file lacks the store fills in (a new id, the importing user, now).
- Merging: QualCoder (and other tools that keep one coding per row) write one selection per
  code, so an annotation with two tags comes back as two selections of the same span. In a
  project that reader did not write, selections of the same span, note and creator are merged
  into one annotation with all their tags (the first selection's id, the earliest creation and
  the latest change). A project reader wrote is taken as it is: one selection, one annotation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from reader.export.refi_names import creator_of_user
from reader.model import TIME_FORMAT

_GUID = re.compile(r"^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$")
OWN_ORIGIN = "reader "


@dataclass(frozen=True)
class Identity:
    id: str | None = None
    creator: str | None = None
    created: str | None = None
    modified: str | None = None


def is_own_project(origin: str | None) -> bool:
    """Whether reader wrote the project (its `origin` attribute)."""
    return (origin or "").startswith(OWN_ORIGIN)


def store_time(value: str | None) -> str | None:
    """An xsd:dateTime as the store writes times (UTC, microseconds); None if absent or invalid.
    A time without a zone is taken as UTC."""
    if not value or not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime(TIME_FORMAT)


def users_by_guid(users) -> dict[str, str]:
    """GUID -> creator name for the `User` elements of a project's `Users`."""
    out = {}
    for user in users:
        key = (user.get("guid") or "").upper().strip("{}")
        if key:
            out[key] = creator_of_user(key, user.get("name") or "")
    return out


def identity(sel, users: dict[str, str]) -> Identity:
    """What a `PlainTextSelection` says about who made it and when."""
    guid = sel.get("guid") or ""
    user = (sel.get("creatingUser") or sel.get("modifyingUser") or "").upper().strip("{}")
    created = store_time(sel.get("creationDateTime"))
    modified = store_time(sel.get("modifiedDateTime")) or created
    return Identity(
        id=guid.strip("{}").lower() if _GUID.match(guid) else None,
        creator=users.get(user),
        created=created,
        modified=modified,
    )


def merge_same_span(annotations: list) -> tuple[list, int]:
    """Selections of the same span, note and creator as one annotation with all their tags.
    Returns the annotations (in file order of their first selection) and how many selections
    were folded into another."""
    merged: dict[tuple, Any] = {}
    folded = 0
    for a in annotations:
        key = (a.start, a.end, a.exact, a.note, a.creator)
        first = merged.get(key)
        if first is None:
            merged[key] = a
            continue
        folded += 1
        first.tags = tuple(dict.fromkeys(first.tags + a.tags))
        times = [t for t in (first.created, a.created) if t]
        first.created = min(times) if times else None
        changes = [t for t in (first.modified, a.modified) if t]
        first.modified = max(changes) if changes else None
    return list(merged.values()), folded
