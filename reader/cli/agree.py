"""`reader agree`: how far coders agree, per tag and overall, with and without uncoded text.

Registered into the main group by `reader/cli/root.py` (`COMMAND_MODULES`). The figures come from
`reader.agreement` (see its modules for the formulas and the choices behind them); this module
only gathers the options and prints. `--json` prints one object per tag and one with
`"tag": null` for every tag at once (JSON Lines); `--csv` one row per tag and choice of text.
Exit status: 0; 2 on a usage error or fewer than two coders; 3 when documents or annotation
files cannot be read (the figures would silently measure less; `--skip-unreadable` goes on and
says what was left out).
"""

from __future__ import annotations

import click

from index import collector
from reader.cli.common import (
    EXIT_STORE,
    fail,
    open_store,
    path_options,
    paths_from,
    require_complete,
    skip_unreadable_option,
    stdout_console,
    warn_problems,
)
from reader.cli.output import csv_rows, say_json

FIELDS = ("percent", "kappa", "alpha", "alpha_ci", "alpha_u", "units", "coded_by", "overlaps")


def _figures_json(fig, included: bool) -> dict:
    return {
        "units": fig.units,
        "percent": fig.percent,
        "kappa": fig.kappa,
        "alpha": fig.alpha,
        "alpha_ci": None if fig.alpha_ci is None else [fig.alpha_ci.low, fig.alpha_ci.high],
        "alpha_u": fig.alpha_u,
        "uncoded_included": included,
        "coded_by": fig.coded_by,
        "overlaps": fig.overlaps,
        "reason": fig.reason or None,
    }


def result_json(result, exclude_uncoded: bool, replicates: int, seed: int) -> dict:
    main, other = result.with_uncoded, result.without_uncoded
    if exclude_uncoded:
        main, other = other, main
    out = {
        "tag": result.tag,
        "coders": list(result.coders),
        "unit": result.unit,
        "kappa_kind": "cohen" if len(result.coders) == 2 else "fleiss",
        **_figures_json(main, not exclude_uncoded),
        "bootstrap": {"replicates": replicates, "seed": seed, "resampled": "runs"},
    }
    out["with_uncoded" if exclude_uncoded else "without_uncoded"] = _figures_json(other, exclude_uncoded)
    return out


