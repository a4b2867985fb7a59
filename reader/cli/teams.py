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

from reader.cli.common import (
    EXIT_STORE,
    coder_option,
    fail,
    open_store,
    path_options,
    paths_from,
    require_complete,
    resolve_coder_or_fail,
    skip_unreadable_option,
)
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

    Every version is a choice, numbered from 1 as `reader resolve ID --version N` takes them:
    `version 1 (ours)` and `version 2 (theirs)` are the first two, a third branch's merge adds
    `version 3` and on, and an annotation edited since the merge has its present state as the
    last choice (--json: `versions` lists the record's versions, always; `choices` every choice
    with its `number` and `label`)."""
    from reader.model import annotation_to_json
    from reader.store.conflicts import conflict_to_json

    conflicts = store.conflicts(doc_id)
    for c in conflicts:
        doc = c.kept.doc
        listed = store.conflict_choices(c)
        if as_json:
            row = {"doc": doc, **conflict_to_json(c, all_versions=True)}
            row["choices"] = [
                {
                    "number": ch.number,
                    "label": ch.label,
                    "annotation": None if ch.annotation is None else annotation_to_json(ch.annotation),
                }
                for ch in listed
            ]
            click.echo(json.dumps(row, ensure_ascii=False))
            continue
        click.echo("\t".join(sanitize(x) for x in (doc, c.id, "conflict")))
        rows = [("base", c.base)] + [(choice_label(ch), ch.annotation) for ch in listed]
        for label, a in rows:
            if a is None:
                fields = ["(new on both sides)" if label == "base" else "deleted"]
            else:
                fields = [", ".join(a.tags), f"“{a.quote.exact[:60]}”", a.creator, a.note]
            click.echo("  " + "\t".join(sanitize(x) for x in [label, *fields] if x))
    if not as_json:
        click.echo(plural(len(conflicts), "conflict"))
        if conflicts:
            click.echo("pick one with: reader resolve ID --version N (or --all-ours / --all-theirs)")
    return len(conflicts)


def choice_label(choice) -> str:
    """`version 1 (ours)`, `version 2 (theirs)`, `version 3`, `version 4 (as it is now ...)`."""
    if choice.label == f"version {choice.number}":
        return choice.label
    return f"version {choice.number} ({choice.label})"


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


@click.command("resolve")
@click.argument("ann_id", required=False, metavar="[ANN_ID]")
@click.option("--version", "number", type=int, metavar="N", help="The version to keep, numbered as listed (from 1).")
@click.option("--all-ours", "all_ours", is_flag=True, help="Keep version 1 (ours) of every conflict.")
@click.option("--all-theirs", "all_theirs", is_flag=True, help="Keep version 2 (theirs) of every conflict.")
@click.option("--doc", "doc_id", help="With --all-ours/--all-theirs: only this document's conflicts.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per conflict resolved, per line.")
@coder_option
@skip_unreadable_option
@path_options
@click.pass_context
def resolve_command(
    ctx,
    ann_id,
    number,
    all_ours,
    all_theirs,
    doc_id,
    as_json,
    coder,
    skip_unreadable,
    corpus_dir,
    annotations_dir,
    index_dir,
) -> None:
    """Resolve a merge conflict: the annotation becomes the version picked, the conflict goes.

    `reader annotations --conflicts` numbers each conflict's versions: `reader resolve ANN_ID
    --version N` keeps version N (a deleted version deletes the annotation); --all-ours or
    --all-theirs keeps version 1 or 2 of every conflict (of --doc DOC only, when given) in one
    change. The version is kept exactly as its coder left it, and placed in the document's
    current text as every annotation is (the status says where: anchored, moved, fuzzy,
    orphan). Exit 2 (nothing changed): no such conflict or version; 3: the store failed.
    --json: {"doc", "id", "version", "label", "deleted", "annotation", "status"} per line.
    """
    from reader.store import StoreError
    from reader.store.resolving import ConflictNotFound, NoSuchVersion

    paths = paths_from(ctx, corpus_dir, annotations_dir, index_dir)
    coder = resolve_coder_or_fail(ctx, coder)
    if all_ours and all_theirs:
        fail(ctx, "give one of --all-ours and --all-theirs")
    whole = all_ours or all_theirs
    if whole and (ann_id is not None or number is not None):
        fail(ctx, "--all-ours/--all-theirs resolve every conflict: give no ANN_ID nor --version")
    if not whole and ann_id is None:
        fail(ctx, "give ANN_ID --version N, or --all-ours / --all-theirs (reader annotations --conflicts lists them)")
    if doc_id is not None and not whole:
        fail(ctx, "--doc goes with --all-ours/--all-theirs")
    store = open_store(paths, coder, warn=False)
    try:
        if whole:
            require_complete(ctx, store, skip_unreadable, [doc_id] if doc_id else None)
            picks = [(c.id, 1 if all_ours else 2) for c in store.conflicts(doc_id)]
            which = "ours" if all_ours else "theirs"
            done = store.resolve_conflicts(picks, f"resolve {plural(len(picks), 'merge conflict')}: {which}")
        else:
            conflict = store.conflict(ann_id)
            if number is None:
                listed = store.conflict_choices(conflict)
                shown_choices = ", ".join(f"{ch.number} ({ch.label})" for ch in listed)
                fail(
                    ctx,
                    f"choose a version of annotation {sanitize(ann_id)} with --version N: {sanitize(shown_choices)}",
                )
            done = store.resolve_conflicts([(ann_id, number)])
    except (ConflictNotFound, NoSuchVersion) as exc:
        fail(ctx, sanitize(str(exc)))
    except StoreError as exc:
        fail(ctx, sanitize(str(exc)), code=EXIT_STORE)
    except OSError as exc:
        fail(ctx, f"could not use the annotations folder: {sanitize(str(exc.strerror or exc))}", code=EXIT_STORE)
    statuses = _placements(paths, store, done)
    for r in done:
        kept = r.chosen.annotation
        if as_json:
            from reader.model import annotation_to_json

            row = {
                "doc": r.doc,
                "id": r.id,
                "version": r.chosen.number,
                "label": r.chosen.label,
                "deleted": kept is None,
                "annotation": None if kept is None else annotation_to_json(kept),
                "status": statuses.get(r.id),
            }
            click.echo(json.dumps(row, ensure_ascii=False))
            continue
        what = ["deleted"] if kept is None else [", ".join(kept.tags), f"“{kept.quote.exact[:60]}”"]
        status = statuses.get(r.id)
        fields = [r.doc, r.id, choice_label(r.chosen), *what, *([status] if status else [])]
        click.echo("resolved\t" + "\t".join(sanitize(x) for x in fields))
    if not as_json:
        click.echo(f"{plural(len(done), 'conflict')} resolved")


def _placements(paths, store, done) -> dict[str, str]:
    """Where each kept version is placed in its document's current text (anchored, moved,
    fuzzy, orphan), by annotation id; a document that cannot be read is left out."""
    from index.corpus import CorpusError, UnreadableDocument

    from reader.anchoring import status_label

    out: dict[str, str] = {}
    wanted: dict[str, set[str]] = {}
    for r in done:
        if r.chosen.annotation is not None:
            wanted.setdefault(r.doc, set()).add(r.id)
    if not wanted:
        return out
    try:
        corpus = paths.open_corpus()
    except CorpusError:
        return out
    for doc, ids in wanted.items():
        try:
            document = corpus.load(doc)
        except (UnreadableDocument, CorpusError):
            out.update(dict.fromkeys(ids, status_label("orphan", document_gone=True)))
            continue
        for placed in store.resolve(doc, document.text, document.sha256):
            if placed.annotation.id in ids:
                out[placed.annotation.id] = placed.status
    return out


COMMANDS = [git_setup, git_resolve, log_command, resolve_command]
