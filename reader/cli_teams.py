"""Team commands: `git-setup` (install the annotation merge driver) and the conflicts listing.

Registered into the main group by `reader/cli.py` (`COMMANDS`). `reader annotations --conflicts`
(in cli_store.py) prints through `print_conflicts` here. Exit status: 0 done, 2 bad input (not a
git repository, annotations outside it), 3 the store cannot be read.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from reader.cli_common import fail, path_options, paths_from
from reader.safe_text import sanitize


@click.command("git-setup")
@click.option("--repo", "repo_dir", type=click.Path(file_okay=False, path_type=Path),
              help="The git repository (default: the one holding the annotations folder).")
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
    click.echo(f"merge driver installed in {sanitize(str(repo))}"
               + ("" if changed else " (nothing to change)")
               + ("; commit .gitattributes" if any(s.action == "added" and s.what.startswith(".git")
                                                   for s in steps) else ""))


def print_conflicts(store, doc_id: str | None, as_json: bool) -> int:
    """List the annotations a merge left with two versions; returns how many."""
    from reader.store.conflicts import SIDES, conflict_to_json

    conflicts = store.conflicts(doc_id)
    for c in conflicts:
        doc = (c.ours or c.theirs).doc
        if as_json:
            click.echo(json.dumps({"doc": doc, **conflict_to_json(c)}, ensure_ascii=False))
            continue
        click.echo("\t".join(sanitize(x) for x in (doc, c.id, "conflict")))
        for side in SIDES:
            a = c.version(side)
            if a is None:
                fields = ["(new on both sides)" if side == "base" else "deleted"]
            else:
                fields = [", ".join(a.tags), f"“{a.quote.exact[:60]}”", a.creator, a.note]
            click.echo("  " + "\t".join(sanitize(x) for x in [side, *fields] if x))
    if not as_json:
        click.echo(f"{len(conflicts)} conflict{'s' if len(conflicts) != 1 else ''}")
    return len(conflicts)


COMMANDS = [git_setup]