def _num(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _ci(fig) -> str:
    if fig.alpha_ci is None:
        return ""
    return f"[{fig.alpha_ci.low:.3f}, {fig.alpha_ci.high:.3f}]"


_without_cycle_collector = collector.paused()
"""Run the command with Python's cycle collector paused (index/collector.py). Gathering a
study allocates about a million objects that live to the end (the parsed annotation files,
every coder's placed spans, the tables' patterns), and the collector's full passes over them
were a sixth of a first `reader agree` on 30,000 annotations (docs/benchmarks.md,
"Agreement"); nothing it builds is cyclic garbage."""


def _print_human(gathered, results, replicates: int, seed: int) -> None:
    from rich.table import Table
    from rich.text import Text

    from reader.safe_text import sanitize
    from reader.wording import plural

    console = stdout_console()
    study = gathered.study
    coders = ", ".join(sanitize(c) for c in study.coders)
    kind = "Cohen's" if len(study.coders) == 2 else "Fleiss'"
    console.print(
        Text(
            f"Agreement of {len(study.coders)} coders ({coders}) on "
            f"{plural(len(gathered.documents), 'document')}, unit: {study.unit}"
            + (" (a coder's documents without their annotations count as missing)" if study.absent_as_missing else "")
        )
    )
    if gathered.orphans:
        console.print(
            Text(f"{plural(gathered.orphans, 'annotation')} left out: their text is gone from the document (orphans).")
        )
    for title, pick in (
        ("All text: text nobody coded counts as agreement", lambda r: r.with_uncoded),
        ("Coded text only: text nobody coded is left out", lambda r: r.without_uncoded),
    ):
        table = Table(title=Text(title), title_justify="left", show_edge=False)
        for name, justify in (
            ("tag", "left"),
            ("units", "right"),
            ("agree %", "right"),
            (f"{kind} κ", "right"),
            ("α", "right"),
            ("α 95% CI", "left"),
            ("α_U", "right"),
        ):
            table.add_column(name, justify=justify)  # type: ignore[arg-type]  # "left" or "right"
        reasons = []
        for r in results:
            fig = pick(r)
            name = "(all tags)" if r.tag is None else sanitize(r.tag)
            table.add_row(
                Text(name, style="bold" if r.tag is None else ""),
                str(fig.units),
                _num(fig.percent, 1),
                _num(fig.kappa),
                _num(fig.alpha),
                _ci(fig),
                _num(fig.alpha_u),
            )
            if fig.reason:
                reasons.append(f"{name}: undefined, {fig.reason}")
        console.print()
        console.print(table)
        for line in dict.fromkeys(reasons):
            console.print(Text(line, style="dim"))
    overall = results[-1].with_uncoded
    counts = ", ".join(f"{sanitize(c)} {n}" for c, n in overall.coded_by.items())
    console.print()
    console.print(Text(f"Units coded by each coder: {counts}; by two or more: {overall.overlaps}."))
    console.print(
        Text(
            f"α is Krippendorff's alpha (nominal); α_U his unitizing alpha on character spans. "
            f"CI: bootstrap over runs of units coded alike, {replicates} replicates, seed {seed}."
        ),
        style="dim",
    )


@click.command("agree")
@click.option("--coder", "coders", multiple=True, help="A coder to compare (repeat; default: all).")
@click.option("--tag", "tags", multiple=True, help="A tag and its descendants (repeat; default: all).")
@click.option("--doc", "docs", multiple=True, help="A document id (repeat; default: every coded one).")
@click.option(
    "--unit",
    type=click.Choice(["char", "word", "sentence", "paragraph", "document"]),
    default="char",
    show_default=True,
    help="What one unit of agreement is.",
)
@click.option(
    "--absent-as-missing",
    is_flag=True,
    help="A coder with no annotation in a document did not code it (missing values).",
)
@click.option("--exclude-uncoded", is_flag=True, help="--json/--csv: give the figures without uncoded text first.")
@click.option(
    "--replicates",
    default=1000,
    show_default=True,
    type=click.IntRange(0, 100_000),
    help="Bootstrap replicates for alpha's confidence interval (0: none).",
)
@click.option("--seed", default=None, type=int, help="Bootstrap seed (default: fixed).")
@click.option("--json", "as_json", is_flag=True, help="JSON Lines: one object per tag, then overall.")
@click.option("--csv", "as_csv", is_flag=True, help="CSV: one row per tag and choice of text.")
@skip_unreadable_option
@path_options
@click.pass_context
@_without_cycle_collector
def agree(
    ctx,
    coders,
    tags,
    docs,
    unit,
    absent_as_missing,
    exclude_uncoded,
    replicates,
    seed,
    as_json,
    as_csv,
    skip_unreadable,
    corpus_dir,
    annotations_dir,
    index_dir,
):
    """How far coders agree: percent, kappa, Krippendorff's alpha (with a bootstrap 95% CI)
    and unitizing alpha, per tag and overall, with and without the text nobody coded."""
    from index.corpus import CorpusError
    from reader.agreement import bootstrap
    from reader.agreement.load import StudyError, collect, study_of
    from reader.agreement.places_cache import FILE_NAME

    if as_json and as_csv:
        fail(ctx, "choose one of --json and --csv")
    paths = paths_from(ctx, corpus_dir, annotations_dir, index_dir)
    seed = bootstrap.SEED if seed is None else seed
    store = open_store(paths, warn=False)
    try:
        corpus = paths.open_corpus()
        # unchanged documents come from the cache beside the index (their files unread)
        collected = collect(store, corpus, coders, docs, cache=paths.index / FILE_NAME, texts=unit != "char")
    except CorpusError as exc:
        fail(ctx, str(exc))
    warn_problems(collected.problems)
    left_out = require_complete(ctx, store, skip_unreadable, docs or None, problems=collected.problems)
    try:
        gathered = study_of(collected, coders, tags, docs, unit, absent_as_missing, replicates, seed)
    except StudyError as exc:
        fail(ctx, str(exc))
    if gathered.unreadable and not skip_unreadable:
        from reader.safe_text import sanitize

        names = ", ".join(sanitize(repr(d)) for d in gathered.unreadable[:5])
        fail(
            ctx,
            f"cannot read {len(gathered.unreadable)} document(s): {names}; the figures "
            "would leave them out (pass --skip-unreadable to measure the rest)",
            code=EXIT_STORE,
        )
    notes = [f"the annotations of {p.doc or 'the codebook'} ({p.reason})" for p in left_out]
    notes += [f"document {d} (cannot be read)" for d in gathered.unreadable]
    for note in notes:
        click.echo(f"reader: left out: {note}", err=True)
    if not gathered.documents:
        fail(ctx, "no coded document to measure (check --doc and --coder)")
    results = gathered.study.results()
    if as_json:
        for r in results:
            say_json(result_json(r, exclude_uncoded, replicates, seed))
        return
    if as_csv:
        rows = []
        for r in results:
            order = [(r.without_uncoded, False), (r.with_uncoded, True)]
            if not exclude_uncoded:
                order.reverse()
            for fig, included in order:
                ci = fig.alpha_ci
                rows.append(
                    [
                        r.tag or "",
                        ";".join(r.coders),
                        r.unit,
                        included,
                        fig.units,
                        fig.percent,
                        fig.kappa,
                        fig.alpha,
                        None if ci is None else ci.low,
                        None if ci is None else ci.high,
                        fig.alpha_u,
                        fig.overlaps,
                    ]
                )
        csv_rows(
            [
                "tag",
                "coders",
                "unit",
                "uncoded_included",
                "units",
                "percent",
                "kappa",
                "alpha",
                "alpha_ci_low",
                "alpha_ci_high",
                "alpha_u",
                "overlaps",
            ],
            rows,
        )
        return
    _print_human(gathered, results, replicates, seed)
    if notes:
        from reader.safe_text import sanitize

        for note in notes:
            click.echo(sanitize(f"left out: {note}"))


def _version_json(version, text: str) -> dict:
    return {
        "coder": version.coder,
        "tags": sorted(version.tags),
        "spans": [
            {"start": sp.start, "end": sp.end, "tags": sorted(sp.tags), "quote": text[sp.start : sp.end]}
            for sp in version.spans
        ],
    }


@click.command("disagreements")
@click.option("--coder", "coders", multiple=True, help="A coder to compare (repeat; default: all).")
@click.option("--tag", "tags", multiple=True, help="A tag and its descendants (repeat; default: all).")
@click.option("--doc", "docs", multiple=True, help="A document id (repeat; default: every coded one).")
@click.option(
    "--tolerance",
    default=5,
    show_default=True,
    type=click.IntRange(0),
    help="Boundaries this many characters apart still match.",
)
@click.option(
    "--accept-agreed",
    is_flag=True,
    help="Take every place where the coders agree into the consensus, as it is (one change; "
    "default coders: all but the consensus), and say what was done instead of listing.",
)
@click.option("--json", "as_json", is_flag=True, help="JSON Lines: one object per difference.")
@skip_unreadable_option
@path_options
@click.pass_context
@_without_cycle_collector
def disagreements(
    ctx, coders, tags, docs, tolerance, accept_agreed, as_json, skip_unreadable, corpus_dir, annotations_dir, index_dir
):
    """Every place where coders differ: coded by some and not others (missing), different tags
    on the same text (tags), or the same tags with boundaries apart (bounds)."""
    from index.corpus import CorpusError
    from reader.agreement.differences import differences
    from reader.agreement.load import StudyError, gather
    from reader.agreement.settling import CONSENSUS, compared_coders
    from reader.safe_text import sanitize

    if accept_agreed and CONSENSUS in coders:
        fail(ctx, f"--accept-agreed compares coders to take into the consensus: drop --coder {CONSENSUS}")
    paths = paths_from(ctx, corpus_dir, annotations_dir, index_dir)
    store = open_store(paths)
    require_complete(ctx, store, skip_unreadable, docs or None)
    if accept_agreed and not coders:  # as the worklist: everyone but the consensus
        coders = compared_coders(store.annotations())
    corpus = None
    try:
        corpus = paths.open_corpus()
        gathered = gather(store, corpus, coders, tags, docs, replicates=0)
    except (StudyError, CorpusError) as exc:
        fail(ctx, str(exc))
    if gathered.unreadable and not skip_unreadable:
        fail(
            ctx,
            f"cannot read {len(gathered.unreadable)} document(s); pass --skip-unreadable "
            "to list the differences in the rest",
            code=EXIT_STORE,
        )
    study = gathered.study
    if accept_agreed:
        _accept_agreed(ctx, store, corpus, study, tolerance, as_json)
        return
    found = differences(study.selected, study.coders, tolerance)
    texts = study.texts
    if as_json:
        for n, d in enumerate(found, 1):
            say_json(
                {
                    "n": n,
                    "of": len(found),
                    "doc": d.doc,
                    "start": d.start,
                    "end": d.end,
                    "kind": d.kind,
                    "key": d.key,
                    "quote": texts[d.doc][d.start : d.end],
                    "versions": [_version_json(v, texts[d.doc]) for v in d.versions],
                }
            )
        return
    if not found:
        click.echo(f"No differences between {', '.join(sanitize(c) for c in study.coders)}.")
        return
    for n, d in enumerate(found, 1):
        quote = " ".join(texts[d.doc][d.start : d.end].split())
        if len(quote) > 70:
            quote = quote[:69] + "…"
        click.echo(sanitize(f"difference {n} of {len(found)}  {d.kind}  {d.doc}:{d.start}:{d.end}"))
        click.echo("  " + sanitize(f"“{quote}”"))
        for v in d.versions:
            what = ", ".join(sorted(v.tags)) or "(nothing)"
            spans = " ".join(f"{sp.start}:{sp.end}" for sp in v.spans)
            click.echo("  " + sanitize(f"{v.coder}: {what}  {spans}".rstrip()))


def _accept_agreed(ctx, store, corpus, study, tolerance: int, as_json: bool) -> None:
    """`reader disagreements --accept-agreed`: what the worklist's `A` does, said in one line
    (or one JSON object: coders, agreed_places, settled_before, accepted, ids)."""
    from reader.agreement.differences import agreements
    from reader.agreement.settling import WorklistError, accept_agreed
    from reader.safe_text import sanitize
    from reader.store import StoreError
    from reader.wording import plural

    places = agreements(study.selected, study.coders, tolerance)
    try:
        taken = accept_agreed(store, corpus, places)
    except WorklistError as exc:
        fail(ctx, str(exc), code=EXIT_STORE)
    except StoreError as exc:
        fail(ctx, f"nothing was accepted: {exc}", code=EXIT_STORE)
    if as_json:
        say_json(
            {
                "coders": list(study.coders),
                "agreed_places": taken.places,
                "settled_before": taken.settled_before,
                "accepted": len(taken.created),
                "ids": [a.id for a in taken.created],
            }
        )
        return
    who = ", ".join(sanitize(c) for c in study.coders)
    if not taken.places:
        click.echo(f"No place where {who} agree: nothing was accepted into the consensus.")
        return
    line = (
        f"Accepted {plural(len(taken.created), 'passage')} into the consensus, as the coders have them: "
        f"{plural(taken.places, 'place')} where {who} agree"
    )
    if taken.settled_before:
        line += f", {taken.settled_before} of them already in the consensus"
    click.echo(line + ".")


COMMANDS = [agree, disagreements]
