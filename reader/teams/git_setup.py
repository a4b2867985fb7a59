"""Install the merge driver in a git repository: `.gitattributes` lines and `merge.reader` config.

Idempotent: a line or a setting already as wanted is left alone, and the result says, per item,
whether it was written, changed or already there. The driver command names this interpreter by
its absolute path and runs with `-P` (the repository's own folders never shadow the package), so
a merge works whether or not `reader` is on the PATH of whoever merges later. The config is the
repository's own (`.git/config`, never committed): every clone runs `reader git-setup` once;
the `.gitattributes` is committed and travels with the project.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

DRIVER = "reader"
DRIVER_NAME = "reader: annotations merged by annotation id"


class SetupError(Exception):
    """git is missing, the folder is not in a repository, or the annotations are outside it."""


@dataclass(frozen=True)
class Step:
    what: str  # e.g. ".gitattributes: /annotations/codebook.json merge=reader"
    action: str  # "added", "changed", "already set"


def driver_command(python: str | None = None) -> str:
    return f"{shlex.quote(python or sys.executable)} -P -m reader.teams.merge_driver %O %A %B %P"


def _git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    try:
        done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise SetupError("git is not installed (or not on PATH)") from exc
    if check and done.returncode != 0:
        raise SetupError(f"git {' '.join(args)}: {done.stderr.strip() or 'failed'}")
    return done


def repository_of(folder: Path) -> Path:
    probe = folder if folder.is_dir() else folder.parent
    while not probe.is_dir():
        probe = probe.parent
    done = _git(probe, "rev-parse", "--show-toplevel", check=False)
    if done.returncode != 0:
        raise SetupError(f"{folder} is not inside a git repository (git init it, or give --repo)")
    return Path(done.stdout.strip())


def _pattern(rel: str, tail: str) -> str:
    pattern = f"/{rel}/{tail}" if rel else f"/{tail}"
    if any(c.isspace() or c in '"\\' for c in pattern):
        escaped = pattern.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    return pattern


def attribute_lines(repo: Path, annotations: Path) -> list[str]:
    try:
        rel = annotations.resolve().relative_to(repo.resolve()).as_posix()
    except ValueError as exc:
        raise SetupError(f"the annotations folder {annotations} is not inside the repository {repo}") from exc
    rel = "" if rel == "." else rel
    return [f"{_pattern(rel, 'codebook.json')} merge={DRIVER}", f"{_pattern(rel, 'docs/**/*.json')} merge={DRIVER}"]


def setup(repo: Path, annotations: Path, python: str | None = None) -> list[Step]:
    repo = repo.resolve()
    top = repository_of(repo)
    if top != repo:
        raise SetupError(f"{repo} is not the top of a git repository (that is {top})")
    steps: list[Step] = []
    attributes = repo / ".gitattributes"
    existing = attributes.read_text(encoding="utf-8").splitlines() if attributes.exists() else []
    missing = [line for line in attribute_lines(repo, annotations) if line not in existing]
    for line in attribute_lines(repo, annotations):
        steps.append(Step(f".gitattributes: {line}", "added" if line in missing else "already set"))
    if missing:
        text = attributes.read_text(encoding="utf-8") if attributes.exists() else ""
        if text and not text.endswith("\n"):
            text += "\n"
        text += "# reader: merge annotation files by annotation id (reader git-setup)\n"
        attributes.write_text(text + "".join(line + "\n" for line in missing), encoding="utf-8")
    for key, value in ((f"merge.{DRIVER}.name", DRIVER_NAME), (f"merge.{DRIVER}.driver", driver_command(python))):
        current = _git(repo, "config", "--local", "--get", key, check=False)
        old = current.stdout.rstrip("\n") if current.returncode == 0 else None
        if old == value:
            steps.append(Step(f"git config {key} = {value}", "already set"))
            continue
        _git(repo, "config", "--local", key, value)
        steps.append(Step(f"git config {key} = {value}", "added" if old is None else "changed"))
    return steps
