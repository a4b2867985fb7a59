"""`reader git-resolve`: the annotation files git's merge left in modify/delete conflict.

The store removes a document's file when its last annotation is deleted (an empty document
leaves no file). When one coder did that and another changed the same file, git reports a
modify/delete conflict and never runs the merge driver (it runs only when both sides have the
file), so the merge stops with the file conflicted. This takes the three versions from git's
index (base, ours, theirs; a missing one is "no file") and merges them as the driver would
(merge3.py: the deletions apply, what the other side added stays, an annotation one side deleted
and the other edited is kept with both versions in its conflict record), then writes the result
and stages it (or removes the file, when nothing is left). The person merging then commits.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from index.atomic import write_atomic
from reader.teams.git_setup import SetupError
from reader.teams.merge3 import MergeRefused, merge_document


@dataclass
class Resolved:
    path: str  # relative to the repository
    action: str  # "merged", "removed" or "refused"
    conflicts: list[str] = field(default_factory=list)  # annotation ids left with several versions
    reason: str = ""


def _git(repo: Path, *args: str, data: bool = False) -> subprocess.CompletedProcess:
    try:
        done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True)
    except FileNotFoundError as exc:
        raise SetupError("git is not installed (or not on PATH)") from exc
    if done.returncode != 0:
        raise SetupError(f"git {' '.join(args)}: {done.stderr.decode('utf-8', 'replace').strip() or 'failed'}")
    return done


def unmerged(repo: Path) -> dict[str, dict[int, str]]:
    """git's unmerged index entries: path -> {stage: blob}."""
    out: dict[str, dict[int, str]] = {}
    for entry in _git(repo, "ls-files", "-u", "-z").stdout.split(b"\0"):
        if not entry:
            continue
        meta, path = entry.split(b"\t", 1)
        _mode, blob, stage = meta.decode().split()
        out.setdefault(path.decode("utf-8", "surrogateescape"), {})[int(stage)] = blob
    return out


def resolve_deletions(repo: Path, annotations: Path) -> list[Resolved]:
    """Merge every document file of `annotations` that is in modify/delete conflict."""
    repo = repo.resolve()
    try:
        docs = (annotations.resolve() / "docs").relative_to(repo).as_posix() + "/"
    except ValueError as exc:
        raise SetupError(f"the annotations folder {annotations} is not inside the repository {repo}") from exc
    done: list[Resolved] = []
    for path, stages in sorted(unmerged(repo).items()):
        if not (path.startswith(docs) and path.endswith(".json")) or (2 in stages) == (3 in stages):
            continue  # not a document file, or a content conflict (the driver's refusal stands)
        versions = [_git(repo, "cat-file", "blob", stages[s]).stdout if s in stages else b"" for s in (1, 2, 3)]
        try:
            result = merge_document(*versions)
        except MergeRefused as exc:
            done.append(Resolved(path, "refused", reason=str(exc)))
            continue
        if result.empty:
            (repo / path).unlink(missing_ok=True)
            _git(repo, "rm", "-q", "--cached", "--", path)
            done.append(Resolved(path, "removed"))
            continue
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        write_atomic(repo / path, result.data)
        _git(repo, "add", "--", path)
        done.append(Resolved(path, "merged", [c.id for c in result.conflicts]))
    return done
