"""The intent journal that makes a change to several store files all or nothing.

`write_files` (reader/store/files.py) writes every new content to an fsynced temp file first,
then this journal (`.journal` in the annotations folder): the list of renames (temp file ->
target, with the sha256 of the new content) and removals the change is made of, with a checksum
of that list. Only when the journal is on disk does it touch a target; when every step is done
the journal is removed.

On the next open (the first lock taken, or a read that finds a journal and a free lock),
`recover` looks at what is left:
- no journal, or one whose checksum fails (the writer died while writing it): no target was
  touched yet; the temp files are swept as any stale temp file. The change never happened.
- a valid journal: every step is (re)done: a temp file still there is renamed over its target,
  a step whose temp file is gone was already renamed (its target is checked against the sha256),
  removals are repeated. Redoing is idempotent, so a crash during recovery is recovered the
  same way. The change is then complete, as if the writer had lived.

Either way no file is ever half-written (each is replaced by a rename) and no change is left
half-applied across files. A change's call returns only after its journal is removed, so an
acknowledged change is never undone by recovery.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from reader.store.crashpoints import point

JOURNAL = ".journal"
JOURNAL_VERSION = 1


@dataclass(frozen=True)
class Step:
    """Replace `target` by the temp file `temp` (content hash `sha256`), or remove it (both None)."""

    target: Path
    temp: str | None
    sha256: str | None


@dataclass(frozen=True)
class Recovery:
    """What `recover` did: steps completed, and files whose state it could not confirm."""

    completed: int
    discarded: bool
    doubts: tuple[str, ...] = ()


def path(root: Path) -> Path:
    return root / JOURNAL


def _checksum(steps: list[dict]) -> str:
    canonical = json.dumps(steps, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(canonical).hexdigest()


def write(root: Path, steps: list[Step]) -> None:
    """Write and fsync the journal of `steps` (paths stored relative to `root`). Raises OSError."""
    records = []
    for step in steps:
        rec: dict[str, str | None] = {"target": step.target.relative_to(root).as_posix()}
        if step.temp is not None:
            rec["temp"] = Path(step.temp).relative_to(root).as_posix()
            rec["sha256"] = step.sha256
        records.append(rec)
    data = json.dumps(
        {"format_version": JOURNAL_VERSION, "steps": records, "checksum": _checksum(records)},
        ensure_ascii=False,
    ).encode("utf-8")
    point("before journal")
    fd = os.open(path(root), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        point("after journal write")
        os.fsync(fd)
        point("after journal fsync")
    finally:
        os.close(fd)
    _fsync_root(root)
    point("after journal folder fsync")


def clear(root: Path) -> None:
    """The change is complete: remove the journal (durably). Raises OSError."""
    point("before journal removal")
    os.unlink(path(root))
    _fsync_root(root)
    point("after journal removal")


def discard(root: Path) -> None:
    """A change that failed in this process (not a crash) was put back: forget its journal."""
    try:
        os.unlink(path(root))
    except OSError:
        pass


def _fsync_root(root: Path) -> None:
    from reader.store.files import fsync_dir

    fsync_dir(root)


def exists(root: Path) -> bool:
    return os.path.lexists(path(root))


def _read(root: Path) -> list[dict] | None:
    """The journal's steps, or None when it is incomplete or not ours."""
    try:
        obj = json.loads(path(root).read_bytes().decode("utf-8"))
        steps = obj["steps"]
        if obj.get("format_version") != JOURNAL_VERSION or obj.get("checksum") != _checksum(steps):
            return None
        for rec in steps:
            _inside(root, rec["target"])
            if "temp" in rec:
                _inside(root, rec["temp"])
        return steps
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _inside(root: Path, rel: str) -> Path:
    """A journal path, refused if it would leave the annotations folder."""
    if not isinstance(rel, str) or rel.startswith("/") or ".." in rel.split("/") or "\0" in rel:
        raise ValueError(f"bad journal path {rel!r}")
    return root / rel


def recover(root: Path) -> Recovery | None:
    """Complete (or discard) the change a killed writer left; None when there was none.
    Call it under the folder's lock. Raises OSError (then the journal stays for next time)."""
    from reader.store.files import fsync_dir, sha

    if not exists(root):
        return None
    steps = _read(root)
    if steps is None:  # killed while writing the journal: no target was touched
        os.unlink(path(root))
        _fsync_root(root)
        return Recovery(0, discarded=True)
    doubts = []
    folders = set()
    for rec in steps:
        target = _inside(root, rec["target"])
        folders.add(target.parent)
        if "temp" not in rec:
            try:
                os.unlink(target)
            except FileNotFoundError:
                pass
            continue
        temp = _inside(root, rec["temp"])
        if os.path.lexists(temp):
            point("before recovery rename")
            os.replace(temp, target)
            point("after recovery rename")
            continue
        try:
            current = sha(target.read_bytes())
        except FileNotFoundError:
            current = None
        if current != rec["sha256"]:
            doubts.append(f"{target}: not the content the interrupted change wrote")
    for folder in sorted(folders):
        if folder.is_dir():
            fsync_dir(folder)
    point("before recovery journal removal")
    os.unlink(path(root))
    _fsync_root(root)
    point("after recovery journal removal")
    return Recovery(len(steps), discarded=False, doubts=tuple(doubts))
