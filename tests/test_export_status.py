"""Issue 14, item 10: one vocabulary for where an annotation is now (anchored, moved, fuzzy,
orphan) in the panel, `reader annotations` and every export. Exports used to call the
annotations of a document whose file is gone `missing`: they are orphans, and the formats a
person reads say why ("orphan (the document is gone)")."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import pytest
from click.testing import CliRunner

from reader.anchoring import STATUS_SHOWS, STATUSES
from reader.cli import main
from reader.export import export, select
from reader.widgets.annotation_panel import STATUS_MARKS
from test_export import D0, D1, D2, D3, make_env

GONE = "orphan (the document is gone)"


@pytest.fixture()
def changed(tmp_path, monkeypatch):
    """The fixed annotations after edits that give every placement: D0 gains a line on top
    (moved) and a respelt truce (fuzzy), D2 loses its passage (orphan), D1 is deleted (orphans
    of a document that is gone), D3 is untouched (anchored)."""
    paths, store, corpus = make_env(tmp_path, monkeypatch)
    d0 = paths.corpus / D0
    text = d0.read_text(encoding="utf-8")
    d0.write_text(
        "PREFACE\n" + text.replace("growing calls to end the truce", "growing calls to end the truse"), encoding="utf-8"
    )
    d2 = paths.corpus / D2
    d2.write_text(
        d2.read_text(encoding="utf-8").replace("also called Harakat Hezbollah al-Nujaba, ", ""), encoding="utf-8"
    )
    (paths.corpus / D1).unlink()
    return paths, store, corpus


def statuses_by_doc(rows) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for doc, status in rows:
        out.setdefault(doc, set()).add(status)
    return out


EXPECTED = {D0: {"moved", "fuzzy"}, D1: {"orphan"}, D2: {"orphan"}, D3: {"anchored"}}


def test_the_selection_uses_the_four_words_and_marks_a_gone_document(changed):
    paths, store, corpus = changed
    rows = select(paths=paths, store=store, corpus=corpus).rows
    assert statuses_by_doc((r.doc, r.status) for r in rows) == EXPECTED
    assert {r.status_label for r in rows if r.doc == D1} == {GONE}
    assert {r.status_label for r in rows if r.doc == D2} == {"orphan"}


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_csv_and_jsonl_status_column(changed, fmt):
    paths, store, corpus = changed
    data = export(fmt, paths=paths, store=store, corpus=corpus).data.decode("utf-8-sig")
    if fmt == "csv":
        records = list(csv.DictReader(io.StringIO(data)))
    else:
        records = [json.loads(line) for line in data.splitlines()]
    assert statuses_by_doc((r["doc"], r["status"]) for r in records) == EXPECTED
    assert all(r["start"] in ("", None) for r in records if r["status"] == "orphan")


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_reading_formats_name_each_placement_and_say_what_it_shows(changed, fmt):
    paths, store, corpus = changed
    data = export(fmt, paths=paths, store=store, corpus=corpus).data.decode()
    shown = re.findall(r"\*\*([^*]+)\*\*" if fmt == "md" else r'<span class="status">([^<]+)<', data)
    assert sorted(set(shown)) == sorted({"fuzzy", "orphan", GONE})
    # D1's one annotation; D2's, under each of its two tags
    assert shown.count(GONE) == 1 and shown.count("orphan") == 2
    assert "missing" not in " ".join(shown)
    for word in ("fuzzy", "orphan"):  # the legend: each word once, with what it shows
        assert f"{word}: {STATUS_SHOWS[word]}" in data.replace("&#x27;", "'")


def test_w3c_keeps_the_quote_of_an_orphan_and_gives_no_position(changed):
    paths, store, corpus = changed
    data = export("w3c", paths=paths, store=store, corpus=corpus).data.decode()
    assert '"missing"' not in data
    items = json.loads(data)["first"]["items"]
    gone = [item for item in items if item["target"]["source"]["id"].endswith(D1)]
    assert gone, "the orphans of the deleted document are exported"
    for item in gone:
        kinds = {s["type"] for s in _selectors(item)}
        assert kinds == {"TextQuoteSelector"}, kinds


def _selectors(item) -> list[dict]:
    selector = item["target"]["selector"]
    return selector if isinstance(selector, list) else [selector]


def test_qdpx_says_why_it_leaves_each_orphan_out(changed, tmp_path):
    paths, store, corpus = changed
    result = export("qdpx", paths=paths, store=store, corpus=corpus, output=tmp_path / "o.qdpx")
    assert len(result.skipped) == 2
    assert sum(GONE in line for line in result.skipped) == 1
    assert sum(f"{D2}: orphan," in line for line in result.skipped) == 1
    assert not any("missing" in line for line in result.skipped)
    with zipfile.ZipFile(tmp_path / "o.qdpx") as archive:
        assert "missing" not in archive.read("project.qde").decode()


def test_reader_annotations_uses_the_same_words(changed):
    paths, store, corpus = changed
    args = ["--corpus", str(paths.corpus), "--annotations", str(paths.annotations), "--index", str(paths.index)]
    r = CliRunner().invoke(main, [*args, "annotations", "--json"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    records = [json.loads(line) for line in r.stdout.splitlines()]
    assert statuses_by_doc((r["doc"], r["status"]) for r in records) == EXPECTED
    r = CliRunner().invoke(main, [*args, "annotations"], catch_exceptions=False)
    lines = [line.split("\t") for line in r.stdout.splitlines() if "\t" in line]
    assert {line[2] for line in lines if line[0] == D1} == {GONE}
    assert {line[2] for line in lines if line[0] != D1} == {"anchored", "moved", "fuzzy", "orphan"}
    r = CliRunner().invoke(
        main, [*args, "export", "-f", "qdpx", "-o", str(paths.index.parent / "cli.qdpx")], catch_exceptions=False
    )
    assert r.exit_code == 0 and GONE in r.stderr and "missing" not in r.stderr


def test_the_panel_marks_only_the_four_words():
    assert set(STATUS_MARKS) <= set(STATUSES) and set(STATUS_SHOWS) == set(STATUSES)
