"""Team commands: `git-setup` (install the annotation merge driver), `git-resolve`, `log`, the conflicts listing.

Registered into the main group by `reader/cli/root.py` (`COMMANDS`). `reader annotations --conflicts`
(in store.py) prints through `print_conflicts` here. Exit status: 0 done, 2 bad input (not a
git repository, annotations outside it), 3 the store cannot be read; `git-resolve` exits 1 when
a file it found could not be merged (said on stderr, left conflicted).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from reader.cli.common import fail, path_options, paths_from
from reader.safe_text import sanitize
from reader.wording import plural

repo_option = click.option(
    "--repo",
    "repo_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="The git repository (default: the one holding the annotations folder).",
)


@click.command("git-setup")
@repo_option
@path_options
@click.pass_context
def git_setup(ctx, repo_dir, corpus_dir, annotations_dir, index_dir) -> None:
    """Install the annotation merge driver in a git repository, and say what was done.

    Writes the `.gitattributes` lines that send the codebook and the document files to the
    driver (commit them), and the repository's `merge.reader` config naming this Python by its
    absolute path (run this once in every clone). Safe to run again: it changes only what differs.
    """
    from reader.teams.git_setup import SetupError, repository_of, setup

    paths = paths_from(ctx, corpus_dir, annotations_dir, index_dir)
    try:
        repo = repo_dir if repo_dir is not None else repository_of(paths.annotations)
        steps = setup(repo, paths.annotations)
    except SetupError as exc:
        fail(ctx, str(exc))
    for step in steps:
        click.echo(f"{step.action}\t{sanitize(step.what)}")
    changed = sum(s.action != "already set" for s in steps)
    click.echo(
        f"merge driver installed in {sanitize(str(repo))}"
        + ("" if changed else " (nothing to change)")
        + ("; commit .gitattributes" if any(s.action == "added" and s.what.startswith(".git") for s in steps) else "")
    )


def print_conflicts(store, doc_id: str | None, as_json: bool) -> int:
    """List the annotations a merge left with several versions; returns how many.

    Every version is a choice: `ours` and `theirs` name the first two (as before), a third
    branch's merge adds `version 3` and on (--json: `versions` lists them all, always)."""
    from reader.store.conflicts import conflict_to_json

    conflicts = store.conflicts(doc_id)
    for c in conflicts:
        doc = c.kept.doc
        if as_json:
            click.echo(json.dumps({"doc": doc, **conflict_to_json(c, all_versions=True)}, ensure_ascii=False))
            continue
        click.echo("\t".join(sanitize(x) for x in (doc, c.id, "conflict")))
        labels = ["ours", "theirs", *(f"version {n}" for n in range(3, len(c.versions) + 1))]
        for label, a in [("base", c.base), *zip(labels, c.versions)]:
            if a is None:
                fields = ["(new on both sides)" if label == "base" else "deleted"]
            else:
                fields = [", ".join(a.tags), f"“{a.quote.exact[:60]}”", a.creator, a.note]
            click.echo("  " + "\t".join(sanitize(x) for x in [label, *fields] if x))
    if not as_json:
        click.echo(plural(len(conflicts), "conflict"))
    return len(conflicts)


@click.command("git-resolve")
@repo_option
@path_options
@click.pass_context
def git_resolve(ctx, repo_dir, corpus_dir, annotations_dir, index_dir) -> None:
    """Merge the annotation files a git merge left in modify/delete conflict, and stage them.

    One coder deleted a document's last annotation (its file went), another changed that file:
    git stops with "CONFLICT (modify/delete)" without running the merge driver. This merges the
    three versions as the driver would (an annotation deleted on one side and edited on the
    other is kept, with both versions listed by `reader annotations --conflicts`) and stages the
    result; then `git commit` concludes the merge.
    """
    from reader.teams.git_setup import SetupError, repository_of
    from reader.teams.resolve import resolve_deletions

    paths = paths_from(ctx, corpus_dir, annotations_dir, index_dir)
    try:
        repo = repo_dir if repo_dir is not None else repository_of(paths.annotations)
        done = resolve_deletions(repo, paths.annotations)
    except SetupError as exc:
        fail(ctx, str(exc))
    for r in done:
        if r.action == "refused":
            click.echo(sanitize(f"reader git-resolve: cannot merge {r.path}: {r.reason}; left conflicted"), err=True)
            continue
        extra = f"\t{plural(len(r.conflicts), 'conflict')} (reader annotations --conflicts)" if r.conflicts else ""
        click.echo(f"{r.action}\t{sanitize(r.path)}{extra}")
    merged = [r for r in done if r.action != "refused"]
    click.echo(
        f"{plural(len(merged), 'annotation file')} resolved"
        + ("; git commit to conclude the merge" if merged else " (no modify/delete conflict in the annotations)")
    )
    if len(merged) < len(done):
        ctx.exit(1)


@click.command("log")
@click.argument("revisions", required=False, metavar="[REV..REV]")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per change, per line.")
@repo_option
@path_options
@click.pass_context
def log_command(ctx, revisions, as_json, repo_dir, corpus_dir, annotations_dir, index_dir) -> None:
    """The coding changes between two git revisions (default: the last commit).

    REV..REV, or one REV (its own changes). Lists tags created, renamed, edited or deleted and
    annotations added, edited or deleted, with document, quote, tags and coder. --json: one object
    per change: {"kind": "tag", "change", "tag", "to"} or {"kind": "annotation", "change", "doc",
    "id", "quote", "tags", "coder", "note", "before"}.
    """
    from reader.teams.git_setup import SetupError, repository_of
    from reader.teams.log import LogError, coding_log, split_range

    paths = paths_from(ctx, corpus_dir, annotations_dir, index_dir)
    try:
        repo = (repo_dir or repository_of(paths.annotations)).resolve()
        rel = paths.annotations.resolve().relative_to(repo).as_posix()
    except SetupError as exc:
        fail(ctx, str(exc))
    except ValueError:
        fail(ctx, f"the annotations folder {paths.annotations} is not inside the repository {repo}")
    old, new = split_range(revisions)
    try:
        log = coding_log(repo, rel, old, new)
    except LogError as exc:
        fail(ctx, str(exc))
    if as_json:
        for row in log.rows():
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    for t in log.tags:
        click.echo("\t".join(sanitize(x) for x in (t.change, t.tag) + ((f"→ {t.to}",) if t.to else ())))
    for a in log.annotations:
        fields = [a.change, a.doc, ", ".join(a.tags), f"“{a.quote[:60]}”", a.coder]
        if a.before is not None and a.before["tags"] != a.tags:
            fields.append(f"was {', '.join(a.before['tags'])}")
        if a.before is not None and a.before["note"] != a.note:
            fields.append(f"note: {a.note}")
        click.echo("\t".join(sanitize(x) for x in fields if x))
    click.echo(
        f"{plural(len(log.tags), 'tag change')}, {plural(len(log.annotations), 'annotation change')} ({old}..{new})"
    )


COMMANDS = [git_setup, git_resolve, log_command]
