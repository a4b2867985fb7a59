"""The coding changes between two revisions of a git repository, as a reader understands them.

`reader log A..B` reads the store's files at both revisions (`git show REV:path`, only the files
`git diff` names) and says which annotations were added, edited or deleted (with their quote,
tags, coder and document) and which tags were created, edited, deleted, renamed or merged.

A rename or merge is an entry the codebook's record of renames gained between the revisions
(reader/store/renames.py), for each tag it took from the codebook (the tag and its descendants
for a rename). Without a record (a project written before it existed), a rename is a tag gone
from the codebook whose every annotation carries a new tag instead, under the same id. The
annotations at the newer revision are read through its record, as the store reads them: a tag
another branch renamed shows under its new name, and an annotation changed only by a rename is
not listed (the rename is, once).
"""

from __future__ import annotations

import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath

from reader.model import Annotation, Tag
from reader.store.folder import CODEBOOK
from reader.store.paths import DOCS
from reader.store.renames import Rename, RenameMap
from reader.teams.merge3 import MergeRefused, codebook_record, doc_file


class LogError(Exception):
    """A revision git does not know, or a file at a revision that does not parse."""


@dataclass(frozen=True)
class AnnotationChange:
    change: str  # "added", "edited", "deleted"
    doc: str
    id: str
    quote: str
    tags: list[str]
    coder: str
    note: str = ""
    before: dict | None = None  # for "edited": the tags and note it had


@dataclass(frozen=True)
class TagChange:
    change: str  # "tag created", "tag deleted", "tag edited", "tag renamed", "tag merged"
    tag: str
    to: str | None = None  # for "tag renamed" and "tag merged"


@dataclass
class Log:
    old: str
    new: str
    annotations: list[AnnotationChange] = field(default_factory=list)
    tags: list[TagChange] = field(default_factory=list)

    def rows(self) -> list[dict]:
        return [{"kind": "tag", **asdict(t)} for t in self.tags] + [
            {"kind": "annotation", **asdict(a)} for a in self.annotations
        ]


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True)
    if done.returncode != 0:
        raise LogError(f"git {' '.join(args)}: {done.stderr.decode('utf-8', 'replace').strip()}")
    return done.stdout.decode("utf-8", "surrogateescape")


def _show(repo: Path, rev: str, path: str) -> bytes | None:
    done = subprocess.run(["git", "-C", str(repo), "show", f"{rev}:{path}"], capture_output=True)
    return done.stdout if done.returncode == 0 else None


EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
"""git's id of the empty tree: the 'before' of a repository's first commit."""


def _known(repo: Path, rev: str) -> bool:
    done = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], capture_output=True
    )
    return done.returncode == 0


def _commit(repo: Path, rev: str) -> str:
    if not _known(repo, rev):
        raise LogError(f"{rev!r} is not a revision of {repo}")
    return rev


def split_range(spec: str | None) -> tuple[str, str]:
    """`A..B` as (A, B); one revision R as (R^, R); nothing as the last commit."""
    if not spec:
        return "HEAD^", "HEAD"
    if ".." in spec:
        old, new = spec.split("..", 1)
        return old or "HEAD", new or "HEAD"
    return f"{spec}^", spec


def _annotations(repo: Path, rev: str, path: str) -> dict[str, Annotation]:
    data = _show(repo, rev, path)
    if data is None:
        return {}
    try:
        return doc_file(data, f"{rev}:{path}", None).annotations
    except MergeRefused as exc:
        raise LogError(str(exc)) from exc


def _codebook(repo: Path, rev: str, path: str) -> tuple[dict[str, Tag], tuple[Rename, ...]]:
    data = _show(repo, rev, path)
    try:
        return ({}, ()) if data is None else codebook_record(data, f"{rev}:{path}")
    except MergeRefused as exc:
        raise LogError(str(exc)) from exc


def _renamed(a: Annotation, renames: dict[str, str], record: RenameMap, modified: str) -> Annotation:
    from dataclasses import replace

    return replace(a, tags=record.tags(tuple(dict.fromkeys(renames.get(t, t) for t in a.tags))), modified=modified)


def _read_through(anns: dict[str, Annotation], record: RenameMap) -> dict[str, Annotation]:
    from dataclasses import replace

    if not record:
        return anns
    return {i: a if record.tags(a.tags) is a.tags else replace(a, tags=record.tags(a.tags)) for i, a in anns.items()}


def coding_log(repo: Path, annotations_rel: str, old: str, new: str) -> Log:
    new = _commit(repo, new)
    if old.endswith("^") and _known(repo, old[:-1]) and not _known(repo, old):
        old = EMPTY_TREE  # the first commit: everything in it was added
    else:
        old = _commit(repo, old)
    prefix = PurePosixPath(annotations_rel) if annotations_rel not in ("", ".") else PurePosixPath()
    changed = _git(
        repo, "diff", "--name-only", "--no-renames", "-z", old, new, "--", str(prefix) if str(prefix) != "." else "."
    ).split("\0")
    docs_dir, codebook_path = str(prefix / DOCS) + "/", str(prefix / CODEBOOK)
    log = Log(old, new)
    before: dict[str, Annotation] = {}
    after: dict[str, Annotation] = {}
    for path in sorted(p for p in changed if p.startswith(docs_dir) and p.endswith(".json")):
        before.update(_annotations(repo, old, path))
        after.update(_annotations(repo, new, path))
    (old_tags, old_record), (new_tags, new_record) = (_codebook(repo, r, codebook_path) for r in (old, new))
    record = RenameMap(new_record)
    before, after = _read_through(before, RenameMap(old_record)), _read_through(after, record)
    if codebook_path in changed:
        gone = sorted(set(old_tags) - set(new_tags))
        created = sorted(set(new_tags) - set(old_tags))
        entries = [e for e in new_record if e not in set(old_record)]
        for name in gone:
            entry = max((e for e in entries if e.covers(name)), key=lambda e: len(e.old), default=None)
            if entry is not None:
                to = record.tag(name)
                log.tags.append(TagChange("tag merged" if entry.kind == "merge" else "tag renamed", name, to))
                if to in created:
                    created.remove(to)
                continue
            carried = [i for i, a in before.items() if name in a.tags]
            targets = {t for i in carried if i in after for t in after[i].tags if t in created}
            if carried and len(targets) == 1 and all(i in after and name not in after[i].tags for i in carried):
                (to,) = targets
                log.tags.append(TagChange("tag renamed", name, to))
                created.remove(to)
            else:
                log.tags.append(TagChange("tag deleted", name))
        log.tags.extend(TagChange("tag created", name) for name in created)
        log.tags.extend(
            TagChange("tag edited", name)
            for name in sorted(set(old_tags) & set(new_tags))
            if old_tags[name] != new_tags[name]
        )
    renames = {t.tag: t.to for t in log.tags if t.change == "tag renamed" and t.to is not None}
    for ann_id in sorted(set(before) | set(after), key=lambda i: ((after.get(i) or before[i]).doc, i)):
        b, a = before.get(ann_id), after.get(ann_id)
        if b == a or (b is not None and a is not None and _renamed(b, renames, record, a.modified) == a):
            continue  # unchanged, or changed only by a tag rename (listed once, as the rename)
        shown = a or b
        assert shown is not None  # an id of one side at least
        change = "added" if b is None else "deleted" if a is None else "edited"
        log.annotations.append(
            AnnotationChange(
                change,
                shown.doc,
                ann_id,
                shown.quote.exact,
                list(shown.tags),
                shown.creator,
                shown.note,
                before=None if b is None or a is None else {"tags": list(b.tags), "note": b.note},
            )
        )
    return log
